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

  it('uuid_transfer and the transfer application read their arguments as switch_separate_string does: quotes hold blanks and commas, runs of blanks are one', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`uuid_transfer ${uuid} 'set:greeting=hello world,park' inline`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} greeting`)).toBe('hello world');
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    // the application, by sendmsg's execute
    await t.sw.sendExecute(uuid, 'transfer', `'set:second=a b,park'   inline`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} second`)).toBe('a b');
    expect(await t.sw.api(`uuid_transfer ${uuid}  1000  XML  default`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} destination_number`)).toBe('1000');
    await t.sw.stop();
    await t.rt.stop();
  });
});
