/**
 * What the module sends, as Erlang terms (spec §2). A FreeSWITCH string (`S`) is an Erlang
 * string (a list of UTF-8 bytes) or a binary, by the `encoding` param; log fields are always
 * strings. An event is encoded once per encoding however many handlers receive it (a WeakMap
 * keyed by the event), so a thousand subscribers cost one encoding.
 */
import { type Term, Tuple, atom, t } from '@beamline/etf';
import type { LogRecord, SwitchEvent } from '@beamline/switch';
import type { Encoding } from './config.ts';

const utf8 = new TextEncoder();

const A_EVENT = atom('event');
const A_UNDEFINED = atom('undefined');
const A_LOG = atom('log');
const LOG_KEYS = ['level', 'text_channel', 'file', 'func', 'line', 'data', 'user_data'].map((k) => atom(k));

/** Bytes → `S`: an Erlang string (byte list) or a binary. */
export function sBytes(bytes: Uint8Array, encoding: Encoding): Term {
  return encoding === 'binary' ? bytes : Array.from(bytes);
}

/** A JS string → `S` (its UTF-8 bytes). */
export function s(text: string, encoding: Encoding): Term {
  return sBytes(utf8.encode(text), encoding);
}

/** Always an Erlang string (`Str`), whatever the encoding. */
export function str(text: string): number[] {
  return Array.from(utf8.encode(text));
}

/**
 * switch_url_decode on bytes: a `%` with two more bytes after it whose first is hex becomes that
 * byte (`%4` followed by a non-hex byte takes the one digit, as C's `%2x` scan does) and the two
 * bytes after it are skipped; `+` is left alone.
 */
export function urlDecodeBytes(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x25)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 && i + 2 < bytes.length && hex(bytes[i + 1]!) >= 0) {
      const hi = hex(bytes[i + 1]!);
      const lo = hex(bytes[i + 2]!);
      out[n++] = lo >= 0 ? hi * 16 + lo : hi;
      i += 2;
      continue;
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

function hex(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/**
 * A header name or value as `S`. The hot path of every event: an ASCII text needs no UTF-8
 * encoder (a byte list is its char codes; a binary is the JS string, which the codec writes as
 * its UTF-8 bytes), and a value is URL-decoded only when it holds a `%`.
 */
function sText(text: string, encoding: Encoding, decode: boolean): Term {
  let ascii = true;
  let percent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) {
      ascii = false;
      break;
    }
    if (c === 0x25) percent = true;
  }
  if (ascii && !(decode && percent)) {
    if (encoding === 'binary') return text;
    const out = new Array<number>(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  const bytes = utf8.encode(text);
  return sBytes(decode ? urlDecodeBytes(bytes) : bytes, encoding);
}

/** Header names repeat across events: each is converted once per encoding. */
const names: Record<Encoding, Map<string, Term>> = { string: new Map(), binary: new Map() };
const MAX_CACHED_NAMES = 10_000;

function sName(name: string, encoding: Encoding): Term {
  const m = names[encoding];
  let term = m.get(name);
  if (term === undefined) {
    term = sText(name, encoding, false);
    if (m.size < MAX_CACHED_NAMES) m.set(name, term);
  }
  return term;
}

/** `[UUID | {Name, Value}…]` (+ `{"body", Body}`): the event list of §2.1, also fetch Params. */
export function eventList(e: SwitchEvent, encoding: Encoding): Term[] {
  const uuid = e.getHeader('Unique-ID');
  const headers = e.headers;
  const list: Term[] = new Array(headers.length + 1);
  list[0] = uuid === undefined ? A_UNDEFINED : sText(uuid, encoding, false);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    list[i + 1] = new Tuple([sName(h.name, encoding), sText(h.value, encoding, true)]);
  }
  if (e.body !== undefined && e.body !== '') list.push(t(sName('body', encoding), sText(e.body, encoding, false)));
  return list;
}

const cache: Record<Encoding, WeakMap<SwitchEvent, Tuple>> = { string: new WeakMap(), binary: new WeakMap() };

/** `{event, [UUID | Headers]}`, built once per event and encoding. */
export function eventTerm(e: SwitchEvent, encoding: Encoding): Tuple {
  const c = cache[encoding];
  let term = c.get(e);
  if (term === undefined) {
    term = t(A_EVENT, eventList(e, encoding));
    c.set(e, term);
  }
  return term;
}

/** FreeSWITCH's text channels (switch_text_channel_t): a session-bound line is SESSION. */
export const TEXT_CHANNEL = { LOG: 0, LOG_CLEAN: 1, EVENT: 2, SESSION: 3 } as const;

/**
 * `{log, [{level, L}, {text_channel, C}, {file, F}, {func, Fn}, {line, N}, {data, D}, {user_data, U}]}`:
 * 7 fields, strings always (§2.3). `text_channel` is the real channel (DECISIONS.md), not the level.
 */
export function logTerm(r: LogRecord): Tuple {
  const channel = r.userData ? TEXT_CHANNEL.SESSION : TEXT_CHANNEL.LOG;
  const values: Term[] = [r.level, channel, str(r.file), str(r.func), r.line, str(r.data), str(r.userData)];
  return t(
    A_LOG,
    LOG_KEYS.map((k, i) => t(k, values[i]!)),
  );
}
