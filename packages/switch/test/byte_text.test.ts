/** byte_text.ts: bytes → text → the same bytes, for UTF-8 and for bytes that are not UTF-8. */
import { describe, expect, it } from 'vitest';
import { bytesText, textBytes } from '../src/internal/byte_text.ts';

const roundTrip = (bytes: number[]) => [...textBytes(bytesText(Uint8Array.from(bytes)))];

describe('byte_text', () => {
  it('valid UTF-8 is its text, and written back as the same UTF-8', () => {
    const bytes = [...new TextEncoder().encode('héllo ✓ 😀')];
    expect(bytesText(Uint8Array.from(bytes))).toBe('héllo ✓ 😀');
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('bytes that are no UTF-8 come back unchanged, the valid parts as text', () => {
    const cases = [
      [104, 233, 108, 108, 111], // Latin-1 "héllo"
      [0xc3], // a lead byte at the end
      [0xe2, 0x9c, 0x41], // a 3-byte sequence cut short
      [0xc0, 0xaf], // an overlong '/'
      [0xed, 0xa0, 0x80], // a UTF-8-encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xff, 0xfe, 0x80, 0xbf],
      [0xe9, 0xf0, 0x9f, 0x98, 0x80, 0xe9], // a valid emoji between two Latin-1 bytes
      [0xe9, 0xf0, 0x9f, 0x93, 0xa9], // U+1F4E9: its low surrogate U+DCE9 is no escaped byte
    ];
    for (const c of cases) expect(roundTrip(c)).toEqual(c);
    expect(bytesText(Uint8Array.of(0xe9, 0xf0, 0x9f, 0x98, 0x80))).toBe('\udce9😀');
  });

  it('text between bad bytes decodes as UTF-8 does, at any length (2 MB in one piece)', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const points = [0x41, 0x7f, 0xe9, 0x7ff, 0x800, 0x20ac, 0xfffd, 0x10000, 0x1f600, 0x10ffff];
    const segments: string[] = [];
    let size = 0;
    while (size < 2_000_000) {
      let seg = '';
      for (let k = rand(12); k > 0; k--) seg += String.fromCodePoint(points[rand(points.length)]!);
      segments.push(seg);
      size += seg.length * 2 + 1;
    }
    const enc = new TextEncoder();
    const chunks = segments.flatMap((seg) => [enc.encode(seg), Uint8Array.of(0xff)]);
    const bytes = Buffer.concat(chunks);
    const text = bytesText(bytes);
    expect(text).toBe(segments.map((seg) => `${seg}\udcff`).join(''));
    expect(Buffer.from(textBytes(text)).equals(bytes)).toBe(true);
  });

  it('a lone surrogate that is no escaped byte is written as U+FFFD, as TextEncoder does', () => {
    expect([...textBytes('a\ud800b\udc41')]).toEqual([97, 0xef, 0xbf, 0xbd, 98, 0xef, 0xbf, 0xbd]);
  });
});
