/**
 * mod_fifo's API: `fifo list [<name>]` (the fifo_report XML), `fifo count [<name>]`
 * (`<name>:<consumers>:<callers>:<members>:<ringing consumers>:<idle consumers>`), `fifo
 * has_outbound [<name>]`, `fifo importance <name> [<n>]`, `fifo debug [<n>]`, and
 * `fifo_check_bridge <uuid>`; `fifo list` shows each node's outbound members. What needs the CDR or
 * a reload (`list_verbose`, `status`, `reparse`) is refused with the usage.
 */
import type { ApiCommand, ApiEnv } from '../api/registry.ts';
import { callChannel } from '../api/uuid_commands.ts';
import { separateString, urlEncode } from '../internal/strings.ts';
import { formatLocalDate } from '../internal/time.ts';
import { FIFO_MEMBER_COMMAND } from './members.ts';
import { type FifoNode, fifoTable } from './nodes.ts';
import { type XmlNode, toXml, xmlNode } from './report_xml.ts';

export const FIFO_API_SYNTAX = 'list|list_verbose|count|debug|status|has_outbound|importance [<fifo name>]|reparse [del_all]';

const getvar = async (env: ApiEnv, uuid: string, name: string) => (await callChannel<string | undefined>(env, uuid, { op: 'getvar', name }))?.value;

/** A caller's or consumer's element: uuid, then each of its fifo variables it has. */
async function sessionNode(env: ApiEnv, tag: string, uuid: string, withPosition: boolean): Promise<XmlNode | undefined> {
  if (!env.core.sessions.has(uuid)) return undefined;
  const el = xmlNode(tag, [['uuid', uuid]]);
  const add = async (attr: string, variable: string, encode = false) => {
    const v = await getvar(env, uuid, variable);
    if (v !== undefined) el.attrs.push([attr, encode ? urlEncode(v) : v]);
  };
  await add('status', 'fifo_status');
  await add('caller_id_name', 'caller_id_name', true);
  await add('caller_id_number', 'caller_id_number', true);
  await add('timestamp', 'fifo_timestamp');
  await add('target', 'fifo_target');
  if (withPosition) await add('position', 'fifo_position');
  return el;
}

/** xml_outbound: the node's members (the fifo_outbound rows), a `<member>` each with its dial string as text. */
function outboundXml(env: ApiEnv, node: FifoNode): XmlNode {
  const date = (epoch: number, none: string) => (epoch ? formatLocalDate(epoch * 1_000_000, env.core.utcOffsetMinutes(epoch * 1000)) : none);
  const out = xmlNode('outbound');
  for (const m of fifoTable(env.core).members) {
    if (m.fifoName !== node.name) continue;
    const n = String;
    const since = m.takingCalls ? m.activeTime : 0;
    const member = xmlNode('member', [
      ['simo', n(m.simo)],
      ['use_count', n(m.useCount)],
      ['timeout', n(m.timeout)],
      ['lag', n(m.lag)],
      ['outbound-call-count', n(m.outboundCallCount)],
      ['outbound-fail-count', n(m.outboundFailCount)],
      ['taking-calls', n(m.takingCalls)],
      ['status', ''],
      ['outbound-call-total-count', n(m.outboundCallTotalCount)],
      ['outbound-fail-total-count', n(m.outboundFailTotalCount)],
      [m.takingCalls ? 'logged-on-since' : 'logged-off-since', date(since, 'now')],
      ['manual-calls-out-count', '0'],
      ['manual-calls-in-count', '0'],
      ['manual-calls-out-total-count', '0'],
      ['manual-calls-in-total-count', '0'],
      ['ring-count', n(m.ringCount)],
      ['start-time', date(m.startTime, 'never')],
      ['stop-time', date(m.stopTime, 'never')],
      ['next-available', date(m.nextAvail, 'now')],
    ]);
    member.text = m.originateString;
    out.children.push(member);
  }
  return out;
}

/** list_node. */
async function listNode(env: ApiEnv, node: FifoNode): Promise<XmlNode> {
  const n = (v: number) => String(v);
  const el = xmlNode('fifo', [
    ['name', node.name],
    ['consumer_count', n(node.consumerCount)],
    ['caller_count', n(node.callerCount)],
    ['waiting_count', n(node.callerCount)],
    ['importance', n(node.importance)],
    ['outbound_per_cycle', n(node.outboundPerCycle)],
    ['outbound_per_cycle_min', n(node.outboundPerCycleMin)],
    ['ring_timeout', n(node.ringTimeout)],
    ['default_lag', n(node.defaultLag)],
    ['outbound_priority', n(node.outboundPriority)],
    ['outbound_strategy', node.outboundStrategy],
  ]);
  el.children.push(outboundXml(env, node));
  const callers = xmlNode('callers');
  for (const [slot, queue] of node.slots.entries())
    for (const c of [...queue]) {
      const x = await sessionNode(env, 'caller', c.uuid, true);
      if (!x) continue;
      x.attrs.push(['slot', String(slot)]);
      callers.children.push(x);
    }
  el.children.push(callers);
  const consumers = xmlNode('consumers');
  for (const uuid of [...node.consumers.keys()]) {
    const x = await sessionNode(env, 'consumer', uuid, false);
    if (x) consumers.children.push(x);
  }
  el.children.push(consumers);
  const bridges = xmlNode('bridges');
  for (const b of node.bridges) {
    const us = b.start * 1_000_000;
    const start = b.start ? formatLocalDate(us, env.core.utcOffsetMinutes(b.start * 1000)) : 'now';
    const bridge = xmlNode('bridge', [
      ['fifo_name', node.name],
      ['bridge_start', start],
      ['bridge_start_epoch', String(b.start)],
    ]);
    bridge.children.push(
      xmlNode('caller', [
        ['uuid', b.callerUuid],
        ['caller_id_name', urlEncode(b.callerIdName)],
        ['caller_id_number', urlEncode(b.callerIdNumber)],
      ]),
    );
    const consumer = xmlNode('consumer');
    consumer.children.push({ ...xmlNode('uuid'), text: b.consumerUuid }, { ...xmlNode('outgoing_uuid'), text: b.consumerOutgoingUuid });
    bridge.children.push(consumer);
    bridges.children.push(bridge);
  }
  el.children.push(bridges);
  return el;
}

const countLine = (name: string, node: FifoNode) =>
  `${name}:${node.consumerCount}:${node.callerCount}:${node.memberCount}:${node.ringConsumerCount}:${node.idleConsumers}\n`;

/** `fifo debug`'s level (globals.debug): kept, printed, used by nothing here. */
const DEBUG = new WeakMap<object, number>();

async function fifoApi(args: string, env: ApiEnv): Promise<string> {
  const argv = args === '' ? [] : separateString(args, ' ', 5);
  const [sub, name] = argv;
  if (!sub) return `${FIFO_API_SYNTAX}\n`;
  const nodes = fifoTable(env.core).nodes;
  const cmd = sub.toLowerCase();
  if (cmd === 'debug') {
    if (name !== undefined) DEBUG.set(env.core, Math.max(0, Number.parseInt(name, 10) || 0));
    return `debug ${DEBUG.get(env.core) ?? 0}\n`;
  }
  if (cmd === 'list') {
    const report = xmlNode('fifo_report');
    const chosen = argv.length < 2 ? [...nodes.values()] : [nodes.get(name ?? '')].filter((n) => n !== undefined);
    for (const node of chosen) report.children.push(await listNode(env, node));
    return `${toXml(report)}\n`;
  }
  if (cmd === 'importance') {
    const node = name === undefined ? undefined : nodes.get(name);
    if (!node) return 'no fifo by that name\n';
    if (argv.length > 2) node.importance = Math.max(0, Number.parseInt(argv[2] ?? '', 10) || 0);
    return `importance: ${node.importance}\n`;
  }
  if (cmd === 'count' || cmd === 'has_outbound') {
    const line = cmd === 'count' ? countLine : (n: string, node: FifoNode) => `${n}:${node.hasOutbound ? 1 : 0}\n`;
    if (argv.length < 2) {
      const lines = [...nodes].map(([n, node]) => line(n, node));
      return lines.length ? lines.join('') : 'none\n';
    }
    const node = nodes.get(name ?? '');
    return node ? line(name ?? '', node) : 'none\n';
  }
  return `-ERR Usage: ${FIFO_API_SYNTAX}\n`;
}

export const FIFO_COMMANDS: readonly ApiCommand[] = [
  { name: 'fifo', syntax: FIFO_API_SYNTAX, description: 'Return data about a fifo', module: 'mod_fifo', run: fifoApi },
  FIFO_MEMBER_COMMAND,
  {
    name: 'fifo_check_bridge',
    syntax: '<uuid>|<outbound_id>',
    description: 'check if uuid is in a bridge',
    module: 'mod_fifo',
    run: (args, env) => (args !== '' && fifoTable(env.core).bridged.has(args) ? 'true' : 'false'),
  },
];
