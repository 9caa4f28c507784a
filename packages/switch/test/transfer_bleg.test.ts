import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

async function start() {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '8000': [['bridge', `{origination_uuid=${U2}}null/2`], ['set', 'after=1'], ['park']],
      },
    }),
  });
  const who = (e: SwitchEvent) => (e.getHeader('Unique-ID') === U1 ? 'A' : e.getHeader('Unique-ID') === U2 ? 'B' : '?');
  const trace = () =>
    t.sub
      .take()
      .filter((e) => e.type !== 'API')
      .map(
        (e) =>
          `${who(e)} ${e.type}${e.type === 'CHANNEL_STATE' ? ` ${e.getHeader('Channel-State')}` : e.type === 'CHANNEL_HANGUP' ? ` ${e.getHeader('Hangup-Cause')}` : e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`,
      );
  return { ...t, trace };
}

async function uuidBridged() {
  const t = await start();
  await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
  await t.sw.originate(`{origination_uuid=${U2}}null/2 &park()`);
  expect(await t.sw.api(`uuid_bridge ${U1} ${U2}`)).toBe(`+OK ${U2}\n`);
  await t.settle();
  t.trace();
  return t;
}

describe('uuid_transfer -bleg / -both, transfer -bleg / -both', () => {
  it('uuid_transfer A -bleg: B (A’s bridge_to) is routed to the extension; the bridge ends, A goes back to CS_EXECUTE and on after its park: nothing is left, it hangs up', async () => {
    const { sw, rt, settle, trace } = await uuidBridged();
    expect(await sw.api(`uuid_transfer ${U1} -bleg 1000`)).toBe('+OK\n');
    await settle();
    const t = trace();
    expect(t.filter((r) => r.startsWith('B ')).slice(0, 5)).toEqual([
      'B CHANNEL_STATE CS_ROUTING',
      'B CHANNEL_STATE CS_EXECUTE',
      'B CHANNEL_EXECUTE answer',
      'B CHANNEL_EXECUTE_COMPLETE answer',
      'B CHANNEL_EXECUTE park',
    ]);
    expect(t).toContain('A CHANNEL_UNBRIDGE');
    expect(t).toContain('A CHANNEL_STATE CS_EXECUTE');
    expect(t.filter((r) => r.includes('HANGUP '))).toEqual(['A CHANNEL_HANGUP NORMAL_CLEARING']);
    expect(await sw.api('show channels count')).toBe('\n1 total.\n');
    await sw.stop();
    await rt.stop();
  });

  it('uuid_transfer A -both: both legs are routed to the extension and stay up; the partner is transferred first', async () => {
    const { sw, rt, settle, trace } = await uuidBridged();
    expect(await sw.api(`uuid_transfer ${U1} -both 1000`)).toBe('+OK\n');
    await settle();
    const t = trace();
    expect(t.indexOf('B CHANNEL_STATE CS_ROUTING')).toBeLessThan(t.indexOf('A CHANNEL_STATE CS_ROUTING'));
    expect(t).toContain('A CHANNEL_EXECUTE park');
    expect(t).toContain('B CHANNEL_EXECUTE park');
    expect(t.some((r) => r.includes('HANGUP'))).toBe(false);
    await sw.stop();
    await rt.stop();
  });

  it('-bleg without a bridge transfers the channel itself (mod_commands)', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await settle();
    trace();
    expect(await sw.api(`uuid_transfer ${U1} -bleg 1000`)).toBe('+OK\n');
    await settle();
    expect(trace()).toContain('A CHANNEL_STATE CS_ROUTING');
    await sw.stop();
    await rt.stop();
  });

  it('the bridge application: -bleg moves B away and A continues its dialplan; B -bleg moves A, and B is hung up NORMAL_CLEARING', async () => {
    const one = await start();
    await one.sw.originate(`{origination_uuid=${U1}}null/1 8000 XML default`);
    await one.settle();
    one.trace();
    expect(await one.sw.api(`uuid_transfer ${U1} -bleg 1000`)).toBe('+OK\n');
    await one.settle();
    const t = one.trace();
    expect(t.filter((r) => r.startsWith('A ')).slice(0, 4)).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE_COMPLETE bridge',
      'A CHANNEL_EXECUTE set',
      'A CHANNEL_EXECUTE_COMPLETE set',
    ]);
    expect(t).toContain('B CHANNEL_EXECUTE park');
    expect(await one.sw.api(`uuid_getvar ${U1} after`)).toBe('1');
    // after CHANNEL_UNBRIDGE each leg is a call of its own again, with its own call uuid
    const calls = JSON.parse(await one.sw.api('show calls as json'));
    expect(calls.rows.map((r: Record<string, string>) => [r.uuid, r.b_uuid, r.call_uuid])).toEqual([
      [U1, '', U1],
      [U2, '', U2],
    ]);
    await one.sw.stop();
    await one.rt.stop();

    const two = await start();
    await two.sw.originate(`{origination_uuid=${U1}}null/1 8000 XML default`);
    await two.settle();
    two.trace();
    expect(await two.sw.api(`uuid_transfer ${U2} -bleg 1000`)).toBe('+OK\n');
    await two.settle();
    const u = two.trace();
    expect(u).toContain('B CHANNEL_HANGUP NORMAL_CLEARING');
    expect(u.indexOf('A CHANNEL_UNBRIDGE')).toBeLessThan(u.indexOf('A CHANNEL_EXECUTE_COMPLETE bridge'));
    expect(u).toContain('A CHANNEL_EXECUTE park');
    expect(u).not.toContain('A CHANNEL_EXECUTE set');
    await two.sw.stop();
    await two.rt.stop();
  });

  it('the transfer application: -bleg transfers the partner (signal_bond); without one it logs `No B-leg present.`; -both moves this leg too', async () => {
    const { sw, rt, settle, trace, logs } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await sw.originate(`{origination_uuid=${U2}}null/2 &park()`);
    await settle();
    const exec = (arg: string) =>
      sw.sendmsg(U1, [
        ['call-command', 'execute'],
        ['execute-app-name', 'transfer'],
        ['execute-app-arg', arg],
      ]);
    await exec('-bleg 1000');
    await settle();
    expect(logs).toContain('WARNING No B-leg present.');
    trace();
    await sw.api(`uuid_setvar ${U1} signal_bond ${U2}`);
    await exec('-bleg 1000');
    await settle();
    const t = trace();
    expect(t).toContain('B CHANNEL_STATE CS_ROUTING');
    expect(t).not.toContain('A CHANNEL_STATE CS_ROUTING');
    await exec('-both 1000');
    await settle();
    const u = trace();
    expect(u).toContain('B CHANNEL_STATE CS_ROUTING');
    expect(u).toContain('A CHANNEL_STATE CS_ROUTING');
    await sw.stop();
    await rt.stop();
  });
});
