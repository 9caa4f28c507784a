import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';

async function start() {
  const t = await setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '9196': [['answer'], ['echo']],
        '7000': [['set', 'continue_on_fail=true'], ['bridge', 'null/cause-USER_BUSY'], ['set', 'after=1'], ['park']],
        '7100': [['bridge', `[origination_uuid=${U2}]null/cause-USER_BUSY|[origination_uuid=${U3},null_auto_answer_delay=100]null/3`], ['park']],
        '7400': [
          ['set', 'fail_on_single_reject=USER_BUSY'],
          ['set', 'continue_on_fail=true'],
          ['bridge', `null/cause-USER_BUSY,[origination_uuid=${U2}]null/2`],
          ['park'],
        ],
        '7401': [['set', 'continue_on_fail=true'], ['bridge', `null/cause-USER_BUSY,[origination_uuid=${U2}]null/2`], ['park']],
        '7300': [['bridge', `{origination_uuid=${U2},bridge_terminate_key=*}null/2`], ['set', 'after_bridge=1'], ['park']],
        '7200': [
          ['set', 'exec_after_bridge_app=set'],
          ['set', 'exec_after_bridge_arg=after=1'],
          ['bridge', `{origination_uuid=${U2},exec_after_bridge_app=park}null/2`],
          ['set', 'not_reached=1'],
        ],
      },
    }),
  });
  const who = (e: SwitchEvent) => {
    const u = e.getHeader('Unique-ID');
    return u === U1 ? 'A' : u === U2 ? 'B' : u === U3 ? 'C' : '?';
  };
  const trace = () =>
    t.sub
      .take()
      .filter((e) => e.type !== 'API')
      .map((e) => {
        const extra =
          e.getHeader('Application') ??
          (e.type === 'CHANNEL_STATE' ? e.getHeader('Channel-State') : e.type === 'CHANNEL_HANGUP' ? e.getHeader('Hangup-Cause') : undefined);
        return `${who(e)} ${e.type}${extra ? ` ${extra}` : ''}`;
      });
  return { ...t, trace };
}

describe('the bridge application', () => {
  it('originate null/1 &bridge(null/2): B dialled from A (Other-Leg originator), CHANNEL_BRIDGE on A, B to CS_EXCHANGE_MEDIA; B hangs up → UNBRIDGE, bridge ends, A’s extension ends', async () => {
    const { sw, rt, sub, settle } = await start();
    expect(await sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2}}null/2)`)).toBe(`+OK ${U1}\n`);
    await settle();
    const events = sub.take().filter((e) => e.type !== 'API');
    const rows = events.map((e) => `${e.getHeader('Unique-ID') === U1 ? 'A' : 'B'} ${e.type} ${e.getHeader('Channel-State')}`);
    const from = rows.indexOf('A CHANNEL_EXECUTE CS_EXECUTE');
    expect(rows.slice(from)).toEqual([
      'A CHANNEL_EXECUTE CS_EXECUTE',
      'B CHANNEL_OUTGOING CS_NONE',
      'B CHANNEL_STATE CS_INIT',
      'B CHANNEL_CREATE CS_INIT',
      'B CHANNEL_ORIGINATE CS_INIT',
      'B CHANNEL_STATE CS_ROUTING',
      'B CHANNEL_STATE CS_CONSUME_MEDIA',
      'B CHANNEL_ANSWER CS_CONSUME_MEDIA',
      'B CHANNEL_CALLSTATE CS_CONSUME_MEDIA',
      'A CHANNEL_BRIDGE CS_EXECUTE',
      'B CHANNEL_STATE CS_EXCHANGE_MEDIA',
    ]);
    const exec = events[from];
    expect(exec?.getHeader('Application')).toBe('bridge');
    expect(exec?.getHeader('Application-Data')).toBe(`{origination_uuid=${U2}}null/2`);
    const outgoing = events[from + 1];
    expect(outgoing?.getHeader('Other-Type')).toBe('originator');
    expect(outgoing?.getHeader('Other-Leg-Unique-ID')).toBe(U1);
    expect(outgoing?.getHeader('Other-Leg-Logical-Direction')).toBe('inbound');
    // A's times as they were when its profile was copied (switch_caller_profile_dup's old_times)
    expect(outgoing?.getHeader('Other-Leg-Channel-Created-Time')).toBe(exec?.getHeader('Caller-Channel-Created-Time'));
    expect(Number(outgoing?.getHeader('Other-Leg-Channel-Created-Time'))).toBeGreaterThan(0);
    expect(outgoing?.getHeader('Other-Leg-Profile-Index')).toBeUndefined();
    // B's profile is a copy of A's (A's flipped caller id), with B's own destination and callee id
    expect(outgoing?.getHeader('Caller-Caller-ID-Number')).toBe('1');
    expect(outgoing?.getHeader('Caller-Destination-Number')).toBe('2');
    expect(outgoing?.getHeader('Caller-Callee-ID-Name')).toBe('Outbound Call');
    const bridge = events[from + 9];
    expect(bridge?.headers.slice(13, 15).map((h) => `${h.name}: ${h.value}`)).toEqual([`Bridge-A-Unique-ID: ${U1}`, `Bridge-B-Unique-ID: ${U2}`]);
    expect(bridge?.getHeader('Other-Type')).toBe('originatee');
    expect(bridge?.getHeader('Other-Leg-Unique-ID')).toBe(U2);
    expect(bridge?.getHeader('Other-Leg-Channel-Name')).toBe('null/2');
    expect(bridge?.getHeader('variable_originate_disposition')).toBe('call accepted');
    expect(bridge?.getHeader('variable_DIALSTATUS')).toBe('EARLY');
    expect(bridge?.getHeader('variable_signal_bond')).toBe(U2);
    expect(bridge?.getHeader('variable_originate_causes')).toBe(`${U2};NONE`);
    expect(bridge?.getHeader('variable_bridge_to')).toBeUndefined();
    expect(await sw.api(`uuid_getvar ${U1} bridge_to`)).toBe(U2);
    expect(await sw.api(`uuid_getvar ${U2} bridge_to`)).toBe(U1);
    expect(await sw.api(`uuid_getvar ${U2} call_uuid`)).toBe(U1);
    expect(await sw.api(`uuid_getvar ${U1} bridge_channel`)).toBe('null/2');
    // basic_calls: one call, A joined with its callee B
    expect(await sw.api('show calls count')).toBe('\n1 total.\n');
    expect(await sw.api('show channels count')).toBe('\n2 total.\n');
    const callsJson = JSON.parse(await sw.api('show calls as json'));
    expect(callsJson.row_count).toBe(1);
    expect([callsJson.rows[0].uuid, callsJson.rows[0].b_uuid, callsJson.rows[0].b_name]).toEqual([U1, U2, 'null/2']);
    expect(callsJson.rows[0].call_uuid).toBe(U1);
    expect(callsJson.rows[0].call_created_epoch).toBe('1725358272');

    expect(await sw.api(`uuid_kill ${U2} USER_BUSY`)).toBe('+OK\n');
    await settle();
    const end = sub.take().filter((e) => e.type !== 'API');
    const endRows = end.map(
      (e) => `${e.getHeader('Unique-ID') === U1 ? 'A' : 'B'} ${e.type} ${e.getHeader('Application') ?? e.getHeader('Hangup-Cause') ?? ''}`,
    );
    expect(endRows.slice(0, 3)).toEqual(['B CHANNEL_HANGUP USER_BUSY', 'B CHANNEL_STATE USER_BUSY', 'B CHANNEL_CALLSTATE USER_BUSY']);
    const a = endRows.filter((r) => r.startsWith('A '));
    expect(a.slice(0, 3)).toEqual(['A CHANNEL_UNBRIDGE ', 'A CHANNEL_EXECUTE_COMPLETE bridge', 'A CHANNEL_HANGUP NORMAL_CLEARING']);
    expect(await sw.api('show calls as json')).toBe('{"row_count": 0}\n');
    const unbridge = end.find((e) => e.type === 'CHANNEL_UNBRIDGE');
    expect(unbridge?.getHeader('Bridge-B-Unique-ID')).toBe(U2);
    const aComplete = end.find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === U1);
    expect(aComplete?.getHeader('variable_bridge_hangup_cause')).toBe('USER_BUSY');
    expect(aComplete?.getHeader('variable_bridge_uepoch')).toBe('1725358272000000');
    expect(aComplete?.getHeader('variable_last_app')).toBe('bridge');
    await sw.stop();
    await rt.stop();
  });

  it('hangup_after_bridge=true: the answered B hanging up hangs A up with B’s cause (UNBRIDGE, HANGUP, then EXECUTE_COMPLETE)', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1},hangup_after_bridge=true}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await settle();
    trace();
    await sw.api(`uuid_kill ${U2} CALL_REJECTED`);
    await settle();
    const a = trace().filter((r) => r.startsWith('A '));
    expect(a.slice(0, 4)).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_HANGUP CALL_REJECTED',
      'A CHANNEL_EXECUTE_COMPLETE bridge',
      'A CHANNEL_STATE CS_HANGUP',
    ]);
    await sw.stop();
    await rt.stop();
  });

  it('A hangs up while bridged: A: HANGUP, UNBRIDGE, EXECUTE_COMPLETE; the answered B hangs up NORMAL_CLEARING', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await settle();
    trace();
    await sw.api(`uuid_kill ${U1} NORMAL_TEMPORARY_FAILURE`);
    await settle();
    const t = trace();
    expect(t.filter((r) => r.startsWith('A ')).slice(0, 4)).toEqual([
      'A CHANNEL_HANGUP NORMAL_TEMPORARY_FAILURE',
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE_COMPLETE bridge',
      'A CHANNEL_STATE CS_HANGUP',
    ]);
    expect(t).toContain('B CHANNEL_HANGUP NORMAL_CLEARING');
    expect(await sw.api('show channels count')).toBe('\n0 total.\n');
    await sw.stop();
    await rt.stop();
  });

  it('A hangs up while B is still being dialled: B is cancelled ORIGINATOR_CANCEL before the bridge app completes', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2},null_enable_auto_answer=false}null/2)`);
    await settle();
    trace();
    await sw.api(`uuid_kill ${U1}`);
    await settle();
    const t = trace();
    const bHangup = t.indexOf('B CHANNEL_HANGUP ORIGINATOR_CANCEL');
    expect(bHangup).toBeGreaterThan(t.indexOf('A CHANNEL_HANGUP NORMAL_CLEARING'));
    expect(bHangup).toBeLessThan(t.indexOf('A CHANNEL_EXECUTE_COMPLETE bridge'));
    expect(t).not.toContain('A CHANNEL_UNBRIDGE');
    await sw.stop();
    await rt.stop();
  });

  it('a failed bridge sets originate_disposition / DIALSTATUS / originate_failed_cause and hangs A up with the cause (switch_channel_handle_cause)', async () => {
    const { sw, rt, sub, settle } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &bridge(null/cause-USER_BUSY)`);
    await settle();
    const events = sub.take();
    const a = events.filter((e) => e.getHeader('Unique-ID') === U1);
    const hangup = a.find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(a.indexOf(hangup as never)).toBeLessThan(a.findIndex((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE'));
    const complete = a.find((e) => e.type === 'CHANNEL_HANGUP_COMPLETE');
    expect(complete?.getHeader('variable_originate_disposition')).toBe('USER_BUSY');
    expect(complete?.getHeader('variable_DIALSTATUS')).toBe('BUSY');
    expect(complete?.getHeader('variable_originate_failed_cause')).toBe('USER_BUSY');
    await sw.stop();
    await rt.stop();
  });

  it('continue_on_fail=true: the dialplan goes on after a failed bridge; NO_ANSWER continues by default', async () => {
    const { sw, rt, settle } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 7000 XML default`);
    await settle();
    expect(await sw.api(`uuid_getvar ${U1} after`)).toBe('1');
    expect(await sw.api(`uuid_getvar ${U1} DIALSTATUS`)).toBe('BUSY');
    await sw.stop();
    await rt.stop();
    const t = await start();
    const r = t.sw.originate(`{origination_uuid=${U1}}null/1 &bridge({originate_timeout=2}[null_enable_auto_answer=false]null/2)`);
    await t.settle();
    await t.clock.advance(2000);
    await r;
    await t.settle();
    const rows = t.trace();
    // NO_ANSWER does not hang A up: the bridge completes, then the one-app extension ends (NORMAL_CLEARING)
    const a = rows.filter((x) => x.startsWith('A '));
    const done = a.indexOf('A CHANNEL_EXECUTE_COMPLETE bridge');
    expect(done).toBeGreaterThan(0);
    expect(a[done + 1]).toBe('A CHANNEL_HANGUP NORMAL_CLEARING');
    const peerHangup = rows.indexOf('? CHANNEL_HANGUP NO_ANSWER');
    expect(peerHangup).toBeGreaterThanOrEqual(0);
    expect(peerHangup).toBeLessThan(rows.indexOf('A CHANNEL_EXECUTE_COMPLETE bridge'));
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a sequential dial string from the dialplan: the refused first group gives way, the second is bridged', async () => {
    const { sw, rt, settle, trace, clock } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 7100 XML default`);
    await settle();
    await clock.advance(100);
    await settle();
    expect(await sw.api(`uuid_getvar ${U1} bridge_to`)).toBe(U3);
    const t = trace();
    expect(t.indexOf('A CHANNEL_EXECUTE bridge')).toBeLessThan(t.indexOf('B CHANNEL_DESTROY'));
    expect(t.indexOf('B CHANNEL_DESTROY')).toBeLessThan(t.indexOf('C CHANNEL_OUTGOING'));
    expect(t.indexOf('C CHANNEL_ANSWER')).toBeLessThan(t.indexOf('A CHANNEL_BRIDGE'));
    expect(await sw.api(`uuid_getvar ${U1} originate_causes`)).toBe(`${U3};NONE`);
    await sw.stop();
    await rt.stop();
  });

  it('originate loopback/1000 &bridge(loopback/9196): four channels, A-leg bridged to loopback/9196-a', async () => {
    const { sw, rt, sub, settle } = await start();
    const reply = await sw.originate('loopback/1000 &bridge(loopback/9196)');
    const a = /^\+OK (\S+)\n$/.exec(reply)?.[1] as string;
    expect(a).toBeDefined();
    await settle();
    const bridge = sub.take().find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(bridge?.getHeader('Unique-ID')).toBe(a);
    expect(bridge?.getHeader('Other-Leg-Channel-Name')).toBe('loopback/9196-a');
    expect(await sw.api(`uuid_getvar ${a} bridge_channel`)).toBe('loopback/9196-a');
    expect(await sw.api('show channels count')).toBe('\n4 total.\n');
    expect(await sw.api(`uuid_kill ${a}`)).toBe('+OK\n');
    await settle();
    expect(await sw.api('show channels')).toBe('\n0 total.\n');
    await sw.stop();
    await rt.stop();
  });
});

describe('the bridge application on an unanswered inbound leg, and the flip on an <exten> originate', () => {
  it('loopback B running `bridge` unanswered is answered after its peer; its answer marks A, so the originate returns', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { '5000': [['bridge', `{origination_uuid=${U2}}null/2`]] } }) });
    const reply = await t.sw.originate('loopback/5000 &park()');
    expect(reply).toMatch(/^\+OK /);
    await t.settle();
    const events = t.sub.take();
    const b = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(b?.getHeader('Channel-Name')).toBe('loopback/5000-b');
    const bAnswer = events.findIndex((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Channel-Name') === 'loopback/5000-b');
    const peerAnswer = events.findIndex((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Unique-ID') === U2);
    expect(peerAnswer).toBeGreaterThanOrEqual(0);
    expect(peerAnswer).toBeLessThan(bAnswer);
    expect(bAnswer).toBeLessThan(events.indexOf(b as never));
    expect(await t.sw.api('show channels count')).toBe('\n3 total.\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('originate null/1 1000 XML default: the dialplan gives the leg its extension, so the flip and CALL_UPDATE come in CS_ROUTING', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 1000 XML default`);
    await t.settle();
    const a = t.sub.take().filter((e) => e.getHeader('Unique-ID') === U1);
    const rows = a.map((e) => `${e.type} ${e.getHeader('Channel-State')}`);
    const routing = rows.indexOf('CHANNEL_STATE CS_ROUTING', rows.indexOf('CHANNEL_CALLSTATE CS_CONSUME_MEDIA'));
    expect(rows[routing + 1]).toBe('CALL_UPDATE CS_ROUTING');
    expect(rows[routing + 2]).toBe('CHANNEL_STATE CS_EXECUTE');
    expect(a[routing]?.getHeader('Channel-HIT-Dialplan')).toBe('false');
    expect(a[routing + 1]?.getHeader('Caller-Caller-ID-Number')).toBe('1');
    expect(a[routing + 1]?.getHeader('Caller-Profile-Index')).toBe('2');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('a bridge to a peer with early media', () => {
  it('the (inbound) caller is pre-answered and bridged at once; the peer’s later answer answers the caller', async () => {
    const t = await setup({
      dialplan: staticDialplan({
        default: { '5100': [['bridge', `{origination_uuid=${U2}}[null_pre_answer=true,null_auto_answer_delay=1000]null/2`]] },
      }),
    });
    // the API originate returns on the loopback A's early media, mirrored from B's pre-answer
    expect(await t.sw.originate('loopback/5100 &park()')).toMatch(/^\+OK /);
    await t.settle();
    const first = t.sub.take().filter((e) => e.type !== 'API');
    const bridge = first.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(bridge?.getHeader('Channel-Name')).toBe('loopback/5100-b');
    expect(bridge?.getHeader('Answer-State')).toBe('early');
    expect(bridge?.getHeader('variable_DIALSTATUS')).toBe('ANSWER');
    expect(first.some((e) => e.type === 'CHANNEL_ANSWER')).toBe(false);
    await t.clock.advance(1000);
    await t.settle();
    const later = t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_ANSWER')
      .map((e) => (e.getHeader('Unique-ID') === U2 ? 'peer' : e.getHeader('Channel-Name')));
    expect(later).toEqual(['peer', 'loopback/5100-a', 'loopback/5100-b']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('an outbound caller is not answered by its bridge (switch_channel_answer does nothing on an outbound leg)', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${U1},null_pre_answer=true,null_enable_auto_answer=false}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await t.settle();
    const answers = t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_ANSWER')
      .map((e) => e.getHeader('Unique-ID'));
    expect(answers).toEqual([U2]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('bridge queued by sendmsg', () => {
  it('a channel parked by uuid_park (CS_PARK) runs a queued bridge and is bridged', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    expect(await t.sw.api(`uuid_park ${U1}`)).toBe('+OK\n');
    await t.settle();
    t.sub.take();
    await t.sw.sendmsg(U1, [
      ['call-command', 'execute'],
      ['execute-app-name', 'bridge'],
      ['execute-app-arg', `{origination_uuid=${U2}}null/2`],
    ]);
    await t.settle();
    const events = t.sub.take();
    const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(bridge?.getHeader('Channel-State')).toBe('CS_PARK');
    expect(bridge?.getHeader('Bridge-B-Unique-ID')).toBe(U2);
    expect(events.some((e) => e.type === 'CHANNEL_HANGUP')).toBe(false);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('after the bridge: park_after_bridge, transfer_after_bridge', () => {
  it('the caller with park_after_bridge=true parks when the answered peer hangs up; transfer_after_bridge routes it', async () => {
    const park = await start();
    await park.sw.originate(`{origination_uuid=${U1},park_after_bridge=true,hangup_after_bridge=true}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await park.settle();
    park.trace();
    await park.sw.api(`uuid_kill ${U2}`);
    await park.settle();
    const a = park.trace().filter((r) => r.startsWith('A '));
    expect(a).toEqual(['A CHANNEL_UNBRIDGE', 'A CHANNEL_EXECUTE_COMPLETE bridge', 'A CHANNEL_STATE CS_PARK', 'A CHANNEL_PARK']);
    // the peer's hangup sets last_bridge_hangup_cause on its partner (switch_channel_set_variable_partner)
    expect(await park.sw.api(`uuid_getvar ${U1} last_bridge_hangup_cause`)).toBe('NORMAL_CLEARING');
    await park.sw.stop();
    await park.rt.stop();

    const xfer = await start();
    await xfer.sw.originate(`{origination_uuid=${U1},transfer_after_bridge=1000:XML:default}null/1 &bridge({origination_uuid=${U2}}null/2)`);
    await xfer.settle();
    xfer.trace();
    await xfer.sw.api(`uuid_kill ${U2}`);
    await xfer.settle();
    const t = xfer.trace().filter((r) => r.startsWith('A '));
    expect(t.slice(0, 4)).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE_COMPLETE bridge',
      'A CHANNEL_STATE CS_ROUTING',
      'A CHANNEL_STATE CS_EXECUTE',
    ]);
    expect(t).toContain('A CHANNEL_EXECUTE park');
    expect(await xfer.sw.api(`uuid_getvar ${U1} transfer_after_bridge`)).toBe('_undef_');
    expect(await xfer.sw.api(`uuid_getvar ${U1} bridge_to`)).toBe('_undef_');
    expect(await xfer.sw.api(`uuid_getvar ${U1} last_bridge_to`)).toBe(U2);
    await xfer.sw.stop();
    await xfer.rt.stop();
  });

  it('the peer with park_after_bridge=true parks instead of hanging up when the caller hangs up', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 &bridge({origination_uuid=${U2},park_after_bridge=true}null/2)`);
    await settle();
    trace();
    await sw.api(`uuid_kill ${U1} USER_BUSY`);
    await settle();
    const b = trace().filter((r) => r.startsWith('B '));
    expect(b).toEqual(['B CHANNEL_STATE CS_PARK', 'B CHANNEL_PARK']);
    expect(await sw.api(`uuid_getvar ${U2} last_bridge_hangup_cause`)).toBe('USER_BUSY');
    expect(await sw.api(`uuid_exists ${U2}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });

  it('exec_after_bridge_app: the caller’s extension becomes that application (the rest is dropped); the peer runs its own instead of hanging up', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1}}null/1 7200`);
    await settle();
    trace();
    await sw.api(`uuid_kill ${U2}`);
    await settle();
    const a = trace().filter((r) => r.startsWith('A '));
    expect(a.slice(0, 5)).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE_COMPLETE bridge',
      'A CHANNEL_EXECUTE set',
      'A CHANNEL_EXECUTE_COMPLETE set',
      'A CHANNEL_HANGUP NORMAL_CLEARING',
    ]);
    await sw.stop();
    await rt.stop();

    const peer = await start();
    await peer.sw.originate(`{origination_uuid=${U1}}null/1 7200`);
    await peer.settle();
    peer.trace();
    await peer.sw.api(`uuid_kill ${U1}`);
    await peer.settle();
    const b = peer.trace().filter((r) => r.startsWith('B '));
    expect(b).toEqual(['B CHANNEL_STATE CS_EXECUTE', 'B CHANNEL_EXECUTE park', 'B CHANNEL_PARK']);
    expect(await peer.sw.api(`uuid_exists ${U2}`)).toBe('true');
    await peer.sw.stop();
    await peer.rt.stop();
  });

  it('a peer with only early media whose caller leaves: hung up ORIGINATOR_CANCEL, unless it has orphaned_bleg hooks (it then parks for 3 s)', async () => {
    for (const hook of ['', ",execute_on_orphaned_bleg='set orphan=1'"]) {
      const { sw, rt, settle, trace, clock } = await start();
      const peer = `{origination_uuid=${U2},null_enable_auto_answer=false,null_pre_answer=true${hook}}null/2`;
      await sw.originate(`{origination_uuid=${U1}}null/1 &bridge(${peer})`);
      await settle();
      trace();
      await sw.api(`uuid_kill ${U1}`);
      await settle();
      const b = trace().filter((r) => r.startsWith('B ') && !r.includes('COMPLETE'));
      if (hook === '') {
        expect(b.slice(0, 2)).toEqual(['B CHANNEL_HANGUP ORIGINATOR_CANCEL', 'B CHANNEL_STATE CS_HANGUP']);
      } else {
        expect(b).toEqual(['B CHANNEL_EXECUTE set', 'B CHANNEL_STATE CS_PARK', 'B CHANNEL_PARK']);
        await clock.advance(3000);
        await settle();
        expect(trace().filter((r) => r.startsWith('B CHANNEL_HANGUP '))).toEqual(['B CHANNEL_HANGUP NORMAL_CLEARING']);
      }
      await sw.stop();
      await rt.stop();
    }
  });

  it('bridge_terminate_key: the caller’s key ends the bridge (not passed on), the peer hangs up, the caller’s dialplan goes on; the peer’s key likewise', async () => {
    const { sw, rt, settle, trace } = await start();
    await sw.originate(`{origination_uuid=${U1},bridge_terminate_key=#}null/1 7300`);
    await settle();
    trace();
    await sw.api(`uuid_recv_dtmf ${U1} 5`);
    await settle();
    expect(await sw.api(`uuid_getvar ${U2} null_channel_dtmf_queued`)).toBe('5');
    await sw.api(`uuid_recv_dtmf ${U1} #`);
    await settle();
    const rows = trace().filter((r) => !/CHANNEL_STATE|CALLSTATE|COMPLETE|DTMF/.test(r));
    expect(rows.filter((r) => r.startsWith('A '))).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE set',
      'A CHANNEL_EXECUTE park',
      'A CHANNEL_PARK',
    ]);
    expect(rows.filter((r) => r.startsWith('B ')).slice(0, 1)).toEqual(['B CHANNEL_HANGUP NORMAL_CLEARING']);
    expect(await sw.api(`uuid_getvar ${U2} null_channel_dtmf_queued`)).toBe('-ERR No such channel!\n');
    await sw.stop();
    await rt.stop();

    const peer = await start();
    await peer.sw.originate(`{origination_uuid=${U1}}null/1 7300`);
    await peer.settle();
    peer.trace();
    await peer.sw.api(`uuid_recv_dtmf ${U2} *`);
    await peer.settle();
    const after = peer.trace().filter((r) => !/CHANNEL_STATE|CALLSTATE|COMPLETE|DTMF/.test(r));
    expect(after.filter((r) => r.startsWith('A '))).toEqual([
      'A CHANNEL_UNBRIDGE',
      'A CHANNEL_EXECUTE set',
      'A CHANNEL_EXECUTE park',
      'A CHANNEL_PARK',
    ]);
    expect(after.filter((r) => r.startsWith('B ')).slice(0, 1)).toEqual(['B CHANNEL_HANGUP NORMAL_CLEARING']);
    await peer.sw.stop();
    await peer.rt.stop();
  });

  it('the caller’s own fail_on_single_reject reaches the originate of its bridge (switch_ivr_originate copies it)', async () => {
    for (const [exten, bridged] of [
      ['7400', false],
      ['7401', true],
    ] as const) {
      const { sw, rt, settle } = await start();
      await sw.originate(`{origination_uuid=${U1}}null/1 ${exten}`);
      await settle();
      expect(await sw.api(`uuid_getvar ${U1} originate_disposition`)).toBe(bridged ? 'call accepted' : 'USER_BUSY');
      expect(await sw.api(`uuid_exists ${U2}`)).toBe(bridged ? 'true' : 'false');
      await sw.stop();
      await rt.stop();
    }
  });
});
