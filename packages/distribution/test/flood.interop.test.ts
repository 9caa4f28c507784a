/**
 * A flood of unauthenticated sockets against a beamline node never blocks a legitimate one
 * (handshake_guard.ts): two waves of 1,000 silent sockets + 1,000 half handshakes (a valid `N`
 * or old `n` name message and then silence, names of a connected node answering `strue` to
 * `alive`, garbage) on loopback while
 *  (a) a real erl node pings the beamline node afresh (disconnect, then `net_adm:ping`) and must
 *      get `pong` within 2 s each time, and
 *  (b) an erl node connected before the flood keeps making `gen_server:call`s to a TS GenServer
 *      without a failure, over the same connection (no nodedown).
 * Afterwards every flood socket has been closed by the node within its deadlines, the node holds
 * no pending handshake, and sockets, handles and heap are back to their baseline. The logs the
 * flood caused are rate-limited.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, ok, reply, type CallResult, type From, Runtime } from '@beamline/core';
import { Tuple, atom, t, type Term } from '@beamline/etf';
import { DEFAULT_FLAGS } from '../src/flags.ts';
import { encodeOldSendName, encodeSendName, encodeStatus } from '../src/handshake.ts';
import { MemoryLogger } from '../src/log.ts';
import { startNode, type BeamNode } from '../src/node.ts';
import type { DistTransport } from '../src/transport_impl.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { ev, freePort, sleep, until } from './helpers/node_pair.ts';

const COOKIE = 'beamline_flood_test';
const TS = 'ts_flood@localhost';
const CONNECTED = 'erl_flood_conn@localhost';
const PINGER = 'erl_flood_ping@localhost';
/** Shorter than the defaults (2 s, 7 s) to keep the test short; the caps are the defaults. */
const FIRST_BYTE_MS = 1000;
const DEADLINE_MS = 3000;
const PING_BOUND_US = 2_000_000;

class Echo extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleCall(req: unknown, _from: From, state: null): CallResult<null, Term> {
    return reply(t(atom('pong'), req instanceof Tuple ? req.elements[1]! : atom('x')), state);
  }
}

let runtime: Runtime;
let node: BeamNode;
let tr: DistTransport;
let log: MemoryLogger;
let connected: ErlNode;
let pinger: ErlNode;
const downs: string[] = [];

beforeAll(async () => {
  const epmdPort = await freePort();
  log = new MemoryLogger(process.env.BEAMLINE_TEST_ECHO === '1');
  runtime = new Runtime({ logger: null });
  node = await startNode({
    name: TS,
    cookie: COOKIE,
    epmdPort,
    runtime,
    logger: log,
    transport: { firstByteTimeoutMs: FIRST_BYTE_MS, handshakeTimeoutMs: DEADLINE_MS },
  });
  tr = node.transport as DistTransport;
  node.events.subscribe((e) => {
    if (e.type === 'nodedown') downs.push(e.node);
  });
  GenServer.start(runtime, Echo, [], { name: 'echo' });
  [connected, pinger] = await Promise.all([
    startErl({ name: CONNECTED, cookie: COOKIE, epmdPort }),
    startErl({ name: PINGER, cookie: COOKIE, epmdPort }),
  ]);
  expect(await connected.eval(`net_adm:ping('${TS}')`)).toBe('pong');
});

afterAll(async () => {
  await Promise.all([connected?.stop(), pinger?.stop()]);
  await node?.stop();
  await runtime?.stop();
});

type Kind = 'silent' | 'name' | 'old_name' | 'alive' | 'garbage';

interface FloodSocket {
  kind: Kind;
  s: Socket;
  openedAt: number;
  closedAt?: number;
}

function greeting(kind: Kind, i: number): Buffer | undefined {
  const packet = (body: Uint8Array) => {
    const b = Buffer.alloc(2 + body.length);
    b.writeUInt16BE(body.length);
    b.set(body, 2);
    return b;
  };
  switch (kind) {
    case 'silent':
      return undefined;
    case 'name':
      return packet(encodeSendName(DEFAULT_FLAGS, 1, `flood${i}@localhost`));
    case 'old_name':
      return packet(encodeOldSendName(Number(DEFAULT_FLAGS & 0xffffffffn), `oldflood${i}@localhost`));
    case 'alive':
      // the name of the connected node, and `true` to the `alive` status we answer it with: an
      // unauthenticated socket claiming to be a restarted CONNECTED must not take its link down
      return Buffer.concat([packet(encodeSendName(DEFAULT_FLAGS, 7, CONNECTED)), packet(encodeStatus('true'))]);
    case 'garbage':
      return i % 2 ? Buffer.from([0, 5, 9, 9, 9, 9, 9]) : Buffer.from([0xff, 0xff, 1, 2, 3]);
  }
}

/** 2,000 sockets: 1,000 silent, 1,000 half handshakes (700 N, 100 n, 100 alive, 100 garbage). */
async function flood(port: number, into: FloodSocket[]): Promise<void> {
  const kinds: Kind[] = [];
  for (let i = 0; i < 1000; i++) kinds.push('silent');
  for (let i = 0; i < 700; i++) kinds.push('name');
  for (let i = 0; i < 100; i++) kinds.push('old_name', 'alive', 'garbage');
  kinds.sort(() => Math.random() - 0.5);
  const batch = 100; // keep the listen backlog (511) from overflowing: that would delay everyone's SYN
  for (let b = 0; b < kinds.length; b += batch) {
    await Promise.all(
      kinds.slice(b, b + batch).map(
        (kind, j) =>
          new Promise<void>((resolve) => {
            const s = connect({ host: '127.0.0.1', port });
            const f: FloodSocket = { kind, s, openedAt: Date.now() };
            into.push(f);
            s.on('error', () => {});
            s.on('data', () => {}); // read what the node answers, so its close is seen
            s.on('close', () => {
              f.closedAt = Date.now();
              resolve();
            });
            s.on('connect', () => {
              f.openedAt = Date.now();
              const g = greeting(kind, b + j);
              if (g) s.write(g);
              resolve();
            });
          }),
      ),
    );
    await sleep(5);
  }
}

/** A fresh connection from PINGER: disconnect if connected, then net_adm:ping, timed on the erl side. */
async function freshPing(): Promise<{ result: string; us: number }> {
  const r = await ev(pinger, `erlang:disconnect_node('${TS}'), {$T, $R} = timer:tc(net_adm, ping, ['${TS}']), {$R, $T}`, 15_000);
  const m = /^\{(\w+),(\d+)\}$/.exec(r);
  if (!m) throw new Error(`unexpected ping answer ${r}`);
  return { result: m[1]!, us: Number(m[2]) };
}

const CALLER = `
Caller = spawn(fun() ->
  (fun L(N, Fails, Max) ->
     receive {stop, From} -> From ! {calls, N, Fails, Max}
     after 0 ->
       T0 = erlang:monotonic_time(microsecond),
       R = try gen_server:call({echo, '${TS}'}, {n, N}, 2000) of {pong, N} -> ok; Other -> {bad, Other} catch C:E -> {C, E} end,
       Dt = erlang:monotonic_time(microsecond) - T0,
       timer:sleep(5),
       case R of ok -> L(N + 1, Fails, max(Max, Dt)); _ -> L(N + 1, [R | Fails], max(Max, Dt)) end
     end end)(0, [], 0)
end),
ok`;

let gcFn: (() => void) | undefined;
function heapAfterGc(): number {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  return process.memoryUsage().heapUsed;
}
const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
const fds = () => {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1; // not Linux: not counted
  }
};

describe('a flood of unauthenticated sockets', () => {
  it('never blocks a pinging erl nor an erl already connected; everything is closed and freed afterwards', { timeout: 45_000 }, async () => {
    // baseline, with one fresh ping done (its connection is up, as it will be at the end)
    expect((await freshPing()).result).toBe('pong');
    await sleep(200);
    const base = { heap: heapAfterGc(), buffers: process.memoryUsage().arrayBuffers, tcp: tcpHandles(), fds: fds() };
    const upBefore = tr.connection(CONNECTED);
    expect(upBefore?.state).toBe('up');

    // memory while the flood runs: the pending handshakes' buffers stay small (no per-socket
    // output buffer or queue is allocated before a handshake succeeds)
    let peakBuffers = 0;
    const sampler = setInterval(() => {
      peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - base.buffers);
    }, 20);
    expect(await ev(connected, CALLER)).toBe('ok');
    const sockets: FloodSocket[] = [];
    const pings: { result: string; us: number; wave: number }[] = [];
    for (let wave = 1; wave <= 2; wave++) {
      const opened = flood(tr.port, sockets);
      // (a) pings while the flood is being opened, and once it is all open
      await sleep(50);
      pings.push({ ...(await freshPing()), wave });
      pings.push({ ...(await freshPing()), wave });
      await opened;
      expect(tr.pendingHandshakes().total).toBeGreaterThan(0);
      pings.push({ ...(await freshPing()), wave });
      // the node closes every flood socket by itself, within its deadline
      await until(() => sockets.every((f) => f.closedAt !== undefined), DEADLINE_MS + 3000, `wave ${wave} closed by the node`);
    }

    clearInterval(sampler);
    expect(peakBuffers, 'ArrayBuffer bytes above the baseline during the flood').toBeLessThan(16 * 1024 * 1024);

    // (b) the connected erl's calls all succeeded, on the connection that was up before
    const calls = await ev(
      connected,
      `Caller ! {stop, self()}, receive {calls, $N, $F, $Max} -> {$N, length($F), $Max, lists:sublist($F, 2)} after 5000 -> timeout end`,
    );
    const cm = /^\{(\d+),(\d+),(\d+),/.exec(calls);
    expect(cm, calls).not.toBeNull();
    expect({ calls: Number(cm![1]), failed: Number(cm![2]) }, calls).toMatchObject({ failed: 0 });
    expect(Number(cm![1])).toBeGreaterThan(20);
    expect(tr.connection(CONNECTED)).toBe(upBefore);
    expect(downs.filter((n) => n === CONNECTED)).toEqual([]);

    for (const p of pings) expect(p, `ping during wave ${p.wave}`).toMatchObject({ result: 'pong' });
    for (const p of pings) expect(p.us, `ping during wave ${p.wave}`).toBeLessThanOrEqual(PING_BOUND_US);

    // every flood socket was closed by the node: garbage at once, silent ones at the first-byte
    // deadline (or evicted), half handshakes at the handshake deadline (or evicted)
    expect(sockets).toHaveLength(4000);
    const slack = 1500;
    const late = sockets.filter((f) => f.closedAt! - f.openedAt > DEADLINE_MS + slack);
    expect(late.map((f) => `${f.kind} ${f.closedAt! - f.openedAt} ms`)).toEqual([]);
    const silentLate = sockets.filter((f) => f.kind === 'silent' && f.closedAt! - f.openedAt > FIRST_BYTE_MS + slack);
    expect(silentLate.length).toBe(0);

    // nothing pending, and sockets, handles and heap back to the baseline
    expect(tr.pendingHandshakes().total).toBe(0);
    for (const f of sockets) f.s.destroy();
    await until(() => tcpHandles() <= base.tcp, 3000, 'TCP handles back to the baseline');
    if (base.fds >= 0) await until(() => fds() <= base.fds + 2, 3000, 'file descriptors back to the baseline');
    sockets.length = 0;
    await sleep(100);
    const heap = heapAfterGc();
    expect(heap - base.heap, `heap ${Math.round(base.heap / 1e6)} MB → ${Math.round(heap / 1e6)} MB`).toBeLessThan(8 * 1024 * 1024);

    // the flood's log entries are rate-limited (per kind: 5 entries, then a summary)
    const inbound = log.entries.filter((e) => /inbound handshake/.test(e.msg));
    expect(inbound.length).toBeLessThan(60);
    await node.stop(); // logs the summaries still pending
    expect(log.has(/more log entries like 'inbound handshake .*' suppressed/)).toBe(true);
  });
});
