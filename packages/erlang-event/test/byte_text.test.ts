/** byte_text.ts: bytes → text → the same bytes, for UTF-8 and for bytes that are not UTF-8. */
import { describe, expect, it } from 'vitest';
import { atomText, bytesText, textBytes } from '../src/byte_text.ts';

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

  it('a lone surrogate that is no escaped byte is written as U+FFFD, as TextEncoder does', () => {
    expect([...textBytes('a\ud800b\udc41')]).toEqual([97, 0xef, 0xbf, 0xbd, 98, 0xef, 0xbf, 0xbd]);
  });

  it('atoms: their Latin-1 bytes as text; a character past U+00FF: undefined', () => {
    expect(atomText('echo')).toBe('echo');
    expect(atomText('\u00ebcho')).toBe('\udcebcho');
    expect(atomText('\u00c3\u00a9')).toBe('é'); // the bytes of UTF-8 "é"
    expect(atomText('\u015do')).toBeUndefined();
  });
});
