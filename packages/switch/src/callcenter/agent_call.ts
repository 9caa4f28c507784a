/**
 * Offering a member to an agent (outbound_agent_thread_run), in a process of its own: the
 * `agent-offering` event, the agent's contact dialled (Callback agents) with the member's caller id
 * and the `cc_*` variables, then — answered — the member bridged to the agent (`bridge-agent-start`,
 * the agent In a queue call) until the agent's call ends (`bridge-agent-end`, `member-queue-end`);
 * not answered, the member waits again, the agent's delays and no-answer count follow the cause
 * (`bridge-agent-fail`, `agent-max-no-answer`). The agent is Waiting again at the end (Idle when
 * Available (On Demand) after a call).
 */
import type { ProcessContext } from '@beamline/core';
import { uuidBridge } from '../api/channel_commands.ts';
import { callChannel } from '../api/uuid_commands.ts';
import { Cause, causeName } from '../channel/causes.ts';
import type { Channel, ChannelServices } from '../channel/channel.ts';
import type { OriginateCancel, OriginateResult } from '../channel/originate_types.ts';
import type { CallerProfile } from '../channel/profile.ts';
import { agentUpdate, releaseTiers, tierUpdate } from './config.ts';
import { type Headers, fireCc } from './events.ts';
import { type Agent, type Member, ccTables, epochNow, findAgent } from './tables.ts';

/** The call_helper: what the dispatch chose. */
export interface Offer {
  readonly member: Member;
  readonly strategy: string;
  readonly agent: Agent;
  /** The agent's status and counters as selected. */
  readonly agentStatus: string;
  readonly noAnswerCount: number;
  readonly agentNoAnswerStatus: string;
}

const str = String;

export async function offerToAgent(ctx: ProcessContext, services: ChannelServices, o: Offer): Promise<void> {
  const core = services.core;
  const t = ccTables(core);
  const reach = { ctx, core };
  const { member, agent } = o;
  const queue = member.queue;
  const memberUuid = member.uuid;
  const session = member.sessionUuid;
  const agentName = agent.name;
  const joined = member.joinedEpoch;
  const cid: Headers = [
    ['CC-Member-CID-Name', member.cidName],
    ['CC-Member-CID-Number', member.cidNumber],
  ];
  let tiersState = 'Ready';
  let bridged = false;
  let agentCalled = 0;

  const memberSession = t.sessions.get(memberUuid);
  const profile = core.sessions.has(session) ? (await callChannel<CallerProfile>(reach, session, { op: 'profile' }))?.value : undefined;
  try {
    if (!profile || !memberSession) {
      core.log(
        'DEBUG',
        `Member ${member.cidName} <${member.cidNumber}> with uuid ${session} in queue ${queue} is gone just before we assigned an agent`,
      );
      if (member.state !== 'Abandoned') {
        member.state = 'Abandoned';
        member.sessionUuid = '';
        member.abandonedEpoch = epochNow(core);
      }
      return;
    }
    const dnis = profile.rdnis ?? '';
    fireCc(core, [
      ['CC-Queue', queue],
      ['CC-Action', 'agent-offering'],
      ['CC-Agent', agentName],
      ['CC-Agent-Type', agent.type],
      ['CC-Agent-System', agent.instanceId],
      ['CC-Member-UUID', memberUuid],
      ['CC-Member-Session-UUID', session],
      ...cid,
      ['CC-Member-DNIS', dnis],
    ]);

    let result: OriginateResult = { ok: false, cause: Cause.USER_NOT_REGISTERED, causes: [] };
    if (agent.type.toLowerCase() === 'callback') {
      // the member's caller id (its effective one, with cc_outbound_cid_name_prefix), its exports and the dial string expanded in it
      const read = await callChannel<{ name: string; number: string; exports: [string, string][]; dial: string }>(reach, session, {
        op: 'work',
        work: async (c: Channel) => {
          let name = c.variable('effective_caller_id_name') ?? member.cidName;
          const number = c.variable('effective_caller_id_number') ?? member.cidNumber;
          const prefix = c.variable('cc_outbound_cid_name_prefix');
          if (prefix !== undefined) name = `${prefix}${name}`;
          const exports: [string, string][] = [];
          for (const n of (c.variable('cc_export_vars') ?? '').split(',').filter((x) => x !== '')) {
            const v = c.variable(n);
            if (v !== undefined) exports.push([n, v]);
          }
          c.setVariable('cc_agent_found', undefined);
          return { name, number, exports, dial: await c.expand(agent.contact ?? '') };
        },
      });
      if (read) {
        const ovars: [string, string][] = [
          ['cc_queue', queue],
          ['cc_queue_joined_epoch', str(joined)],
          ['cc_member_uuid', memberUuid],
          ['cc_member_session_uuid', session],
          ['cc_member_pre_answer_uuid', memberUuid],
          ['cc_agent', agentName],
          ['cc_agent_type', agent.type],
          ['cc_side', 'agent'],
          ['loopback_bowout', 'false'],
          ['loopback_bowout_on_execute', 'false'],
          ['ignore_early_media', 'true'],
          ...read.value.exports,
        ];
        agentCalled = epochNow(core);
        memberSession.connecting = true;
        const cancel = (cause: number) => ctx.send(ctx.self, { originateCancel: cause } satisfies OriginateCancel);
        const dials = t.dials.get(memberUuid) ?? new Set();
        t.dials.set(memberUuid, dials);
        dials.add(cancel);
        try {
          result = services.originate
            ? await services.originate(ctx, {
                dial: read.value.dial,
                timeoutSec: t.agentOriginateTimeout,
                baseVars: ovars,
                api: { cidName: read.value.name, cidNum: read.value.number, dialplan: 'XML', context: 'default' },
              })
            : { ok: false, cause: Cause.SERVICE_NOT_IMPLEMENTED, causes: [] };
        } finally {
          dials.delete(cancel);
          if (dials.size === 0) t.dials.delete(memberUuid);
        }
      }
    }

    // ignore_early_media: only an answer counts
    if (result.ok && result.winner.status !== 'answered') {
      await callChannel(reach, result.winner.uuid, { op: 'hangup', cause: Cause.NO_ANSWER });
      result = { ok: false, cause: Cause.NO_ANSWER, causes: [] };
    }
    if (result.ok) {
      const agentUuid = result.winner.uuid;
      await callChannel(reach, agentUuid, { op: 'setvar', name: 'cc_member_pre_answer_uuid', value: undefined });
      if (o.strategy === 'ring-all' || o.strategy === 'ring-progressively') {
        // the first agent to answer takes the member; the others' dials lose the race
        if (member.state !== 'Trying' || member.servingAgent !== o.strategy) {
          await callChannel(reach, agentUuid, { op: 'hangup', cause: Cause.LOSE_RACE });
          return;
        }
        member.servingAgent = agentName;
        member.servingSystem = 'single_box';
        for (const cancel of t.dials.get(memberUuid) ?? []) cancel(Cause.LOSE_RACE);
      }
      const agentAnswered = epochNow(core);
      const agentData = (await callChannel<[string, string][]>(reach, agentUuid, { op: 'data', basic: false }))?.value ?? [];
      fireCc(
        core,
        [
          ['CC-Queue', queue],
          ['CC-Action', 'bridge-agent-start'],
          ['CC-Agent', agentName],
          ['CC-Agent-System', agent.instanceId],
          ['CC-Agent-UUID', agentUuid],
          ['CC-Agent-Called-Time', str(agentCalled)],
          ['CC-Agent-Answered-Time', str(agentAnswered)],
          ['CC-Member-Joined-Time', str(joined)],
          ['CC-Member-UUID', memberUuid],
          ['CC-Member-Session-UUID', session],
          ...cid,
          ['CC-Member-DNIS', dnis],
        ],
        agentData,
      );
      core.log('DEBUG', `Agent ${agentName} answered "${member.cidName}" <${member.cidNumber}> from queue ${queue}`);
      memberSession.agentFound = true;
      await callChannel(reach, session, {
        op: 'work',
        work: (c: Channel) => {
          c.setVariable('cc_agent_found', 'true');
          c.setVariable('cc_agent_uuid', agentUuid);
        },
      });
      // the member's data as the bridge starts: member-queue-end has it if the member is gone by then (the C holds its session)
      const memberDataKept = (await callChannel<[string, string][]>(reach, session, { op: 'data', basic: false }))?.value ?? [];
      bridged = await uuidBridge(reach, session, agentUuid);
      const memberUp = core.sessions.has(session);
      const agentUp = core.sessions.has(agentUuid);
      if (!bridged && !memberUp) {
        await callChannel(reach, agentUuid, { op: 'setvar', name: 'cc_agent_bridged', value: 'false' });
        member.state = 'Abandoned';
        member.sessionUuid = '';
        member.abandonedEpoch = epochNow(core);
        await callChannel(reach, agentUuid, { op: 'hangup', cause: Cause.ORIGINATOR_CANCEL });
      } else if (!bridged && !agentUp) {
        member.state = 'Waiting';
      } else {
        bridged = true;
        for (const u of [session, agentUuid]) await callChannel(reach, u, { op: 'setvar', name: 'cc_agent_bridged', value: 'true' });
        member.state = 'Answered';
        member.bridgeEpoch = epochNow(core);
      }
      if (bridged) {
        const now = epochNow(core);
        await callChannel(reach, session, {
          op: 'work',
          work: (c: Channel) => {
            c.setVariable('cc_agent', agentName);
            c.setVariable('cc_queue_answered_epoch', str(now));
          },
        });
        const a = findAgent(t, agentName);
        if (a) {
          a.uuid = agentUuid;
          a.lastBridgeStart = now;
          a.callsAnswered++;
          a.noAnswerCount = 0;
        }
        await tierUpdate(core, 'state', 'Active Inbound', queue, agentName);
        agentUpdate(core, 'state', 'In a queue call', agentName);
      }
      memberSession.connecting = false;
      // the agent's call lasts until it hangs up
      while (bridged && core.sessions.has(agentUuid)) {
        await ctx.receive(() => false, 100);
      }
      tiersState = 'Ready';
      const ended = epochNow(core);
      fireCc(
        core,
        [
          ['CC-Queue', queue],
          ['CC-Action', 'bridge-agent-end'],
          ['CC-Hangup-Cause', causeName(Cause.SUCCESS)],
          ['CC-Agent', agentName],
          ['CC-Agent-System', agent.instanceId],
          ['CC-Agent-UUID', agentUuid],
          ['CC-Agent-Bridged', bridged ? 'true' : 'false'],
          ['CC-Agent-Called-Time', str(agentCalled)],
          ['CC-Agent-Answered-Time', str(agentAnswered)],
          ['CC-Member-Joined-Time', str(joined)],
          ['CC-Bridge-Terminated-Time', str(ended)],
          ['CC-Member-UUID', memberUuid],
          ['CC-Member-Session-UUID', session],
          ...cid,
        ],
        agentData,
      );
      if (bridged) {
        const memberData = (await callChannel<[string, string][]>(reach, session, { op: 'data', basic: false }))?.value ?? memberDataKept;
        await callChannel(reach, session, { op: 'setvar', name: 'cc_queue_terminated_epoch', value: str(ended) });
        const a = findAgent(t, agentName);
        if (a) {
          if (a.type.toLowerCase() !== 'uuid-standby') a.uuid = '';
          a.lastBridgeEnd = ended;
          a.talkTime += ended - a.lastBridgeStart;
        }
        t.members = t.members.filter((m) => m.uuid !== memberUuid);
        fireCc(
          core,
          [
            ['CC-Queue', queue],
            ['CC-Action', 'member-queue-end'],
            ['CC-Hangup-Cause', causeName(Cause.SUCCESS)],
            ['CC-Cause', 'Terminated'],
            ['CC-Agent', agentName],
            ['CC-Agent-System', agent.instanceId],
            ['CC-Agent-UUID', agentUuid],
            ['CC-Agent-Called-Time', str(agentCalled)],
            ['CC-Agent-Answered-Time', str(agentAnswered)],
            ['CC-Member-Leaving-Time', str(ended)],
            ['CC-Member-Joined-Time', str(joined)],
            ['CC-Member-UUID', memberUuid],
            ['CC-Member-Session-UUID', session],
            ...cid,
          ],
          memberData,
        );
      }
      return;
    }

    // not answered (or no dial): the member waits again, the agent's delays follow the cause
    const cause = result.cause;
    memberSession.connecting = false;
    if (member.servingAgent === agentName && member.servingSystem === agent.instanceId) {
      if (member.state === 'Trying') member.state = 'Waiting';
      member.servingAgent = '';
      member.servingSystem = '';
    }
    let delay = 0;
    if (cause === Cause.LOSE_RACE || cause === Cause.ORIGINATOR_CANCEL) {
      // ring-all's other dials and cancelled ones count for nothing
    } else if (cause === Cause.NORMAL_CIRCUIT_CONGESTION || cause === Cause.USER_BUSY) {
      delay = Math.max(agent.busyDelayTime, 0);
    } else if (cause === Cause.CALL_REJECTED) {
      delay = Math.max(agent.rejectDelayTime, 0);
    } else if (cause === Cause.USER_NOT_REGISTERED) {
      delay = 5;
    } else {
      delay = Math.max(agent.noAnswerDelayTime, 0);
      tiersState = 'No Answer';
      const a = findAgent(t, agentName);
      if (a) a.noAnswerCount++;
      if (agent.maxNoAnswer > 0 && o.noAnswerCount + 1 >= agent.maxNoAnswer) {
        core.log('DEBUG', `Agent ${agentName} reach maximum no answer of ${agent.maxNoAnswer}, Putting agent on ${o.agentNoAnswerStatus}`);
        fireCc(core, [
          ['CC-Agent', agentName],
          ['CC-Action', 'agent-max-no-answer'],
          ['CC-Agent-No-Answer-Count', str(agent.maxNoAnswer)],
          ['CC-Agent-No-Answer-Status', o.agentNoAnswerStatus],
          ['CC-Member-UUID', memberUuid],
          ['CC-Member-Session-UUID', session],
        ]);
        agentUpdate(core, 'status', o.agentNoAnswerStatus, agentName);
      }
    }
    if (delay > 0) agentUpdate(core, 'ready_time', str(epochNow(core) + delay), agentName);
    fireCc(core, [
      ['CC-Queue', queue],
      ['CC-Action', 'bridge-agent-fail'],
      ['CC-Hangup-Cause', causeName(cause)],
      ['CC-Agent', agentName],
      ['CC-Agent-System', agent.instanceId],
      ['CC-Agent-Called-Time', str(agentCalled)],
      ['CC-Agent-Aborted-Time', str(epochNow(core))],
      ['CC-Member-UUID', memberUuid],
      ['CC-Member-Session-UUID', session],
      ...cid,
      ['CC-Member-Joined-Time', str(joined)],
    ]);
  } finally {
    releaseTiers(t, agentName, queue, tiersState);
    if (o.agentStatus === 'Available (On Demand)' && bridged) agentUpdate(core, 'state', 'Idle', agentName);
    else agentUpdate(core, 'state', 'Waiting', agentName);
  }
}
