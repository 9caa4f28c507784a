/** atomText: an atom's Latin-1 bytes as the switch's text (byte_text.ts). */
import { describe, expect, it } from 'vitest';
import { atomText } from '../src/byte_text.ts';

describe('atomText', () => {
  it('atoms: their Latin-1 bytes as text; a character past U+00FF: undefined', () => {
    expect(atomText('echo')).toBe('echo');
    expect(atomText('\u00ebcho')).toBe('\udcebcho');
    expect(atomText('\u00c3\u00a9')).toBe('é'); // the bytes of UTF-8 "é"
    expect(atomText('\u015do')).toBeUndefined();
  });
});
