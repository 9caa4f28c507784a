/**
 * mod_fifo's node thread: once a second it walks the nodes of each outbound priority (1–10) and,
 * for a node with members whose callers outnumber its dials under way while no consumer of it is
 * idle, dials members (find_consumers) — those taking calls, below their `simo` count and past
 * their lag, the least recently free first:
 *
 * - `ringall`: one dial to up to `outbound_per_cycle` members at once (0: all) for the first
 *   caller (a VIP first); the first to answer runs `fifo <name> out nowait` with
 *   `fifo_bridge_uuid` naming that caller, the others lose the race. The caller leaving the queue
 *   cancels the dial (ORIGINATOR_CANCEL).
 * - `enterprise`: a dial of its own to each of as many members as there are callers (bounded by
 *   `outbound_per_cycle` / `_min`); an answered member runs `fifo <name> out wait` (or its
 *   `fifo_member_wait`) with `fifo_outbound_uuid` set, and takes whichever caller is next.
 *
 * A failed dial counts against its members (outbound_fail_count, next_avail = now + retry_delay +
 * lag + 1). The `pre-dial` / `post-dial` events tell each dial.
 */
import { randomUUID } from 'node:crypto';
import { type ProcessContext, TIMEOUT } from '@beamline/core';
import { callChannel } from '../api/uuid_commands.ts';
import { Cause, causeName } from '../channel/causes.ts';
import type { Channel, ChannelServices } from '../channel/channel.ts';
import type { OriginateCancel, OriginateResult } from '../channel/originate_types.ts';
import type { SwitchCore } from '../core/core.ts';
import { epochNow, fireFifo, fireFifoWith } from './events.ts';
import { leadingBrackets } from './members.ts';
import { type FifoNode, type OutboundMember, fifoTable } from './nodes.ts';

/** MAX_ROWS: members one ringall dial takes at most. */
const MAX_ROWS = 250;

/**
 * node_thread_run, in its own process: a pass per priority, a second's sleep after the tenth or
 * after a pass that dialled; it ends on a message `stop` matches (the switch's supervisor down).
 */
export async function fifoNodeThread(ctx: ProcessContext, services: ChannelServices, stop: (m: unknown) => boolean): Promise<void> {
  const core = services.core;
  let priority = 1;
  for (;;) {
    let dialled = false;
    for (const node of [...fifoTable(core).nodes.values()]) {
      if (node.outboundPriority === 0) node.outboundPriority = 5;
      if (!node.hasOutbound || node.outboundPriority !== priority) continue;
      const waiting = node.callerCount;
      if (waiting - node.ringConsumerCount > 0 && (node.consumerCount === 0 || node.idleConsumers === 0)) {
        if (findConsumers(ctx, services, node) > 0) dialled = true;
      }
    }
    if (++priority > 10) priority = 1;
    if (priority === 1 || dialled) {
      const m = await ctx.receive(stop, 1000);
      if (m !== TIMEOUT) return;
    }
  }
}

/** The members of `node` that may be dialled now, in the order the C's query gives. */
export function availableMembers(core: SwitchCore, node: FifoNode): OutboundMember[] {
  const now = epochNow(core);
  return fifoTable(core)
    .members.filter(
      (m) => m.fifoName === node.name && m.takingCalls === 1 && m.useCount + m.ringCount < m.simo && (m.nextAvail === 0 || m.nextAvail <= now),
    )
    .map((m, i) => [m, i] as const)
    .sort(
      ([a, i], [b, j]) =>
        a.nextAvail - b.nextAvail || a.outboundFailCount - b.outboundFailCount || a.outboundCallCount - b.outboundCallCount || i - j,
    )
    .map(([m]) => m);
}

/** find_consumers: starts the node's dials; how many members were taken. */
function findConsumers(ctx: ProcessContext, services: ChannelServices, node: FifoNode): number {
  const members = availableMembers(services.core, node);
  if (node.outboundStrategy === 'enterprise') {
    let need = node.callerCount;
    if (node.outboundPerCycle && node.outboundPerCycle < need) need = node.outboundPerCycle;
    else if (node.outboundPerCycleMin && node.outboundPerCycleMin > need) need = node.outboundPerCycleMin;
    const chosen = members.slice(0, need);
    for (const m of chosen) ctx.spawn((c) => enterpriseDial(c, services, node, m));
    return chosen.length;
  }
  if (node.outboundStrategy === 'ringall') {
    const need = node.outboundPerCycle;
    const chosen = members.slice(0, Math.min(MAX_ROWS, need || MAX_ROWS));
    if (chosen.length) ctx.spawn((c) => ringallDial(c, services, node, chosen));
    return chosen.length;
  }
  return 0;
}

/** ring_count=ring_count-1 where ring_count > 0. */
const unring = (m: OutboundMember) => {
  if (m.ringCount > 0) m.ringCount--;
};

/** The dial failed: the member waits out retry_delay and its lag. */
const failed = (core: SwitchCore, node: FifoNode, m: OutboundMember) => {
  m.outboundFailCount++;
  m.nextAvail = epochNow(core) + node.retryDelay + m.lag + 1;
};

const dialDone = (node: FifoNode) => {
  node.ringConsumerCount = Math.max(0, node.ringConsumerCount - 1);
};

function setVar(vars: [string, string][], name: string, value: string): void {
  const i = vars.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
  if (i >= 0) vars[i] = [name, value];
  else vars.push([name, value]);
}

/** The answered leg runs `fifo <data>` (its extension, CS_EXECUTE). */
async function sendToFifo(ctx: ProcessContext, core: SwitchCore, uuid: string, data: string): Promise<void> {
  await callChannel({ ctx, core }, uuid, {
    op: 'setExtension',
    extension: { name: 'fifo', number: 'fifo', applications: [{ application: 'fifo', data }] },
  });
}

/** outbound_ringall_thread_run. */
async function ringallDial(ctx: ProcessContext, services: ChannelServices, node: FifoNode, candidates: OutboundMember[]): Promise<void> {
  const core = services.core;
  const table = fifoTable(core);
  const cancel = (cause: number) => ctx.send(ctx.self, { originateCancel: cause } satisfies OriginateCancel);
  const rows = candidates.filter((m) => !table.consumerOutbound.has(m.uuid) && !table.bridged.has(m.uuid));
  for (const m of rows) table.consumerOutbound.set(m.uuid, cancel);
  try {
    if (rows.length === 0) return;
    node.ringConsumerCount++;
    const ovars: [string, string][] = [];
    let dial = '';
    let timeout = 0;
    rows.forEach((m, i) => {
      const ent = m.originateString.includes('user/');
      const { vars, rest } = ent ? leadingBrackets(m.originateString, '<', '>') : leadingBrackets(m.originateString, '{', '}');
      for (const [n, v] of vars) setVar(ovars, n, v);
      const at = ovars.findIndex(([n]) => n.toLowerCase() === 'fifo_outbound_uuid');
      if (at >= 0) ovars.splice(at, 1);
      const legTimeout = m.timeout || node.ringTimeout;
      if (timeout < legTimeout) timeout = legTimeout;
      dial += ent
        ? `{ignore_early_media=true,outbound_redirect_fatal=true,leg_timeout=${legTimeout},fifo_outbound_uuid=${m.uuid},fifo_name=${node.name}}${rest}${i === rows.length - 1 ? '' : ':_:'}`
        : `[leg_timeout=${legTimeout},fifo_outbound_uuid=${m.uuid},fifo_name=${node.name}]${rest},`;
    });
    const uuidList = rows.map((m) => m.uuid).join(',');
    if (!timeout) timeout = 60;
    const caller = node.peek();
    if (!caller) return;
    const originateUuid = randomUUID();
    const strategyHeaders = (): [string, string][] => [
      ['outbound-strategy', 'ringall'],
      ['caller-uuid', caller.uuid],
    ];
    // the caller's id and exports go to the members; pre-dial carries its data
    const read = await callChannel<[string, string][]>({ ctx, core }, caller.uuid, {
      op: 'work',
      work: (c: Channel) => {
        const given: [string, string][] = [];
        const name = c.variable('caller_id_name');
        const number = c.variable('caller_id_number');
        if (name !== undefined) {
          const prefix = node.outboundName;
          given.push(['origination_caller_id_name', prefix ? (prefix.startsWith('=') ? prefix.slice(1) : `(${prefix}) ${name}`) : name]);
        }
        if (number !== undefined) given.push(['origination_caller_id_number', number]);
        for (const n of (c.variable('fifo_export') ?? '').split(',').filter((x) => x !== '')) {
          const v = c.variable(n);
          if (v !== undefined) given.push([n, v]);
        }
        c.setVariable('fifo_originate_uuid', originateUuid);
        fireFifo(c, node.name, 'pre-dial', [...strategyHeaders(), ['originate_string', dial], ['FIFO-Outbound-UUID-List', uuidList]]);
        return given;
      },
    });
    if (!read)
      fireFifoWith(core, [], node.name, 'pre-dial', [...strategyHeaders(), ['originate_string', dial], ['FIFO-Outbound-UUID-List', uuidList]]);
    const fromCaller = read?.value ?? [];
    for (const [n, v] of fromCaller) {
      const own = n.startsWith('origination_caller_id_') && ovars.some(([x]) => x.toLowerCase() === n);
      if (!own) setVar(ovars, n, v);
    }
    setVar(ovars, 'fifo_bridge_uuid', caller.uuid);
    setVar(ovars, 'fifo_originate_uuid', originateUuid);
    for (const m of rows) m.ringCount++;
    table.callerOutbound.set(caller.uuid, cancel);
    let result: OriginateResult;
    try {
      result = services.originate
        ? await services.originate(ctx, { dial, timeoutSec: timeout, baseVars: ovars, api: { dialplan: 'XML', context: 'default' } })
        : { ok: false, cause: Cause.SERVICE_NOT_IMPLEMENTED, causes: [] };
    } finally {
      table.callerOutbound.delete(caller.uuid);
    }
    if (!result.ok || (result.winner.status !== 'answered' && result.winner.status !== 'early')) {
      const cause = result.ok ? Cause.NO_ANSWER : result.cause;
      const acceptable = cause === Cause.ORIGINATOR_CANCEL || cause === Cause.PICKED_OFF;
      for (const m of rows) {
        if (m.ringCount <= 0) continue;
        m.ringCount--;
        if (!acceptable) {
          failed(core, node, m);
          m.outboundFailTotalCount++;
        }
      }
      fireFifoWith(core, [], node.name, 'post-dial', [
        ...strategyHeaders(),
        ['result', 'failure'],
        ['acceptable', String(acceptable)],
        ['cause', causeName(cause)],
        ['originate_string', dial],
        ['FIFO-Outbound-UUID-List', uuidList],
      ]);
      return;
    }
    const winner = result.winner.uuid;
    await callChannel({ ctx, core }, winner, {
      op: 'work',
      work: (c: Channel) => {
        fireFifo(c, node.name, 'post-dial', [
          ...strategyHeaders(),
          ['FIFO-Outbound-UUID', c.variable('fifo_outbound_uuid') ?? ''],
          ['FIFO-Outbound-UUID-List', uuidList],
          ['result', 'success'],
          ['originate_string', dial],
        ]);
        c.setVariable('fifo_pop_order', undefined);
      },
    });
    await sendToFifo(ctx, core, winner, `${node.name} out nowait`);
    for (const m of rows) unring(m);
  } finally {
    dialDone(node);
    for (const m of rows) if (table.consumerOutbound.get(m.uuid) === cancel) table.consumerOutbound.delete(m.uuid);
  }
}

/** outbound_enterprise_thread_run. */
async function enterpriseDial(ctx: ProcessContext, services: ChannelServices, node: FifoNode, m: OutboundMember): Promise<void> {
  const core = services.core;
  node.ringConsumerCount++;
  try {
    const q = (s: string) => s.replaceAll("'", "''");
    const head = `{execute_on_answer='unset fifo_hangup_check',fifo_name='${q(node.name)}',fifo_hangup_check='${q(node.name)}'`;
    const dial = m.originateString.toLowerCase().includes('origination_caller')
      ? `${head}}${m.originateString}`
      : `${head},origination_caller_id_name=Queue,origination_caller_id_number='Queue: ${q(node.outboundName || node.name)}'}${m.originateString}`;
    const headers = (): [string, string][] => [
      ['FIFO-Outbound-UUID', m.uuid],
      ['outbound-strategy', 'enterprise'],
    ];
    fireFifoWith(core, [], node.name, 'pre-dial', [...headers(), ['originate_string', dial]]);
    m.ringCount++;
    const result: OriginateResult = services.originate
      ? await services.originate(ctx, {
          dial,
          timeoutSec: m.timeout,
          baseVars: [['originate_timeout', String(m.timeout)]],
          api: { dialplan: 'XML', context: 'default' },
        })
      : { ok: false, cause: Cause.SERVICE_NOT_IMPLEMENTED, causes: [] };
    if (!result.ok) {
      m.ringCount--;
      failed(core, node, m);
      fireFifoWith(core, [], node.name, 'post-dial', [
        ...headers(),
        ['result', 'failure'],
        ['cause', causeName(result.cause)],
        ['originate_string', dial],
      ]);
      return;
    }
    const leg = result.winner.uuid;
    const wait = await callChannel<string>({ ctx, core }, leg, {
      op: 'work',
      work: (c: Channel) => {
        fireFifo(c, node.name, 'post-dial', [...headers(), ['result', 'success'], ['originate_string', dial]]);
        const given = c.variable('fifo_member_wait') ?? c.variable('member_wait');
        c.setVariable('fifo_outbound_uuid', m.uuid);
        return given && ['wait', 'nowait'].includes(given.toLowerCase()) ? given : 'wait';
      },
    });
    await sendToFifo(ctx, core, leg, `${node.name} out ${wait?.value ?? 'wait'}`);
    unring(m);
  } finally {
    dialDone(node);
  }
}

/**
 * check_cancel: an enterprise node left without callers hangs up its members' dials not yet
 * answered (those still carrying `fifo_hangup_check`).
 */
export async function checkCancel(ctx: ProcessContext, core: SwitchCore, node: FifoNode): Promise<void> {
  if (node.outboundStrategy !== 'enterprise') return;
  if (node.ringConsumerCount <= 0 || node.callerCount >= 1) return;
  core.log(
    'DEBUG',
    `Outbound call count (${node.ringConsumerCount}) exceeds required value for queue ${node.name} (${node.callerCount}), Ending extraneous calls`,
  );
  const reach = { ctx, core };
  for (const uuid of core.sessions.uuids()) {
    const check = await callChannel<string | undefined>(reach, uuid, { op: 'getvar', name: 'fifo_hangup_check' });
    if (check?.value === node.name) await callChannel(reach, uuid, { op: 'hangup', cause: Cause.ORIGINATOR_CANCEL });
  }
}
