/**
 * What the module sends, as Erlang terms (spec §2). A FreeSWITCH string (`S`) is an Erlang
 * string (a list of UTF-8 bytes) or a binary, by the `encoding` param; log fields are always
 * strings. An event is encoded once per encoding however many handlers receive it (memoized on
 * the event), so a thousand subscribers cost one encoding.
 */
import { ErlMap, type Term, Tuple, atom, t } from '@beamline/etf';
import { type LogRecord, type SwitchEvent, textBytes, urlDecodeBytes } from '@beamline/switch';
import type { Encoding, EventFormat } from './config.ts';

const utf8 = new TextEncoder();

export const A_EVENT = atom('event');
export const A_UNDEFINED = atom('undefined');
const A_LOG = atom('log');
const A_BODY = atom('body');
const LOG_KEYS = ['level', 'text_channel', 'file', 'func', 'line', 'data', 'user_data'].map((k) => atom(k));

/** Bytes → `S`: an Erlang string (byte list) or a binary. */
function sBytes(bytes: Uint8Array, encoding: Encoding): Term {
  return encoding === 'binary' ? bytes : byteList(bytes);
}

/**
 * The bytes as a list of numbers. Not `Array.from`, which goes through the iterator: an object
 * per byte, ~20 KB of garbage for an `{api, status, ""}` reply, which showed in the api p99.
 */
function byteList(bytes: Uint8Array): number[] {
  const n = bytes.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = bytes[i]!;
  return out;
}

/** A JS string → `S` (its UTF-8 bytes; a byte a peer sent that is no UTF-8 as itself: byte_text.ts). */
export function s(text: string, encoding: Encoding): Term {
  return sBytes(textBytes(text), encoding);
}

/** Always an Erlang string (`Str`), whatever the encoding. */
export function str(text: string): number[] {
  return byteList(textBytes(text));
}

/**
 * A header name or value as `S`. The hot path of every event: an ASCII text needs no UTF-8
 * encoder (a byte list is its char codes; a binary is the JS string itself, which the codec writes
 * as its UTF-8 bytes, the same bytes, without a Uint8Array made for it), and a value is
 * URL-decoded only when it holds a `%`.
 */
export function sText(text: string, encoding: Encoding, decode: boolean): Term {
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
  const bytes = textBytes(text);
  return sBytes(decode ? urlDecodeBytes(bytes) : bytes, encoding);
}

/**
 * Header names repeat across events, and so do most values (Core-UUID, host names, Event-Name,
 * the calling site, the date strings within a second): per encoding, each name keeps its term and
 * the last value it was seen with; a value seen twice in a row gets a `{Name, Value}` pair that the
 * following events with the same value share (terms are never mutated). Only the values that
 * change (sequence, timestamp, …) build a pair, so an event makes a few small objects instead of
 * one per header. The cache keeps a binary as bytes, at most 256 characters a value.
 */
export interface NameEntry {
  readonly term: Term;
  value: string | undefined;
  pair: Tuple | undefined;
  /** The term's external-format bytes, once event_wire.ts has needed them. */
  bytes: Uint8Array | undefined;
}

/**
 * Per encoding: the name entries, and the entry last used at each position (see `pairAt`). Looked
 * up by a branch, not `record[encoding]`: a keyed load that has seen both encodings (two nodes in
 * one process) goes megamorphic, and this runs for every header of every event.
 */
interface EncodingCache {
  readonly names: Map<string, NameEntry>;
  readonly slots: NameEntry[];
  readonly slotNames: string[];
}

const STRING_CACHE: EncodingCache = { names: new Map(), slots: [], slotNames: [] };
const BINARY_CACHE: EncodingCache = { names: new Map(), slots: [], slotNames: [] };
const cacheOf = (encoding: Encoding): EncodingCache => (encoding === 'binary' ? BINARY_CACHE : STRING_CACHE);
const MAX_CACHED_NAMES = 10_000;

export function nameEntry(name: string, encoding: Encoding): NameEntry {
  const m = cacheOf(encoding).names;
  let entry = m.get(name);
  if (entry === undefined) {
    entry = { term: kept(sText(name, encoding, false)), value: undefined, pair: undefined, bytes: undefined };
    if (m.size < MAX_CACHED_NAMES) m.set(name, entry);
  }
  return entry;
}

/**
 * Events of one kind carry the same names at the same positions: the entry last used at position
 * `i` is tried first (a pointer comparison of the name) before the name map.
 */
const MAX_SLOTS = 256;
/** Longer values are not kept (the cache holds at most one value per name). */
const MAX_REMEMBERED_VALUE = 256;

function pairAt(i: number, name: string, value: string, encoding: Encoding): Tuple {
  let entry: NameEntry;
  const { slots, slotNames: at } = cacheOf(encoding);
  if (at[i] === name) entry = slots[i]!;
  else {
    entry = nameEntry(name, encoding);
    if (i < MAX_SLOTS) {
      at[i] = name;
      slots[i] = entry;
    }
  }
  if (entry.value === value) {
    if (entry.pair !== undefined) return entry.pair;
    // seen twice in a row: kept from now on
    const p = new Tuple([entry.term, kept(sText(value, encoding, true))]);
    entry.pair = p;
    return p;
  }
  entry.value = value.length <= MAX_REMEMBERED_VALUE ? value : undefined;
  entry.pair = undefined;
  return new Tuple([entry.term, sText(value, encoding, true)]);
}

/** `S` kept across events: a binary as its bytes, which the codec copies faster than it writes a JS string. */
function kept(term: Term): Term {
  return typeof term === 'string' ? utf8.encode(term) : term;
}

/** `[UUID | {Name, Value}…]` (+ `{"body", Body}`): the event list of §2.1, also fetch Params. */
export function eventList(e: SwitchEvent, encoding: Encoding): Term[] {
  const uuid = e.getHeader('Unique-ID');
  const headers = e.headers;
  const n = headers.length;
  // an empty body is a body: the original tests event->body, not its length
  const hasBody = e.body !== undefined;
  const list: Term[] = new Array(n + (hasBody ? 2 : 1));
  list[0] = uuid === undefined ? A_UNDEFINED : sText(uuid, encoding, false);
  for (let i = 0; i < n; i++) {
    const h = headers[i]!;
    list[i + 1] = pairAt(i, h.name, h.value, encoding);
  }
  if (hasBody) list[n + 1] = t(nameEntry('body', encoding).term, sText(e.body!, encoding, false));
  return list;
}

/**
 * `event-format=map` (README): `#{Name => Value}` with each header's name and value as `S`; a name
 * the event carries more than once maps to the list of its values in order; the body, when there
 * is one, under the atom `body` (no header name can be an atom). No UUID element: `Unique-ID` is a
 * header like the others.
 */
function eventMap(e: SwitchEvent, encoding: Encoding): ErlMap {
  const values = new Map<string, Term[]>();
  for (const h of e.headers) {
    const v = sText(h.value, encoding, true);
    const seen = values.get(h.name);
    if (seen === undefined) values.set(h.name, [v]);
    else seen.push(v);
  }
  const m = new ErlMap();
  for (const [name, vs] of values) m.set(nameEntry(name, encoding).term, vs.length === 1 ? vs[0]! : vs);
  if (e.body !== undefined) m.set(A_BODY, sText(e.body, encoding, false));
  return m;
}

/** Per encoding and format: the memo key and the builder (one function each, no closure per event). */
const BUILD: Record<EventFormat, Record<Encoding, (e: SwitchEvent) => Tuple>> = {
  list: {
    string: (e) => t(A_EVENT, eventList(e, 'string')),
    binary: (e) => t(A_EVENT, eventList(e, 'binary')),
  },
  map: {
    string: (e) => t(A_EVENT, eventMap(e, 'string')),
    binary: (e) => t(A_EVENT, eventMap(e, 'binary')),
  },
};

/**
 * `{event, [UUID | Headers]}` (or `{event, #{…}}` with `format` map), built once per event,
 * encoding and format (memoized on the event).
 */
export function eventTerm(e: SwitchEvent, encoding: Encoding, format: EventFormat = 'list'): Tuple {
  const byEncoding = format === 'list' ? BUILD.list : BUILD.map; // branches, not keyed loads (see EncodingCache)
  const build = encoding === 'binary' ? byEncoding.binary : byEncoding.string;
  return e.memo(build, build);
}

/** FreeSWITCH's text channels (switch_text_channel_t): a session-bound line is SESSION. */
const TEXT_CHANNEL = { LOG: 0, LOG_CLEAN: 1, EVENT: 2, SESSION: 3 } as const;

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
