/**
 * Byte strings as the switch's JS strings, and back, without changing a byte. FreeSWITCH works on
 * C strings: what a peer sends (mod_erlang_event copies it as bytes) or what `url_decode` makes
 * need not be UTF-8, and comes back out byte for byte; the switch works on JS strings and writes
 * them as UTF-8. Valid UTF-8 becomes its text; each byte that is not part of a valid UTF-8 sequence
 * becomes the lone surrogate U+DC00 + byte (the "surrogateescape" of PEP 383), which no valid
 * UTF-8 decodes to, so `textBytes` writes that byte again where TextEncoder would write U+FFFD.
 */

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();
const ESCAPE = 0xdc00;
const SURROGATE = /[\ud800-\udfff]/;

/** The bytes as text: UTF-8 where they are UTF-8, an escaped byte where they are not. */
export function bytesText(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return escapedText(bytes);
  }
}

/** Decoded by hand into chunks of UTF-16 units: input with many bad bytes has many short runs. */
function escapedText(b: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : sequenceLength(b, i);
    if (n === 1) units.push(c);
    else if (n === 0) units.push(ESCAPE + c);
    else if (n === 2) units.push(((c & 0x1f) << 6) | (b[i + 1]! & 0x3f));
    else if (n === 3) units.push(((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
    else {
      const cp = ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
    i += n || 1;
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlong forms, no surrogates), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The text's bytes: UTF-8, with each escaped byte written as itself. */
export function textBytes(text: string): Uint8Array {
  if (!SURROGATE.test(text)) return utf8.encode(text);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; an escaped byte takes 1
  const out = new Uint8Array(text.length * 3);
  let written = 0;
  let run = 0; // start of the pending run of ordinary text
  const flushRun = (end: number) => {
    if (end > run) written += utf8.encodeInto(text.slice(run, end), out.subarray(written)).written;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a pair: ordinary text
        continue;
      }
    }
    if (c >= ESCAPE + 0x80 && c <= ESCAPE + 0xff) {
      flushRun(i);
      out[written++] = c - ESCAPE;
      run = i + 1;
    }
  }
  flushRun(text.length);
  return out.slice(0, written);
}
