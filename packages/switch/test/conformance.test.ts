/**
 * Conformance gaps found by the issue 8 audit (CONFORMANCE.md): the §2.5 (a) trace with the
 * answer sent by sendmsg (rows 10–14) and the hangup by sendmsg (row 15a), (a)'s no-route
 * variant on a running switch, (b2)'s cross-leg hangup order, and the §8 core log lines.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { row, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;
const dialplan = staticDialplan({
  default: {
    '1001': [['set', 'foo=bar'], ['park']],
    '1002': [['set', 'x=1']],
    '1003': [['playback', 'silence_stream://100'], ['answer'], ['park']],
    '1004': [['set', 'x=1'], ['answer'], ['echo']],
  },
});

/** Starts `loopback/1001 &park()` and returns B (the inbound leg running trace (a)). */
async function inboundLeg() {
  const s = await setup({ dialplan });
  const reply = s.sw.originate('loopback/1001 &park()');
  await s.settle();
  const events = s.sub.take();
  const b = events.find((e) => e.getHeader('Channel-Name') === 'loopback/1001-b')?.getHeader('Unique-ID') as string;
  return { ...s, reply, b, events };
}

const of = (events: SwitchEvent[], uuid: string) => events.filter((e) => e.getHeader('Unique-ID') === uuid);

describe('spec §2.5 (a) with sendmsg: answer (rows 10–14) and hangup (row 15a)', () => {
  it('execute answer runs nested in park: EXECUTE, ANSWER, CALLSTATE ACTIVE, EXECUTE_COMPLETE, PRIVATE_COMMAND; then sendmsg hangup: HANGUP, PRIVATE_COMMAND, UNPARK …', async () => {
    const { sw, sub, settle, rt, reply, b, events } = await inboundLeg();
    expect(of(events, b).map(row)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_PARK CS_EXECUTE/4 RINGING ringing',
    ]);
    expect(
      await sw.sendmsg(b, [
        ['call-command', 'execute'],
        ['execute-app-name', 'answer'],
        ['event-uuid', 'ans-1'],
      ]),
    ).toBe('ok');
    expect(await reply).toMatch(UUID);
    await settle();
    const answered = of(sub.take(), b);
    expect(answered.map((e) => `${row(e)} ${e.getHeader('Application') ?? ''}`.trim())).toEqual([
      'CHANNEL_EXECUTE CS_EXECUTE/4 RINGING ringing answer',
      'CHANNEL_ANSWER CS_EXECUTE/4 RINGING answered',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 ACTIVE answered answer',
      'PRIVATE_COMMAND CS_EXECUTE/4 ACTIVE answered',
    ]);
    expect(answered[0]?.getHeader('Application-UUID')).toBe('ans-1');
    expect(answered[3]?.getHeader('Application-UUID')).toBe('ans-1');
    expect(answered[2]?.getHeader('Original-Channel-Call-State')).toBe('RINGING');
    expect(answered[2]?.getHeader('Channel-Call-State-Number')).toBe('4');
    expect(answered.some((e) => e.type === 'CHANNEL_UNPARK')).toBe(false);

    expect(
      await sw.sendmsg(b, [
        ['call-command', 'hangup'],
        ['hangup-cause', 'USER_BUSY'],
      ]),
    ).toBe('ok');
    await settle();
    const hung = of(sub.take(), b);
    expect(hung.map(row)).toEqual([
      'CHANNEL_HANGUP CS_EXECUTE/10 ACTIVE hangup',
      'PRIVATE_COMMAND CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_UNPARK CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/10 ACTIVE hangup',
      'CHANNEL_STATE CS_HANGUP/10 ACTIVE hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
    expect(hung[0]?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(hung[1]?.getHeader('hangup-cause')).toBe('USER_BUSY');
    expect(hung[3]?.getHeader('Application')).toBe('park');
    expect(hung[7]?.headers.filter((h) => h.name === 'Hangup-Cause').map((h) => h.value)).toEqual(['USER_BUSY', 'USER_BUSY']);
    await sw.stop();
    await rt.stop();
  });
});

describe('spec §2.5 (a) variant: the first app needs media (no SAF_SUPPORT_NOMEDIA)', () => {
  it('an unanswered inbound leg is pre-answered right before playback’s CHANNEL_EXECUTE; the later answer goes EARLY → ACTIVE', async () => {
    const { sw, sub, settle, rt, clock } = await setup({ dialplan });
    const reply = sw.originate('loopback/1003 &park()');
    await settle();
    expect(await reply).toMatch(UUID); // B's early media marks A early: originate returns on it
    await clock.advance(100);
    await settle();
    const events = sub.take();
    const b = events.find((e) => e.getHeader('Channel-Name') === 'loopback/1003-b')?.getHeader('Unique-ID') as string;
    expect(
      of(events, b)
        .slice(4)
        .map((e) => `${row(e)} ${e.getHeader('Application') ?? ''}`.trim()),
    ).toEqual([
      'CHANNEL_STATE CS_EXECUTE/4 RINGING ringing',
      'CHANNEL_PROGRESS_MEDIA CS_EXECUTE/4 RINGING early',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 EARLY early',
      'CHANNEL_EXECUTE CS_EXECUTE/4 EARLY early playback',
      // switch_ivr_play_file's own events
      'PLAYBACK_START CS_EXECUTE/4 EARLY early',
      'PLAYBACK_STOP CS_EXECUTE/4 EARLY early',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 EARLY early playback',
      'CHANNEL_EXECUTE CS_EXECUTE/4 EARLY early answer',
      'CHANNEL_ANSWER CS_EXECUTE/4 EARLY answered',
      'CHANNEL_CALLSTATE CS_EXECUTE/4 ACTIVE answered',
      'CHANNEL_EXECUTE_COMPLETE CS_EXECUTE/4 ACTIVE answered answer',
      'CHANNEL_EXECUTE CS_EXECUTE/4 ACTIVE answered park',
      'CHANNEL_PARK CS_EXECUTE/4 ACTIVE answered',
    ]);
    const [, , earlyState, , , stopped, done, , , active] = of(events, b).slice(4);
    expect(stopped?.getHeader('Playback-Status')).toBe('done');
    expect(earlyState?.getHeader('Original-Channel-Call-State')).toBe('RINGING');
    expect(done?.getHeader('Application-Response')).toBe('FILE PLAYED');
    expect(active?.getHeader('Original-Channel-Call-State')).toBe('EARLY');
    await sw.stop();
    await rt.stop();
  });

  it('set and answer need no media: no pre-answer before them; echo after answer needs none either', async () => {
    const { sw, sub, settle, rt } = await setup({ dialplan });
    expect(await sw.originate('loopback/1004 &park()')).toMatch(UUID);
    await settle();
    const events = sub.take();
    const b = events.find((e) => e.getHeader('Channel-Name') === 'loopback/1004-b')?.getHeader('Unique-ID') as string;
    expect(of(events, b).some((e) => e.type === 'CHANNEL_PROGRESS_MEDIA')).toBe(false);
    expect(
      of(events, b)
        .filter((e) => e.type === 'CHANNEL_EXECUTE')
        .map((e) => e.getHeader('Application')),
    ).toEqual(['set', 'answer', 'echo']);
    await sw.stop();
    await rt.stop();
  });
});

describe('spec §2.5 (a) variant: no route, on a running switch', () => {
  it('rows 1–4, INFO No Route, Aborting, CHANNEL_HANGUP NO_ROUTE_DESTINATION in CS_ROUTING, rows 18–23 with RINGING', async () => {
    const { sw, sub, settle, rt, logs } = await setup({ dialplan });
    expect(await sw.originate('loopback/9999 &park()')).toBe('-ERR NO_ROUTE_DESTINATION\n');
    await settle();
    const events = sub.take();
    const b = events.find((e) => e.getHeader('Channel-Name') === 'loopback/9999-b')?.getHeader('Unique-ID') as string;
    const legB = of(events, b);
    expect(legB.map(row)).toEqual([
      'CHANNEL_STATE CS_INIT/1 DOWN ringing',
      'CHANNEL_CREATE CS_INIT/2 DOWN ringing',
      'CHANNEL_CALLSTATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_STATE CS_ROUTING/2 RINGING ringing',
      'CHANNEL_HANGUP CS_ROUTING/10 RINGING hangup',
      'CHANNEL_STATE CS_HANGUP/10 RINGING hangup',
      'CHANNEL_CALLSTATE CS_HANGUP/10 HANGUP hangup',
      'CHANNEL_STATE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_HANGUP_COMPLETE CS_REPORTING/11 HANGUP hangup',
      'CHANNEL_DESTROY CS_REPORTING/12 HANGUP hangup',
      'CHANNEL_STATE CS_DESTROY/12 HANGUP hangup',
    ]);
    expect(legB[4]?.getHeader('Hangup-Cause')).toBe('NO_ROUTE_DESTINATION');
    expect(legB[6]?.getHeader('Original-Channel-Call-State')).toBe('RINGING');
    expect(logs).toContain('INFO No Route, Aborting');
    await sw.stop();
    await rt.stop();
  });
});

describe('spec §2.5 (b2): uuid_kill A', () => {
  it('A hangs up fully to CS_HANGUP and CALLSTATE HANGUP before B’s CHANNEL_HANGUP (same cause); both end in CHANNEL_DESTROY, CHANNEL_STATE(CS_DESTROY)', async () => {
    const { sw, sub, settle, rt } = await setup();
    const a = UUID.exec(await sw.originate('loopback/1000 &park()'))?.[1] as string;
    await settle();
    const b = sub
      .take()
      .find((e) => e.getHeader('Channel-Name') === 'loopback/1000-b')
      ?.getHeader('Unique-ID') as string;
    expect(await sw.api(`uuid_kill ${a} CALL_REJECTED`)).toBe('+OK\n');
    await settle();
    const after = sub.take().filter((e) => e.type.startsWith('CHANNEL_'));
    const at = (uuid: string, type: string, state?: string) =>
      after.findIndex((e) => e.getHeader('Unique-ID') === uuid && e.type === type && (!state || e.getHeader('Channel-State') === state));
    expect(at(a, 'CHANNEL_HANGUP')).toBe(0);
    expect(at(a, 'CHANNEL_STATE', 'CS_HANGUP')).toBeLessThan(at(b, 'CHANNEL_HANGUP'));
    expect(at(a, 'CHANNEL_CALLSTATE', 'CS_HANGUP')).toBeLessThan(at(b, 'CHANNEL_HANGUP'));
    expect(after[at(b, 'CHANNEL_HANGUP')]?.getHeader('Hangup-Cause')).toBe('CALL_REJECTED');
    for (const uuid of [a, b]) {
      expect(
        of(after, uuid)
          .slice(-3)
          .map((e) => e.type),
      ).toEqual(['CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY', 'CHANNEL_STATE']);
    }
    await sw.stop();
    await rt.stop();
  });
});

describe('spec §8 core log lines', () => {
  it('EXECUTE [depth=N] per application (1 nested in park), the last-instruction NOTICE, Invalid Application, unknown endpoint', async () => {
    const { sw, settle, rt, logs } = await inboundLeg();
    const b = (await sw.api('show channels'))
      .split('\n')
      .find((l) => l.includes('loopback/1001-b'))
      ?.split(',')[0] as string;
    expect(logs).toContain('INFO EXECUTE [depth=0] loopback/1001-b set(foo=bar)');
    expect(logs).toContain('INFO EXECUTE [depth=0] loopback/1001-b park()');
    expect(logs).toContain(`NOTICE New Channel loopback/1001-b [${b}]`);
    await sw.sendmsg(b, [
      ['call-command', 'execute'],
      ['execute-app-name', 'log'],
      ['execute-app-arg', 'INFO hi'],
    ]);
    await settle();
    expect(logs).toContain('INFO EXECUTE [depth=1] loopback/1001-b log(INFO hi)');

    expect(await sw.originate('loopback/1002 &park()')).toBe('-ERR NORMAL_CLEARING\n');
    expect(logs).toContain('NOTICE loopback/1002-b has executed the last dialplan instruction, hanging up.');

    expect(await sw.originate('foo/bar &park()')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    expect(logs).toContain('ERR Could not locate channel type foo');
    await sw.stop();
    await rt.stop();
  });
});

describe('module registries, endpoint addresses and identity on a running switch', () => {
  it('a module registers an API command and an application by name (case-insensitive); help lists the command with its module', async () => {
    const calls: string[] = [];
    const { sw, sub, settle, rt } = await setup({
      dialplan: staticDialplan({ default: { '7000': [['Erlang', 'myhandler mynode@host']] } }),
      apiCommands: [
        {
          name: 'erlang',
          syntax: '<command> [<args>]',
          description: 'erlang information',
          module: 'mod_erlang_event',
          run: (args) => `+OK ${args}\n`,
        },
      ],
      applications: [
        {
          name: 'erlang',
          run: (ch, data, done) => {
            calls.push(data);
            ch.setVariable('current_application_response', 'handled');
            return void done();
          },
        },
      ],
    });
    expect(await sw.api('ERLANG listeners')).toBe('+OK listeners\n');
    expect(await sw.api('help erlang')).toBe('erlang,<command> [<args>],erlang information,mod_erlang_event\n');
    expect(await sw.originate('loopback/7000 &park()')).toBe('-ERR NORMAL_CLEARING\n');
    await settle();
    expect(calls).toEqual(['myhandler mynode@host']);
    const complete = sub.take().find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'erlang');
    expect(complete?.getHeader('Application-Response')).toBe('handled');
    await sw.stop();
    await rt.stop();
  });

  it('loopback/<ext>/<context> routes B in that context; switchname in the API and the headers', async () => {
    const { sw, sub, settle, rt } = await setup({
      identity: { coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'fs1', switchname: 'sw-a' },
      dialplan: staticDialplan({ default: { '1000': [['hangup', 'CALL_REJECTED']] }, other: { '1000': [['answer'], ['park']] } }),
    });
    expect(await sw.api('switchname')).toBe('sw-a');
    expect(await sw.api('hostname')).toBe('fs1');
    expect(await sw.originate('loopback/1000/other &park()')).toMatch(UUID);
    expect(await sw.originate('loopback/1000 &park()')).toBe('-ERR CALL_REJECTED\n');
    await settle();
    const events = sub.take();
    const create = events.find((e) => e.type === 'CHANNEL_CREATE' && e.getHeader('Channel-Name') === 'loopback/1000-b');
    expect(create?.getHeader('Caller-Context')).toBe('other');
    expect(create?.getHeader('FreeSWITCH-Switchname')).toBe('sw-a');
    expect(create?.getHeader('FreeSWITCH-Hostname')).toBe('fs1');
    await sw.stop();
    await rt.stop();
  });

  it('origination_caller_id_* / origination_ani(ii) set the new leg’s caller id; ANI defaults to the caller id number (switch_caller_profile_new)', async () => {
    const { sw, sub, settle, rt } = await setup();
    const uuid = UUID.exec(await sw.originate('{origination_caller_id_name=Alice,origination_caller_id_number=555}null/1 &park()'))?.[1] as string;
    await settle();
    const create = of(sub.take(), uuid).find((e) => e.type === 'CHANNEL_CREATE');
    expect(create?.getHeader('Caller-Caller-ID-Name')).toBe('Alice');
    expect(create?.getHeader('Caller-Caller-ID-Number')).toBe('555');
    expect(create?.getHeader('Caller-ANI')).toBe('555');
    const plain = UUID.exec(await sw.originate('{origination_ani=777,origination_aniii=2}null/2 &park()'))?.[1] as string;
    const bare = UUID.exec(await sw.originate('null/3 &park()'))?.[1] as string;
    await settle();
    const creates = sub.take().filter((e) => e.type === 'CHANNEL_CREATE');
    const created = (u: string) => creates.find((e) => e.getHeader('Unique-ID') === u);
    expect(created(plain)?.getHeader('Caller-ANI')).toBe('777');
    expect(created(plain)?.getHeader('Caller-ANI-II')).toBe('2');
    expect(created(bare)?.getHeader('Caller-ANI')).toBe('0000000000');
    await sw.stop();
    await rt.stop();
  });

  it('show channels like <text> (SQLite LIKE on uuid, name, cid …); uuid_setvar on an unknown uuid', async () => {
    const { sw, settle, rt } = await setup();
    const a = UUID.exec(await sw.originate('null/4711 &park()'))?.[1] as string;
    await sw.originate('null/0815 &park()');
    await settle();
    const like = (await sw.api('show channels like 4711')).split('\n');
    expect(like.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${a},outbound,.*,null/4711,`)), '', '1 total.', '']);
    expect(await sw.api('show channels like nothing-here')).toBe('\n0 total.\n');
    // SQLite LIKE: ASCII case ignored, `_` one character; a text with `%` is the whole pattern
    const count = async (t: string) => (await sw.api(`show channels like ${t}`)).trim().split('\n').at(-1);
    expect(await count('NULL/4711')).toBe('1 total.');
    expect(await count('n_ll/47')).toBe('1 total.');
    expect(await count('%/4711')).toBe('1 total.');
    expect(await count('4711%')).toBe('0 total.');
    expect(await count('null/%')).toBe('2 total.');
    expect(await sw.api('show channels count')).toBe('\n2 total.\n');
    expect(await sw.api('uuid_setvar 00000000-0000-0000-0000-000000000000 a b')).toBe('-ERR No such channel!\n');
    await sw.stop();
    await rt.stop();
  });
});

describe('spec §2.5 (b1) with {null_pre_answer=true}, and (c) with an unknown application', () => {
  it('CHANNEL_PROGRESS_MEDIA and CALLSTATE DOWN → EARLY come before the answer; the answer’s CALLSTATE says Original EARLY', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const reply = sw.originate('{null_pre_answer=true,null_auto_answer_delay=500}null/1234 &park()');
    await settle();
    const uuid = UUID.exec(await reply)?.[1] as string; // early media is enough for originate
    await clock.advance(500);
    await settle();
    const channel = of(sub.take(), uuid).filter((e) => e.type !== 'CALL_UPDATE');
    expect(channel.map(row).slice(5, 10)).toEqual([
      'CHANNEL_STATE CS_CONSUME_MEDIA/7 DOWN ringing',
      'CHANNEL_PROGRESS_MEDIA CS_CONSUME_MEDIA/7 DOWN early',
      'CHANNEL_CALLSTATE CS_CONSUME_MEDIA/7 EARLY early',
      'CHANNEL_STATE CS_EXECUTE/4 EARLY early',
      'CHANNEL_EXECUTE CS_EXECUTE/4 EARLY early',
    ]);
    expect(channel[7]?.getHeader('Original-Channel-Call-State')).toBe('DOWN');
    const answer = channel.findIndex((e) => e.type === 'CHANNEL_ANSWER');
    expect(row(channel[answer] as SwitchEvent)).toBe('CHANNEL_ANSWER CS_EXECUTE/4 EARLY answered');
    expect(channel[answer + 1]?.getHeader('Original-Channel-Call-State')).toBe('EARLY');
    expect(channel[answer + 1]?.getHeader('Channel-Call-State')).toBe('ACTIVE');
    await sw.stop();
    await rt.stop();
  });

  it('sendmsg execute of an unknown application: ERR Invalid Application, no CHANNEL_EXECUTE, hangup DESTINATION_OUT_OF_ORDER', async () => {
    const { sw, sub, settle, rt, logs } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    expect(
      await sw.sendmsg(uuid, [
        ['call-command', 'execute'],
        ['execute-app-name', 'nosuch'],
      ]),
    ).toBe('ok');
    await settle();
    const evs = of(sub.take(), uuid);
    expect(evs.some((e) => e.type === 'CHANNEL_EXECUTE')).toBe(false);
    expect(evs.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
    expect(evs.at(-2)?.type).toBe('CHANNEL_DESTROY');
    expect(logs).toContain('ERR Invalid Application nosuch');
    await sw.stop();
    await rt.stop();
  });
});

describe('park_timeout (switch_ivr_park, spec §5)', () => {
  it('uuid_park’s CS_PARK park reads it too', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const a = UUID.exec(await sw.originate('{park_timeout=2:user_busy}null/1 &sleep(100000)'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_park ${a}`)).toBe('+OK\n');
    await settle();
    expect(await sw.api(`uuid_getvar ${a} park_timeout`)).toBe('_undef_');
    sub.take();
    await clock.advance(1999);
    await settle();
    expect(await sw.api(`uuid_exists ${a}`)).toBe('true');
    await clock.advance(1);
    await settle();
    const evs = of(sub.take(), a);
    expect(evs.slice(0, 2).map((e) => e.type)).toEqual(['CHANNEL_HANGUP', 'CHANNEL_UNPARK']);
    expect(evs[0]?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await sw.stop();
    await rt.stop();
  });

  it('hangs the parked channel up with the given cause when it expires; read once and unset; a park that ends first cancels it', async () => {
    const { sw, sub, settle, rt, clock } = await setup();
    const a = UUID.exec(await sw.originate('{park_timeout=5:user_busy}null/1 &park()'))?.[1] as string;
    const b = UUID.exec(await sw.originate('{park_timeout=2}null/2 &park()'))?.[1] as string;
    const c = UUID.exec(await sw.originate('{park_timeout=3}null/3 &park()'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_getvar ${a} park_timeout`)).toBe('_undef_');
    expect(await sw.api(`uuid_transfer ${c} 1000`)).toBe('+OK\n'); // 1000: answer, park (no timeout now)
    await clock.advance(1999);
    await settle();
    expect(await sw.api(`uuid_exists ${b}`)).toBe('true');
    sub.take();
    await clock.advance(1);
    await settle();
    const hungB = of(sub.take(), b);
    expect(hungB.slice(0, 3).map((e) => e.type)).toEqual(['CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE']);
    expect(hungB[0]?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    await clock.advance(3000);
    await settle();
    const hungA = of(sub.take(), a);
    expect(hungA.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(await sw.api(`uuid_exists ${a}`)).toBe('false');
    expect(await sw.api(`uuid_exists ${c}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });
});

describe('application arguments (spec §2.6, switch_core_session_exec)', () => {
  it('the argument is expanded before CHANNEL_EXECUTE (current_application / _data set first) unless app_disable_expand_variables is true', async () => {
    const { sw, sub, settle, rt } = await setup({
      dialplan: staticDialplan({
        default: {
          '1005': [
            ['set', 'who=world'],
            ['log', 'INFO hello ${who}'],
            ['set', 'app_disable_expand_variables=true'],
            ['log', 'INFO raw ${who}'],
          ],
        },
      }),
    });
    expect(await sw.originate('loopback/1005 &park()')).toBe('-ERR NORMAL_CLEARING\n');
    await settle();
    const logs = sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'log');
    expect(logs.map((e) => e.getHeader('Application-Data'))).toEqual(['INFO hello world', 'INFO raw ${who}']);
    expect(logs[0]?.getHeader('variable_current_application')).toBe('log');
    expect(logs[0]?.getHeader('variable_current_application_data')).toBe('INFO hello world');
    await sw.stop();
    await rt.stop();
  });
});

describe('nesting of queued executes (spec §2.5 c: SWITCH_MAX_STACKS)', () => {
  it('past 32 applications deep a queued execute is refused with ERR … too many stacked extensions and stays queued; it runs once the stack unwinds', async () => {
    const { sw, sub, settle, rt, logs, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    sub.take();
    for (let i = 1; i <= 33; i++) {
      await sw.sendmsg(uuid, [
        ['call-command', 'execute'],
        ['execute-app-name', 'sleep'],
        ['execute-app-arg', String(100_000 - i * 1000)],
      ]);
    }
    await settle();
    const started = () => of(sub.take(), uuid).filter((e) => e.type === 'CHANNEL_EXECUTE').length;
    expect(started()).toBe(32); // park + 32 sleeps running
    expect(logs).toContain('ERR Error null/1 too many stacked extensions [depth=33]');
    expect(logs).toContain('INFO EXECUTE [depth=32] null/1 sleep(68000)');
    await clock.advance(68_000); // the innermost sleep (68 s) ends: the queued one runs now
    await settle();
    expect(started()).toBe(1);
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });
});

describe('bgapi and show calls formats (spec §1.5, §3.4)', () => {
  it('the bgapi API command’s BACKGROUND_JOB has Job-UUID, Job-Command, Job-Command-Arg and no Job-Successful; show calls as json / count', async () => {
    const { sw, settle, rt } = await setup();
    const jobs = sw.events.subscribe({ types: ['BACKGROUND_JOB'] });
    await sw.api('bgapi status');
    const job = await jobs.next();
    expect(job.headers.map((h) => h.name).slice(13)).toEqual(['Job-UUID', 'Job-Command']);
    expect(job.body).toMatch(/^UP 0 years/);
    expect(await sw.api('show calls as json')).toBe('{"row_count": 0}\n');
    const a = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    const json = JSON.parse(await sw.api('show calls as json'));
    expect(json.row_count).toBe(1);
    expect(json.rows[0].uuid).toBe(a);
    expect(json.rows[0].b_uuid).toBe('');
    await sw.stop();
    await rt.stop();
  });
});
