/**
 * mod_callcenter's `callcenter_config` API (cc_config_api_function): agents (add, del, reload,
 * set, get, list), tiers (add, set, del, reload, list) and queues (load, unload, reload, list,
 * count), with the C's replies; lists are the C's `|`-separated tables (a header row, the rows,
 * then `+OK`).
 */
import type { ApiCommand } from '../api/registry.ts';
import type { SwitchCore } from '../core/core.ts';
import { separateString } from '../internal/strings.ts';
import { type CcStatus, agentAdd, agentDel, agentGet, agentUpdate, tierAdd, tierDel, tierUpdate } from './config.ts';
import { destroyQueue, loadQueue, reloadAgent, reloadTiers } from './queues.ts';
import { AGENT_COLUMNS, type Agent, MEMBER_COLUMNS, TIER_COLUMNS, agentRow, ccTables, epochNow, memberRow, memberScore, tierRow } from './tables.ts';

export const CC_CONFIG_API_SYNTAX =
  'callcenter_config <target> <args>,\n' +
  '\tcallcenter_config agent add [name] [type] | \n' +
  '\tcallcenter_config agent del [name] | \n' +
  '\tcallcenter_config agent reload [name] | \n' +
  '\tcallcenter_config agent set status [agent_name] [status] | \n' +
  '\tcallcenter_config agent set state [agent_name] [state] | \n' +
  '\tcallcenter_config agent set contact [agent_name] [contact] | \n' +
  '\tcallcenter_config agent set ready_time [agent_name] [wait till epoch] | \n' +
  '\tcallcenter_config agent set reject_delay_time [agent_name] [wait second] | \n' +
  '\tcallcenter_config agent set busy_delay_time [agent_name] [wait second] | \n' +
  '\tcallcenter_config agent set no_answer_delay_time [agent_name] [wait second] | \n' +
  '\tcallcenter_config agent get status [agent_name] | \n' +
  '\tcallcenter_config agent get state [agent_name] | \n' +
  '\tcallcenter_config agent get uuid [agent_name] | \n' +
  '\tcallcenter_config agent list [[agent_name]] | \n' +
  '\tcallcenter_config tier add [queue_name] [agent_name] [[level]] [[position]] | \n' +
  '\tcallcenter_config tier set state [queue_name] [agent_name] [state] | \n' +
  '\tcallcenter_config tier set level [queue_name] [agent_name] [level] | \n' +
  '\tcallcenter_config tier set position [queue_name] [agent_name] [position] | \n' +
  '\tcallcenter_config tier del [queue_name] [agent_name] | \n' +
  '\tcallcenter_config tier reload [queue_name] [agent_name] | \n' +
  '\tcallcenter_config tier list | \n' +
  '\tcallcenter_config queue load [queue_name] | \n' +
  '\tcallcenter_config queue unload [queue_name] | \n' +
  '\tcallcenter_config queue reload [queue_name] | \n' +
  '\tcallcenter_config queue list | \n' +
  '\tcallcenter_config queue list agents [queue_name] [status] [state] | \n' +
  '\tcallcenter_config queue list members [queue_name] | \n' +
  '\tcallcenter_config queue list tiers [queue_name] | \n' +
  '\tcallcenter_config queue count | \n' +
  '\tcallcenter_config queue count agents [queue_name] [status] [state] | \n' +
  '\tcallcenter_config queue count members [queue_name] | \n' +
  '\tcallcenter_config queue count tiers [queue_name]';

const INVALID = '-ERR Invalid!\n';
const UNKNOWN = '-ERR Unknown Error!\n';

/** list_result_callback: the header and rows (nothing without rows), then +OK. */
const table = (header: string, rows: readonly string[]) => `${rows.length ? `${header}\n${rows.join('\n')}\n` : ''}+OK\n`;

const atoi = (s: string | undefined) => Number.parseInt(s ?? '', 10) || 0;

const AGENT_SET_REPLIES: Partial<Record<CcStatus, string>> = {
  SUCCESS: '+OK\n',
  AGENT_INVALID_STATUS: '-ERR Invalid Agent Status!\n',
  AGENT_INVALID_STATE: '-ERR Invalid Agent State!\n',
  AGENT_INVALID_TYPE: '-ERR Invalid Agent Type!\n',
  INVALID_KEY: '-ERR Invalid Agent Update KEY!\n',
  AGENT_NOT_FOUND: '-ERR Agent not found!\n',
};

const TIER_ADD_REPLIES: Partial<Record<CcStatus, string>> = {
  SUCCESS: '+OK\n',
  QUEUE_NOT_FOUND: '-ERR Queue not found!\n',
  TIER_INVALID_STATE: '-ERR Invalid Tier State!\n',
  AGENT_NOT_FOUND: '-ERR Agent not found!\n',
  TIER_ALREADY_EXIST: '-ERR Tier already exist!\n',
};

// as the C: a queue it does not find for an update reads "Agent not found!" too
const TIER_SET_REPLIES: Partial<Record<CcStatus, string>> = {
  SUCCESS: '+OK\n',
  AGENT_INVALID_STATUS: '-ERR Invalid Agent Status!\n',
  TIER_INVALID_STATE: '-ERR Invalid Tier State!\n',
  INVALID_KEY: '-ERR Invalid Tier Update KEY!\n',
  AGENT_NOT_FOUND: '-ERR Agent not found!\n',
  QUEUE_NOT_FOUND: '-ERR Agent not found!\n',
};

/** The queue's agents (agents joined with its tiers), filtered by status and state when given. */
function queueAgents(core: SwitchCore, queue: string | undefined, status: string | undefined, state: string | undefined): Agent[] {
  const t = ccTables(core);
  const out: Agent[] = [];
  for (const tier of t.tiers) {
    if (tier.queue !== queue) continue;
    for (const a of t.agents) {
      if (a.name !== tier.agent) continue;
      if (status !== undefined && a.status !== status) continue;
      if (state !== undefined && a.state !== state) continue;
      out.push(a);
    }
  }
  return out;
}

async function agentSection(core: SwitchCore, action: string, args: string[]): Promise<string> {
  switch (action.toLowerCase()) {
    case 'add': {
      const [name, type] = args;
      if (name === undefined || type === undefined) return INVALID;
      const r = agentAdd(core, name, type);
      return r === 'SUCCESS'
        ? '+OK\n'
        : r === 'AGENT_ALREADY_EXIST'
          ? '-ERR Agent already exist!\n'
          : r === 'AGENT_INVALID_TYPE'
            ? '-ERR Agent type invalid!\n'
            : UNKNOWN;
    }
    case 'del':
      if (args[0] === undefined) return INVALID;
      return agentDel(core, args[0]) === 'SUCCESS' ? '+OK\n' : UNKNOWN;
    case 'reload':
      if (args[0] === undefined) return INVALID;
      return (await reloadAgent(core, args[0])) ? '+OK\n' : UNKNOWN;
    case 'set': {
      const [key, name, value] = args;
      if (key === undefined || name === undefined || value === undefined) return INVALID;
      return AGENT_SET_REPLIES[agentUpdate(core, key, value, name)] ?? UNKNOWN;
    }
    case 'get': {
      const [key, name] = args;
      if (key === undefined || name === undefined) return INVALID;
      const r = agentGet(core, key, name);
      if (r.status === 'SUCCESS') return r.value ?? '';
      return r.status === 'INVALID_KEY' ? '-ERR Invalid Agent Update KEY!\n' : r.status === 'AGENT_NOT_FOUND' ? '-ERR Agent not found!\n' : UNKNOWN;
    }
    case 'list': {
      if (args.length > 1) return INVALID;
      const agents = ccTables(core).agents.filter((a) => args[0] === undefined || a.name === args[0]);
      return table(AGENT_COLUMNS, agents.map(agentRow));
    }
  }
  return '';
}

async function tierSection(core: SwitchCore, action: string, args: string[]): Promise<string> {
  switch (action.toLowerCase()) {
    case 'add': {
      const [queue, agent, level, position] = args;
      if (queue === undefined || agent === undefined) return INVALID;
      const r = await tierAdd(core, queue, agent, 'Ready', level ? atoi(level) : 1, position ? atoi(position) : 1);
      return TIER_ADD_REPLIES[r] ?? UNKNOWN;
    }
    case 'set': {
      const [key, queue, agent, value] = args;
      if (key === undefined || queue === undefined || agent === undefined || value === undefined) return INVALID;
      return TIER_SET_REPLIES[await tierUpdate(core, key, value, queue, agent)] ?? UNKNOWN;
    }
    case 'del': {
      const [queue, agent] = args;
      if (queue === undefined || agent === undefined) return INVALID;
      return tierDel(core, queue, agent) === 'SUCCESS' ? '+OK\n' : UNKNOWN;
    }
    case 'reload':
      if (args[0] === undefined) return INVALID;
      return (await reloadTiers(core, args[0], args[1])) ? '+OK\n' : UNKNOWN;
    case 'list': {
      const tiers = [...ccTables(core).tiers].map((x, i) => [x, i] as const);
      tiers.sort(([a, i], [b, j]) => a.level - b.level || a.position - b.position || i - j);
      return table(
        TIER_COLUMNS,
        tiers.map(([x]) => tierRow(x)),
      );
    }
  }
  return '';
}

function queueList(core: SwitchCore): string {
  const head =
    'name|strategy|moh_sound|time_base_score|tier_rules_apply|tier_rule_wait_second|tier_rule_wait_multiply_level|tier_rule_no_agent_no_wait|discard_abandoned_after|abandoned_resume_allowed|max_wait_time|max_wait_time_with_no_agent|max_wait_time_with_no_agent_time_reached|record_template|calls_answered|calls_abandoned|ring_progressively_delay|skip_agents_with_external_calls|agent_no_answer_status\n';
  const b = (v: boolean) => (v ? 'true' : 'false');
  const s = (v: string | undefined) => v ?? '(null)';
  const rows = [...ccTables(core).queues.values()].map(
    (q) =>
      `${[q.name, q.strategy, s(q.moh), q.timeBaseScore, b(q.tierRulesApply), q.tierRuleWaitSecond, b(q.tierRuleWaitMultiplyLevel), b(q.tierRuleNoAgentNoWait), q.discardAbandonedAfter, b(q.abandonedResumeAllowed), q.maxWaitTime, q.maxWaitTimeWithNoAgent, q.maxWaitTimeWithNoAgentTimeReached, s(q.recordTemplate), q.callsAnswered, q.callsAbandoned, q.ringProgressivelyDelay, b(q.skipAgentsWithExternalCalls), q.agentNoAnswerStatus].join('|')}\n`,
  );
  return `${head}${rows.join('')}+OK\n`;
}

async function queueSection(core: SwitchCore, action: string, args: string[]): Promise<string> {
  const t = ccTables(core);
  switch (action.toLowerCase()) {
    case 'load':
      if (args[0] === undefined) return INVALID;
      return (await loadQueue(core, args[0], true, true)) ? '+OK\n' : '-ERR Invalid Queue not found!\n';
    case 'unload':
      if (args[0] === undefined) return INVALID;
      destroyQueue(core, args[0]);
      return '+OK\n';
    case 'reload':
      if (args[0] === undefined) return INVALID;
      destroyQueue(core, args[0]);
      return (await loadQueue(core, args[0], true, true)) ? '+OK\n' : '-ERR Invalid Queue not found!\n';
    case 'list': {
      if (args.length < 1) return queueList(core);
      const [sub = '', queue, status, state] = args;
      const now = epochNow(core);
      switch (sub.toLowerCase()) {
        case 'agents':
          return table(AGENT_COLUMNS, queueAgents(core, queue, status, state).map(agentRow));
        case 'members': {
          const members = t.members
            .map((m, i) => [m, i] as const)
            .filter(([m]) => queue === undefined || m.queue === queue)
            .sort(
              ([a, i], [b, j]) => (queue === undefined ? a.queue.localeCompare(b.queue) : 0) || memberScore(b, now) - memberScore(a, now) || i - j,
            );
          return table(
            MEMBER_COLUMNS,
            members.map(([m]) => memberRow(m, now)),
          );
        }
        case 'tiers':
          return table(TIER_COLUMNS, t.tiers.filter((x) => x.queue === queue).map(tierRow));
      }
      return INVALID;
    }
    case 'count': {
      if (args.length < 1) return `${t.queues.size}\n`;
      const [sub = '', queue, status, state] = args;
      switch (sub.toLowerCase()) {
        case 'agents':
          return `${queueAgents(core, queue, status, state).length}\n`;
        case 'members':
          return `${t.members.filter((m) => m.queue === queue).length}\n`;
        case 'tiers':
          return `${t.tiers.filter((x) => x.queue === queue).length}\n`;
      }
      return INVALID;
    }
  }
  return '';
}

export const CALLCENTER_CONFIG_COMMAND: ApiCommand = {
  name: 'callcenter_config',
  // the C registers the multi-line usage as the syntax; `show api` / `show help` keep one line per command here (DECISIONS)
  description: 'Config of callcenter',
  module: 'mod_callcenter',
  run: async (args, env) => {
    if (args === '') return `-USAGE: \n${CC_CONFIG_API_SYNTAX}\n`;
    const argv = separateString(args, ' ', 8);
    if (argv.length < 2) return INVALID;
    const [section = '', action = '', ...rest] = argv;
    const s = section.toLowerCase();
    if (s === 'agent') return agentSection(env.core, action, rest);
    if (s === 'tier') return tierSection(env.core, action, rest);
    if (s === 'queue') return queueSection(env.core, action, rest);
    return '';
  },
};
