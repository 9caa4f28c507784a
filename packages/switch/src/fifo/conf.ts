/**
 * fifo.conf as mod_fifo's load_config reads it when the switch starts: `<settings>`'s
 * `outbound-strategy` (the strategy of nodes made later), and each `<fifos><fifo name=…>` — a node
 * made now with its `importance`, `outbound_name`, `outbound_strategy`, `outbound_per_cycle`
 * (`_min`), `retry_delay`, `outbound_priority`, `outbound_ring_timeout`, `outbound_default_lag`
 * and its `<member simo timeout lag taking_calls>dial string</member>` rows (static members).
 * Without a fifo.conf there are no static nodes (FreeSWITCH would not load the module).
 */
import { type XmlElement, attr, child, children } from '../config/xml.ts';
import type { SwitchCore } from '../core/core.ts';
import { newMember } from './members.ts';
import { MANUAL_QUEUE_NAME, fifoTable, findOrCreateNode, parseStrategy } from './nodes.ts';

export const FIFO_CONF = 'fifo.conf';

const atoi = (s: string | undefined) => Number.parseInt(s ?? '', 10) || 0;

export async function loadFifoConf(core: SwitchCore, open: () => Promise<XmlElement | undefined>): Promise<void> {
  const cfg = await open().catch(() => undefined);
  if (!cfg) return;
  const table = fifoTable(core);
  table.defaultStrategy = 'ringall';
  const settings = child(cfg, 'settings');
  for (const param of settings ? children(settings, 'param') : []) {
    const name = attr(param, 'name') ?? '';
    const value = attr(param, 'value') ?? '';
    if (name.toLowerCase() === 'outbound-strategy' && value !== '') table.defaultStrategy = parseStrategy(value);
  }
  // a (re)load drops the static rows
  table.members = table.members.filter((m) => !m.isStatic);
  const fifos = child(cfg, 'fifos');
  for (const fifo of fifos ? children(fifos, 'fifo') : []) {
    const name = attr(fifo, 'name');
    if (name === undefined) {
      core.log('ERR', 'fifo has no name!');
      continue;
    }
    if (name.toLowerCase() === MANUAL_QUEUE_NAME) {
      core.log('ERR', `${MANUAL_QUEUE_NAME} is a reserved name, use another name please.`);
      continue;
    }
    const given = attr(fifo, 'importance');
    const importance = given !== undefined && atoi(given) >= 0 ? atoi(given) : 0;
    const node = findOrCreateNode(core, name, importance);
    const a = (n: string) => attr(fifo, n);
    if (a('outbound_name') !== undefined) node.outboundName = a('outbound_name');
    const strategy = a('outbound_strategy');
    if (strategy !== undefined) {
      node.outboundStrategy = parseStrategy(strategy);
      node.hasOutbound = true;
    }
    node.outboundPerCycle = 1;
    if (a('outbound_per_cycle') !== undefined) {
      if (atoi(a('outbound_per_cycle')) >= 0) node.outboundPerCycle = atoi(a('outbound_per_cycle'));
      node.hasOutbound = true;
    }
    node.outboundPerCycleMin = 1;
    if (a('outbound_per_cycle_min') !== undefined && atoi(a('outbound_per_cycle_min')) >= 0)
      node.outboundPerCycleMin = atoi(a('outbound_per_cycle_min'));
    if (a('retry_delay') !== undefined) node.retryDelay = Math.max(0, atoi(a('retry_delay')));
    node.outboundPriority = 5;
    if (a('outbound_priority') !== undefined) {
      const p = atoi(a('outbound_priority'));
      if (p >= 1 && p <= 10) node.outboundPriority = p;
      node.hasOutbound = true;
    }
    node.ringTimeout = 60;
    if (a('outbound_ring_timeout') !== undefined) {
      if (atoi(a('outbound_ring_timeout')) > 10) node.ringTimeout = atoi(a('outbound_ring_timeout'));
      else core.log('CRIT', `Invalid ring_timeout: must be > 10 for queue ${node.name}`);
    }
    node.defaultLag = 30;
    if (a('outbound_default_lag') !== undefined) {
      if (atoi(a('outbound_default_lag')) > 10) node.defaultLag = atoi(a('outbound_default_lag'));
      else core.log('CRIT', `Invalid default_lag: must be > 10 for queue ${node.name}`);
    }
    for (const member of children(fifo, 'member')) {
      // switch_xml_attr_soft: an attribute not given reads as "" (so simo is 0, lag 0)
      const soft = (n: string) => attr(member, n) ?? '';
      const simo = atoi(soft('simo'));
      const takingCalls = Math.max(1, atoi(soft('taking_calls')));
      let timeout = atoi(soft('timeout'));
      if (timeout < 10) timeout = node.ringTimeout;
      let lag = atoi(soft('lag'));
      if (lag < 0) lag = node.defaultLag;
      table.members.push(
        newMember(core, { fifoName: node.name, originateString: member.text, simo, timeout, lag, expires: 0, isStatic: true, takingCalls }),
      );
      node.hasOutbound = true;
      node.memberCount++;
    }
    core.log('INFO', `${node.name} configured`);
  }
}
