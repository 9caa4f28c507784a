/**
 * The public node API: one call makes a @beamline/core runtime a distributed Erlang node.
 *
 * ```ts
 * const node = await startNode({ name: 'ts@localhost', cookie: 'secret' });
 * node.exportModule('demo', { hello: (who) => t(atom('hello'), who) });  // rpc:call(ts@localhost, demo, hello, [x])
 * GenServer.start(node.runtime, Echo, [], { name: 'echo' });             // gen_server:call({echo, 'ts@localhost'}, hi)
 * await node.connect('erl@localhost');
 * const r = await node.rpc('erl@localhost', 'erlang', 'node', []);
 * node.events.subscribe((e) => console.log(e.type, e.node));
 * await node.stop();
 * ```
 *
 * Layout: the transport (transport.ts) owns sockets, EPMD and handshakes; the router (router.ts)
 * turns frames into runtime signals and back; `net_kernel` (ping) and `rex` (legacy rpc) are
 * registered processes; SPAWN_REQUEST is served by erpc.ts; exported modules live in exports.ts.
 */
import { Subject, type Observable } from 'rxjs';
import { Pid, Tuple, atom, format, t, type Term } from '@beamline/etf';
import { etfCodec } from './codec.ts';
import { CallError, GenServer, Runtime, genCall, inProcess, pidEquals, type ProcessContext, type SysStateForm } from '@beamline/core';
import type { DistTransportApi, DownReason, PeerConnection, TransportOptions } from './transport.ts';
import { DistTransport } from './transport_impl.ts';
import { DFLAG, hasFlag } from './flags.ts';
import { defaultLogger, type DistLogger } from './log.ts';
import type { ExitInterceptor, MessageInterceptor, Router } from './router.ts';
import { frameHandler } from './node_frame.ts';
import { ModuleRegistry, rexResult, type ModuleExports } from './exports.ts';
import { net_kernel } from './net_kernel.ts';
import { erlangBifs } from './erlang_bifs.ts';
import { osBifs } from './system_bifs.ts';
import { sysBifs } from './sys_bifs.ts';
import { distBifs, initBifs, netAdmBifs, netKernelBifs } from './net_bifs.ts';
import { codeBifs, moduleBifs } from './code_bifs.ts';
import { ioBifs } from './io_bifs.ts';
import { introspectionModule } from './introspection.ts';
import { rpc } from './rex.ts';
import { kernelKeeper } from './kernel.ts';
import { serveSpawnRequest } from './erpc.ts';
import { GlobalState, global, globalReaders, resolveIt } from './global.ts';
import { attachRuntime, type RuntimeAttachment } from './runtime_adapter.ts';

export interface NodeOptions {
  /** `alive@host` (or a bare `alive`): `ts@localhost` (short names) or `ts@127.0.0.1` (long). */
  name: string;
  /** Cookie; default: `~/.erlang.cookie` (created like erl does when missing). */
  cookie?: string;
  /** Hidden node (default true). false: a normal (published) node running `global_name_server` (README "Visible mode"). */
  hidden?: boolean;
  /** EPMD port (default ERL_EPMD_PORT or 4369). */
  epmdPort?: number;
  /** 'auto' (default): use a running epmd, else start the embedded one. */
  epmd?: TransportOptions['epmd'];
  /** Distribution port (default: any free port) and address. */
  listenPort?: number;
  listenHost?: string;
  /** net_ticktime in seconds (default 60). */
  ticktime?: number;
  /** Run on this runtime (default: a new one, stopped by `node.stop()`). */
  runtime?: Runtime;
  logger?: DistLogger;
  /** Anything else the transport understands (flags for tests, queue limits, ...). */
  transport?: Partial<TransportOptions>;
}

/**
 * `hidden`: the connection is hidden, as net_kernel:monitor_nodes' `node_type` says: when either
 * side is (a hidden node's every connection is).
 */
export type NodeEventOut = { type: 'nodeup'; node: string; hidden: boolean } | { type: 'nodedown'; node: string; reason: DownReason };

const A_NODEDOWN = atom('nodedown');
const A_BADRPC = atom('badrpc');
const A_GEN_CALL = atom('$gen_call');
const A_GEN_CAST = atom('$gen_cast');
const A_TIMEOUT = atom('timeout');

/** Where `send`/`call`/`cast` go: a pid (local or remote), a local name, or `[name, node]`. */
export type Target = Pid | string | [name: string, node: string];

export class BeamNode {
  readonly registry = new ModuleRegistry();
  private readonly eventsSubject = new Subject<NodeEventOut>();
  /** nodeup / nodedown, in order. */
  readonly events: Observable<NodeEventOut> = this.eventsSubject.asObservable();
  /** `monitor_node` subscriptions: node → pids (one entry per call, as in Erlang). */
  private readonly nodeMonitors = new Map<string, Pid[]>();
  private stopped = false;
  private readonly ownsRuntime: boolean;
  readonly router: Router;
  private readonly attachment: RuntimeAttachment;
  private readonly subs: { unsubscribe(): void }[] = [];
  /** What `global` knows on a visible node (names, known/synced nodes); undefined when hidden. */
  global: GlobalState | undefined;

  /** Use `startNode`. */
  constructor(
    readonly runtime: Runtime,
    readonly transport: DistTransportApi,
    private readonly logger: DistLogger,
    ownsRuntime: boolean,
  ) {
    this.ownsRuntime = ownsRuntime;
    const { router, attachment } = attachRuntime(runtime, transport, etfCodec, logger);
    this.router = router;
    this.attachment = attachment;
    router.onSpawnRequest = (conn, req) =>
      serveSpawnRequest(
        {
          registry: this.registry,
          router,
          inbound: runtime.fromRemote,
          spawn: (body) => this.attachment.spawnWithReason(body),
        },
        conn,
        req,
      );
    router.probeSysStateForm = (node) => this.sysStateFormOf(node);
    transport.onFrame = frameHandler(router);
    this.subs.push(
      transport.events.subscribe((ev) => {
        if (ev.type === 'nodeup') {
          this.eventsSubject.next({ type: 'nodeup', node: ev.peer, hidden: transport.hidden || ev.hidden });
        } else {
          router.nodeDown(ev.peer);
          const subs = this.nodeMonitors.get(ev.peer);
          if (subs) {
            this.nodeMonitors.delete(ev.peer);
            for (const p of subs) runtime.send(p, t(A_NODEDOWN, atom(ev.peer)));
          }
          this.eventsSubject.next({ type: 'nodedown', node: ev.peer, reason: ev.reason });
        }
      }),
    );
  }

  /** Listen for `nodeup` / `nodedown`; returns the function that stops listening. */
  on<K extends NodeEventOut['type']>(type: K, listener: (event: Extract<NodeEventOut, { type: K }>) => void): () => void {
    const sub = this.events.subscribe((e) => {
      if (e.type === type) listener(e as Extract<NodeEventOut, { type: K }>);
    });
    return () => sub.unsubscribe();
  }

  /** Our full node name (`alive@host`). */
  get name(): string {
    return this.transport.nodeName;
  }

  get creation(): number {
    return this.transport.creation;
  }

  get cookie(): string {
    return this.transport.cookie;
  }

  /** The distribution port we listen on. */
  get port(): number {
    return this.transport.port;
  }

  /** Start the system processes (`net_kernel`, `rex`) and export `beamline` (introspection.ts) and a few `erlang` and `os` BIFs (erlang_bifs.ts). */
  async init(): Promise<void> {
    const rt = this.runtime;
    this.registry.exportModule('beamline', introspectionModule(rt, this.name));
    const transport = this.transport;
    // a connection's id for nodes/2, given at its first query (erts numbers connections too)
    const ids = new WeakMap<PeerConnection, number>();
    let lastId = 0;
    const idOf = (c: PeerConnection) => {
      if (!ids.has(c)) ids.set(c, ++lastId);
      return ids.get(c) as number;
    };
    const peers = () =>
      transport
        .connections()
        .filter((c) => c.state === 'up')
        .map((c) => ({ name: c.peerName, hidden: c.peerHidden, id: idOf(c) }));
    const net = {
      name: this.name,
      longNames: transport.nameType === 'long',
      ticktimeMs: transport.ticktimeMs,
      epmdPort: transport.epmdPort,
      ping: (n: string) => this.ping(n),
      connect: (n: string) => this.connect(n),
      disconnect: (n: string) => this.disconnect(n),
    };
    this.registry.exportModule('erlang', {
      ...erlangBifs(rt, { name: this.name, hidden: transport.hidden, peers }),
      ...distBifs(net),
      ...moduleBifs(this.registry),
    });
    this.registry.exportModule('code', codeBifs(this.registry));
    this.registry.exportModule('io', ioBifs());
    this.registry.exportModule('net_adm', netAdmBifs(net));
    this.registry.exportModule('net_kernel', netKernelBifs(net));
    this.registry.exportModule('init', initBifs(rt));
    this.registry.exportModule('os', osBifs());
    this.registry.exportModule('sys', sysBifs({ rt, stateForm: (n) => this.router.sysStateForm(n) }));
    const nodeName = this.name;
    const netKernelInfo = {
      nodeName,
      connect: net.connect,
      disconnect: net.disconnect,
      longNames: net.longNames,
      ticktimeMs: net.ticktimeMs,
      setupTimeMs: transport.setupTimeMs,
      listenHost: transport.listenHost,
      port: transport.port,
    };
    const services = [
      { name: 'net_kernel', start: () => GenServer.start(rt, new net_kernel(netKernelInfo), undefined, { name: 'net_kernel' }) },
      {
        name: 'rex',
        start: () =>
          GenServer.start(
            rt,
            new rpc({
              nodeName,
              registry: this.registry,
              spawnSupported: hasFlag(this.transport.flags, DFLAG.SPAWN),
              sendToName: (name, msg) => {
                if (rt.whereis(name) === undefined) return false;
                rt.send(name, msg);
                return true;
              },
            }),
            undefined,
            { name: 'rex' },
          ),
      },
    ];
    rt.spawn(kernelKeeper(services, (name, reason) => this.logger.warn(`${name} exited (${format(reason as Term)}); started again`)));
    if (!this.transport.hidden) await this.startGlobal();
    // a hidden erl node's global is a partition of its own: no names
    else this.registry.exportModule('global', globalReaders(undefined));
  }

  /** Visible node: `global_name_server` (global.ts), fed with nodeup/nodedown of visible peers. */
  private async startGlobal(): Promise<void> {
    const state = (this.global = new GlobalState());
    // gen's {global, Name} from TS (GenServer.call / cast, sys, Supervisor) resolves here
    this.router.whereisGlobal = (name) => state.whereisName(name as Term);
    const host = {
      nodeName: this.name,
      connect: (n: string) => this.connect(n),
      disconnect: (n: string) => void this.disconnect(n),
      call: (ctx: ProcessContext, dest: [string, string], req: Term, ms: number) => genCall(ctx, dest, A_GEN_CALL, req, ms) as Promise<Term>,
      rpc: (n: string, m: string, f: string, args: Term[]) => this.rpc(n, m, f, args, 10_000),
      logger: this.logger,
      stopper: this.runtime.initPid,
    };
    const gns = await GenServer.start(this.runtime, new global(host, state), undefined, { name: 'global_name_server' });
    // an erl node resolving a clash over a pid of ours runs the resolve fun here by rpc
    const rt = this.runtime;
    const logger = this.logger;
    this.registry.exportModule('global', {
      ...globalReaders(state),
      'resolve_it/4': (method: Term, name: Term, pid1: Term, pid2: Term) =>
        pid1 instanceof Pid && pid2 instanceof Pid ? resolveIt(rt, logger, method, name, pid1, pid2) : atom('none'),
    });
    this.subs.push(
      this.transport.events.subscribe((ev) => {
        if (ev.type === 'nodeup' && !ev.hidden) this.runtime.send(gns, t(atom('nodeup'), atom(ev.peer)));
        else if (ev.type === 'nodedown') this.runtime.send(gns, t(atom('nodedown'), atom(ev.peer)));
      }),
    );
  }

  /**
   * Take SEND / REG_SEND messages before the runtime delivers them (see MessageInterceptor in
   * router.ts): `fn` returns true for a message it took. `answersName` says which names no local
   * process holds the interceptor answers: a peer's monitor by such a name is taken and stays
   * quiet, as a C node's does. `takesExit` sees each EXIT2 before it is applied (ExitInterceptor).
   * One interceptor at a time; returns the function that removes it.
   */
  interceptMessages(
    fn: MessageInterceptor,
    opts: { answersName?: (peer: string, name: string) => boolean; takesExit?: ExitInterceptor } = {},
  ): () => void {
    const router = this.router;
    if (router.interceptMessage !== undefined) throw new Error('a message interceptor is already installed');
    router.interceptMessage = fn;
    router.interceptedName = opts.answersName;
    router.interceptExit = opts.takesExit;
    return () => {
      if (router.interceptMessage !== fn) return;
      router.interceptMessage = undefined;
      router.interceptedName = undefined;
      router.interceptExit = undefined;
    };
  }

  /** Export TS functions under an Erlang module name for rpc/erpc (see exports.ts). */
  exportModule(name: string, fns: ModuleExports): void {
    this.registry.exportModule(name, fns);
  }

  unexportModule(name: string): boolean {
    return this.registry.unexportModule(name);
  }

  /** `net_kernel:connect_node/1`: true when connected (or already), false when it failed. */
  async connect(node: string): Promise<boolean> {
    if (node === this.name) return true;
    try {
      await this.transport.connect(node);
      return true;
    } catch (e) {
      this.logger.debug('connect failed', { node, error: e instanceof Error ? e.message : String(e) });
      return false;
    }
  }

  /** Disconnect from `node` (`erlang:disconnect_node/1`). */
  disconnect(node: string): boolean {
    const c = this.transport.connection(node);
    if (!c) return false;
    c.close('disconnect_node');
    return true;
  }

  /** Connected peer nodes (hidden ones included: a hidden node sees every peer this way). */
  nodes(): string[] {
    return this.transport
      .connections()
      .filter((c) => c.state === 'up')
      .map((c) => c.peerName);
  }

  /** The live connection to `node`, if any. */
  connection(node: string): PeerConnection | undefined {
    return this.transport.connection(node);
  }

  /**
   * `erlang:monitor_node(Node, Flag)` for `pid`: `{nodedown, Node}` is sent to it when the
   * connection goes down (at once when it cannot be made). Each `true` call adds one
   * subscription; each `false` removes one, as erl counts them.
   */
  monitorNode(pid: Pid, node: string, flag = true): boolean {
    if (!flag) {
      const subs = this.nodeMonitors.get(node);
      const at = subs?.findIndex((p) => pidEquals(p, pid)) ?? -1;
      if (subs && at >= 0) {
        subs.splice(at, 1);
        if (subs.length === 0) this.nodeMonitors.delete(node);
      }
      return true;
    }
    if (node === this.name) return true;
    const subs = this.nodeMonitors.get(node) ?? [];
    subs.push(pid);
    this.nodeMonitors.set(node, subs);
    const live = this.transport.connection(node);
    if (live?.state !== 'up') {
      void this.connect(node).then((ok) => {
        if (ok) return;
        const cur = this.nodeMonitors.get(node);
        if (!cur) return;
        const idx = cur.findIndex((p) => pidEquals(p, pid));
        if (idx < 0) return;
        cur.splice(idx, 1);
        if (cur.length === 0) this.nodeMonitors.delete(node);
        this.runtime.send(pid, t(A_NODEDOWN, atom(node)));
      });
    }
    return true;
  }

  /**
   * Send from outside any process (`erlang:send/2`); remote pids and `[name, node]` included. JS
   * values are mapped on the way out (README "What crosses the wire"); one with no Erlang form
   * throws NotEncodableError (nothing is sent).
   */
  send(dest: Target, msg: unknown): void {
    this.runtime.send(dest, msg);
  }

  /** `gen_server:cast/2` (the message mapped as `send` maps it). */
  cast(dest: Target, msg: unknown): void {
    this.send(dest, t(A_GEN_CAST, msg as Term));
  }

  /**
   * `gen_server:call/3` from outside any process (core's gen call, made by a short-lived
   * process). Resolves with the reply; rejects with core's CallError, whose `cause` is what
   * erl's would be: `noproc`, `{nodedown, Node}`, `timeout`, or the server's exit reason.
   */
  async call(dest: Target, request: unknown, timeoutMs?: number): Promise<Term> {
    // connect first, so the call knows whether the peer takes an [alias|Ref] tag (DFLAG_ALIAS)
    const node = dest instanceof Pid ? dest.node.name : Array.isArray(dest) ? dest[1] : this.name;
    if (node !== this.name) await this.connect(node);
    // no timeout given: gen's default (5000), and the reason lists none, as gen_server:call/2's
    return (await genCall(this.runtime, dest, A_GEN_CALL, request, timeoutMs)) as Term;
  }

  /**
   * `rpc:call(Node, M, F, A, Timeout)` through the peer's `rex`: resolves with the value, or with
   * `{badrpc, Reason}` exactly as rpc:call returns it (`nodedown`, `timeout`,
   * `{'EXIT', ...}`). Works against OTP nodes and beamline nodes alike.
   */
  async rpc(node: string, module: string, fun: string, args: Term[], timeoutMs = 5000): Promise<Term> {
    if (node === this.name) {
      return rexResult(await this.registry.invoke(atom(module), atom(fun), args));
    }
    try {
      return await this.call([`rex`, node], t(atom('call'), atom(module), atom(fun), args, atom('user')), timeoutMs);
    } catch (e) {
      if (e instanceof CallError) {
        const cause = e.cause as Term;
        if (cause === A_TIMEOUT) return t(A_BADRPC, A_TIMEOUT);
        const down = cause === atom('noproc') || (cause instanceof Tuple && cause.elements[0] === A_NODEDOWN);
        return t(A_BADRPC, down ? A_NODEDOWN : t(atom('EXIT'), cause));
      }
      throw e;
    }
  }

  /**
   * Which form `node`'s `sys:get_state` reads: `{ok, State}` from stdlib 5.1 (OTP 26.1) on, the
   * state itself before (and on nodes that are not OTP, such as another beamline node). Asked
   * through the peer's rex: `application:get_key(stdlib, vsn)`.
   */
  private async sysStateFormOf(node: string): Promise<SysStateForm> {
    const r = await this.rpc(node, 'application', 'get_key', [atom('stdlib'), atom('vsn')], 3000);
    if (!(r instanceof Tuple) || r.elements[0] !== atom('ok') || !Array.isArray(r.elements[1])) return 'bare';
    const [major = 0, minor = 0] = String.fromCodePoint(...(r.elements[1] as number[]))
      .split('.')
      .map(Number);
    return major > 5 || (major === 5 && minor >= 1) ? 'ok' : 'bare';
  }

  /** `net_adm:ping/1`: `pong` when `node` answers net_kernel's `is_auth`, else `pang`. */
  async ping(node: string, timeoutMs = 5000): Promise<'pong' | 'pang'> {
    if (node === this.name) return 'pong';
    if (!(await this.connect(node))) return 'pang';
    try {
      const r = await this.call(['net_kernel', node], t(atom('is_auth'), atom(this.name)), timeoutMs);
      if (r === atom('yes')) return 'pong';
    } catch {
      /* fall through */
    }
    this.disconnect(node);
    return 'pang';
  }

  /** Run `fn` in a short-lived process of this node's runtime and resolve with its result. */
  inProcess<R>(fn: (ctx: ProcessContext) => Promise<R>): Promise<R> {
    return inProcess(this.runtime, fn);
  }

  /** Counters of the router and its tables. */
  stats(): { router: Router['counters']; tables: ReturnType<Router['stats']> & { aliases: number } } {
    const { links, pendingNodes } = this.router.stats();
    return { router: { ...this.router.counters }, tables: { links, aliases: this.runtime.fromRemote.aliasCount(), pendingNodes } };
  }

  /** Close every connection, leave EPMD, and stop the runtime if the node created it. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.transport.close();
    for (const s of this.subs) s.unsubscribe();
    this.attachment.detach();
    this.eventsSubject.complete();
    if (this.ownsRuntime) await this.runtime.stop();
  }
}

/** Start a node: transport (EPMD + listener), runtime wiring, `net_kernel` and `rex`. */
export async function startNode(opts: NodeOptions): Promise<BeamNode> {
  for (const key of ['epmdPort', 'listenPort', 'ticktime'] as const) {
    const v = opts[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new TypeError(`startNode: ${key} must be a non-negative integer, not ${JSON.stringify(v)}`);
  }
  const logger = opts.logger ?? defaultLogger;
  const topts: TransportOptions = { ...opts.transport, nodeName: opts.name, hidden: opts.hidden ?? true, logger };
  // only the options given: undefined must not override `opts.transport`
  if (opts.cookie !== undefined) topts.cookie = opts.cookie;
  if (opts.epmdPort !== undefined) topts.epmdPort = opts.epmdPort;
  if (opts.epmd !== undefined) topts.epmd = opts.epmd;
  if (opts.listenPort !== undefined) topts.listenPort = opts.listenPort;
  if (opts.listenHost !== undefined) topts.listenHost = opts.listenHost;
  if (opts.ticktime !== undefined) topts.ticktime = opts.ticktime;
  const transport = await DistTransport.listen(topts);
  const runtime = opts.runtime ?? new Runtime();
  try {
    const node = new BeamNode(runtime, transport, logger, opts.runtime === undefined);
    await node.init();
    return node;
  } catch (e) {
    // e.g. a runtime that already has processes cannot take the node's name
    await transport.close();
    throw e;
  }
}
