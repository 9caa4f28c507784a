/**
 * mod_fifo's nodes, one table per switch: each named FIFO with its callers — ten priority slots,
 * each oldest first (fifo_queue_t) — its waiting consumers, its bridges, and the counts `fifo count`
 * and `fifo list` print. Nodes are kept in the order they were made (FreeSWITCH's hash has an
 * order of its own). A node is made by the first `fifo` that names it, with the importance given
 * then (`<name>!<importance>`).
 */
import type { SwitchCore } from '../core/core.ts';

/** The queue mod_fifo keeps for tracked manual calls (a name fifo.conf may not use). */
export const MANUAL_QUEUE_NAME = 'manual_calls';

/** MAX_PRI: the priority slots 0 (first served) to 9. */
export const MAX_PRI = 10;
/** A slot holds at most this many callers (fifo_queue_create(…, 1000): one less). */
const SLOT_SIZE = 999;

/** A caller waiting in a node (the CHANNEL_DATA event the C keeps, reduced to what is read of it). */
export interface FifoCaller {
  readonly uuid: string;
  /** Its priority slot. */
  readonly slot: number;
  /** `fifo_vip` as the caller had it when it joined. */
  readonly vip: boolean;
  /**
   * The consumer takes the caller: runs in the caller's process (`breakMedia`: its CF_BREAK, which
   * ends its music); false when it is no longer waiting.
   */
  readonly serve: (consumerUuid: string, consumerId: string, breakMedia: () => void) => boolean;
  /** Resolves once the caller left its `fifo` application after `serve` (true) or hung up (false). */
  readonly left: Promise<boolean>;
}

/** A consumer waiting on (or talking for) a node. */
export interface FifoConsumer {
  readonly uuid: string;
  /** CF_BRIDGED: talking to a caller. */
  bridged: boolean;
  /** Tells the consumer a caller arrived (run from any process; the consumer acts in its own). */
  readonly wake: () => void;
}

/** A bridge a consumer made (the fifo_bridge table). */
export interface FifoBridge {
  readonly callerUuid: string;
  readonly callerIdName: string;
  readonly callerIdNumber: string;
  readonly consumerUuid: string;
  readonly consumerOutgoingUuid: string;
  /** Epoch seconds. */
  readonly start: number;
}

/** A node's outbound strategy (print_strategy; a name fifo.conf gives that is neither is `invalid`). */
export type OutboundStrategy = 'ringall' | 'enterprise' | 'invalid';

/** parse_strategy. */
export function parseStrategy(name: string): OutboundStrategy {
  const n = name.toLowerCase();
  return n === 'ringall' || n === 'enterprise' ? n : 'invalid';
}

/** A row of the fifo_outbound table: a member the node thread dials for a node's callers. */
export interface OutboundMember {
  /** The md5 of the originate string, or its `{fifo_outbound_uuid=…}` (the outbound id). */
  readonly uuid: string;
  readonly fifoName: string;
  readonly originateString: string;
  readonly simo: number;
  readonly timeout: number;
  readonly lag: number;
  /** Epoch seconds (0: none). */
  readonly expires: number;
  /** From fifo.conf (reloads replace these). */
  readonly isStatic: boolean;
  readonly takingCalls: number;
  /** Epoch seconds when it was added. */
  readonly activeTime: number;
  useCount: number;
  ringCount: number;
  /** Epoch seconds before which it is not dialled (0: at once). */
  nextAvail: number;
  outboundCallCount: number;
  outboundFailCount: number;
  outboundCallTotalCount: number;
  outboundFailTotalCount: number;
  startTime: number;
  stopTime: number;
}

export class FifoNode {
  readonly name: string;
  importance: number;
  readonly slots: FifoCaller[][] = Array.from({ length: MAX_PRI }, () => []);
  readonly consumers = new Map<string, FifoConsumer>();
  consumerCount = 0;
  /** Outbound calls to members under way for this node. */
  ringConsumerCount = 0;
  /** Its members in the outbound table. */
  memberCount = 0;
  /** has_outbound: the node dials members (it has some, or fifo.conf gave it outbound settings). */
  hasOutbound = false;
  outboundPerCycle = 0;
  outboundPerCycleMin = 0;
  ringTimeout = 0;
  defaultLag = 0;
  /** 1–10: the node thread's pass that looks at it (0 reads as 5). */
  outboundPriority = 0;
  outboundStrategy: OutboundStrategy = 'ringall';
  /** fifo.conf's `outbound_name`: the caller id prefix (ringall) or the queue's name (enterprise) members see. */
  outboundName: string | undefined;
  /** fifo.conf's `retry_delay`: seconds added to a member's lag after a failed dial. */
  retryDelay = 0;
  /** µs epoch since when the node has had callers (0: none). */
  startWaiting = 0;
  readonly bridges: FifoBridge[] = [];

  constructor(name: string, importance: number) {
    this.name = name;
    this.importance = importance;
  }

  /** node_caller_count. */
  get callerCount(): number {
    return this.slots.reduce((n, s) => n + s.length, 0);
  }

  /** node_idle_consumers: the consumers not bridged. */
  get idleConsumers(): number {
    let n = 0;
    for (const c of this.consumers.values()) if (!c.bridged) n++;
    return n;
  }

  /** fifo_queue_push: false when the slot is full. */
  push(slot: number, caller: FifoCaller, nowUs: number): boolean {
    const s = this.slots[slot];
    if (!s || s.length >= SLOT_SIZE) return false;
    if (this.callerCount === 0) this.startWaiting = nowUs;
    s.push(caller);
    return true;
  }

  /** A caller taken but not served goes back to the head of its slot. */
  putBack(caller: FifoCaller, nowUs: number): void {
    if (this.callerCount === 0) this.startWaiting = nowUs;
    this.slots[caller.slot]?.unshift(caller);
  }

  /**
   * fifo_queue_pop / _pop_nameval on the slots in `order`: the first `fifo_vip` caller, else the
   * oldest of the first slot that has one. Returns it with the new positions of the callers after
   * it in its slot (change_pos).
   */
  pop(order: readonly number[]): { caller: FifoCaller; moved: [string, number][] } | undefined {
    for (const want of [(c: FifoCaller) => c.vip, () => true])
      for (const x of order) {
        const s = this.slots[x];
        const i = s ? s.findIndex(want) : -1;
        if (s && i >= 0) return this.#take(s, i);
      }
    return undefined;
  }

  /** The caller `uuid` taken from the slots in `order` (a consumer told `fifo_bridge_uuid`). */
  popUuid(uuid: string, order: readonly number[]): { caller: FifoCaller; moved: [string, number][] } | undefined {
    for (const x of order) {
      const s = this.slots[x];
      const i = s ? s.findIndex((c) => c.uuid === uuid) : -1;
      if (s && i >= 0) return this.#take(s, i);
    }
    return undefined;
  }

  /** The caller a ringall dial is for, left in its slot: the first VIP, else the oldest of the first slot with one. */
  peek(): FifoCaller | undefined {
    for (const s of this.slots) {
      const vip = s.find((c) => c.vip);
      if (vip) return vip;
    }
    return this.slots.find((s) => s.length > 0)?.[0];
  }

  /** node_remove_uuid (fifo_queue_popfly on every slot); the positions that changed. */
  remove(uuid: string): [string, number][] {
    for (const s of this.slots) {
      const i = s.findIndex((c) => c.uuid === uuid);
      if (i >= 0) return this.#take(s, i).moved;
    }
    return [];
  }

  #take(s: FifoCaller[], i: number): { caller: FifoCaller; moved: [string, number][] } {
    const [caller] = s.splice(i, 1) as [FifoCaller];
    if (this.callerCount === 0) this.startWaiting = 0;
    return { caller, moved: s.slice(i).map((c, k) => [c.uuid, i + k + 1]) };
  }
}

interface FifoTable {
  readonly nodes: Map<string, FifoNode>;
  /** bridge_hash: the uuids (and outbound ids) in a fifo bridge (`fifo_check_bridge`). */
  readonly bridged: Set<string>;
  /** The fifo_outbound table, in the order rows were added. */
  members: OutboundMember[];
  /** use_hash: the calls each outbound id is on. */
  readonly useCounts: Map<string, number>;
  /** caller_orig_hash: a caller's ringall dial, cancelled with a cause. */
  readonly callerOutbound: Map<string, (cause: number) => void>;
  /** consumer_orig_hash: the dial each member (outbound id) is in. */
  readonly consumerOutbound: Map<string, (cause: number) => void>;
  /** fifo.conf's `outbound-strategy`: new nodes' strategy. */
  defaultStrategy: OutboundStrategy;
  /** Starts the node thread (set when the switch loads mod_fifo); it starts with the first node that dials out. */
  startNodeThread?: () => void;
  nodeThreadStarted: boolean;
}

const TABLES = new WeakMap<SwitchCore, FifoTable>();

export function fifoTable(core: SwitchCore): FifoTable {
  let t = TABLES.get(core);
  if (!t) {
    t = {
      nodes: new Map(),
      bridged: new Set(),
      members: [],
      useCounts: new Map(),
      callerOutbound: new Map(),
      consumerOutbound: new Map(),
      defaultStrategy: 'ringall',
      nodeThreadStarted: false,
    };
    TABLES.set(core, t);
  }
  return t;
}

/** The node `name`, made with `importance` when there is none yet (create_node). */
export function findOrCreateNode(core: SwitchCore, name: string, importance: number): FifoNode {
  const nodes = fifoTable(core).nodes;
  let node = nodes.get(name);
  if (!node) {
    node = new FifoNode(name, importance);
    node.outboundStrategy = fifoTable(core).defaultStrategy;
    countMembers(core, node);
    nodes.set(name, node);
  }
  return node;
}

/** member_count (a count of its rows) and has_outbound follow it, as after fifo_member add / del. */
export function countMembers(core: SwitchCore, node: FifoNode): void {
  node.memberCount = fifoTable(core).members.filter((m) => m.fifoName === node.name).length;
  node.hasOutbound = node.memberCount > 0;
  if (node.hasOutbound) ensureNodeThread(core);
}

/** The node thread runs once some node has outbound members (FreeSWITCH starts it with the module). */
export function ensureNodeThread(core: SwitchCore): void {
  const t = fifoTable(core);
  if (t.nodeThreadStarted || !t.startNodeThread) return;
  t.nodeThreadStarted = true;
  t.startNodeThread();
}

/** fifo_get_use_count. */
export const useCount = (core: SwitchCore, outboundId: string): number => fifoTable(core).useCounts.get(outboundId) ?? 0;

/** fifo_inc_use_count / fifo_dec_use_count (never below 0). */
export function addUse(core: SwitchCore, outboundId: string, by: 1 | -1): void {
  const counts = fifoTable(core).useCounts;
  const n = counts.get(outboundId);
  if (by > 0) counts.set(outboundId, (n ?? 0) + 1);
  else if (n !== undefined && n > 0) counts.set(outboundId, n - 1);
}

/** cancel_caller_outbound_call: the ringall dial for this caller ends with `cause`. */
export function cancelCallerOutbound(core: SwitchCore, callerUuid: string, cause: number): void {
  fifoTable(core).callerOutbound.get(callerUuid)?.(cause);
}

/** cancel_consumer_outbound_call: the dial that member is in ends with `cause`. */
export function cancelConsumerOutbound(core: SwitchCore, outboundId: string | undefined, cause: number): void {
  if (outboundId) fifoTable(core).consumerOutbound.get(outboundId)?.(cause);
}

/** `fifo_destroy_after_use`: the node goes once it has no callers and no consumers. */
export function destroyIfUnused(core: SwitchCore, node: FifoNode): void {
  if (node.callerCount === 0 && node.consumerCount === 0 && fifoTable(core).nodes.get(node.name) === node) fifoTable(core).nodes.delete(node.name);
}
