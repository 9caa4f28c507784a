import { describe, expect, it } from 'vitest';
import { Cause } from '../src/channel/causes.ts';
import { handleCause } from '../src/channel/handle_cause.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const U = '11111111-1111-4111-8111-111111111111';

const vars =
  (table: Record<string, string>) =>
  (name: string): string | undefined =>
    table[name];

describe('switch_channel_handle_cause', () => {
  it('no variables: a failure hangs up, except NO_ANSWER, NO_USER_RESPONSE and ORIGINATOR_CANCEL; ATTENDED_TRANSFER always does', () => {
    expect(handleCause(Cause.USER_BUSY, vars({}))).toEqual({ action: 'hangup' });
    for (const c of [Cause.NO_ANSWER, Cause.NO_USER_RESPONSE, Cause.ORIGINATOR_CANCEL])
      expect(handleCause(c, vars({}))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.ATTENDED_TRANSFER, vars({ continue_on_fail: 'true' }))).toEqual({ action: 'hangup' });
  });

  it('continue_on_fail (true, or a list of names and numbers) and failure_causes (only these fail)', () => {
    expect(handleCause(Cause.USER_BUSY, vars({ continue_on_fail: 'true' }))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.USER_BUSY, vars({ continue_on_fail: 'NORMAL_TEMPORARY_FAILURE,17' }))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.CALL_REJECTED, vars({ continue_on_fail: 'user_busy' }))).toEqual({ action: 'hangup' });
    expect(handleCause(Cause.CALL_REJECTED, vars({ failure_causes: 'USER_BUSY' }))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.USER_BUSY, vars({ failure_causes: 'USER_BUSY' }))).toEqual({ action: 'hangup' });
    // with one of them set, NO_ANSWER is a failure like any other
    expect(handleCause(Cause.NO_ANSWER, vars({ continue_on_fail: 'USER_BUSY' }))).toEqual({ action: 'hangup' });
  });

  it('transfer_on_fail: `<causes> [<exten>|auto_cause [<dialplan> [<context>]]]`; true goes on; an unlisted cause hangs up', () => {
    expect(handleCause(Cause.USER_BUSY, vars({ transfer_on_fail: 'USER_BUSY,CALL_REJECTED 3000 XML public' }))).toEqual({
      action: 'transfer',
      destination: '3000',
      dialplan: 'XML',
      context: 'public',
    });
    expect(handleCause(Cause.CALL_REJECTED, vars({ transfer_on_fail: 'call_rejected auto_cause' }))).toEqual({
      action: 'transfer',
      destination: 'CALL_REJECTED',
      dialplan: undefined,
      context: undefined,
    });
    expect(handleCause(Cause.USER_BUSY, vars({ transfer_on_fail: 'USER_BUSY' }))).toMatchObject({ action: 'transfer', destination: 'USER_BUSY' });
    expect(handleCause(Cause.USER_BUSY, vars({ transfer_on_fail: 'true' }))).toEqual({ action: 'continue' });
    // switch_true reads a number other than 0 as true: a list that is one cause number goes on
    expect(handleCause(Cause.CALL_REJECTED, vars({ transfer_on_fail: '21 3000' }))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.CALL_REJECTED, vars({ transfer_on_fail: '17,21 3000' }))).toMatchObject({ action: 'transfer', destination: '3000' });
    expect(handleCause(Cause.USER_BUSY, vars({ transfer_on_fail: 'CALL_REJECTED 3000' }))).toEqual({ action: 'hangup' });
    // NO_ANSWER continues before transfer_on_fail is looked at (no continue_on_fail / failure_causes)
    expect(handleCause(Cause.NO_ANSWER, vars({ transfer_on_fail: 'NO_ANSWER 3000' }))).toEqual({ action: 'continue' });
    expect(handleCause(Cause.NO_ANSWER, vars({ transfer_on_fail: 'NO_ANSWER 3000', failure_causes: 'NO_ANSWER' }))).toMatchObject({
      action: 'transfer',
      destination: '3000',
    });
  });
});

describe('transfers keep the call in its own dialplan and context (switch_ivr_session_transfer)', () => {
  async function start() {
    return setup({
      dialplan: staticDialplan({
        default: { '1000': [['answer'], ['park']] },
        public: {
          '5000': [
            ['set', 'transfer_on_fail=USER_BUSY 5100'],
            ['bridge', 'null/cause-USER_BUSY'],
            ['set', 'not_reached=1'],
          ],
          '5100': [['set', 'reached=5100'], ['park']],
          USER_BUSY: [['set', 'reached=busy'], ['park']],
          '5200': [['set', 'reached=5200'], ['park']],
        },
        other: { '5200': [['set', 'reached=other'], ['park']] },
      }),
    });
  }

  /** Destination and context of each routing of the call (its `Processing …` lines). */
  const routings = (logs: string[]) => logs.filter((l) => l.startsWith('INFO Processing ')).map((l) => l.replace(/^.*->/, ''));

  it('transfer_on_fail after a failed bridge: the listed cause routes the caller to the extension, in its context', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U}}null/1 5000 XML public`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U} reached`)).toBe('5100');
    expect(await t.sw.api(`uuid_getvar ${U} not_reached`)).toBe('_undef_');
    expect(routings(t.logs)).toEqual(['5000 in context public', '5100 in context public']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('auto_cause routes to the extension named after the cause', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U},transfer_on_fail='USER_BUSY auto_cause'}null/1 &bridge(null/cause-USER_BUSY)`);
    await t.settle();
    // an API originate's leg runs in XML/default: USER_BUSY is not there
    expect(routings(t.logs)).toEqual(['USER_BUSY in context default']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_transfer without a context stays in the call’s; force_transfer_context wins; execute_on_blind_transfer runs; temp_hold_music is cleared', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U},execute_on_blind_transfer='set blind=yes',temp_hold_music=x.wav}null/1 5100 XML public`);
    await t.settle();
    expect(await t.sw.api(`uuid_transfer ${U} 5200`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U} reached`)).toBe('5200');
    expect(await t.sw.api(`uuid_getvar ${U} blind`)).toBe('yes');
    expect(await t.sw.api(`uuid_getvar ${U} temp_hold_music`)).toBe('_undef_');
    await t.sw.api(`uuid_setvar ${U} force_transfer_context other`);
    expect(await t.sw.api(`uuid_transfer ${U} 5200`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U} reached`)).toBe('other');
    // a context given wins over force_transfer_context
    expect(await t.sw.api(`uuid_transfer ${U} 5200 XML public`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U} reached`)).toBe('5200');
    expect(routings(t.logs)).toEqual(['5100 in context public', '5200 in context public', '5200 in context other', '5200 in context public']);
    await t.sw.stop();
    await t.rt.stop();
  });
});
