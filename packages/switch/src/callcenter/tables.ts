/**
 * mod_callcenter's data, one set per switch: the agents, tiers and members tables the C keeps in
 * SQL (kept here in memory with the same columns, in insertion order) and the loaded queues with
 * their callcenter.conf settings. Also the names of the agent statuses / states, tier states and
 * member states, matched without regard to case as the C's charts are.
 */
import type { SwitchCore } from '../core/core.ts';
import type { XmlElement } from '../config/xml.ts';

export const AGENT_STATUSES = ['Logged Out', 'Available', 'Available (On Demand)', 'On Break'] as const;
export const AGENT_STATES = ['Waiting', 'Receiving', 'In a queue call', 'Idle', 'Reserved'] as const;
export const TIER_STATES = ['No Answer', 'Ready', 'Offering', 'Active Inbound', 'Standby'] as const;
export const AGENT_TYPES = ['Callback', 'uuid-standby'] as const;

/** The chart's own spelling of `name`, or undefined (the C's str2… giving Unknown). */
export function chartName(chart: readonly string[], name: string): string | undefined {
  const n = name.toLowerCase();
  return chart.find((c) => c.toLowerCase() === n);
}

/** A row of the agents table (its columns in the C's order). */
export interface Agent {
  name: string;
  instanceId: string;
  /** NULL until set: the C's list prints it `(null)`. */
  uuid: string | null;
  type: string;
  contact: string | null;
  status: string;
  state: string;
  maxNoAnswer: number;
  wrapUpTime: number;
  rejectDelayTime: number;
  busyDelayTime: number;
  noAnswerDelayTime: number;
  lastBridgeStart: number;
  lastBridgeEnd: number;
  lastOfferedCall: number;
  lastStatusChange: number;
  noAnswerCount: number;
  callsAnswered: number;
  talkTime: number;
  readyTime: number;
  externalCallsCount: number;
}

export const AGENT_COLUMNS =
  'name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time|external_calls_count';

export function agentRow(a: Agent): string {
  return [
    a.name,
    a.instanceId,
    a.uuid ?? '(null)',
    a.type,
    a.contact ?? '(null)',
    a.status,
    a.state,
    a.maxNoAnswer,
    a.wrapUpTime,
    a.rejectDelayTime,
    a.busyDelayTime,
    a.noAnswerDelayTime,
    a.lastBridgeStart,
    a.lastBridgeEnd,
    a.lastOfferedCall,
    a.lastStatusChange,
    a.noAnswerCount,
    a.callsAnswered,
    a.talkTime,
    a.readyTime,
    a.externalCallsCount,
  ].join('|');
}

export interface Tier {
  readonly queue: string;
  readonly agent: string;
  state: string;
  level: number;
  position: number;
}

export const TIER_COLUMNS = 'queue|agent|state|level|position';
export const tierRow = (t: Tier): string => [t.queue, t.agent, t.state, t.level, t.position].join('|');

/** A row of the members table (a caller in a queue). */
export interface Member {
  readonly queue: string;
  readonly instanceId: string;
  readonly uuid: string;
  sessionUuid: string;
  readonly cidNumber: string;
  readonly cidName: string;
  readonly systemEpoch: string;
  readonly joinedEpoch: number;
  rejoinedEpoch: number;
  bridgeEpoch: number;
  abandonedEpoch: number;
  readonly baseScore: number;
  readonly skillScore: number;
  servingAgent: string;
  servingSystem: string;
  state: 'Waiting' | 'Trying' | 'Answered' | 'Abandoned';
}

export const MEMBER_COLUMNS =
  'queue|instance_id|uuid|session_uuid|cid_number|cid_name|system_epoch|joined_epoch|rejoined_epoch|bridge_epoch|abandoned_epoch|base_score|skill_score|serving_agent|serving_system|state|score';

export function memberRow(m: Member, now: number): string {
  return [
    m.queue,
    m.instanceId,
    m.uuid,
    m.sessionUuid,
    m.cidNumber,
    m.cidName,
    m.systemEpoch,
    m.joinedEpoch,
    m.rejoinedEpoch,
    m.bridgeEpoch,
    m.abandonedEpoch,
    m.baseScore,
    m.skillScore,
    m.servingAgent,
    m.servingSystem,
    m.state,
    memberScore(m, now),
  ].join('|');
}

/** (now - joined_epoch) + base_score + skill_score. */
export const memberScore = (m: Member, now: number): number => now - m.joinedEpoch + m.baseScore + m.skillScore;

/** A loaded queue: its callcenter.conf parameters (queue_set_config's defaults) and its counters. */
export interface Queue {
  readonly name: string;
  strategy: string;
  moh: string | undefined;
  announce: string | undefined;
  announceFreq: number;
  recordTemplate: string | undefined;
  timeBaseScore: string;
  ringProgressivelyDelay: number;
  tierRulesApply: boolean;
  tierRuleWaitSecond: number;
  tierRuleWaitMultiplyLevel: boolean;
  tierRuleNoAgentNoWait: boolean;
  discardAbandonedAfter: number;
  abandonedResumeAllowed: boolean;
  maxWaitTime: number;
  maxWaitTimeWithNoAgent: number;
  maxWaitTimeWithNoAgentTimeReached: number;
  agentNoAnswerStatus: string;
  skipAgentsWithExternalCalls: boolean;
  callsAnswered: number;
  callsAbandoned: number;
  lastAgentExist: number;
  lastAgentExistCheck: number;
}

export function newQueue(name: string): Queue {
  return {
    name,
    strategy: 'longest-idle-agent',
    moh: undefined,
    announce: undefined,
    announceFreq: 0,
    recordTemplate: undefined,
    timeBaseScore: 'queue',
    ringProgressivelyDelay: 0,
    tierRulesApply: false,
    tierRuleWaitSecond: 0,
    tierRuleWaitMultiplyLevel: false,
    tierRuleNoAgentNoWait: true,
    discardAbandonedAfter: 60,
    abandonedResumeAllowed: false,
    maxWaitTime: 0,
    maxWaitTimeWithNoAgent: 0,
    maxWaitTimeWithNoAgentTimeReached: 5,
    agentNoAnswerStatus: 'On Break',
    skipAgentsWithExternalCalls: true,
    callsAnswered: 0,
    callsAbandoned: 0,
    lastAgentExist: 0,
    lastAgentExistCheck: 0,
  };
}

/** What the member's application and the dispatch share of a waiting member (its session). */
export interface MemberSession {
  /** The agent thread found an agent (cc_agent_found): set before the bridge. */
  agentFound: boolean;
  /** CC_APP_AGENT_CONNECTING: an agent is being dialled for it. */
  connecting: boolean;
  /** The member thread's cancel reason (NONE while none). */
  cancelReason: string;
  /** Ends the member's wait (its music) from another process; the reason is already set. */
  breakWait: () => void;
  /** top-down: the tier last offered (cc_last_agent_tier_position / _level). */
  lastTierPosition: number;
  lastTierLevel: number;
}

export interface CcTables {
  readonly agents: Agent[];
  tiers: Tier[];
  members: Member[];
  readonly queues: Map<string, Queue>;
  /** Waiting members' sessions by member uuid. */
  readonly sessions: Map<string, MemberSession>;
  /** Dials under way: cancels by member uuid (hupall_matching_var cc_member_pre_answer_uuid). */
  readonly dials: Map<string, Set<(cause: number) => void>>;
  /** callcenter.conf's open (the conf is read again on `queue load` / `reload`). */
  open: () => Promise<XmlElement | undefined>;
  /** load_queue for a queue not loaded yet (set by queues.ts, which reads the conf). */
  loadQueue: (name: string) => Promise<Queue | undefined>;
  reserveAgents: boolean;
  agentOriginateTimeout: number;
  /** Starts the dispatch thread (set when the switch loads mod_callcenter). */
  startDispatch?: () => void;
  dispatchStarted: boolean;
}

const TABLES = new WeakMap<SwitchCore, CcTables>();

export function ccTables(core: SwitchCore): CcTables {
  let t = TABLES.get(core);
  if (!t) {
    t = {
      agents: [],
      tiers: [],
      members: [],
      queues: new Map(),
      sessions: new Map(),
      dials: new Map(),
      open: async () => undefined,
      loadQueue: async () => undefined,
      reserveAgents: false,
      agentOriginateTimeout: 60,
      dispatchStarted: false,
    };
    TABLES.set(core, t);
  }
  return t;
}

/** local_epoch_time_now. */
export const epochNow = (core: SwitchCore): number => Math.floor(core.nowUs() / 1_000_000);

export const findAgent = (t: CcTables, name: string): Agent | undefined => t.agents.find((a) => a.name === name);
export const findTier = (t: CcTables, queue: string, agent: string): Tier | undefined => t.tiers.find((x) => x.queue === queue && x.agent === agent);

/** get_queue: a loaded queue, else the conf's. */
export async function getQueue(core: SwitchCore, name: string): Promise<Queue | undefined> {
  const t = ccTables(core);
  return t.queues.get(name) ?? (await t.loadQueue(name));
}

/** The dispatch runs once some member waits (the C starts it with the module). */
export function ensureDispatch(t: CcTables): void {
  if (t.dispatchStarted || !t.startDispatch) return;
  t.dispatchStarted = true;
  t.startDispatch();
}
