/**
 * callcenter.conf as mod_callcenter reads it: `<settings>` (reserve-agents,
 * truncate-agents-on-load, truncate-tiers-on-load, agent-originate-timeout) when the switch starts,
 * every `<queues><queue name=…>` with its params, then `<agents>` and `<tiers>`; a queue not loaded
 * yet is read from the conf the first time something names it (get_queue), and `queue load` /
 * `reload` / `unload` redo that.
 */
import { type XmlElement, attr, child, children } from '../config/xml.ts';
import type { SwitchCore } from '../core/core.ts';
import { switchTrue } from '../internal/strings.ts';
import { agentAdd, agentUpdate, tierAdd, tierUpdate } from './config.ts';
import { AGENT_STATUSES, type Queue, ccTables, chartName, newQueue } from './tables.ts';

export const CALLCENTER_CONF = 'callcenter.conf';

/** The `<name>` children of an element that may be missing. */
const kids = (el: XmlElement | undefined, name: string) => (el ? children(el, name) : []);

const intParam = (value: string, fallback: number) => {
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) || n < 0 || n > 86400 ? fallback : n;
};

/** queue_set_config + switch_xml_config_parse_event: the `<param>`s of a `<queue>`. */
function queueFromXml(core: SwitchCore, name: string, el: XmlElement): Queue {
  const q = newQueue(name);
  for (const param of children(el, 'param')) {
    const key = (attr(param, 'name') ?? '').toLowerCase();
    const value = attr(param, 'value') ?? '';
    switch (key) {
      case 'strategy':
        q.strategy = value;
        break;
      case 'moh-sound':
        q.moh = value;
        break;
      case 'announce-sound':
        q.announce = value;
        break;
      case 'announce-frequency':
        q.announceFreq = intParam(value, 0);
        break;
      case 'record-template':
        q.recordTemplate = value;
        break;
      case 'time-base-score':
        q.timeBaseScore = value;
        break;
      case 'ring-progressively-delay':
        q.ringProgressivelyDelay = intParam(value, 0);
        break;
      case 'tier-rules-apply':
        q.tierRulesApply = switchTrue(value);
        break;
      case 'tier-rule-wait-second':
        q.tierRuleWaitSecond = intParam(value, 0);
        break;
      case 'tier-rule-wait-multiply-level':
        q.tierRuleWaitMultiplyLevel = switchTrue(value);
        break;
      case 'tier-rule-no-agent-no-wait':
        q.tierRuleNoAgentNoWait = switchTrue(value);
        break;
      case 'discard-abandoned-after':
        q.discardAbandonedAfter = intParam(value, 60);
        break;
      case 'abandoned-resume-allowed':
        q.abandonedResumeAllowed = switchTrue(value);
        break;
      case 'max-wait-time':
        q.maxWaitTime = intParam(value, 0);
        break;
      case 'max-wait-time-with-no-agent':
        q.maxWaitTimeWithNoAgent = intParam(value, 0);
        break;
      case 'max-wait-time-with-no-agent-time-reached':
        q.maxWaitTimeWithNoAgentTimeReached = intParam(value, 5);
        break;
      case 'agent-no-answer-status':
        q.agentNoAnswerStatus = value;
        break;
      case 'skip-agents-with-external-calls':
        q.skipAgentsWithExternalCalls = switchTrue(value);
        break;
    }
  }
  if (!chartName(AGENT_STATUSES, q.agentNoAnswerStatus)) {
    core.log('WARNING', `Queue ${name} has invalid agent-no-answer-status, setting to On Break`);
    q.agentNoAnswerStatus = 'On Break';
  }
  return q;
}

/** load_queue: the queue from the conf (with its agents and tiers when asked), or undefined. */
export async function loadQueue(core: SwitchCore, name: string, withAgents: boolean, withTiers: boolean): Promise<Queue | undefined> {
  const t = ccTables(core);
  const cfg = await t.open().catch(() => undefined);
  if (!cfg) {
    core.log('ERR', `Open of ${CALLCENTER_CONF} failed`);
    return undefined;
  }
  const el = kids(child(cfg, 'queues'), 'queue').find((q) => attr(q, 'name') === name);
  if (!el) return undefined;
  const queue = queueFromXml(core, name, el);
  core.log('INFO', `Added queue ${name}`);
  t.queues.set(name, queue);
  if (withAgents) for (const a of kids(child(cfg, 'agents'), 'agent')) loadAgent(core, a);
  if (withTiers) await loadTiers(core, cfg, (tier) => tier.queue === name);
  return queue;
}

/** destroy_queue. */
export function destroyQueue(core: SwitchCore, name: string): void {
  if (ccTables(core).queues.delete(name)) core.log('INFO', `Destroying queue ${name}`);
}

/** load_agent: an `<agent>` added (or, existing, updated) with its attributes. */
function loadAgent(core: SwitchCore, el: XmlElement): void {
  const name = attr(el, 'name');
  const type = attr(el, 'type');
  if (!name || !type) return;
  const added = agentAdd(core, name, type);
  if (added !== 'SUCCESS' && added !== 'AGENT_ALREADY_EXIST') return;
  const set = (a: string, key: string) => {
    const v = attr(el, a);
    if (v !== undefined) agentUpdate(core, key, v, name);
  };
  set('contact', 'contact');
  set('status', 'status');
  set('wrap-up-time', 'wrap_up_time');
  set('max-no-answer', 'max_no_answer');
  set('reject-delay-time', 'reject_delay_time');
  set('busy-delay-time', 'busy_delay_time');
  set('no-answer-delay-time', 'no_answer_delay_time');
  if (added === 'AGENT_ALREADY_EXIST') agentUpdate(core, 'type', type, name);
}

/** load_tiers / load_tier: each `<tier>` `want` takes, added at Ready or its level and position updated. */
async function loadTiers(core: SwitchCore, cfg: XmlElement, want: (tier: { queue: string; agent: string }) => boolean): Promise<void> {
  for (const el of kids(child(cfg, 'tiers'), 'tier')) {
    const agent = attr(el, 'agent') ?? '';
    const queue = attr(el, 'queue') ?? '';
    if (!want({ queue, agent })) continue;
    const level = attr(el, 'level') || undefined;
    const position = attr(el, 'position') || undefined;
    if ((await tierUpdate(core, 'unknown', 'unknown', queue, agent)) === 'TIER_NOT_FOUND') {
      await tierAdd(core, queue, agent, 'Ready', Number.parseInt(level ?? '1', 10) || 0, Number.parseInt(position ?? '1', 10) || 0);
    } else {
      await tierUpdate(core, 'level', level ?? '1', queue, agent);
      await tierUpdate(core, 'position', position ?? '1', queue, agent);
    }
  }
}

/** `tier reload <queue>|all [<agent>]`. */
export async function reloadTiers(core: SwitchCore, queue: string, agent: string | undefined): Promise<boolean> {
  const cfg = await ccTables(core)
    .open()
    .catch(() => undefined);
  if (!cfg) return false;
  const all = queue.toLowerCase() === 'all';
  const lc = (s: string) => s.toLowerCase();
  await loadTiers(core, cfg, (x) => (all ? true : agent ? lc(x.agent) === lc(agent) && lc(x.queue) === lc(queue) : lc(x.queue) === lc(queue)));
  return true;
}

/** `agent reload <name>`. */
export async function reloadAgent(core: SwitchCore, name: string): Promise<boolean> {
  const cfg = await ccTables(core)
    .open()
    .catch(() => undefined);
  if (!cfg) return false;
  const el = kids(child(cfg, 'agents'), 'agent').find((a) => attr(a, 'name') === name);
  if (el) loadAgent(core, el);
  return true;
}

/** load_config: settings, then every queue, agent and tier of the conf. */
export async function loadCallcenterConf(core: SwitchCore, open: () => Promise<XmlElement | undefined>): Promise<boolean> {
  const t = ccTables(core);
  t.open = open;
  t.loadQueue = (name) => loadQueue(core, name, false, false);
  const cfg = await open().catch(() => undefined);
  if (!cfg) return false;
  for (const param of kids(child(cfg, 'settings'), 'param')) {
    const name = (attr(param, 'name') ?? '').toLowerCase();
    const value = attr(param, 'value') ?? '';
    if (name === 'reserve-agents') t.reserveAgents = switchTrue(value);
    else if (name === 'agent-originate-timeout') t.agentOriginateTimeout = Number.parseInt(value, 10) || 0;
  }
  for (const q of kids(child(cfg, 'queues'), 'queue')) {
    const name = attr(q, 'name');
    if (name) t.queues.set(name, queueFromXml(core, name, q));
  }
  for (const a of kids(child(cfg, 'agents'), 'agent')) loadAgent(core, a);
  await loadTiers(core, cfg, () => true);
  return true;
}
