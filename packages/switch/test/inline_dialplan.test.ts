/** The `inline` dialplan (mod_dptools inline_dialplan_hunt): the destination lists the applications. */
import { describe, expect, it } from 'vitest';
import { inlineExtension } from '../src/dialplan/inline_dialplan.ts';
import { parkedNull, setup } from './switch_helpers.ts';

describe('the inline dialplan', () => {
  it('reads app[:data] items split at ",", or at the delimiter m:<d>: names', () => {
    expect(inlineExtension('set:a=1,answer, park')?.applications).toEqual([
      { application: 'set', data: 'a=1' },
      { application: 'answer', data: '' },
      { application: 'park', data: '' },
    ]);
    expect(inlineExtension('m:^:set:a=1,2^park')?.applications).toEqual([
      { application: 'set', data: 'a=1,2' },
      { application: 'park', data: '' },
    ]);
    expect(inlineExtension('')).toBeUndefined();
  });

  it('a channel transferred to it runs the listed applications', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_transfer ${uuid} set:inline_ran=yes,park inline`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} inline_ran`)).toBe('yes');
    await t.sw.stop();
    await t.rt.stop();
  });
});
