/**
 * mod_fifo: callers (null legs) run `fifo <name> in`, consumers `fifo <name> out nowait|wait`; the
 * consumer takes the oldest caller (a VIP and the lower slot first), both are bridged; `fifo count`,
 * `fifo list`, the `fifo::info` events and the channel variables as mod_fifo.c has them.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, at, setup as baseSetup, stopSetup } from './switch_helpers.ts';

const A = 'a0000000-0000-4000-8000-00000000000a';
const B = 'b0000000-0000-4000-8000-00000000000b';
const V = 'c0000000-0000-4000-8000-00000000000c';
const C = 'd0000000-0000-4000-8000-00000000000d';
const NAMES: Record<string, string> = { [A]: 'A', [B]: 'B', [V]: 'V', [C]: 'C' };
const who = (e: SwitchEvent) => NAMES[e.getHeader('Unique-ID') ?? ''] ?? '?';

/** The `fifo` data of each extension (`fifo(<data>)`). */
const EXTENSIONS: Record<string, string> = {};
const fifoExtensions = new Proxy({} as Record<string, [string, string][]>, {
  get: (_, dest) => (typeof dest === 'string' && EXTENSIONS[dest] !== undefined ? [['fifo', EXTENSIONS[dest]]] : undefined),
});
const setup = () => baseSetup({ dialplan: staticDialplan({ default: fifoExtensions }) });

/** A null leg with `uuid` (caller id "Outbound Call", 1) running `fifo(<data>)`. */
async function call(t: Setup, uuid: string, app: string, vars = ''): Promise<void> {
  const data = /^fifo\((.*)\)$/.exec(app)?.[1] ?? '';
  const dest = `x${Object.keys(EXTENSIONS).length}`;
  EXTENSIONS[dest] = data;
  expect(await t.sw.originate(`{origination_uuid=${uuid}${vars}}null/1 ${dest} XML default`)).toBe(`+OK ${uuid}\n`);
  await t.settle();
}

const fifoEvents = (events: SwitchEvent[]) =>
  events.filter((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'fifo::info').map((e) => `${who(e)} ${e.getHeader('FIFO-Action')}`);
const getvar = async (t: Setup, uuid: string, name: string) => (await t.sw.api(`uuid_getvar ${uuid} ${name}`)).trim();

describe('fifo', () => {
  it('callers wait in their slot; a nowait consumer takes the VIP first, then the oldest of the lowest slot, and is bridged to it', async () => {
    const t = await setup();
    await call(t, A, 'fifo(myq in undef silence)');
    await call(t, B, 'fifo(myq in)', ',fifo_priority=3');
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:2:0:0:0\n');
    expect(await t.sw.api('fifo count')).toBe('myq:0:2:0:0:0\n');
    expect(await t.sw.api('fifo count other')).toBe('none\n');
    const pushed = t.sub.take().filter((e) => e.getHeader('FIFO-Action') === 'push');
    expect(pushed.map((e) => [who(e), e.getHeader('FIFO-Name'), e.getHeader('FIFO-Slot'), e.getHeader('Channel-State')])).toEqual([
      ['A', 'myq', '0', 'CS_EXECUTE'],
      ['B', 'myq', '3', 'CS_EXECUTE'],
    ]);
    expect(await Promise.all(['fifo_status', 'fifo_position', 'fifo_priority'].map((n) => getvar(t, A, n)))).toEqual(['WAITING', '1', '0']);
    expect(await getvar(t, A, 'fifo_timestamp')).toBe('2024-09-03 10:11:12');
    await call(t, V, 'fifo(myq in)', ',fifo_priority=5,fifo_vip=true');

    await call(t, C, 'fifo(myq out nowait)');
    const events = t.sub.take();
    expect(fifoEvents(events)).toEqual([
      'V push',
      'C consumer_start',
      'V caller_pop',
      'C consumer_pop',
      'C channel-consumer-start',
      'C bridge-consumer-start',
      'V bridge-caller-start',
    ]);
    const pop = events.find((e) => e.getHeader('FIFO-Action') === 'consumer_pop');
    expect(pop?.getHeader('FIFO-Caller-UUID')).toBe(V);
    const start = events.find((e) => e.getHeader('FIFO-Action') === 'channel-consumer-start');
    expect(['FIFO-Type', 'FIFO-Caller-CID-Name', 'FIFO-Caller-CID-Number'].map((h) => start?.getHeader(h))).toEqual(['onhook', 'Outbound Call', '1']);
    const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect([bridge && who(bridge), bridge?.getHeader('Bridge-B-Unique-ID')]).toEqual(['C', V]);
    expect([t.sw.core.media.routeOf(C), t.sw.core.media.routeOf(V)]).toEqual([V, C]);
    expect(
      await Promise.all(
        ['fifo_serviced_uuid', 'fifo_serviced_by', 'fifo_status', 'fifo_role', 'fifo_target', 'signal_bond'].map((n) => getvar(t, V, n)),
      ),
    ).toEqual([C, C, 'TALKING', 'caller', C, C]);
    expect(await Promise.all(['fifo_status', 'fifo_role', 'fifo_target', 'fifo_bridge_role'].map((n) => getvar(t, C, n)))).toEqual([
      'TALKING',
      'consumer',
      V,
      'consumer',
    ]);
    // the caller hibernated for the bridge: its dialplan stopped
    const vStates = events.filter((e) => e.type === 'CHANNEL_STATE' && who(e) === 'V').map((e) => e.getHeader('Channel-State'));
    expect(vStates.slice(vStates.indexOf('CS_EXECUTE'))).toEqual(['CS_EXECUTE', 'CS_HIBERNATE', 'CS_EXCHANGE_MEDIA']);
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:2:0:0:0\n');
    expect([await t.sw.api(`fifo_check_bridge ${V}`), await t.sw.api(`fifo_check_bridge ${A}`)]).toEqual(['true', 'false']);

    // the consumer hangs up: the bridge ends, the caller is hung up, the consumer's run is over
    await at(t, 3000);
    await t.sw.api(`uuid_kill ${C}`);
    await t.settle();
    const after = t.sub.take();
    expect(fifoEvents(after)).toEqual(['C channel-consumer-stop', 'C bridge-consumer-stop', 'V bridge-caller-stop', 'C consumer_stop']);
    const stop = after.find((e) => e.getHeader('FIFO-Action') === 'channel-consumer-stop');
    expect(['FIFO-Consumer-Talk-Time-s', 'FIFO-Consumer-Hold-Time-us'].map((h) => stop?.getHeader(h))).toEqual(['3', '0']);
    expect(
      after
        .filter((e) => e.type === 'CHANNEL_HANGUP')
        .map((e) => `${who(e)} ${e.getHeader('Hangup-Cause')}`)
        .sort(),
    ).toEqual(['C NORMAL_CLEARING', 'V NORMAL_CLEARING']);
    expect(await t.sw.api(`fifo_check_bridge ${V}`)).toBe('false');

    // next: A (slot 0) before B (slot 3)
    await call(t, C, 'fifo(myq out nowait)');
    expect(
      t.sub
        .take()
        .find((e) => e.getHeader('FIFO-Action') === 'consumer_pop')
        ?.getHeader('FIFO-Caller-UUID'),
    ).toBe(A);
    expect(await getvar(t, B, 'fifo_position')).toBe('1');
    await stopSetup(t);
  });

  it('a caller hanging up leaves the queue (abort, ABORTED); a nowait consumer with no caller ends at once', async () => {
    const t = await setup();
    await call(t, A, 'fifo(myq in)');
    await call(t, B, 'fifo(myq in)');
    expect(await getvar(t, B, 'fifo_position')).toBe('2');
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    const events = t.sub.take();
    const abort = events.find((e) => e.getHeader('FIFO-Action') === 'abort');
    expect([abort && who(abort), abort?.getHeader('variable_fifo_status')]).toEqual(['A', 'ABORTED']);
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:1:0:0:0\n');
    expect(await getvar(t, B, 'fifo_position')).toBe('1');
    await t.sw.api(`uuid_kill ${B}`);
    await t.settle();
    await call(t, C, 'fifo(myq out nowait)');
    expect(fifoEvents(t.sub.take())).toEqual(['B abort', 'C consumer_start', 'C consumer_stop']);
    // fifo_destroy_after_use: the node goes with its last caller
    await call(t, V, 'fifo(tmpq in)', ',fifo_destroy_after_use=true');
    expect(await t.sw.api('fifo count tmpq')).toBe('tmpq:0:1:0:0:0\n');
    await t.sw.api(`uuid_kill ${V}`);
    await t.settle();
    expect(await t.sw.api('fifo count tmpq')).toBe('none\n');
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:0:0:0:0\n');
    await stopSetup(t);
  });

  it('a wait consumer counts as idle, takes a caller as it arrives, wraps up and takes the next', async () => {
    const t = await setup();
    await call(t, C, 'fifo(myq out wait undef silence_stream://5000)', ',fifo_consumer_wrapup_time=1000');
    expect(await t.sw.api('fifo count myq')).toBe('myq:1:0:0:0:1\n');
    await call(t, A, 'fifo(myq in)');
    expect(await getvar(t, A, 'signal_bond')).toBe(C);
    expect(await t.sw.api('fifo count myq')).toBe('myq:1:0:0:0:0\n');
    await call(t, B, 'fifo(myq in)');
    t.sub.take();
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    expect(await getvar(t, C, 'fifo_status')).toBe('WRAPUP');
    await at(t, 1200);
    expect(fifoEvents(t.sub.take())).toEqual([
      'C channel-consumer-stop',
      'C bridge-consumer-stop',
      // A hung up: the event has its data as its bridge started
      'A bridge-caller-stop',
      'C consumer_wrapup',
      'C consumer_reentrance',
      'B caller_pop',
      'C consumer_pop',
      'C channel-consumer-start',
      'C bridge-consumer-start',
      'B bridge-caller-start',
    ]);
    expect(await getvar(t, B, 'signal_bond')).toBe(C);
    await stopSetup(t);
  });

  it('fifo list: the fifo_report XML (callers with their slot and position, consumers, bridges)', async () => {
    const t = await setup();
    await call(t, A, 'fifo(myq!2 in)');
    await call(t, C, 'fifo(other out wait)');
    expect(await t.sw.api('fifo list myq')).toBe(
      [
        '<fifo_report>',
        '  <fifo name="myq" consumer_count="0" caller_count="1" waiting_count="1" importance="2" outbound_per_cycle="0" outbound_per_cycle_min="0" ring_timeout="0" default_lag="0" outbound_priority="0" outbound_strategy="ringall">',
        '    <outbound></outbound>',
        '    <callers>',
        `      <caller uuid="${A}" status="WAITING" caller_id_name="Outbound%20Call" caller_id_number="1" timestamp="2024-09-03 10:11:12" position="1" slot="0"></caller>`,
        '    </callers>',
        '    <consumers></consumers>',
        '    <bridges></bridges>',
        '  </fifo>',
        '</fifo_report>',
        '',
        '',
      ].join('\n'),
    );
    expect(await t.sw.api('fifo list nosuch')).toBe('<fifo_report></fifo_report>\n\n');
    const all = await t.sw.api('fifo list');
    expect(all).toContain(
      `<consumer uuid="${C}" status="WAITING" caller_id_name="Outbound%20Call" caller_id_number="1" timestamp="2024-09-03 10:11:12"></consumer>`,
    );
    expect(all.indexOf('name="myq"')).toBeLessThan(all.indexOf('name="other"'));
    await call(t, B, 'fifo(other in)');
    expect(await t.sw.api('fifo list other')).toContain(
      [
        '    <bridges>',
        '      <bridge fifo_name="other" bridge_start="2024-09-03 10:11:12" bridge_start_epoch="1725358272">',
        `        <caller uuid="${B}" caller_id_name="Outbound%20Call" caller_id_number="1"></caller>`,
        '        <consumer>',
        `          <uuid>${C}</uuid>`,
        '          <outgoing_uuid></outgoing_uuid>',
        '        </consumer>',
        '      </bridge>',
        '    </bridges>',
      ].join('\n'),
    );
    await stopSetup(t);
  });

  it('the API: importance, has_outbound, the usage; the application: its usage', async () => {
    const t = await setup();
    expect(await t.sw.api('fifo')).toBe('list|list_verbose|count|debug|status|has_outbound|importance [<fifo name>]|reparse [del_all]\n');
    expect(await t.sw.api('fifo count')).toBe('none\n');
    // show reads the live registries: mod_fifo's registration
    expect(await t.sw.api('show api fifo')).toBe(
      'name,description,syntax,ikey\nfifo,Return data about a fifo,list|list_verbose|count|debug|status|has_outbound|importance [<fifo name>]|reparse [del_all],mod_fifo\n\n1 total.\n',
    );
    expect(await t.sw.api('show application fifo')).toContain('\nfifo,Park with FIFO,<fifo name>[!<importance_number>] [in ');
    await call(t, A, 'fifo(myq in)');
    expect(await t.sw.api('fifo importance myq')).toBe('importance: 0\n');
    expect(await t.sw.api('fifo importance myq 7')).toBe('importance: 7\n');
    expect(await t.sw.api('fifo importance nosuch')).toBe('no fifo by that name\n');
    expect(await t.sw.api('fifo has_outbound')).toBe('myq:0\n');
    expect(await t.sw.api('fifo reparse')).toBe(
      '-ERR Usage: list|list_verbose|count|debug|status|has_outbound|importance [<fifo name>]|reparse [del_all]\n',
    );
    await call(t, B, 'fifo(myq sideways)');
    await call(t, C, 'fifo(a,b in)');
    const usage =
      'ERR USAGE <fifo name>[!<importance_number>] [in [<announce file>|undef] [<music file>|undef] [early|noans] | out [wait|nowait] [<announce file>|undef] [<music file>|undef]]';
    expect(t.logs.filter((l) => l === usage)).toHaveLength(2);
    await stopSetup(t);
  });

  it('the caller hears its music again and again until taken; its exit key leaves the queue; the consumer’s * hangs the caller up', async () => {
    const t = await setup();
    const tone = 'tone_stream://%(200,0,440)';
    await call(t, A, 'fifo(myq in)', ',fifo_music=silence_stream://200,fifo_caller_exit_key=5');
    await at(t, 500);
    const plays = t.sub.take().filter((e) => e.type === 'PLAYBACK_START' && who(e) === 'A');
    expect(plays.map((e) => e.getHeader('Playback-File-Path'))).toEqual(Array(3).fill('silence_stream://200'));
    expect(t.sw.core.media.routeOf(A)).toBeUndefined();
    await t.sw.api(`uuid_recv_dtmf ${A} 5`);
    await t.settle();
    const events = t.sub.take();
    expect(fifoEvents(events)).toEqual(['A abort']);
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:0:0:0:0\n');

    await call(t, B, `fifo(myq in undef ${tone})`);
    expect(
      t.sub
        .take()
        .find((e) => e.type === 'PLAYBACK_START')
        ?.getHeader('Playback-File-Path'),
    ).toBe(tone);
    await call(t, C, 'fifo(myq out nowait)');
    // taken: the music stops (break)
    expect(
      t.sub
        .take()
        .find((e) => e.type === 'PLAYBACK_STOP' && who(e) === 'B')
        ?.getHeader('Playback-Status'),
    ).toBe('break');
    expect(t.sw.core.media.routeOf(B)).toBe(C);
    await t.sw.api(`uuid_recv_dtmf ${C} *`);
    await t.settle();
    const after = t.sub.take();
    expect(after.filter((e) => e.type === 'CHANNEL_HANGUP' && who(e) === 'B').map((e) => e.getHeader('Hangup-Cause'))).toEqual(['NORMAL_CLEARING']);
    expect(fifoEvents(after)).toEqual(['C channel-consumer-stop', 'C bridge-consumer-stop', 'B bridge-caller-stop', 'C consumer_stop']);
    await stopSetup(t);
  });

  it('a parked call sent fifo (sendmsg execute): taken, it leaves its park too, then is bridged', async () => {
    const t = await setup();
    expect(await t.sw.originate(`{origination_uuid=${A}}null/1 &park()`)).toBe(`+OK ${A}\n`);
    await t.settle();
    expect(await t.sw.sendExecute(A, 'fifo', 'myq in')).toBe(true);
    await t.settle();
    t.sub.take();
    await call(t, C, 'fifo(myq out nowait)');
    const trail = t.sub
      .take()
      .filter((e) => who(e) === 'A' && (e.type === 'CHANNEL_EXECUTE_COMPLETE' || e.type === 'CHANNEL_STATE'))
      .map((e) => `${e.type} ${e.getHeader('Application') ?? e.getHeader('Channel-State')}`);
    expect(trail).toEqual([
      'CHANNEL_EXECUTE_COMPLETE fifo',
      'CHANNEL_EXECUTE_COMPLETE park',
      'CHANNEL_STATE CS_HIBERNATE',
      'CHANNEL_STATE CS_EXCHANGE_MEDIA',
    ]);
    expect(await getvar(t, A, 'signal_bond')).toBe(C);
    await stopSetup(t);
  });

  it('fifo_chime_list: every fifo_chime_freq seconds the music stops for the next chime, in turn', async () => {
    const t = await setup();
    const tone = 'tone_stream://%(10000,0,440)';
    await call(t, A, `fifo(myq in undef ${tone})`, ',fifo_chime_list=silence_stream://300,fifo_chime_freq=1');
    await at(t, 2600);
    const plays = t.sub
      .take()
      .filter((e) => e.type === 'PLAYBACK_START' && who(e) === 'A')
      .map((e) => e.getHeader('Playback-File-Path'));
    expect(plays).toEqual([tone, 'silence_stream://300', tone, 'silence_stream://300', tone]);
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:1:0:0:0\n');
    await stopSetup(t);
  });

  it('the consumer hangs up while the taken caller hears its announcement: the caller goes back to the queue as a VIP', async () => {
    const t = await setup();
    await call(t, A, 'fifo(myq in tone_stream://%(2000,0,440))');
    await call(t, C, 'fifo(myq out nowait)');
    expect(await getvar(t, A, 'fifo_serviced_uuid')).toBe(C);
    await t.sw.api(`uuid_kill ${C}`);
    await at(t, 2500);
    expect(t.logs).toContain(
      'WARNING Customer null/1 Outbound Call [1] appears to be abandoned by agent Outbound Call [1] but is still on the line, redirecting them back to the queue with VIP status.',
    );
    expect(await getvar(t, A, 'fifo_vip')).toBe('true');
    expect(await t.sw.api('fifo count myq')).toBe('myq:0:1:0:0:0\n');
    const pushes = t.sub.take().filter((e) => e.getHeader('FIFO-Action') === 'push');
    expect(pushes.map(who)).toEqual(['A', 'A']);
    await stopSetup(t);
  });
});
