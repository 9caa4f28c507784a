/** `{bind, Section}` names (spec §1.14) and their `erlang bindings` labels (spec §5), pure. */
import { describe, expect, it } from 'vitest';
import { sectionBit, sectionLabel, sectionMask } from '../src/fetch/sections.ts';

describe('bind section names', () => {
  it('substring matches, any case, bits OR-ed; no match → 0', () => {
    expect(sectionMask('configuration')).toBe(1);
    expect(sectionMask('DIRECTORY')).toBe(2);
    expect(sectionMask('dialplan')).toBe(4);
    expect(sectionMask('languages')).toBe(8);
    expect(sectionMask('chatplan')).toBe(16);
    expect(sectionMask('channels')).toBe(32);
    expect(sectionMask('dialplan_directory')).toBe(6);
    for (const n of ['phrases', 'result', 'foo', '']) expect(sectionMask(n)).toBe(0);
  });
  it('a request matches only a binding of exactly its bit; labels as the console prints them', () => {
    expect(sectionBit('configuration')).toBe(sectionMask('config'));
    expect(sectionBit('dialplan')).not.toBe(sectionMask('dialplan_directory'));
    expect([1, 2, 4, 8, 16, 32, 6].map(sectionLabel)).toEqual(['config', 'directory', 'dialplan', 'phrases', 'chatplan', 'unknown 32', 'unknown 6']);
  });
});
