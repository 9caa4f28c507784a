/**
 * mod_callcenter: `callcenter_config` replies and tables, callcenter.conf's queues / agents / tiers,
 * the `callcenter` application with the dispatch (longest-idle-agent, ring-all, top-down),
 * bridging a member to an agent's null leg, the agent's states and no-answer handling, and the
 * `callcenter::info` events.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, at, setup as baseSetup, stopSetup } from './switch_helpers.ts';

const M = 'c0000000-0000-4000-8000-00000000000c';

const dialplan = staticDialplan({
  default: {
    sup: [['callcenter', 'support']],
    ring: [['callcenter', 'ringq']],
    td: [['callcenter', 'topq']],
  },
});

const CONF = `<configuration name="callcenter.conf">
  <settings><param name="agent-originate-timeout" value="5"/></settings>
  <queues>
    <queue name="support">
      <param name="strategy" value="longest-idle-agent"/>
      <param name="moh-sound" value="silence_stream://-1"/>
      <param name="max-wait-time" value="0"/>
    </queue>
    <queue name="ringq">
      <param name="strategy" value="ring-all"/>
      <param name="moh-sound" value="silence_stream://-1"/>
    </queue>
    <queue name="topq">
      <param name="strategy" value="top-down"/>
      <param name="moh-sound" value="silence_stream://-1"/>
      <param name="discard-abandoned-after" value="5"/>
    </queue>
    <queue name="waitq">
      <param name="max-wait-time" value="2"/>
      <param name="time-base-score" value="system"/>
      <param name="tier-rules-apply" value="true"/>
    </queue>
  </queues>
  <agents>
    <agent name="static1" type="callback" contact="null/static1" status="Available" max-no-answer="3" wrap-up-time="10"/>
  </agents>
  <tiers>
    <tier agent="static1" queue="support" level="2" position="3"/>
  </tiers>
</configuration>`;

function confDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-ccconf-'));
  mkdirSync(join(dir, 'autoload_configs'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    '<?xml version="1.0"?>\n<document type="freeswitch/xml">\n  <section name="configuration">\n    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>\n  </section>\n</document>\n',
  );
  writeFileSync(join(dir, 'autoload_configs', 'callcenter.conf.xml'), CONF);
  return dir;
}

const setup = () => baseSetup({ dialplan, confDir: confDir() });

const cc = (events: SwitchEvent[], action?: string) =>
  events.filter(
    (e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'callcenter::info' && (!action || e.getHeader('CC-Action') === action),
  );

async function member(t: Setup, queueExt: string, uuid = M): Promise<void> {
  expect(await t.sw.originate(`{origination_uuid=${uuid}}null/caller ${queueExt} XML default`)).toBe(`+OK ${uuid}\n`);
  await t.settle();
}

/** An agent on `contact`, Available, in `queue` at level / position. */
async function agent(t: Setup, name: string, contact: string, queue: string, level = 1, position = 1): Promise<void> {
  expect(await t.sw.api(`callcenter_config agent add ${name} Callback`)).toBe('+OK\n');
  expect(await t.sw.api(`callcenter_config agent set contact ${name} ${contact}`)).toBe('+OK\n');
  expect(await t.sw.api(`callcenter_config agent set status ${name} Available`)).toBe('+OK\n');
  expect(await t.sw.api(`callcenter_config tier add ${queue} ${name} ${level} ${position}`)).toBe('+OK\n');
}

const field = (row: string | undefined, column: string, header: string) => row?.split('|')[header.split('|').indexOf(column)];

describe('callcenter_config', () => {
  it('agent add / set / get / list / del with the C replies, and the agent events', async () => {
    const t = await setup();
    expect(await t.sw.api('callcenter_config')).toMatch(
      /^-USAGE: \ncallcenter_config <target> <args>,\n\tcallcenter_config agent add \[name\] \[type\] \| \n/,
    );
    expect(await t.sw.api('callcenter_config agent')).toBe('-ERR Invalid!\n');
    expect(await t.sw.api('callcenter_config agent add a1')).toBe('-ERR Invalid!\n');
    t.sub.take();
    expect(await t.sw.api('callcenter_config agent add a1 Callback')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent add a1 Callback')).toBe('-ERR Agent already exist!\n');
    expect(await t.sw.api('callcenter_config agent add a2 phone')).toBe('-ERR Agent type invalid!\n');
    expect(await t.sw.api('callcenter_config agent set status a1 Lunch')).toBe('-ERR Invalid Agent Status!\n');
    expect(await t.sw.api('callcenter_config agent set state a1 Sleeping')).toBe('-ERR Invalid Agent State!\n');
    expect(await t.sw.api('callcenter_config agent set type a1 phone')).toBe('-ERR Invalid Agent Type!\n');
    expect(await t.sw.api('callcenter_config agent set colour a1 red')).toBe('-ERR Invalid Agent Update KEY!\n');
    expect(await t.sw.api('callcenter_config agent set status nobody Available')).toBe('-ERR Agent not found!\n');
    expect(await t.sw.api('callcenter_config agent set status a1 Available')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent set state a1 Receiving')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent set max_no_answer a1 4')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent set wrap_up_time a1 7')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent get status a1')).toBe('Available');
    expect(await t.sw.api('callcenter_config agent get state a1')).toBe('Receiving');
    expect(await t.sw.api('callcenter_config agent get colour a1')).toBe('-ERR Invalid Agent Update KEY!\n');
    expect(await t.sw.api('callcenter_config agent get status nobody')).toBe('-ERR Agent not found!\n');
    const events = cc(t.sub.take());
    expect(events.map((e) => [e.getHeader('CC-Action'), e.getHeader('CC-Agent')])).toEqual([
      ['agent-add', 'a1'],
      ['agent-status-change', 'a1'],
      ['agent-state-change', 'a1'],
      ['agent-status-get', 'a1'],
      ['agent-state-get', 'a1'],
    ]);
    expect(events[0]?.getHeader('CC-Agent-Type')).toBe('Callback');
    expect(events[1]?.getHeader('CC-Agent-Status')).toBe('Available');
    expect(events[3]?.getHeader('CC-Agent-Status')).toBe('Available');
    const list = await t.sw.api('callcenter_config agent list a1');
    const [header, row, ok] = list.split('\n');
    expect(header).toBe(
      'name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time|external_calls_count',
    );
    expect(row).toBe('a1|single_box|(null)|Callback|(null)|Available|Receiving|4|7|0|0|0|0|0|1725358272|1725358272|0|0|0|0|0');
    expect(ok).toBe('+OK');
    expect(await t.sw.api('callcenter_config agent list nobody')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent list a b')).toBe('-ERR Invalid!\n');
    expect(await t.sw.api('callcenter_config agent del a1')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config agent get status a1')).toBe('-ERR Agent not found!\n');
    await stopSetup(t);
  });

  it('callcenter.conf: queues with their params, static agents and tiers; tier and queue commands', async () => {
    const t = await setup();
    const list = await t.sw.api('callcenter_config queue list');
    expect(list.split('\n')[0]).toBe(
      'name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|tier_rule_wait_multiply_level|tier_rule_no_agent_no_wait|discard_abandoned_after|abandoned_resume_allowed|max_wait_time|max_wait_time_with_no_agent|max_wait_time_with_no_agent_time_reached|record_template|calls_answered|calls_abandoned|ring_progressively_delay|skip_agents_with_external_calls|agent_no_answer_status',
    );
    expect(list).toContain('\nwaitq|longest-idle-agent|(null)|system|true|0|false|true|60|false|2|0|5|(null)|0|0|0|true|On Break\n');
    expect(list).toContain('\ntopq|top-down|silence_stream://-1|queue|false|0|false|true|5|false|0|0|5|(null)|0|0|0|true|On Break\n');
    expect(list.endsWith('+OK\n')).toBe(true);
    expect(await t.sw.api('callcenter_config queue count')).toBe('4\n');
    const agents = (await t.sw.api('callcenter_config agent list static1')).split('\n')[1];
    expect(agents).toBe('static1|single_box|(null)|callback|null/static1|Available|Waiting|3|10|0|0|0|0|0|0|1725358272|0|0|0|0|0');
    expect(await t.sw.api('callcenter_config queue list tiers support')).toBe('queue|agent|state|level|position\nsupport|static1|Ready|2|3\n+OK\n');
    expect(await t.sw.api('callcenter_config queue count tiers support')).toBe('1\n');
    expect(await t.sw.api('callcenter_config queue count agents support Available')).toBe('1\n');
    expect(await t.sw.api('callcenter_config queue count agents support Available Receiving')).toBe('0\n');
    expect(await t.sw.api('callcenter_config queue count members support')).toBe('0\n');
    expect(await t.sw.api('callcenter_config queue list nothing support')).toBe('-ERR Invalid!\n');
    // tiers
    expect(await t.sw.api('callcenter_config tier add nosuch static1')).toBe('-ERR Queue not found!\n');
    expect(await t.sw.api('callcenter_config tier add ringq nobody')).toBe('-ERR Agent not found!\n');
    expect(await t.sw.api('callcenter_config tier add support static1')).toBe('-ERR Tier already exist!\n');
    expect(await t.sw.api('callcenter_config tier add ringq static1')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config tier set state ringq static1 Bored')).toBe('-ERR Invalid Tier State!\n');
    expect(await t.sw.api('callcenter_config tier set colour ringq static1 red')).toBe('-ERR Invalid Tier Update KEY!\n');
    expect(await t.sw.api('callcenter_config tier set level ringq nobody 2')).toBe('-ERR Unknown Error!\n');
    expect(await t.sw.api('callcenter_config tier set level ringq static1 0')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config tier list')).toBe(
      'queue|agent|state|level|position\nringq|static1|Ready|0|1\nsupport|static1|Ready|2|3\n+OK\n',
    );
    expect(await t.sw.api('callcenter_config tier del ringq static1')).toBe('+OK\n');
    // queues: unload, then load from the conf again (with its agents and tiers)
    expect(await t.sw.api('callcenter_config queue unload support')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config queue count')).toBe('3\n');
    expect(await t.sw.api('callcenter_config queue load nosuch')).toBe('-ERR Invalid Queue not found!\n');
    expect(await t.sw.api('callcenter_config queue reload support')).toBe('+OK\n');
    expect(await t.sw.api('callcenter_config queue count')).toBe('4\n');
    await stopSetup(t);
  });
});

describe('callcenter application and dispatch', () => {
  it('longest-idle-agent: the member waits, is offered to the agent idle longest, bridged on answer; states and events; the member hangs up', async () => {
    const t = await setup();
    // static1 (level 2) is behind the two level-1 agents
    await agent(t, 'busy', '[null_auto_answer_delay=1000]null/busy', 'support', 1, 1);
    await agent(t, 'idle', '[null_auto_answer_delay=1000]null/idle', 'support', 1, 2);
    // neither had a call yet: the first by position
    t.sub.take();
    await member(t, 'sup');
    let events = t.sub.take();
    await at(t, 200);
    events = [...events, ...t.sub.take()];
    const start = cc(events, 'member-queue-start')[0];
    const memberUuid = start?.getHeader('CC-Member-UUID') ?? '';
    expect([start?.getHeader('CC-Queue'), start?.getHeader('Unique-ID'), start?.getHeader('CC-Member-Session-UUID')]).toEqual(['support', M, M]);
    expect(await t.sw.api(`uuid_getvar ${M} cc_member_uuid`)).toBe(memberUuid);
    expect(await t.sw.api(`uuid_getvar ${M} cc_side`)).toBe('member');
    expect(await t.sw.api(`uuid_getvar ${M} cc_queue`)).toBe('support');
    expect(cc(events, 'members-count')[0]?.getHeader('CC-Count')).toBe('1');
    expect(await t.sw.api('callcenter_config queue count members support')).toBe('1\n');
    const offering = cc(events, 'agent-offering');
    expect(offering.map((e) => e.getHeader('CC-Agent'))).toEqual(['busy']);
    expect(await t.sw.api('callcenter_config agent get state busy')).toBe('Receiving');
    expect((await t.sw.api('callcenter_config queue list tiers support')).split('\n')[1]).toBe('support|static1|Ready|2|3');
    expect((await t.sw.api('callcenter_config queue list tiers support')).split('\n')[2]).toBe('support|busy|Offering|1|1');
    await at(t, 1500);
    events = t.sub.take();
    const bridgeStart = cc(events, 'bridge-agent-start')[0];
    const agentUuid = bridgeStart?.getHeader('CC-Agent-UUID') ?? '';
    expect([bridgeStart?.getHeader('CC-Agent'), bridgeStart?.getHeader('Channel-Name'), bridgeStart?.getHeader('variable_cc_member_uuid')]).toEqual([
      'busy',
      'null/busy',
      memberUuid,
    ]);
    expect(await t.sw.api(`uuid_getvar ${M} signal_bond`)).toBe(agentUuid);
    expect(await t.sw.api(`uuid_getvar ${M} cc_agent`)).toBe('busy');
    expect(await t.sw.api(`uuid_getvar ${M} cc_cause`)).toBe('answered');
    expect(await t.sw.api('callcenter_config agent get state busy')).toBe('In a queue call');
    const members = (await t.sw.api('callcenter_config queue list members support')).split('\n');
    expect(field(members[1], 'state', members[0] ?? '')).toBe('Answered');
    expect(field(members[1], 'serving_agent', members[0] ?? '')).toBe('busy');
    expect(cc(events, 'agent-state-change').map((e) => e.getHeader('CC-Agent-State'))).toEqual(['In a queue call']);
    await at(t, 4000);
    expect(await t.sw.api(`uuid_kill ${M}`)).toBe('+OK\n');
    await at(t, 4300);
    events = t.sub.take();
    expect(
      cc(events)
        .map((e) => e.getHeader('CC-Action'))
        .filter((a) => !a?.endsWith('-get')),
    ).toEqual(['bridge-agent-end', 'member-queue-end', 'agent-state-change']);
    const end = cc(events, 'member-queue-end')[0];
    expect([end?.getHeader('CC-Cause'), end?.getHeader('CC-Agent'), end?.getHeader('Unique-ID')]).toEqual(['Terminated', 'busy', M]);
    expect(await t.sw.api('callcenter_config agent get state busy')).toBe('Waiting');
    const row = (await t.sw.api('callcenter_config agent list busy')).split('\n');
    expect(field(row[1], 'calls_answered', row[0] ?? '')).toBe('1');
    expect(field(row[1], 'talk_time', row[0] ?? '')).toBe('3');
    expect(await t.sw.api('callcenter_config queue count members support')).toBe('0\n');
    // the next member goes to `idle`: `busy` ended a call, `idle` never had one
    await at(t, 6000);
    await member(t, 'sup', 'd0000000-0000-4000-8000-00000000000d');
    await at(t, 6300);
    expect(cc(t.sub.take(), 'agent-offering').map((e) => e.getHeader('CC-Agent'))).toEqual(['idle']);
    await stopSetup(t);
  });

  it('ring-all: every waiting agent is offered the member, the first to answer takes it, the others lose the race', async () => {
    const t = await setup();
    await agent(t, 'slow', '[null_auto_answer_delay=3000]null/slow', 'ringq');
    await agent(t, 'fast', '[null_auto_answer_delay=1000]null/fast', 'ringq');
    t.sub.take();
    await member(t, 'ring');
    // one dispatch pass offers it to both
    expect(cc(t.sub.take(), 'agent-offering').map((e) => e.getHeader('CC-Agent'))).toEqual(['slow', 'fast']);
    await at(t, 1600);
    const events = t.sub.take();
    expect(cc(events, 'bridge-agent-start').map((e) => e.getHeader('CC-Agent'))).toEqual(['fast']);
    expect(cc(events, 'bridge-agent-fail').map((e) => [e.getHeader('CC-Agent'), e.getHeader('CC-Hangup-Cause')])).toEqual([['slow', 'LOSE_RACE']]);
    expect(await t.sw.api('callcenter_config agent get state slow')).toBe('Waiting');
    expect(await t.sw.api('callcenter_config agent get state fast')).toBe('In a queue call');
    await stopSetup(t);
  });

  it('no answer: the member waits again, the agent counts it and goes On Break at max_no_answer', async () => {
    const t = await setup();
    await agent(t, 'deaf', '[null_enable_auto_answer=false]null/deaf', 'topq');
    expect(await t.sw.api('callcenter_config agent set max_no_answer deaf 1')).toBe('+OK\n');
    t.sub.take();
    await member(t, 'td');
    await at(t, 5600);
    const events = cc(t.sub.take());
    const fail = events.find((e) => e.getHeader('CC-Action') === 'bridge-agent-fail');
    expect([fail?.getHeader('CC-Agent'), fail?.getHeader('CC-Hangup-Cause')]).toEqual(['deaf', 'NO_ANSWER']);
    const max = events.find((e) => e.getHeader('CC-Action') === 'agent-max-no-answer');
    expect([max?.getHeader('CC-Agent-No-Answer-Count'), max?.getHeader('CC-Agent-No-Answer-Status')]).toEqual(['1', 'On Break']);
    expect(await t.sw.api('callcenter_config agent get status deaf')).toBe('On Break');
    expect(await t.sw.api('callcenter_config agent get state deaf')).toBe('Waiting');
    expect((await t.sw.api('callcenter_config queue list tiers topq')).split('\n')[1]).toBe('topq|deaf|No Answer|1|1');
    const members = (await t.sw.api('callcenter_config queue list members topq')).split('\n');
    expect(field(members[1], 'state', members[0] ?? '')).toBe('Waiting');
    // the member hangs up: abandoned (BREAK_OUT), kept until discard-abandoned-after (5 s)
    await t.sw.api(`uuid_kill ${M}`);
    await t.settle();
    const end = cc(t.sub.take(), 'member-queue-end')[0];
    expect([end?.getHeader('CC-Cause'), end?.getHeader('CC-Cancel-Reason')]).toEqual(['Cancel', 'BREAK_OUT']);
    const after = (await t.sw.api('callcenter_config queue list members topq')).split('\n');
    expect(field(after[1], 'state', after[0] ?? '')).toBe('Abandoned');
    await at(t, 12_000);
    expect(await t.sw.api('callcenter_config queue count members topq')).toBe('0\n');
    await stopSetup(t);
  });

  it('max-wait-time: the member leaves with TIMEOUT and its dialplan goes on', async () => {
    const t = await setup();
    t.sub.take();
    const W = 'e0000000-0000-4000-8000-00000000000e';
    expect(await t.sw.originate(`{origination_uuid=${W}}null/caller &callcenter(waitq)`)).toBe(`+OK ${W}\n`);
    await t.settle();
    await at(t, 3000);
    const end = cc(t.sub.take(), 'member-queue-end')[0];
    expect([end?.getHeader('CC-Cause'), end?.getHeader('CC-Cancel-Reason'), end?.getHeader('Unique-ID')]).toEqual(['Cancel', 'TIMEOUT', W]);
    await stopSetup(t);
  });
});
