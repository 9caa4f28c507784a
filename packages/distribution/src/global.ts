/**
 * `global_name_server` for a visible (published) node (spec §4.11): enough of OTP's `global`
 * protocol (version 8, as spoken by OTP 25, 26 and 27) that peers finish their connect session with
 * us, so `global:sync()` returns, `global:set_lock`/`trans`/`register_name` work with us in
 * `nodes()`, and the mesh stays fully connected.
 *
 * Per new visible peer N (we play the passive side of the locking; N's locker drives it):
 *   N ⇄ us   {init_connect, {8, Tag}, Node, {locker, _, _, LockerPid}}    (casts, both ways)
 *   N ⇄ us   {init_connect_ack, Node, HisTag, MyTag}                      (plain messages)
 *   N → us   {set_lock, {global, [L1, L2]}} calls (its locker locks both partitions)
 *   N → us   {lock_set, HisLocker, true, Known, OurTag}   we lock our partition (us + our known
 *   us → N   {lock_set, OurLocker, true|false, Known, HisTag}    nodes) with the same lock id
 *   N ⇄ us   {exchange, Node, Names, NamesExt, Tag}      the registered names of each partition
 *   N ⇄ us   {resolved, Node, Ops, Known, unused, NamesExt, Tag}
 *   then we tell our partition {new_nodes, ...} and release our locks; we connect to N's known
 *   nodes and send each {in_sync, Us, true}; nodes told about us do the same to us.
 * Also served: set_lock / del_lock / register / unregister calls (global:trans, register_name
 * from the erl side), {sync, Nodes}, get_known, lost_connection / remove_connection (prevent
 * overlapping partitions), and we multicast lost_connection when we lose a known node.
 *
 * Name clashes between the partitions are resolved as OTP does: by the smaller node, running the
 * registration's resolve fun (global:resolve_it/4) where our pid lives: by rpc on another node,
 * here (`resolveIt`) for a pid of this node; erl resolvers reach the same code by rpc.
 * Not done: registering TS pids globally, the TS-side global API, global groups.
 */
import { Atom, ErlMap, ExportFun, OpaqueFun, Pid, Ref, Tuple, atom, compare, equals, format, t, type Term } from '@beamline/etf';
import { ExitError, type From, GenServer, noreply, ok, pidKey, refKey, type ProcessBehaviour, type ProcessContext } from '@beamline/core';
import { A_GEN_CALL, A_GEN_CAST, asGenCall, asGenCast, isTagged } from './gen_proto.ts';
import type { DistLogger } from './log.ts';
import type { ModuleExports } from './exports.ts';

export const GLOBAL_VSN = 8;
const GNS = 'global_name_server';
const A_GLOBAL = atom('global');
const A_TRUE = atom('true');
const A_FALSE = atom('false');
const A_YES = atom('yes');
const A_OK = atom('ok');
const A_UNDEFINED = atom('undefined');
const A_NONE = atom('none');
const A_INSERT = atom('insert');
const A_DOWN = atom('DOWN');

export interface GlobalHost {
  nodeName: string;
  /** net_kernel:connect_node/1. */
  connect(node: string): Promise<boolean>;
  /** erlang:disconnect_node/1. */
  disconnect(node: string): void;
  /** gen_server:call from a process (throws on failure / timeout). */
  call(ctx: ProcessContext, dest: [string, string], request: Term, timeoutMs: number): Promise<Term>;
  /** rpc:call(Node, M, F, Args): the value or {badrpc, _} (name clash resolution). */
  rpc(node: string, module: string, fun: string, args: Term[]): Promise<Term>;
  logger: DistLogger;
  /** Whose exit signal stops the server besides its locker's: the runtime's init process (the node's stop). */
  stopper: Pid;
}

interface NameEntry {
  name: Term;
  pid: Pid;
  method: Term;
  ref: Ref;
}
interface LockEntry {
  resource: Term;
  reqId: Term;
  holders: { pid: Pid; ref?: Ref }[];
}
interface Session {
  node: string;
  myTag: number;
  hisTag?: Term;
  hisLocker?: Pid;
  hisVsn: number;
  lockId?: Tuple;
  locking: boolean;
  lockSet: boolean;
  lockedRemote: string[];
  hisNames?: Term;
  myOps?: Term[];
  resolving?: boolean;
  hisResolved?: { ops: Term; known: Term; namesExt: Term };
}
interface Syncer {
  waiting: Set<string>;
  done: () => void;
}

/** `global:whereis_name/1` and `registered_names/0` over rpc, read from `state` (none on a hidden node). */
export function globalReaders(state: GlobalState | undefined): ModuleExports {
  return {
    'whereis_name/1': (name: Term) => state?.whereisName(name) ?? atom('undefined'),
    'registered_names/0': () => state?.registeredNames() ?? [],
  };
}

/**
 * global:resolve_it/4 as global.erl runs it where `pid2` lives (for a clash resolved on this node,
 * or asked by rpc): the resolve funs `global` exports, `minmax` ordering the pids by node name.
 * Any other fun is Erlang code this node cannot run: it resolves to `none`, so both partitions
 * drop the name, as a resolve fun that fails does in OTP.
 */
export function resolveIt(signals: Pick<ProcessContext, 'send' | 'exit'>, logger: DistLogger, method: Term, name: Term, pid1: Pid, pid2: Pid): Term {
  const [min, max] = compare(pid1.node, pid2.node) < 0 ? [pid1, pid2] : [pid2, pid1];
  switch (resolveFunName(method)) {
    case 'random_exit_name':
      logger.info(`global: Name conflict terminating ${format(t(name, max))}`);
      signals.exit(max, atom('kill'));
      return min;
    case 'random_notify_name':
      signals.send(max, t(atom('global_name_conflict'), name));
      return min;
    case 'notify_all_name':
      signals.send(pid1, t(atom('global_name_conflict'), name, pid2));
      signals.send(pid2, t(atom('global_name_conflict'), name, pid1));
      return A_NONE;
    default:
      logger.warn(`global: the name ${format(name)} clashes and its resolve fun ${format(method)} cannot run on this node: the name is dropped`);
      return A_NONE;
  }
}

/**
 * Which of global's resolve funs `method` is. register_name/2's default is `fun random_exit_name/3`
 * written inside global.erl, which travels as a local fun of module `global` (its index differs
 * between releases); it is the only local fun of that module and arity a registration can carry.
 */
function resolveFunName(method: Term): string | undefined {
  if (method instanceof ExportFun) return method.module.name === 'global' && method.arity === 3 ? method.name.name : undefined;
  if (method instanceof OpaqueFun) return method.module.name === 'global' && method.arity === 3 ? 'random_exit_name' : undefined;
  return undefined;
}

/** What our global_name_server knows (read-only view for the node API and tests). */
export class GlobalState {
  readonly names = new Map<string, NameEntry>();
  readonly locks = new Map<string, LockEntry>();
  /** Known nodes (synced partitions) → global protocol version. */
  readonly known = new Map<string, number>();
  readonly synced = new Set<string>();
  readonly sessions = new Map<string, Session>();
  /** Counters (tests, debugging). */
  readonly counters = { sessionsDone: 0, lostConnectionSent: 0, removeConnection: 0 };

  /** global:whereis_name/1 as seen by this node. */
  whereisName(name: Term | string): Pid | undefined {
    return this.names.get(format(typeof name === 'string' ? atom(name) : name))?.pid;
  }

  registeredNames(): Term[] {
    return [...this.names.values()].map((e) => e.name);
  }

  knownNodes(): string[] {
    return [...this.known.keys()];
  }

  syncedNodes(): string[] {
    return [...this.synced];
  }
}

/** A name's map key: its printed form, node-qualified (no localNode), so the same on every node. */
const key = (x: Term): string => format(x);
const TRACE = process.env.BEAMLINE_GLOBAL_TRACE === '1';

/**
 * global_name_server as a GenServer, as OTP's is, so that `sys:get_state` / `sys:get_status` from a
 * peer answer; the protocol is the behaviour below, which reads its own `$gen_call`s. The class
 * carries OTP's module name, which `'$initial_call'` shows.
 */
export class global extends GenServer<GlobalServerState, Term, Term> {
  private readonly server: ProcessBehaviour;

  constructor(
    host: GlobalHost,
    private readonly state: GlobalState,
  ) {
    super();
    this.server = globalNameServer(host, state);
  }

  init(_args: unknown, ctx: ProcessContext) {
    this.server.init?.(ctx);
    return ok(new GlobalServerState(ctx.self.node.name, this.state));
  }

  override handleCall(request: Term, from: From, state: GlobalServerState, ctx: ProcessContext) {
    return this.pass(ctx, t(A_GEN_CALL, from.toTerm() as Term, request), state);
  }

  override handleCast(msg: Term, state: GlobalServerState, ctx: ProcessContext) {
    return this.pass(ctx, t(A_GEN_CAST, msg), state);
  }

  override handleInfo(msg: unknown, state: GlobalServerState, ctx: ProcessContext) {
    return this.pass(ctx, msg, state);
  }

  private pass(ctx: ProcessContext, msg: unknown, state: GlobalServerState) {
    this.server.handleMessage(ctx, msg);
    return noreply(state);
  }
}

/**
 * sys:get_state's view: OTP 27's `#state{conf, known, synced, resolvers, syncers, node_name,
 * the_locker, the_registrar, trace, global_lock_down}` with what this node keeps (`known` maps each
 * known node to its protocol version; there is no registrar process).
 */
class GlobalServerState {
  constructor(
    readonly node: string,
    readonly global: GlobalState,
  ) {}

  toJSON(): Tuple {
    const known = new ErlMap([...this.global.known].map(([n, v]) => [atom(n), v] as const));
    const none = atom('undefined');
    const synced = this.global.syncedNodes().map((n) => atom(n));
    return t(atom('state'), t(atom('conf'), A_TRUE, A_TRUE), known, synced, [], [], atom(this.node), none, none, atom('no_trace'), atom('false'));
  }
}

/** The global_name_server protocol. `state` is filled as it runs. */
export function globalNameServer(host: GlobalHost, state: GlobalState): ProcessBehaviour {
  const us = host.nodeName;
  const A_US = atom(us);
  /** Logs print this node's pids as <0.N.S>. */
  const local = { localNode: us };
  let locker: Pid;
  let nextTag = 1;
  let nextJob = 1;
  let opId = 1;
  const jobs = new Map<number, (ok: boolean) => void>();
  const monitors = new Map<string, { kind: 'name'; name: string } | { kind: 'lock'; lock: string; pid: Pid }>();
  const syncers: Syncer[] = [];
  const removing = new Set<string>();
  const lostSeen = new Map<string, { x: Term; op: Term }>();
  const xCreation = Math.floor(Math.random() * 2 ** 40) * 2 ** 12 + 1;

  const cast = (ctx: ProcessContext, node: string, msg: Term): void => {
    if (TRACE) host.logger.debug(`global: -> ${node} cast ${format(msg, local)}`);
    ctx.send([GNS, node] as never, t(A_GEN_CAST, msg));
  };
  const plain = (ctx: ProcessContext, node: string, msg: Term): void => {
    if (TRACE) host.logger.debug(`global: -> ${node} ${format(msg, local)}`);
    ctx.send([GNS, node] as never, msg);
  };
  const knownList = (): Term[] => [...state.known].map(([n, v]) => t(atom(n), v));
  const nodeOf = (p: Pid): string => p.node.name;

  // ---- locks -------------------------------------------------------------------------------
  function setLock(ctx: ProcessContext, id: Term, pid: Pid): boolean {
    if (!(id instanceof Tuple) || id.elements.length !== 2) return false;
    const [res, req] = id.elements;
    const k = key(res);
    const cur = state.locks.get(k);
    if (cur && !equals(cur.reqId, req)) return false;
    const entry = cur ?? { resource: res, reqId: req, holders: [] };
    if (!entry.holders.some((h) => pidKey(h.pid) === pidKey(pid))) {
      const holder: { pid: Pid; ref?: Ref } = { pid };
      if (pid.node.name !== us || pidKey(pid) !== pidKey(locker)) {
        holder.ref = ctx.monitor(pid);
        monitors.set(refKey(holder.ref), { kind: 'lock', lock: k, pid });
      }
      entry.holders.push(holder);
    }
    state.locks.set(k, entry);
    return true;
  }

  function delLock(ctx: ProcessContext, id: Term, pid: Pid): void {
    if (!(id instanceof Tuple) || id.elements.length !== 2) return;
    const k = key(id.elements[0]);
    const cur = state.locks.get(k);
    if (!cur || !equals(cur.reqId, id.elements[1])) return;
    dropHolder(ctx, k, pid);
  }

  function dropHolder(ctx: ProcessContext, k: string, pid: Pid): void {
    const cur = state.locks.get(k);
    if (!cur) return;
    const i = cur.holders.findIndex((h) => pidKey(h.pid) === pidKey(pid));
    if (i < 0) return;
    const [h] = cur.holders.splice(i, 1);
    if (h!.ref) {
      ctx.demonitor(h!.ref, { flush: true });
      monitors.delete(refKey(h!.ref));
    }
    if (cur.holders.length === 0) state.locks.delete(k);
  }

  // ---- names -------------------------------------------------------------------------------
  function insertName(ctx: ProcessContext, name: Term, pid: Term, method: Term): void {
    if (!(pid instanceof Pid)) return;
    deleteName(ctx, name);
    const ref = ctx.monitor(pid);
    const k = key(name);
    state.names.set(k, { name, pid, method, ref });
    monitors.set(refKey(ref), { kind: 'name', name: k });
  }

  function deleteName(ctx: ProcessContext, name: Term): void {
    const k = key(name);
    const e = state.names.get(k);
    if (!e) return;
    state.names.delete(k);
    ctx.demonitor(e.ref, { flush: true });
    monitors.delete(refKey(e.ref));
  }

  function applyOps(ctx: ProcessContext, ops: Term): void {
    if (!Array.isArray(ops)) return;
    for (const op of ops) {
      if (isTagged(op, 'insert', 2) && op.elements[1] instanceof Tuple && op.elements[1].elements.length === 3) {
        const [name, pid, method] = op.elements[1].elements;
        insertName(ctx, name!, pid!, method!);
      } else if (isTagged(op, 'delete', 2)) deleteName(ctx, op.elements[1]!);
    }
  }

  /**
   * exchange_names: his names against ours → Ops for our side, Resolved for his side, and the
   * clashes we must resolve (the smaller node of the two resolves; the other one skips them).
   */
  function exchangeNames(node: string, nameList: Term): { ops: Term[]; res: Term[]; clashes: [Tuple, NameEntry][] } {
    const ops: Term[] = [];
    const res: Term[] = [];
    const clashes: [Tuple, NameEntry][] = [];
    if (!Array.isArray(nameList)) return { ops, res, clashes };
    for (const e of nameList) {
      if (!(e instanceof Tuple) || e.elements.length !== 3) continue;
      const [name, pid] = e.elements;
      const mine = state.names.get(key(name!));
      if (!mine) ops.push(t(A_INSERT, e));
      else if (!equals(mine.pid, pid!) && compare(A_US, atom(node)) < 0) clashes.push([e, mine]);
    }
    return { ops, res, clashes };
  }

  /** Run each clash's resolve fun where our pid lives (global:resolve_it/4), as OTP does. */
  async function resolveClashes(ctx: ProcessContext, clashes: [Tuple, NameEntry][], ops: Term[], res: Term[]): Promise<void> {
    for (const [his, mine] of clashes) {
      const [name, pid, method] = his.elements;
      const ours = t(A_INSERT, t(name!, mine.pid, mine.method));
      let r: Term = A_UNDEFINED;
      try {
        r =
          mine.pid.node.name === us
            ? resolveIt(ctx, host.logger, mine.method, name!, pid as Pid, mine.pid)
            : await host.rpc(mine.pid.node.name, 'global', 'resolve_it', [mine.method, name!, pid!, mine.pid]);
      } catch {
        r = t(atom('badrpc'), atom('error'));
      }
      if (equals(r, pid!)) ops.push(t(A_INSERT, t(name!, pid!, method!)));
      else if (equals(r, mine.pid)) res.push(ours);
      else if (isTagged(r, 'badrpc', 2)) ops.push(t(A_INSERT, t(name!, pid!, method!)));
      else {
        ops.push(t(atom('delete'), name!));
        res.push(t(atom('delete'), name!));
      }
    }
  }

  // ---- sync waiters ------------------------------------------------------------------------
  function markSynced(node: string): void {
    state.synced.add(node);
    for (const s of [...syncers]) {
      s.waiting.delete(node);
      if (s.waiting.size === 0) finishSyncer(s);
    }
  }
  function nodeGone(node: string): void {
    for (const s of [...syncers]) {
      s.waiting.delete(node);
      if (s.waiting.size === 0) finishSyncer(s);
    }
  }
  function finishSyncer(s: Syncer): void {
    const i = syncers.indexOf(s);
    if (i >= 0) syncers.splice(i, 1);
    s.done();
  }

  // ---- the locker process: remote set_lock / del_lock calls ---------------------------------
  function lockerJob(ctx: ProcessContext, job: Term, onDone?: (ok: boolean) => void): void {
    const id = nextJob++;
    if (onDone) jobs.set(id, onDone);
    ctx.send(locker, t(atom('job'), id, job));
  }

  const lockerCode = async (ctx: ProcessContext): Promise<void> => {
    const call = async (node: string, req: Term): Promise<Term> => {
      try {
        return await host.call(ctx, [GNS, node], req, 10_000);
      } catch {
        return A_FALSE;
      }
    };
    for (;;) {
      const m = await ctx.receive();
      if (!isTagged(m, 'job', 3)) continue;
      const [, id, job] = m.elements;
      let ok = true;
      if (isTagged(job, 'lock', 3)) {
        // {lock, LockId, Nodes}: all or nothing
        const [, lockId, nodes] = job.elements;
        const done: string[] = [];
        for (const n of nodes as Atom[]) {
          if ((await call(n.name, t(atom('set_lock'), lockId!))) === A_TRUE) done.push(n.name);
          else {
            ok = false;
            break;
          }
        }
        if (!ok) for (const n of done) await call(n, t(atom('del_lock'), lockId!));
      } else if (isTagged(job, 'unlock', 4)) {
        // {unlock, LockId, Nodes, Casts}: the casts go first (new_nodes before del_lock, as OTP)
        const [, lockId, nodes, casts] = job.elements;
        for (const c of casts as Tuple[]) ctx.send([GNS, (c.elements[0] as Atom).name] as never, t(A_GEN_CAST, c.elements[1]!));
        for (const n of nodes as Atom[]) await call(n.name, t(atom('del_lock'), lockId!));
      }
      ctx.send(ctx.whereis(GNS) ?? ctx.self, t(atom('job_done'), id!, ok ? A_TRUE : A_FALSE));
    }
  };

  // ---- connect sessions --------------------------------------------------------------------
  function startSession(ctx: ProcessContext, node: string): Session {
    const s: Session = { node, myTag: nextTag++, hisVsn: GLOBAL_VSN, locking: false, lockSet: false, lockedRemote: [] };
    state.sessions.set(node, s);
    cast(ctx, node, t(atom('init_connect'), t(GLOBAL_VSN, s.myTag), A_US, t(atom('locker'), atom('no_longer_a_pid'), [], locker)));
    return s;
  }

  function abortSession(ctx: ProcessContext, s: Session): void {
    if (state.sessions.get(s.node) === s) state.sessions.delete(s.node);
    if (s.lockId && (s.locking || s.lockSet)) {
      delLock(ctx, s.lockId, locker);
      if (s.lockedRemote.length > 0)
        lockerJob(
          ctx,
          t(
            atom('unlock'),
            s.lockId,
            s.lockedRemote.map((n) => atom(n)),
            [],
          ),
        );
    }
    s.locking = false;
    s.lockSet = false;
  }

  function restart(ctx: ProcessContext, s: Session): void {
    abortSession(ctx, s);
    startSession(ctx, s.node);
  }

  function session(node: string, tag: Term): Session | undefined {
    const s = state.sessions.get(node);
    return s && equals(s.myTag, tag) ? s : undefined;
  }

  function lockIdFor(his: Pid): Tuple {
    // Prefer the id his locker already set on us (exactly its lists:sort/1 order).
    const cur = state.locks.get(key(A_GLOBAL));
    if (cur && Array.isArray(cur.reqId) && cur.reqId.length === 2) {
      const ks = (cur.reqId as Pid[]).map((p) => (p instanceof Pid ? pidKey(p) : ''));
      if (ks.includes(pidKey(his)) && ks.includes(pidKey(locker))) return t(A_GLOBAL, cur.reqId);
    }
    return t(
      A_GLOBAL,
      [locker, his].sort((a, b) => compare(a, b)),
    );
  }

  function onLockSet(ctx: ProcessContext, s: Session, his: Pid): void {
    if (s.locking || s.lockSet) return;
    s.hisLocker ??= his;
    const lockId = lockIdFor(his);
    s.lockId = lockId;
    const reply = (ok: boolean): void => cast(ctx, s.node, t(atom('lock_set'), locker, ok ? A_TRUE : A_FALSE, knownList(), s.hisTag ?? 0));
    if (!setLock(ctx, lockId, locker)) {
      reply(false);
      return;
    }
    s.locking = true;
    const others = [...state.known.keys()].filter((n) => n !== s.node);
    const done = (ok: boolean): void => {
      if (state.sessions.get(s.node) !== s || !s.locking) return;
      s.locking = false;
      if (!ok) {
        s.lockedRemote = [];
        delLock(ctx, lockId, locker);
        reply(false);
        return;
      }
      s.lockedRemote = others;
      s.lockSet = true;
      reply(true);
      cast(ctx, s.node, t(atom('exchange'), A_US, namesList(), [], s.hisTag ?? 0));
      if (s.hisNames !== undefined) doExchange(ctx, s);
    };
    if (others.length === 0) done(true);
    else
      lockerJob(
        ctx,
        t(
          atom('lock'),
          lockId,
          others.map((n) => atom(n)),
        ),
        done,
      );
  }

  function namesList(): Term[] {
    return [...state.names.values()].map((e) => t(e.name, e.pid, e.method));
  }

  function doExchange(ctx: ProcessContext, s: Session): void {
    if (s.myOps || s.resolving) return;
    const { ops, res, clashes } = exchangeNames(s.node, s.hisNames!);
    if (clashes.length === 0) return exchangeDone(ctx, s, ops, res);
    // like OTP's resolver process: the server keeps serving meanwhile
    s.resolving = true;
    const gns = ctx.self;
    ctx.spawn(async (w: ProcessContext) => {
      await resolveClashes(w, clashes, ops, res);
      w.send(gns, t(atom('exchange_ops'), atom(s.node), s.myTag, ops, res));
    });
  }

  function exchangeDone(ctx: ProcessContext, s: Session, ops: Term[], res: Term[]): void {
    s.resolving = false;
    s.myOps = ops;
    cast(ctx, s.node, t(atom('resolved'), A_US, res, knownList(), atom('unused'), [], s.hisTag ?? 0));
    if (s.hisResolved) finish(ctx, s);
  }

  function finish(ctx: ProcessContext, s: Session): void {
    const hr = s.hisResolved!;
    const ops = [...s.myOps!, ...(Array.isArray(hr.ops) ? hr.ops : [])];
    const hisKnown = nodeVsnList(hr.known);
    const newNodes: Term[] = [t(atom(s.node), s.hisVsn), ...hisKnown.map(([n, v]) => t(atom(n), v))];
    syncOthers(
      ctx,
      hisKnown.map(([n]) => n).filter((n) => n !== us),
    );
    applyOps(ctx, ops);
    state.sessions.delete(s.node);
    const extra = [t(atom('vsn'), s.hisVsn), t(atom('lock'), s.lockId ?? A_UNDEFINED)];
    const msg = t(atom('new_nodes'), A_US, ops, hr.namesExt, newNodes, extra);
    const casts = [...state.known.keys()].filter((n) => n !== s.node).map((n) => t(atom(n), msg));
    if (s.lockId) {
      delLock(ctx, s.lockId, locker);
      lockerJob(
        ctx,
        t(
          atom('unlock'),
          s.lockId,
          s.lockedRemote.map((n) => atom(n)),
          casts,
        ),
      );
    }
    addToKnown(ctx, [[s.node, s.hisVsn], ...hisKnown]);
    markSynced(s.node);
    state.counters.sessionsDone++;
    host.logger.debug('global: synced', { node: s.node });
  }

  function nodeVsnList(l: Term): [string, number][] {
    const out: [string, number][] = [];
    if (!Array.isArray(l)) return out;
    for (const e of l) {
      if (e instanceof Atom) out.push([e.name, 0]);
      else if (e instanceof Tuple && e.elements[0] instanceof Atom) out.push([e.elements[0].name, Number(e.elements[1] ?? 0)]);
    }
    return out;
  }

  /** add_to_known: the nodes that were new. */
  function addToKnown(_ctx: ProcessContext, nodes: [string, number][]): string[] {
    const added: string[] = [];
    for (const [n, v] of nodes) {
      if (n === us) continue;
      if (!state.known.has(n)) {
        state.known.set(n, v);
        added.push(n);
      } else if ((state.known.get(n) ?? 0) <= 0 && v > 0) state.known.set(n, v);
    }
    return added;
  }

  /** sync_others: connect to each node and tell it we are in sync with it. */
  function syncOthers(ctx: ProcessContext, nodes: string[]): void {
    for (const n of nodes) {
      ctx.spawn(async (w: ProcessContext) => {
        if (await host.connect(n)) w.send([GNS, n] as never, t(A_GEN_CAST, t(atom('in_sync'), A_US, A_TRUE)));
        else host.logger.warn(`global: failed to connect to ${n}`);
      });
    }
  }

  function nodeUp(ctx: ProcessContext, node: string): void {
    if (node === us || state.known.has(node) || state.sessions.has(node)) return;
    startSession(ctx, node);
  }

  function nodeDown(ctx: ProcessContext, node: string): void {
    const s = state.sessions.get(node);
    if (s) abortSession(ctx, s);
    const wasKnown = state.known.delete(node);
    state.synced.delete(node);
    nodeGone(node);
    if (removing.delete(node)) return;
    if (wasKnown) {
      // prevent_overlapping_partitions: tell the others we lost this node
      const msg = t(atom('lost_connection'), A_US, xCreation, opId++, atom(node));
      for (const n of state.known.keys()) plain(ctx, n, msg);
      state.counters.lostConnectionSent++;
    }
  }

  function forget(ctx: ProcessContext, node: string): void {
    const s = state.sessions.get(node);
    if (s) abortSession(ctx, s);
    state.known.delete(node);
    state.synced.delete(node);
    removing.add(node);
  }

  // ---- calls -------------------------------------------------------------------------------
  function handleCall(ctx: ProcessContext, from: Pid, req: Term): Term | undefined {
    if (isTagged(req, 'set_lock', 2)) return setLock(ctx, req.elements[1]!, from) ? A_TRUE : A_FALSE;
    if (isTagged(req, 'del_lock', 2)) {
      delLock(ctx, req.elements[1]!, from);
      return A_TRUE;
    }
    if (isTagged(req, 'register', 4)) {
      insertName(ctx, req.elements[1]!, req.elements[2]!, req.elements[3]!);
      return A_YES;
    }
    if (isTagged(req, 'register_ext', 5)) {
      insertName(ctx, req.elements[1]!, req.elements[2]!, req.elements[3]!);
      return A_YES;
    }
    if (isTagged(req, 'unregister', 2)) {
      deleteName(ctx, req.elements[1]!);
      return A_OK;
    }
    if (req === atom('get_known')) return knownList();
    if (req === atom('get_synced')) return [...state.synced].map((n) => atom(n));
    if (req === atom('get_protocol_version')) return GLOBAL_VSN;
    if (req === atom('get_names_ext')) return [];
    return undefined;
  }

  function handleCast(ctx: ProcessContext, m: Term): void {
    if (isTagged(m, 'init_connect', 4)) {
      const [, vsn, nodeA, initMsg] = m.elements;
      if (!(nodeA instanceof Atom) || !(vsn instanceof Tuple) || vsn.elements.length < 2) return;
      const node = nodeA.name;
      if (state.known.has(node)) return;
      const hisVsn = Math.min(Number(vsn.elements[0]), GLOBAL_VSN);
      const hisTag = vsn.elements[1]!;
      let s = state.sessions.get(node);
      if (s && s.hisTag !== undefined) {
        // a second attempt while one is going on: cancel both and start over (as OTP does)
        plain(ctx, node, t(atom('cancel_connect'), A_US, hisTag));
        restart(ctx, s);
        return;
      }
      s ??= startSession(ctx, node);
      s.hisTag = hisTag;
      s.hisVsn = hisVsn;
      if (isTagged(initMsg, 'locker', 4) && initMsg.elements[3] instanceof Pid) s.hisLocker = initMsg.elements[3];
      if (hisVsn >= 8) plain(ctx, node, t(atom('init_connect_ack'), A_US, hisTag, s.myTag));
    } else if (isTagged(m, 'lock_set', 5)) {
      const [, pid, set, , tag] = m.elements;
      if (!(pid instanceof Pid) || set !== A_TRUE) return;
      const s = session(nodeOf(pid), tag!);
      if (s && s.hisTag !== undefined) onLockSet(ctx, s, pid);
    } else if (isTagged(m, 'exchange', 5)) {
      const [, nodeA, names, , tag] = m.elements;
      const s = nodeA instanceof Atom ? session(nodeA.name, tag!) : undefined;
      if (!s) return;
      s.hisNames = names!;
      if (s.lockSet) doExchange(ctx, s);
    } else if (isTagged(m, 'resolved', 7)) {
      const [, nodeA, ops, known, , namesExt, tag] = m.elements;
      const s = nodeA instanceof Atom ? session(nodeA.name, tag!) : undefined;
      if (!s) return;
      s.hisResolved = { ops: ops!, known: known!, namesExt: namesExt! };
      if (s.myOps && !s.resolving) finish(ctx, s);
    } else if (isTagged(m, 'new_nodes', 6)) {
      const [, , ops, , nodes] = m.elements;
      const added = addToKnown(ctx, nodeVsnList(nodes!));
      syncOthers(ctx, added);
      applyOps(ctx, ops!);
    } else if (isTagged(m, 'in_sync', 3)) {
      const nodeA = m.elements[1];
      if (!(nodeA instanceof Atom)) return;
      const s = state.sessions.get(nodeA.name);
      if (s) abortSession(ctx, s);
      markSynced(nodeA.name);
    }
    // async_del_name, async_del_lock, lock_set false, old 4-tuple lock_set: nothing to do
  }

  function handleInfo(ctx: ProcessContext, m: Term): void {
    if (isTagged(m, 'init_connect_ack', 4)) {
      const [, nodeA, hisMyTag, hisHisTag] = m.elements;
      if (!(nodeA instanceof Atom)) return;
      const s = state.sessions.get(nodeA.name);
      if (!s) return;
      // {init_connect_ack, Node, OurTag, HisTag}: both sides agree on the session
      if (s.hisTag !== undefined && equals(s.myTag, hisMyTag!) && equals(s.hisTag, hisHisTag!)) return;
      plain(ctx, nodeA.name, t(atom('cancel_connect'), A_US, hisHisTag!));
      restart(ctx, s);
    } else if (isTagged(m, 'cancel_connect', 3)) {
      const [, nodeA, tag] = m.elements;
      if (!(nodeA instanceof Atom)) return;
      const s = session(nodeA.name, tag!);
      if (s) restart(ctx, s);
    } else if (isTagged(m, 'lost_connection', 5)) {
      const [, nodeA, x, op, nodeB] = m.elements;
      if (!(nodeA instanceof Atom) || !(nodeB instanceof Atom)) return;
      // seen before: same reporter incarnation and an op id not newer (ids are bigints: compare terms)
      const k = `${nodeA.name} ${nodeB.name}`;
      const seen = lostSeen.get(k);
      if (seen !== undefined && equals(seen.x, x!) && compare(op!, seen.op) <= 0) return;
      if (lostSeen.size > 10_000) lostSeen.clear();
      lostSeen.set(k, { x: x!, op: op! });
      for (const n of state.known.keys()) if (n !== nodeA.name) plain(ctx, n, m);
      const rm = nodeB.name === us ? nodeA.name : nodeB.name;
      if (state.known.has(rm) || state.sessions.has(rm)) {
        host.logger.warn(`global: asking ${rm} to disconnect from us to prevent overlapping partitions`);
        plain(ctx, rm, t(atom('remove_connection'), A_US));
        forget(ctx, rm);
      }
    } else if (isTagged(m, 'remove_connection', 2)) {
      const nodeA = m.elements[1];
      if (!(nodeA instanceof Atom) || !(state.known.has(nodeA.name) || state.sessions.has(nodeA.name))) return;
      state.counters.removeConnection++;
      host.logger.warn(`global: disconnecting ${nodeA.name} to prevent overlapping partitions`);
      forget(ctx, nodeA.name);
      host.disconnect(nodeA.name);
    } else if (isTagged(m, 'whereis', 3)) {
      const [, name, from] = m.elements;
      if (from instanceof Tuple && from.elements[0] instanceof Pid)
        ctx.send(from.elements[0], t(from.elements[1]!, state.names.get(key(name!))?.pid ?? A_UNDEFINED));
    }
  }

  return {
    behaviourName: 'global_name_server',
    init(ctx: ProcessContext): void {
      ctx.trapExit(true);
      locker = ctx.spawnLink(lockerCode);
    },
    handleMessage(ctx: ProcessContext, msg: unknown): void {
      const m = msg as Term;
      if (TRACE) host.logger.debug(`global: <- ${format(m, local)}`);
      const call = asGenCall(ctx, m);
      if (call) {
        if (isTagged(call.request, 'sync', 2)) {
          const nodes = Array.isArray(call.request.elements[1]) ? (call.request.elements[1] as Term[]) : [];
          const waiting = new Set(nodes.filter((n): n is Atom => n instanceof Atom && n.name !== us && !state.synced.has(n.name)).map((n) => n.name));
          const s: Syncer = { waiting, done: () => call.from.reply(A_OK) };
          if (waiting.size === 0) s.done();
          else syncers.push(s);
          return;
        }
        const reply = handleCall(ctx, call.from.pid, call.request);
        if (reply !== undefined) call.from.reply(reply);
        else host.logger.warn('global: unexpected call', { request: format(call.request, local) });
        return;
      }
      const c = asGenCast(m);
      if (c !== undefined) return handleCast(ctx, c);
      if (isTagged(m, 'nodeup', 2) && m.elements[1] instanceof Atom) return nodeUp(ctx, m.elements[1].name);
      if (isTagged(m, 'nodedown', 2) && m.elements[1] instanceof Atom) return nodeDown(ctx, m.elements[1].name);
      if (isTagged(m, 'exchange_ops', 5) && m.elements[1] instanceof Atom) {
        const s = session(m.elements[1].name, m.elements[2]!);
        if (s?.resolving) exchangeDone(ctx, s, m.elements[3] as Term[], m.elements[4] as Term[]);
        return;
      }
      if (isTagged(m, 'job_done', 3)) {
        const id = Number(m.elements[1]);
        const f = jobs.get(id);
        jobs.delete(id);
        f?.(m.elements[2] === A_TRUE);
        return;
      }
      if (m instanceof Tuple && m.elements.length === 5 && m.elements[0] === A_DOWN && m.elements[1] instanceof Ref) {
        const mon = monitors.get(refKey(m.elements[1]));
        if (!mon) return;
        monitors.delete(refKey(m.elements[1]));
        if (mon.kind === 'name') {
          const e = state.names.get(mon.name);
          if (e && refKey(e.ref) === refKey(m.elements[1])) state.names.delete(mon.name);
        } else {
          const cur = state.locks.get(mon.lock);
          if (cur) {
            cur.holders = cur.holders.filter((h) => pidKey(h.pid) !== pidKey(mon.pid));
            if (cur.holders.length === 0) state.locks.delete(mon.lock);
          }
        }
        return;
      }
      // the node's stop (shutdown) or our linked locker: stop, as a gen_server does; any other
      // {'EXIT', …} (a peer may send one) is ignored, as OTP's global ignores an unknown pid's
      if (isTagged(m, 'EXIT', 3)) {
        const from = m.elements[1];
        if (from instanceof Pid && (pidKey(from) === pidKey(locker) || pidKey(from) === pidKey(host.stopper))) throw new ExitError(m.elements[2]);
        return;
      }
      handleInfo(ctx, m);
    },
  };
}
