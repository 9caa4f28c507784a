/**
 * mod_callcenter's agent dispatch (cc_agent_dispatch_thread_run): every 100 ms it walks the members
 * waiting (and ring-all ones still trying, and abandoned ones to discard) by score, highest first,
 * and for each (members_callback) lists the agents of its queue's tiers in the order its strategy
 * gives, offering it (agents_callback) to the first agent that may take a call — every such agent
 * for `ring-all`. An agent may take a call when its tier is Ready or No Answer, it is Waiting, not
 * On Break, past its wrap-up time after its last call and past its ready time. With
 * `tier-rules-apply`, a member reaches a higher level only after the tier wait.
 */
import type { ProcessContext } from '@beamline/core';
import { TIMEOUT } from '@beamline/core';
import { callChannel } from '../api/uuid_commands.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { SwitchCore } from '../core/core.ts';
import { offerToAgent } from './agent_call.ts';
import { agentUpdate } from './config.ts';
import { type Agent, type Member, type Queue, type Tier, ccTables, epochNow, getQueue, memberScore } from './tables.ts';

const ACTIVE_STATUSES = ['Available', 'On Break', 'Available (On Demand)'];
const ci = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The dispatch thread: a pass every 100 ms until `stop` matches a message. */
export async function ccDispatchThread(ctx: ProcessContext, services: ChannelServices, stop: (m: unknown) => boolean): Promise<void> {
  for (;;) {
    try {
      await dispatchPass(ctx, services);
    } catch (e) {
      services.core.log('ERR', `callcenter dispatch: ${e instanceof Error ? e.message : String(e)}`);
    }
    if ((await ctx.receive(stop, 100)) !== TIMEOUT) return;
  }
}

export async function dispatchPass(ctx: ProcessContext, services: ChannelServices): Promise<void> {
  const core = services.core;
  const t = ccTables(core);
  const now = epochNow(core);
  const members = t.members
    .map((m, i) => [m, i] as const)
    .filter(
      ([m]) =>
        m.state === 'Waiting' ||
        m.state === 'Abandoned' ||
        (m.state === 'Trying' && (m.servingAgent === 'ring-all' || m.servingAgent === 'ring-progressively')),
    )
    .sort(([a, i], [b, j]) => memberScore(b, now) - memberScore(a, now) || i - j)
    .map(([m]) => m);
  for (const m of members) await memberPass(ctx, services, m);
}

type Candidate = { agent: Agent; tier: Tier; order: number };

/** The queue's agents in its strategy's order (the C's SELECT … ORDER BY). */
function candidates(core: SwitchCore, queue: Queue, lastPosition: number, lastLevel: number): Candidate[] {
  const t = ccTables(core);
  const rows: Candidate[] = [];
  for (const tier of t.tiers) {
    if (tier.queue !== queue.name) continue;
    for (const agent of t.agents) if (agent.name === tier.agent && ACTIVE_STATUSES.includes(agent.status)) rows.push({ agent, tier, order: 1 });
  }
  const strategy = queue.strategy.toLowerCase();
  const byLevel = (a: Candidate, b: Candidate) => a.tier.level - b.tier.level;
  if (strategy === 'top-down' || strategy === 'round-robin') {
    let first: Candidate[];
    let second: Candidate[];
    if (strategy === 'top-down') {
      first = rows.filter((r) => r.tier.position > lastPosition && r.tier.level === lastLevel);
      second = rows.filter((r) => r.tier.level > lastLevel);
    } else {
      // after the queue's agent offered a call last: those after it in its level, then all
      const last = rows.filter((r) => r.agent.lastOfferedCall > 0).sort((a, b) => b.agent.lastOfferedCall - a.agent.lastOfferedCall)[0];
      first = last ? rows.filter((r) => r.tier.position > last.tier.position && r.tier.level === last.tier.level) : [];
      second = rows;
    }
    const order = (a: Candidate, b: Candidate) =>
      a.order - b.order || byLevel(a, b) || a.tier.position - b.tier.position || a.agent.lastOfferedCall - b.agent.lastOfferedCall;
    return [...first.map((r) => ({ ...r, order: 1 })), ...second.map((r) => ({ ...r, order: 2 }))].sort(order);
  }
  let key: (a: Candidate, b: Candidate) => number;
  if (strategy === 'longest-idle-agent')
    key = (a, b) => byLevel(a, b) || a.agent.lastBridgeEnd - b.agent.lastBridgeEnd || a.tier.position - b.tier.position;
  else if (strategy === 'agent-with-least-talk-time')
    key = (a, b) => byLevel(a, b) || a.agent.talkTime - b.agent.talkTime || a.tier.position - b.tier.position;
  else if (strategy === 'agent-with-fewest-calls')
    key = (a, b) => byLevel(a, b) || a.agent.callsAnswered - b.agent.callsAnswered || a.tier.position - b.tier.position;
  else if (strategy === 'ring-all' || strategy === 'ring-progressively') key = (a, b) => byLevel(a, b) || a.tier.position - b.tier.position;
  else if (strategy === 'random') {
    const r = new Map(rows.map((x) => [x, Math.random()]));
    key = (a, b) => byLevel(a, b) || (r.get(a) ?? 0) - (r.get(b) ?? 0);
  } else key = (a, b) => byLevel(a, b) || a.tier.position - b.tier.position || a.agent.lastOfferedCall - b.agent.lastOfferedCall;
  return rows.sort(key);
}

/** members_callback. */
async function memberPass(ctx: ProcessContext, services: ChannelServices, member: Member): Promise<void> {
  const core = services.core;
  const t = ccTables(core);
  const queue = await getQueue(core, member.queue);
  if (!queue) {
    t.members = t.members.filter((m) => m !== member);
    return;
  }
  const now = epochNow(core);
  if (member.state === 'Abandoned') {
    const since = member.abandonedEpoch || member.joinedEpoch;
    if (since + queue.discardAbandonedAfter < now) t.members = t.members.filter((m) => m !== member);
    return;
  }
  const strategy = queue.strategy.toLowerCase();
  // the queue's strategy changed since the member joined
  if (member.servingAgent === 'ring-all' && strategy !== 'ring-all') {
    if (member.state === 'Trying') {
      member.servingAgent = '';
      member.state = 'Waiting';
    }
  } else if (strategy === 'ring-all' && member.servingAgent !== 'ring-all' && member.servingAgent === '' && member.state === 'Waiting') {
    member.servingAgent = 'ring-all';
    member.state = 'Trying';
  }
  const session = t.sessions.get(member.uuid);
  if (strategy === 'ring-all' && member.state === 'Waiting') member.state = 'Trying';
  const rows = candidates(core, queue, session?.lastTierPosition ?? 0, session?.lastTierLevel ?? 0);
  let tier = 0;
  let tierAgentAvailable = 0;
  let agentFound = false;
  for (const { agent, tier: agentTier } of rows) {
    agentFound = true;
    if (queue.tierRulesApply && agentTier.level > tier) {
      const waited = now - member.joinedEpoch;
      if (queue.tierRuleNoAgentNoWait && tierAgentAvailable === 0) tier = agentTier.level;
      else if (queue.tierRuleWaitMultiplyLevel && waited >= agentTier.level * queue.tierRuleWaitSecond) {
        tier = agentTier.level;
        tierAgentAvailable = 0;
      } else if (!queue.tierRuleWaitMultiplyLevel && waited >= queue.tierRuleWaitSecond) {
        tier = agentTier.level;
        tierAgentAvailable = 0;
      } else break;
    }
    tierAgentAvailable++;
    const mayTake =
      (ci(agentTier.state, 'No Answer') || ci(agentTier.state, 'Ready')) &&
      ci(agent.state, 'Waiting') &&
      agent.lastBridgeEnd < now - agent.wrapUpTime &&
      agent.readyTime <= now &&
      !ci(agent.status, 'On Break') &&
      !(queue.skipAgentsWithExternalCalls && agent.externalCallsCount > 0);
    if (!mayTake) continue;
    if (t.reserveAgents && agentUpdate(core, 'state_if_waiting', 'Reserved', agent.name) !== 'SUCCESS') continue;
    let won: boolean;
    if (strategy === 'ring-all' || strategy === 'ring-progressively') won = member.servingAgent === strategy;
    else {
      if (member.state === 'Waiting') {
        member.servingAgent = agent.name;
        member.servingSystem = agent.instanceId;
        member.state = 'Trying';
      }
      won = member.servingAgent === agent.name && member.servingSystem === agent.instanceId;
    }
    if (!won) break;
    if (strategy === 'top-down' && session) {
      session.lastTierPosition = agentTier.position;
      session.lastTierLevel = agentTier.level;
      await setMemberVars(ctx, core, member.sessionUuid, [
        ['cc_last_agent_tier_position', String(agentTier.position)],
        ['cc_last_agent_tier_level', String(agentTier.level)],
      ]);
    }
    const offer = {
      member,
      strategy,
      agent,
      agentStatus: agent.status,
      noAnswerCount: agent.noAnswerCount,
      agentNoAnswerStatus: queue.agentNoAnswerStatus,
    };
    agentUpdate(core, 'state', 'Receiving', agent.name);
    for (const x of t.tiers) {
      if (x.agent !== agent.name) continue;
      if (x.queue === queue.name) x.state = 'Offering';
      else if (x.state === 'Ready') x.state = 'Standby';
    }
    ctx.spawn((c) => offerToAgent(c, services, offer));
    if (strategy !== 'ring-all') break;
  }
  queue.lastAgentExistCheck = now;
  if (agentFound) queue.lastAgentExist = now;
  else if (strategy === 'top-down' && session) {
    session.lastTierPosition = 0;
    session.lastTierLevel = 0;
    await setMemberVars(ctx, core, member.sessionUuid, [
      ['cc_last_agent_tier_position', undefined],
      ['cc_last_agent_tier_level', undefined],
    ]);
  }
}

async function setMemberVars(ctx: ProcessContext, core: SwitchCore, uuid: string, vars: [string, string | undefined][]): Promise<void> {
  for (const [name, value] of vars) await callChannel({ ctx, core }, uuid, { op: 'setvar', name, value });
}
