import { describe, expect, it } from 'vitest';
import { crashApp, row, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

describe('originate null/1234 &park() (spec §2.5 b1)', () => {
  it('fires the trace in order, with the key headers', async () => {
    const { sw, sub, settle, rt } = await setup();
    const reply = await sw.originate('null/1234 &park()');
    expect(reply).toMatch(UUID);
    const uuid = UUID.exec(reply)?.[1];
    await settle();
    const events = sub.take();
    const channel = events.filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(channel.map(row)).toEqual([
      'CHANNEL_OUTGOING CS_NONE/1 DOWN ringing',
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_ORIGINATE CS_INIT/2 DOWN ringing',
      'CHANNEL_STATE CS_ROUTING/2 DOWN ringing',
      'CHANNEL_STATE CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_ANSWER CS_CONSUME_MEDIA/7 DOWN answered',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 ACTIVE answered',
      'CALL_UPDATE CS_CONSUME_MEDIA/7 ACTIVE answered',
      'CHANNEL_STATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_PARK CS_EXECUTE/4 ACTIVE answered',
    ]);
    const [outgoing, , create] = channel;
    expect(outgoing?.getHeader('Call-Direction')).toBe('outbound');
    expect(outgoing?.getHeader('Channel-Name')).toBe('null/1234');
    expect(outgoing?.headers.some((h) => h.name.startsWith('variable_'))).toBe(false);
    expect(create?.getHeader('Event-Calling-Function')).toBe('switch_core_session_run');
    const callstate = channel[7];
    expect(callstate?.getHeader('Original-Channel-Call-State')).toBe('DOWN');
    const execute = channel[10];
    expect(execute?.getHeader('Application')).toBe('park');
    expect(execute?.getHeader('Application-Data')).toBeUndefined();
    expect(execute?.getHeader('Application-UUID')).toMatch(/^[0-9a-f-]{36}$/);
    // the caller-id flip (switch_channel_sort_cid): CALL_UPDATE, then the swapped ids from CS_EXECUTE on
    const answer = channel[6];
    expect(answer?.getHeader('Channel-HIT-Dialplan')).toBe('false');
    expect(answer?.getHeader('Caller-Caller-ID-Number')).toBe('0000000000');
    expect(answer?.getHeader('Caller-Callee-ID-Name')).toBe('Outbound Call');
    expect(answer?.getHeader('Caller-Callee-ID-Number')).toBe('1234');
    const update = channel[8];
    expect(update?.getHeader('Direction')).toBe('RECV');
    expect(update?.getHeader('Bridged-To')).toBeUndefined();
    expect(update?.getHeader('Channel-HIT-Dialplan')).toBe('true');
    expect(update?.getHeader('variable_channel_cid_flipped')).toBe('yes');
    expect(update?.getHeader('variable_pre_transfer_caller_id_number')).toBe('0000000000');
    for (const e of [update, channel[9], channel[10]]) {
      expect(e?.getHeader('Caller-Caller-ID-Name')).toBe('Outbound Call');
      expect(e?.getHeader('Caller-Caller-ID-Number')).toBe('1234');
      expect(e?.getHeader('Caller-Callee-ID-Name')).toBeUndefined();
      expect(e?.getHeader('Caller-Callee-ID-Number')).toBe('0000000000');
    }
    expect(channel[9]?.getHeader('Channel-HIT-Dialplan')).toBe('true');
    const seqs = channel.map((e) => Number(e.getHeader('Event-Sequence')));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const api = events.find((e) => e.type === 'API');
    expect(api?.getHeader('API-Command')).toBe('originate');
    expect(api?.getHeader('API-Command-Argument')).toBe('null/1234 &park()');
    expect(Number(api?.getHeader('Event-Sequence'))).toBeLessThan(seqs[0] as number);
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });

  it('uuid_kill hangs up with the cause; the park unwinds and the events end in CHANNEL_DESTROY', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1234 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(await sw.api(`uuid_kill ${uuid} USER_BUSY`)).toBe('+OK\n');
    await settle();
    const channel = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(channel.map(row)).toEqual([
      'CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_UNPARK CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_STATE CS_HANGUP/10 ACTIVE hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
    expect(channel[0]?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(channel[2]?.getHeader('Application-Response')).toBe('_none_');
    const complete = channel[6];
    expect(complete?.headers.filter((h) => h.name === 'Hangup-Cause').map((h) => h.value)).toEqual(['USER_BUSY', 'USER_BUSY']);
    expect(complete?.getHeader('variable_hangup_cause')).toBe('USER_BUSY');
    expect(complete?.getHeader('variable_hangup_cause_q850')).toBe('17');
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('false');
    expect(await sw.api(`uuid_kill ${uuid}`)).toBe('-ERR No such channel!\n');
    await sw.stop();
    await rt.stop();
  });
});

describe('originate errors', () => {
  it('error/USER_BUSY → -ERR USER_BUSY and no channel events', async () => {
    const { sw, sub, settle, rt } = await setup();
    expect(await sw.originate('error/USER_BUSY &park()')).toBe('-ERR USER_BUSY\n');
    expect(await sw.originate('error/user_busy &park()')).toBe('-ERR USER_BUSY\n');
    expect(await sw.originate('foo/bar &park()')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    expect(await sw.originate('null/1')).toBe(
      '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n',
    );
    await settle();
    expect(sub.take().filter((e) => e.type.startsWith('CHANNEL_'))).toEqual([]);
    await sw.stop();
    await rt.stop();
  });

  it('an origination_uuid already in use: CRIT and the leg keeps a uuid of its own (switch_core_session_outgoing_channel; sofia refuses, #429)', async () => {
    const { sw, settle, rt, logs } = await setup();
    const U = '33333333-3333-4333-8333-333333333333';
    expect(await sw.originate(`{origination_uuid=${U}}null/1 &park()`)).toBe(`+OK ${U}\n`);
    const second = await sw.originate(`{origination_uuid=${U}}null/2 &park()`);
    await settle();
    expect(second).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(second).not.toContain(U);
    expect(logs).toContain(`CRIT null/2 set UUID=${U} FAILED`);
    expect(await sw.api('show channels count')).toBe('\n2 total.\n');
    await sw.stop();
    await rt.stop();
  });

  it('null/cause-X: the session is made and destroyed at once (DECISIONS.md #2)', async () => {
    const { sw, sub, settle, rt } = await setup();
    expect(await sw.originate('null/cause-CALL_REJECTED &park()')).toBe('-ERR CALL_REJECTED\n');
    expect(await sw.originate('{null_hangup_cause=user_busy}null/1 &park()')).toBe('-ERR USER_BUSY\n');
    await settle();
    const events = sub.take().filter((e) => e.type.startsWith('CHANNEL_'));
    expect(events.map(row)).toEqual([
      'CHANNEL_DESTROY CS_NONE/0 DOWN ringing',
      'CHANNEL_STATE CS_DESTROY/0 DOWN ringing',
      'CHANNEL_DESTROY CS_NONE/0 DOWN ringing',
      'CHANNEL_STATE CS_DESTROY/0 DOWN ringing',
    ]);
    expect(events[0]?.getHeader('Channel-Name')).toBe('null/cause-CALL_REJECTED');
    expect(await sw.api('show channels count')).toBe('\n0 total.\n');
    await sw.stop();
    await rt.stop();
  });

  it('a leg that never answers times out with NO_ANSWER (TestClock)', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const reply = sw.originate('{null_enable_auto_answer=false}null/1 &park() XML default a b 5');
    await settle();
    await clock.advance(5000);
    expect(await reply).toBe('-ERR NO_ANSWER\n');
    await settle();
    const hangup = sub.take().find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('NO_ANSWER');
    await sw.stop();
    await rt.stop();
  });
});

describe('loopback/1000 &park() (spec §2.5 b2)', () => {
  it('gives two legs; B runs the dialplan (answer, park) and its answer marks A', async () => {
    const { sw, sub, settle, rt } = await setup();
    const reply = await sw.originate('loopback/1000 &park()');
    const a = UUID.exec(reply)?.[1];
    expect(a).toBeDefined();
    await settle();
    const events = sub.take();
    const legA = events.filter((e) => e.getHeader('Unique-ID') === a);
    expect(legA.map(row)).toEqual([
      'CHANNEL_OUTGOING CS_NONE/1 DOWN ringing',
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_ORIGINATE CS_INIT/2 DOWN ringing',
      'CHANNEL_STATE CS_ROUTING/2 DOWN ringing',
      'CHANNEL_STATE CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_ANSWER CS_CONSUME_MEDIA/7 DOWN answered',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 ACTIVE answered',
      'CALL_UPDATE CS_CONSUME_MEDIA/7 ACTIVE answered',
      'CHANNEL_STATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_PARK CS_EXECUTE/4 ACTIVE answered',
    ]);
    const b = legA[2]?.getHeader('variable_other_loopback_leg_uuid');
    expect(legA[2]?.getHeader('variable_loopback_leg')).toBe('A');
    const legB = events.filter((e) => e.getHeader('Unique-ID') === b);
    expect(legB.map(row)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_ANSWER CS_EXECUTE/4 RINGING answered',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_PARK CS_EXECUTE/4 ACTIVE answered',
    ]);
    expect(legB[0]?.getHeader('Channel-Name')).toBe('loopback/1000-b');
    expect(legB[0]?.getHeader('Call-Direction')).toBe('inbound');
    expect(legA[0]?.getHeader('Channel-Name')).toBe('loopback/1000-a');
    // B's answer marks A first (A7 comes before B7)
    const pos = (e: unknown) => events.indexOf(e as never);
    expect(pos(legA[6])).toBeLessThan(pos(legB[6]));
    expect(legB[5]?.getHeader('Application')).toBe('answer');

    // killing A hangs up B with the same cause
    expect(await sw.api(`uuid_kill ${a} CALL_REJECTED`)).toBe('+OK\n');
    await settle();
    const after = sub.take();
    for (const uuid of [a, b]) {
      const leg = after.filter((e) => e.getHeader('Unique-ID') === uuid);
      expect(leg.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('CALL_REJECTED');
      expect(leg.at(-2)?.type).toBe('CHANNEL_DESTROY');
    }
    expect(await sw.api('show channels count')).toBe('\n0 total.\n');
    await sw.stop();
    await rt.stop();
  });

  it('no route: B hangs up NO_ROUTE_DESTINATION, A follows, originate fails with that cause', async () => {
    const { sw, rt } = await setup();
    expect(await sw.originate('loopback/9999 &park()')).toBe('-ERR NO_ROUTE_DESTINATION\n');
    await sw.stop();
    await rt.stop();
  });
});

describe('a crashing channel', () => {
  it('is hung up with CRASH and its events still end in CHANNEL_DESTROY', async () => {
    const { sw, sub, settle, rt } = await setup({ applications: [crashApp] });
    const uuid = UUID.exec(await sw.originate('null/1 &crash()'))?.[1];
    await settle();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('CRASH');
    expect(leg.map((e) => e.type).slice(-4)).toEqual(['CHANNEL_STATE', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY', 'CHANNEL_STATE']);
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('false');
    expect(await sw.api('show channels count')).toBe('\n0 total.\n');
    await sw.stop();
    await rt.stop();
  });
});
