/**
 * mod_fifo's outbound side: members (`fifo_member`, fifo.conf) are dialled by the node thread for
 * callers no consumer takes — `ringall` (one dial to all, the first answer takes the caller) and
 * `enterprise` (a dial per member, each answered member a `wait` consumer) — with their use counts,
 * lag and fail counts, the `pre-dial` / `post-dial` events and the `<outbound>` of `fifo list`.
 * Members are null legs (`null_auto_answer_delay` decides when they answer).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { outboundId } from '../src/fifo/members.ts';
import { type Setup, at, setup as baseSetup, stopSetup } from './switch_helpers.ts';

const A = 'a0000000-0000-4000-8000-00000000000a';
const B = 'b0000000-0000-4000-8000-00000000000b';
const FAST = '[null_auto_answer_delay=1000]null/fast';
const SLOW = '[null_auto_answer_delay=3000]null/slow';

const dialplan = staticDialplan({ default: { q: [['fifo', 'q in']], ent: [['fifo', 'ent in']], take: [['fifo', 'q out nowait']] } });
const setup = (confDir?: string) => baseSetup({ dialplan, ...(confDir ? { confDir } : {}) });

/** A conf dir whose fifo.conf is `body`. */
function fifoConf(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-fifoconf-'));
  mkdirSync(join(dir, 'autoload_configs'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    '<?xml version="1.0"?>\n<document type="freeswitch/xml">\n  <section name="configuration">\n    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>\n  </section>\n</document>\n',
  );
  writeFileSync(join(dir, 'autoload_configs', 'fifo.conf.xml'), `<configuration name="fifo.conf">\n${body}\n</configuration>\n`);
  return dir;
}

async function caller(t: Setup, uuid: string, queue: string): Promise<void> {
  expect(await t.sw.originate(`{origination_uuid=${uuid}}null/1 ${queue} XML default`)).toBe(`+OK ${uuid}\n`);
  await t.settle();
}

const fifoInfo = (events: SwitchEvent[], action?: string) =>
  events.filter((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'fifo::info' && (!action || e.getHeader('FIFO-Action') === action));
const memberAttr = (list: string, dial: string, name: string) =>
  new RegExp(`<member [^>]*\\b${name}="([^"]*)"[^>]*>${dial.replace(/[[\]/]/g, '\\$&')}</member>`).exec(list)?.[1];
const hangups = (events: SwitchEvent[]) =>
  events.filter((e) => e.type === 'CHANNEL_HANGUP').map((e) => `${e.getHeader('Channel-Name')} ${e.getHeader('Hangup-Cause')}`);

describe('fifo outbound members', () => {
  it('fifo_member add / del: the member rows, member_count, has_outbound and the <outbound> of fifo list', async () => {
    const t = await setup();
    expect(await t.sw.api('fifo_member')).toBe(
      '-USAGE: [add <fifo_name> <originate_string> [<simo_count>] [<timeout>] [<lag>] [<expires>] [<taking_calls>] | del <fifo_name> <originate_string>]\n',
    );
    expect(await t.sw.api('fifo_member add q')).toBe('-ERR Invalid!\n');
    expect(await t.sw.api('fifo_member move q null/1')).toBe('-ERR Invalid!\n');
    expect(await t.sw.api('fifo_member add q null/1 2 30 7')).toBe('+OK\n');
    expect(await t.sw.api('fifo_member add q {fifo_outbound_uuid=agent-7}null/2')).toBe('+OK\n');
    // the same dial string again replaces its row
    expect(await t.sw.api('fifo_member add q null/1 3')).toBe('+OK\n');
    expect(await t.sw.api('fifo count q')).toBe('q:0:0:2:0:0\n');
    expect(await t.sw.api('fifo has_outbound q')).toBe('q:1\n');
    const list = await t.sw.api('fifo list q');
    expect(list).toContain(
      '    <outbound>\n' +
        '      <member simo="1" use_count="0" timeout="60" lag="5" outbound-call-count="0" outbound-fail-count="0" taking-calls="1" status="" outbound-call-total-count="0" outbound-fail-total-count="0" logged-on-since="2024-09-03 10:11:12" manual-calls-out-count="0" manual-calls-in-count="0" manual-calls-out-total-count="0" manual-calls-in-total-count="0" ring-count="0" start-time="never" stop-time="never" next-available="now">{fifo_outbound_uuid=agent-7}null/2</member>\n' +
        '      <member simo="3" use_count="0" timeout="60" lag="5"',
    );
    // the outbound id: the dial string's md5, or the fifo_outbound_uuid it names
    expect(outboundId('null/1')).toBe('c5348530b1fdbc33ee9f633f91f5bfeb');
    expect(outboundId('{fifo_outbound_uuid=agent-7}null/2')).toBe('agent-7');
    expect(await t.sw.api('fifo_member del q null/1')).toBe('+OK\n');
    expect(await t.sw.api('fifo_member del q {fifo_outbound_uuid=agent-7}null/other')).toBe('+OK\n');
    expect(await t.sw.api('fifo count q')).toBe('q:0:0:0:0:0\n');
    expect(await t.sw.api('fifo has_outbound q')).toBe('q:0\n');
    await stopSetup(t);
  });

  it('ringall: a waiting caller rings every member at once; the first to answer gets it, the other loses the race; use and call counts, lag', async () => {
    const t = await setup();
    await t.sw.api(`fifo_member add q ${SLOW} 1 20 10`);
    await t.sw.api(`fifo_member add q ${FAST} 1 20 10`);
    await caller(t, A, 'q');
    t.sub.take();
    await at(t, 1100);
    // the node thread's pass: one dial for both members
    expect(await t.sw.api('fifo count q')).toBe('q:0:1:2:1:0\n');
    const ids = [outboundId(SLOW), outboundId(FAST)];
    const pre = fifoInfo(t.sub.take(), 'pre-dial');
    expect(
      pre.map((e) => [
        e.getHeader('Unique-ID'),
        e.getHeader('outbound-strategy'),
        e.getHeader('caller-uuid'),
        e.getHeader('FIFO-Outbound-UUID-List'),
      ]),
    ).toEqual([[A, 'ringall', A, ids.join(',')]]);
    expect(pre[0]?.getHeader('originate_string')).toBe(
      `[leg_timeout=20,fifo_outbound_uuid=${ids[0]},fifo_name=q]${SLOW},[leg_timeout=20,fifo_outbound_uuid=${ids[1]},fifo_name=q]${FAST},`,
    );
    expect(memberAttr(await t.sw.api('fifo list q'), FAST, 'ring-count')).toBe('1');
    await at(t, 2500);
    const events = t.sub.take();
    const post = fifoInfo(events, 'post-dial')[0];
    expect([post?.getHeader('Channel-Name'), post?.getHeader('result'), post?.getHeader('FIFO-Outbound-UUID')]).toEqual([
      'null/fast',
      'success',
      ids[1],
    ]);
    // the member is dialled with the caller's id
    expect(post?.getHeader('Caller-Caller-ID-Name')).toBe(await t.sw.api(`uuid_getvar ${A} caller_id_name`));
    expect(post?.getHeader('variable_fifo_bridge_uuid')).toBe(A);
    expect(hangups(events)).toEqual(['null/slow LOSE_RACE']);
    const start = fifoInfo(events, 'channel-consumer-start')[0];
    expect([start?.getHeader('FIFO-Consumer-Outbound-ID'), start?.getHeader('FIFO-Consumer-Use-Count')]).toEqual([ids[1], '1']);
    const fast = start?.getHeader('Unique-ID') ?? '';
    expect(await t.sw.api(`uuid_getvar ${A} signal_bond`)).toBe(fast);
    expect(await t.sw.api(`fifo_check_bridge ${ids[1]}`)).toBe('true');
    expect(await t.sw.api('fifo count q')).toBe('q:0:0:2:0:0\n');
    let list = await t.sw.api('fifo list q');
    expect(['use_count', 'ring-count', 'start-time'].map((n) => memberAttr(list, FAST, n))).toEqual(['1', '0', '2024-09-03 10:11:14']);
    expect(list).toContain(`<outgoing_uuid>${ids[1]}</outgoing_uuid>`);

    // the caller hangs up: the member is free again after its lag (10 s + 1)
    await at(t, 3000);
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    const stop = fifoInfo(t.sub.take(), 'channel-consumer-stop')[0];
    expect([stop?.getHeader('FIFO-Consumer-Outbound-ID'), stop?.getHeader('FIFO-Consumer-Use-Count')]).toEqual([ids[1], '0']);
    list = await t.sw.api('fifo list q');
    expect(['use_count', 'outbound-call-count', 'next-available'].map((n) => memberAttr(list, FAST, n))).toEqual(['0', '1', '2024-09-03 10:11:26']);
    expect(await t.sw.api(`fifo_check_bridge ${ids[1]}`)).toBe('false');

    // the next caller: only the slow member is past its lag
    await caller(t, B, 'q');
    await at(t, 4100);
    const again = fifoInfo(t.sub.take(), 'pre-dial')[0];
    expect(again?.getHeader('FIFO-Outbound-UUID-List')).toBe(ids[0]);
    await stopSetup(t);
  });

  it('ringall: the caller leaving cancels the dial (acceptable, no fail counted); a dial nobody answers counts a failure and the lag', async () => {
    const t = await setup();
    await t.sw.api(`fifo_member add q ${SLOW} 1 20 3`);
    await caller(t, A, 'q');
    await at(t, 1100);
    await t.sw.api(`uuid_kill ${A}`);
    await t.settle();
    let events = t.sub.take();
    const post = fifoInfo(events, 'post-dial')[0];
    expect(['result', 'acceptable', 'cause', 'caller-uuid'].map((h) => post?.getHeader(h))).toEqual(['failure', 'true', 'ORIGINATOR_CANCEL', A]);
    expect(hangups(events)).toContain('null/slow ORIGINATOR_CANCEL');
    expect(memberAttr(await t.sw.api('fifo list q'), SLOW, 'outbound-fail-count')).toBe('0');
    expect(await t.sw.api('fifo count q')).toBe('q:0:0:1:0:0\n');

    await t.sw.api('fifo_member add q null/cause-USER_BUSY 1 20 3');
    await t.sw.api(`fifo_member del q ${SLOW}`);
    await caller(t, B, 'q');
    await at(t, 3200);
    events = t.sub.take();
    const failed = fifoInfo(events, 'post-dial')[0];
    expect(['result', 'acceptable', 'cause'].map((h) => failed?.getHeader(h))).toEqual(['failure', 'false', 'USER_BUSY']);
    const list = await t.sw.api('fifo list q');
    // next_avail = now + retry_delay (0) + lag + 1
    expect(['outbound-fail-count', 'outbound-fail-total-count', 'next-available'].map((n) => memberAttr(list, 'null/cause-USER_BUSY', n))).toEqual([
      '1',
      '1',
      '2024-09-03 10:11:19',
    ]);
    // lag: no dial until it has passed (the thread's passes for priority 5 come each second)
    await at(t, 6500);
    expect(fifoInfo(t.sub.take(), 'pre-dial')).toEqual([]);
    await at(t, 7200);
    expect(fifoInfo(t.sub.take(), 'pre-dial')).toHaveLength(1);
    await stopSetup(t);
  });

  it('fifo.conf: an enterprise fifo dials its member, which answers as a wait consumer and takes the caller; the settings and members in fifo list', async () => {
    const dir = fifoConf(`  <settings><param name="outbound-strategy" value="enterprise"/></settings>
  <fifos>
    <fifo name="ent" importance="2" outbound_strategy="enterprise" outbound_name="Sales">
      <member timeout="20" simo="1" lag="3">{null_auto_answer_delay=500}null/agent</member>
      <member>null/nosimo</member>
    </fifo>
    <fifo name="manual_calls"/>
    <fifo/>
  </fifos>`);
    const t = await setup(dir);
    expect(t.logs).toEqual(
      expect.arrayContaining(['ERR manual_calls is a reserved name, use another name please.', 'ERR fifo has no name!', 'INFO ent configured']),
    );
    let list = await t.sw.api('fifo list ent');
    expect(list).toContain(
      '<fifo name="ent" consumer_count="0" caller_count="0" waiting_count="0" importance="2" outbound_per_cycle="1" outbound_per_cycle_min="1" ring_timeout="60" default_lag="30" outbound_priority="5" outbound_strategy="enterprise">',
    );
    // a member without attributes: simo 0 (never dialled), the node's ring timeout, lag 0
    expect(['simo', 'timeout', 'lag'].map((n) => memberAttr(list, 'null/nosimo', n))).toEqual(['0', '60', '0']);
    // nodes made later take the settings' strategy
    await t.sw.api('fifo_member add other null/x');
    expect(await t.sw.api('fifo list other')).toContain('outbound_strategy="enterprise"');

    await caller(t, A, 'ent');
    await at(t, 1100);
    const id = outboundId('{null_auto_answer_delay=500}null/agent');
    const pre = fifoInfo(t.sub.take(), 'pre-dial')[0];
    expect([pre?.getHeader('FIFO-Outbound-UUID'), pre?.getHeader('outbound-strategy'), pre?.getHeader('originate_string')]).toEqual([
      id,
      'enterprise',
      "{execute_on_answer='unset fifo_hangup_check',fifo_name='ent',fifo_hangup_check='ent',origination_caller_id_name=Queue,origination_caller_id_number='Queue: Sales'}{null_auto_answer_delay=500}null/agent",
    ]);
    expect(await t.sw.api('fifo count ent')).toBe('ent:0:1:2:1:0\n');
    await at(t, 2000);
    const events = t.sub.take();
    expect(fifoInfo(events).map((e) => e.getHeader('FIFO-Action'))).toEqual([
      'post-dial',
      'consumer_start',
      'caller_pop',
      'consumer_pop',
      'channel-consumer-start',
      'bridge-consumer-start',
      'bridge-caller-start',
    ]);
    const post = fifoInfo(events, 'post-dial')[0];
    expect([post?.getHeader('result'), post?.getHeader('Caller-Caller-ID-Number')]).toEqual(['success', 'Queue: Sales']);
    const agent = post?.getHeader('Unique-ID') ?? '';
    expect(await t.sw.api(`uuid_getvar ${agent} fifo_outbound_uuid`)).toBe(id);
    // answered: its hangup check is gone
    expect(await t.sw.api(`uuid_getvar ${agent} fifo_hangup_check`)).toBe('_undef_');
    expect(await t.sw.api('fifo count ent')).toBe('ent:1:0:2:0:0\n');
    list = await t.sw.api('fifo list ent');
    expect(memberAttr(list, '{null_auto_answer_delay=500}null/agent', 'use_count')).toBe('1');
    await stopSetup(t);
  });

  it('enterprise: the caller leaving hangs up the member dial not yet answered (check_cancel)', async () => {
    const t = await setup();
    await t.sw.api('fifo_member add q {null_auto_answer_delay=5000}null/agent 1 20 3');
    // a node with members is made with the default strategy: ringall; enterprise through fifo.conf only
    expect(await t.sw.api('fifo list q')).toContain('outbound_strategy="ringall"');
    await stopSetup(t);
    const t2 = await setup(
      fifoConf(
        '<fifos><fifo name="ent" outbound_strategy="enterprise"><member simo="1">{null_auto_answer_delay=5000}null/agent</member></fifo></fifos>',
      ),
    );
    await caller(t2, A, 'ent');
    await at(t2, 1100);
    expect(await t2.sw.api('fifo count ent')).toBe('ent:0:1:1:1:0\n');
    t2.sub.take();
    await t2.sw.api(`uuid_kill ${A}`);
    await t2.settle();
    const events = t2.sub.take();
    expect(hangups(events)).toContain('null/agent ORIGINATOR_CANCEL');
    const post = fifoInfo(events, 'post-dial')[0];
    expect([post?.getHeader('result'), post?.getHeader('outbound-strategy')]).toEqual(['failure', 'enterprise']);
    expect(await t2.sw.api('fifo count ent')).toBe('ent:0:0:1:0:0\n');
    await stopSetup(t2);
  });

  it('a consumer with fifo_bridge_uuid takes that caller, not the oldest; with fifo_bridge_uuid_required none other', async () => {
    const t = await setup();
    await caller(t, A, 'q');
    await caller(t, B, 'q');
    const C = 'c0000000-0000-4000-8000-00000000000c';
    expect(await t.sw.originate(`{origination_uuid=${C},fifo_bridge_uuid=${B}}null/1 take XML default`)).toBe(`+OK ${C}\n`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${C} signal_bond`)).toBe(B);
    expect(await t.sw.api('fifo count q')).toBe('q:0:1:0:0:0\n');
    // fifo_bridge_uuid_required: that caller is taken already, the consumer takes no other
    const D = 'd0000000-0000-4000-8000-00000000000d';
    expect(await t.sw.originate(`{origination_uuid=${D},fifo_bridge_uuid=${B},fifo_bridge_uuid_required=true}null/2 take XML default`)).toBe(
      `+OK ${D}\n`,
    );
    await t.settle();
    expect(t.logs).toContain('WARNING null/2 Call has already been answered');
    expect(await t.sw.api('fifo count q')).toBe('q:0:1:0:0:0\n');
    await stopSetup(t);
  });
});
