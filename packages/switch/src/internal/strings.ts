/**
 * The string helpers FreeSWITCH's core uses everywhere (switch_utils.c), with its exact quirks,
 * because command arguments, dial strings and variable lists are all cut with them.
 */
import { bytesText, textBytes } from './byte_text.ts';

const ESCAPE = '\\';

/** C `atoi`: optional leading blanks and sign, then digits; stops at the first non-digit; 0 when none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number.parseInt(m[1]!, 10);
  // C int overflow is undefined; clamp so callers never see Infinity or precision loss.
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** C `atol` on a 64-bit long (times in epoch seconds): as `atoi`, clamped to safe integers. */
export function atol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number.parseInt(m[1]!, 10);
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));
}

/** C `atof`: the number at the start of the text (after leading blanks); 0 when there is none. */
export function atof(s: string): number {
  const n = Number.parseFloat(s.replace(/^[ \t\n\v\f\r]+/, ''));
  return Number.isFinite(n) ? n : 0;
}

/** switch_is_digit_string: only the digits 0–9 (the empty string counts). */
export function isDigitString(s: string): boolean {
  return /^[0-9]*$/.test(s);
}

/** switch_is_number: an optional sign, then only digits and dots (the empty string counts). */
export function isNumber(s: string): boolean {
  return /^[+-]?[0-9.]*$/.test(s);
}

/** switch_true: yes/on/true/t/enabled/active/allow (any case), or a non-zero number. */
export function switchTrue(s: string | undefined | null): boolean {
  if (s == null) return false;
  if (/^(yes|on|true|t|enabled|active|allow)$/i.test(s)) return true;
  return isNumber(s) && atoi(s) !== 0;
}

/** switch_false: no/off/false/f/disabled/inactive/disallow (any case), or a number that is 0. */
export function switchFalse(s: string | undefined | null): boolean {
  if (s == null) return false;
  if (/^(no|off|false|f|disabled|inactive|disallow)$/i.test(s)) return true;
  return isNumber(s) && atoi(s) === 0;
}

function unescapeChar(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 's':
      return ' ';
    default:
      return c;
  }
}

/**
 * One element after splitting: leading blanks skipped, `\x` escapes resolved (`\'`, `\"`, the
 * delimiter, `\\`, `\n` `\r` `\t` `\s`), single quotes removed where they pair up, trailing
 * blanks outside quotes dropped.
 */
function cleanup(str: string, delim: string | null): string {
  let i = 0;
  while (str[i] === ' ') i++;
  let out = '';
  let end = -1;
  let inQuotes = false;
  for (; i < str.length; i++) {
    const ch = str[i]!;
    if (ch === ESCAPE && i + 1 < str.length) {
      const e = str[i + 1]!;
      if (e === "'" || e === '"' || (delim !== null && e === delim) || e === ESCAPE || unescapeChar(e) !== e) {
        i++;
        out += unescapeChar(e);
        end = out.length;
        continue;
      }
    }
    if (ch === "'" && (inQuotes || str.indexOf("'", i + 1) >= 0)) {
      inQuotes = !inQuotes;
      if (inQuotes) end = out.length;
    } else {
      out += ch;
      if (ch !== ' ' || inQuotes) end = out.length;
    }
  }
  return end >= 0 ? out.slice(0, end) : out;
}

/** Cuts at `delim` (switch_separate_string's tokenizer for a non-blank delimiter). */
function splitOnChar(buf: string, delim: string, max: number): string[] {
  const starts: number[] = [];
  const ends: number[] = [];
  let seeking = true;
  let inQuotes = false;
  let i = 0;
  while (i < buf.length && starts.length < max) {
    if (seeking) {
      starts.push(i);
      seeking = false;
      continue;
    }
    const ch = buf[i]!;
    if (ch === ESCAPE) {
      i++;
    } else if (ch === "'" && (inQuotes || buf.indexOf("'", i + 1) >= 0)) {
      inQuotes = !inQuotes;
    } else if (ch === delim && !inQuotes) {
      ends.push(i);
      seeking = true;
    }
    i++;
  }
  return starts.map((s, k) => cleanup(buf.slice(s, ends[k] ?? buf.length), delim));
}

/** Cuts at runs of blanks (the tokenizer for a blank delimiter: a quote always toggles). */
function splitOnBlank(buf: string, max: number): string[] {
  const starts: number[] = [];
  const ends: number[] = [];
  let state: 'start' | 'leading' | 'token' | 'trailing' = 'start';
  let inQuotes = false;
  let i = 0;
  while (i < buf.length && starts.length < max) {
    const ch = buf[i]!;
    if (state === 'start') {
      starts.push(i);
      state = 'leading';
    } else if (state === 'leading') {
      if (ch === ' ') i++;
      else state = 'token';
    } else if (state === 'token') {
      if (ch === ESCAPE) i++;
      else if (ch === "'") inQuotes = !inQuotes;
      else if (ch === ' ' && !inQuotes) {
        ends.push(i);
        state = 'trailing';
      }
      i++;
    } else if (ch === ' ') i++;
    else state = 'start';
  }
  return starts.map((s, k) => cleanup(buf.slice(s, ends[k] ?? buf.length), null));
}

/**
 * switch_separate_string: cuts `buf` at `delim` outside single quotes (a quote only opens when a
 * closing one follows) and not after a backslash, at most `max` elements (the last keeps the
 * rest); each element is cleaned (quotes, escapes, outer blanks). A leading `^^X` makes `X` the
 * delimiter. With a blank delimiter, runs of blanks count as one.
 */
export function separateString(buf: string, delim: string, max = Number.MAX_SAFE_INTEGER): string[] {
  if (max <= 0) return [];
  let d = delim;
  if (buf.startsWith('^^') && buf.length >= 4) {
    d = buf[2]!;
    buf = buf.slice(3);
  }
  return d === ' ' ? splitOnBlank(buf, max) : splitOnChar(buf, d, max);
}

/**
 * switch_find_end_paren: the index of the `close` that balances the `open` at the start of `s`
 * (after leading blanks), or -1.
 */
export function findEndParen(s: string, open: string, close: string, from = 0): number {
  let i = from;
  while (s[i] === ' ') i++;
  if (s[i] !== open) return -1;
  let depth = 1;
  for (let j = i + 1; j < s.length; j++) {
    const ch = s[j];
    if (ch === open && open !== close) depth++;
    else if (ch === close) {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

const UPPER_HEX = '0123456789ABCDEF';
const URL_UNSAFE = new Set('\r\n #%&+:;<=>?@[\\]^`{|}"');
/** Whether switch_url_encode writes a byte as `%XX`. */
const URL_ESCAPED = Array.from({ length: 256 }, (_, b) => b < 0x20 || b > 0x7e || URL_UNSAFE.has(String.fromCharCode(b)));
const HEX_BYTES = new TextEncoder().encode(UPPER_HEX);

/**
 * switch_url_encode: every byte of the UTF-8 form that is a control character, above `~`, or in
 * `\r\n #%&+:;<=>?@[\]^`{|}"` becomes `%XX` (upper-case); a `%` already followed by two
 * upper-case hex digits is kept as it is (no double encoding).
 */
export function urlEncode(value: string): string {
  const bytes = textBytes(value);
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (!URL_ESCAPED[b] || (b === 0x25 && i + 2 < bytes.length && isUpperHex(bytes[i + 1]!) && isUpperHex(bytes[i + 2]!))) {
      out[n++] = b;
    } else {
      out[n++] = 0x25;
      out[n++] = HEX_BYTES[b >> 4]!;
      out[n++] = HEX_BYTES[b & 15]!;
    }
  }
  return out.toString('latin1', 0, n);
}

function isUpperHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46);
}

/** switch_url_decode on a string (see `urlDecodeBytes`), read back as UTF-8. */
export function urlDecode(value: string): string {
  if (!value.includes('%')) return value;
  return bytesText(urlDecodeBytes(textBytes(value)));
}

/**
 * switch_url_decode on bytes: a `%` with at least two bytes after it is replaced by the byte
 * `sscanf(s + 1, "%2x")` reads there, and the two bytes after it are skipped whatever was read;
 * when sscanf reads nothing the `%` stays. sscanf's `%2x` skips leading white space, then takes
 * up to two characters: an optional sign and hex digits (`% 41` reads 0x41 and leaves the `1`;
 * `%-1` is 0xFF; `%+4` is 4). The result is a C string: it ends at a decoded NUL. The input itself
 * when it holds no `%`.
 */
export function urlDecodeBytes(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x25)) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const read = b === 0x25 && i + 2 < bytes.length ? scanHex2(bytes, i + 1) : undefined;
    if (read === undefined) {
      out[n++] = b;
      continue;
    }
    if (read === 0) break;
    out[n++] = read;
    i += 2;
  }
  return out.subarray(0, n);
}

/** glibc's `sscanf(.., "%2x")` at `at`, as the low byte of the unsigned result; undefined when it reads nothing. */
function scanHex2(bytes: Uint8Array, at: number): number | undefined {
  let i = at;
  while (i < bytes.length && isCSpace(bytes[i]!)) i++;
  let width = 2;
  let negative = false;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) {
    negative = bytes[i] === 0x2d;
    i++;
    width--;
  }
  let value = 0;
  let digits = 0;
  while (digits < width && i < bytes.length && isHex(bytes[i]!)) {
    value = value * 16 + hexValue(bytes[i]!);
    i++;
    digits++;
  }
  if (digits === 0) return undefined;
  return (negative ? -value : value) & 0xff;
}

/** C's isspace in the C locale. */
function isCSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function isHex(b: number): boolean {
  return isUpperHex(b) || (b >= 0x61 && b <= 0x66);
}

function hexValue(b: number): number {
  return b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10;
}

/** strlen of the UTF-8 form (what `Content-Length` counts). */
export function byteLength(s: string): number {
  return textBytes(s).length;
}

/** ASCII-only upper case (what strcasecmp folds; `ß` stays `ß`). */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** strcasecmp(a, b) === 0: equal ignoring ASCII case. */
export function caseEqual(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  // compared code by code: header lookups run this per header of every event, allocation-free
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 97 && x <= 122) x -= 32;
    if (y >= 97 && y <= 122) y -= 32;
    if (x !== y) return false;
  }
  return true;
}

/** `table[key]` for the table's own keys only: text from outside (`constructor`, `toString`) never finds Object's properties. */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** switch_string_var_check_const: a `$` followed (past any backslashes) by `{`. */
export function hasVariableReference(s: string): boolean {
  let dollar = false;
  for (const ch of s) {
    if (ch === '$') dollar = true;
    else if (dollar) {
      if (ch === '{') return true;
      if (ch !== '\\') dollar = false;
    }
  }
  return false;
}

/** switch_string_var_check(s, SWITCH_TRUE): each `$` followed (past any backslashes) by `{` becomes `%`. */
export function disableVariableReferences(value: string): string {
  if (!hasVariableReference(value)) return value;
  const out = value.split('');
  let dollar = -1;
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (c === '$') dollar = i;
    else if (dollar >= 0) {
      if (c === '{') {
        out[dollar] = '%';
        dollar = -1;
      } else if (c !== '\\') dollar = -1;
    }
  }
  return out.join('');
}
