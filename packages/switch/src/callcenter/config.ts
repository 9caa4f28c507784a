/**
 * mod_callcenter's table operations, as callcenter_config and the dispatch use them: cc_agent_add,
 * cc_agent_del, cc_agent_get, cc_agent_update, cc_tier_add, cc_tier_update, cc_tier_del — their
 * results (the status the API turns into its reply) and their `callcenter::info` events.
 */
import { Cause } from '../channel/causes.ts';
import type { SwitchCore } from '../core/core.ts';
import { fireCc } from './events.ts';
import {
  AGENT_STATES,
  AGENT_STATUSES,
  AGENT_TYPES,
  TIER_STATES,
  type CcTables,
  ccTables,
  chartName,
  epochNow,
  findAgent,
  findTier,
  getQueue,
} from './tables.ts';

export type CcStatus =
  | 'SUCCESS'
  | 'AGENT_NOT_FOUND'
  | 'QUEUE_NOT_FOUND'
  | 'AGENT_ALREADY_EXIST'
  | 'AGENT_INVALID_TYPE'
  | 'AGENT_INVALID_STATUS'
  | 'AGENT_INVALID_STATE'
  | 'TIER_ALREADY_EXIST'
  | 'TIER_NOT_FOUND'
  | 'TIER_INVALID_STATE'
  | 'INVALID_KEY';

const atoi = (s: string) => {
  const n = Number.parseInt(s.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
};

export function agentAdd(core: SwitchCore, name: string, type: string): CcStatus {
  const t = ccTables(core);
  if (!chartName(AGENT_TYPES, type)) return 'AGENT_INVALID_TYPE';
  if (findAgent(t, name)) return 'AGENT_ALREADY_EXIST';
  core.log('DEBUG', `Adding Agent ${name} with type ${type} with default status Logged Out`);
  t.agents.push({
    name,
    instanceId: 'single_box',
    uuid: null,
    type,
    contact: null,
    status: 'Logged Out',
    state: 'Waiting',
    maxNoAnswer: 0,
    wrapUpTime: 0,
    rejectDelayTime: 0,
    busyDelayTime: 0,
    noAnswerDelayTime: 0,
    lastBridgeStart: 0,
    lastBridgeEnd: 0,
    lastOfferedCall: 0,
    lastStatusChange: 0,
    noAnswerCount: 0,
    callsAnswered: 0,
    talkTime: 0,
    readyTime: 0,
    externalCallsCount: 0,
  });
  fireCc(core, [
    ['CC-Agent', name],
    ['CC-Agent-Type', type],
    ['CC-Action', 'agent-add'],
  ]);
  return 'SUCCESS';
}

/** Deletes the agent and its tiers. */
export function agentDel(core: SwitchCore, name: string): CcStatus {
  const t = ccTables(core);
  core.log('DEBUG', `Deleted Agent ${name}`);
  const i = t.agents.findIndex((a) => a.name === name);
  if (i >= 0) t.agents.splice(i, 1);
  t.tiers = t.tiers.filter((x) => x.agent !== name);
  return 'SUCCESS';
}

/** `agent get status|state|uuid`: the value (an `agent-<key>-get` event tells it). */
export function agentGet(core: SwitchCore, key: string, name: string): { status: CcStatus; value?: string } {
  const agent = findAgent(ccTables(core), name);
  if (!agent) return { status: 'AGENT_NOT_FOUND' };
  const k = key.toLowerCase();
  if (k !== 'status' && k !== 'state' && k !== 'uuid') return { status: 'INVALID_KEY' };
  const value = (k === 'status' ? agent.status : k === 'state' ? agent.state : agent.uuid) ?? '';
  const header = k === 'uuid' ? 'CC-Agent-UUID' : `CC-Agent-${key.charAt(0).toUpperCase()}${key.slice(1)}`;
  fireCc(core, [
    ['CC-Agent', name],
    ['CC-Action', `agent-${key}-get`],
    [header, value],
  ]);
  return { status: 'SUCCESS', value };
}

export function agentUpdate(core: SwitchCore, key: string, value: string, name: string): CcStatus {
  const t = ccTables(core);
  const agent = findAgent(t, name);
  if (!agent) return 'AGENT_NOT_FOUND';
  const now = epochNow(core);
  switch (key.toLowerCase()) {
    case 'status': {
      const status = chartName(AGENT_STATUSES, value);
      if (!status) return 'AGENT_INVALID_STATUS';
      // the value is stored as given; Available resets the counters unless it was Available already
      if (status === 'Available') {
        if (agent.status !== value) {
          agent.status = value;
          agent.lastStatusChange = now;
          agent.talkTime = 0;
          agent.callsAnswered = 0;
          agent.noAnswerCount = 0;
        }
      } else {
        agent.status = value;
        agent.lastStatusChange = now;
        // a callback dial under way for this agent is cancelled
        const member = t.members.find((m) => m.servingAgent === name && m.servingSystem === 'single_box' && m.state !== 'Answered');
        if (member) hangupDials(t, member.uuid, Cause.ORIGINATOR_CANCEL);
      }
      fireCc(core, [
        ['CC-Agent', name],
        ['CC-Action', 'agent-status-change'],
        ['CC-Agent-Status', value],
      ]);
      break;
    }
    case 'state': {
      const state = chartName(AGENT_STATES, value);
      if (!state) return 'AGENT_INVALID_STATE';
      agent.state = value;
      if (state === 'Receiving') agent.lastOfferedCall = now;
      fireCc(core, [
        ['CC-Agent', name],
        ['CC-Action', 'agent-state-change'],
        ['CC-Agent-State', value],
      ]);
      break;
    }
    case 'uuid':
      agent.uuid = value;
      agent.instanceId = 'single_box';
      break;
    case 'contact':
      agent.contact = value;
      agent.instanceId = 'single_box';
      fireCc(core, [
        ['CC-Agent', name],
        ['CC-Action', 'agent-contact-change'],
        ['CC-Agent-Contact', value],
      ]);
      break;
    case 'ready_time':
      agent.readyTime = atoi(value);
      break;
    case 'busy_delay_time':
      agent.busyDelayTime = atoi(value);
      break;
    case 'reject_delay_time':
      agent.rejectDelayTime = atoi(value);
      break;
    case 'no_answer_delay_time':
      agent.noAnswerDelayTime = atoi(value);
      break;
    case 'type':
      if (!chartName(AGENT_TYPES, value)) return 'AGENT_INVALID_TYPE';
      agent.type = value;
      break;
    case 'max_no_answer':
      agent.maxNoAnswer = atoi(value);
      break;
    case 'wrap_up_time':
      agent.wrapUpTime = atoi(value);
      break;
    case 'state_if_waiting': {
      if (!chartName(AGENT_STATES, value)) return 'AGENT_INVALID_STATE';
      if (agent.state !== 'Waiting' || (agent.status !== 'Available' && agent.status !== 'Available (On Demand)')) return 'AGENT_NOT_FOUND';
      agent.state = value;
      fireCc(core, [
        ['CC-Agent', name],
        ['CC-Action', 'agent-state-change'],
        ['CC-Agent-State', value],
      ]);
      break;
    }
    default:
      return 'INVALID_KEY';
  }
  core.log('DEBUG', `Updated Agent ${name} set ${key} = ${value}`);
  return 'SUCCESS';
}

/** Hangs up the dials offering member `memberUuid` (those with its cc_member_pre_answer_uuid). */
export function hangupDials(t: CcTables, memberUuid: string, cause: number): void {
  for (const cancel of t.dials.get(memberUuid) ?? []) cancel(cause);
}

export async function tierAdd(core: SwitchCore, queue: string, agent: string, state: string, level: number, position: number): Promise<CcStatus> {
  const t = ccTables(core);
  if (!(await getQueue(core, queue))) return 'QUEUE_NOT_FOUND';
  if (!chartName(TIER_STATES, state)) return 'TIER_INVALID_STATE';
  if (!findAgent(t, agent)) return 'AGENT_NOT_FOUND';
  if (findTier(t, queue, agent)) return 'TIER_ALREADY_EXIST';
  core.log('DEBUG', `Adding Tier on Queue ${queue} for Agent ${agent}, level ${level}, position ${position}`);
  t.tiers.push({ queue, agent, state, level, position });
  return 'SUCCESS';
}

export async function tierUpdate(core: SwitchCore, key: string, value: string, queue: string, agent: string): Promise<CcStatus> {
  const t = ccTables(core);
  const tier = findTier(t, queue, agent);
  if (!tier) return 'TIER_NOT_FOUND';
  if (!findAgent(t, agent)) return 'AGENT_NOT_FOUND';
  if (!(await getQueue(core, queue))) return 'QUEUE_NOT_FOUND';
  switch (key.toLowerCase()) {
    case 'state':
      if (!chartName(TIER_STATES, value)) return 'TIER_INVALID_STATE';
      tier.state = value;
      break;
    case 'level':
      tier.level = atoi(value);
      break;
    case 'position':
      tier.position = atoi(value);
      break;
    default:
      return 'INVALID_KEY';
  }
  core.log('DEBUG', `Updated tier: Agent ${agent} in Queue ${queue} set ${key} = ${value}`);
  return 'SUCCESS';
}

export function tierDel(core: SwitchCore, queue: string, agent: string): CcStatus {
  const t = ccTables(core);
  core.log('DEBUG', `Deleted tier Agent ${agent} in Queue ${queue}`);
  t.tiers = t.tiers.filter((x) => !(x.queue === queue && x.agent === agent));
  return 'SUCCESS';
}

/** Sets the state of the agent's tiers: `state` in `queue` where it is one of `from`, Ready elsewhere where Standby. */
export function releaseTiers(t: CcTables, agent: string, queue: string, state: string): void {
  for (const x of t.tiers) {
    if (x.agent !== agent) continue;
    if (x.queue === queue && ['Active Inbound', 'Standby', 'Offering'].includes(x.state)) x.state = state;
    else if (x.queue !== queue && x.state === 'Standby') x.state = 'Ready';
  }
}
