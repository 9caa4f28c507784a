/**
 * The embedded EPMD's flood guard: while 1,000 silent sockets are held open against it (each one
 * the server closes is reopened at once), real erl nodes still register in it and find each
 * other through it; the pending sockets stay within their caps, silent ones are closed at the
 * first-byte deadline or evicted (while the flood lasts, eviction closes them long before the
 * deadline), the cuts are logged rate-limited, and a registered node's ALIVE2 connection,
 * complete from its first packet, is never one of them.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpmdServer } from '../src/epmd_server.ts';
import { MemoryLogger } from '../src/log.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { COOKIE, until } from './helpers/transport_kit.ts';

const FLOOD = 1000;
const PER_ADDRESS = 256;
const FIRST_BYTE_MS = 1500;

describe('embedded EPMD under a flood of silent sockets', () => {
  let epmd: EpmdServer;
  let log: MemoryLogger;
  const open = new Set<Socket>();
  let flooding = true;
  let opened = 0;
  let maxPending = 0;
  const nodes: ErlNode[] = [];

  function floodSocket(): void {
    if (!flooding) return;
    const s = connect({ port: epmd.port, host: '127.0.0.1' });
    opened++;
    open.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      open.delete(s);
      floodSocket(); // keep FLOOD silent sockets coming
    });
  }

  beforeAll(async () => {
    log = new MemoryLogger(false);
    epmd = new EpmdServer({ port: 0, host: '127.0.0.1', logger: log, maxPendingPerAddress: PER_ADDRESS, firstByteTimeoutMs: FIRST_BYTE_MS });
    await epmd.start();
  });
  afterAll(async () => {
    flooding = false;
    for (const s of open) s.destroy();
    for (const n of nodes) await n.stop().catch(() => {});
    await epmd.stop();
  });

  it('real erl registers and resolves through it while 1,000 silent sockets are open', async () => {
    for (let i = 0; i < FLOOD; i++) floodSocket();
    const sampler = setInterval(() => (maxPending = Math.max(maxPending, epmd.pendingRequests)), 5);
    try {
      await until(() => opened >= FLOOD, 5000, 'the flood to open');
      // two erl nodes register in it and find each other through it (PORT_PLEASE2), mid-flood
      const a = await startErl({ name: 'ef_a@localhost', cookie: COOKIE, epmdPort: epmd.port });
      nodes.push(a);
      const b = await startErl({ name: 'ef_b@localhost', cookie: COOKIE, epmdPort: epmd.port });
      nodes.push(b);
      expect(await b.eval("net_adm:ping('ef_a@localhost')")).toBe('pong');
      expect(await a.eval('lists:sort([N || {N, _} <- element(2, net_adm:names())])')).toBe('["ef_a","ef_b"]');
      expect(
        epmd
          .registered()
          .map((r) => r.name)
          .sort(),
      ).toEqual(['ef_a', 'ef_b']);
    } finally {
      clearInterval(sampler);
    }
    // the flood stops reopening: the silent sockets still open are closed at the first-byte deadline
    flooding = false;
    await until(() => epmd.guardCounters.first_byte_timeout > 0 && epmd.pendingRequests === 0, FIRST_BYTE_MS * 4, 'first-byte timeouts');
    // a loaded machine delivers a thousand close events slowly: the bound is generous, the check is that they come
    await until(() => open.size === 0, 10_000, 'the flood sockets to be closed by the server');
    expect(maxPending).toBeLessThanOrEqual(PER_ADDRESS);
    expect(epmd.guardCounters.evicted).toBeGreaterThanOrEqual(FLOOD - PER_ADDRESS);
    // registrations survived the flood (their sockets left the guard with their first packet)
    expect(
      epmd
        .registered()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['ef_a', 'ef_b']);
    expect(await nodes[0]!.eval("net_adm:ping('ef_b@localhost')")).toBe('pong');
    // logged, but rate-limited: far fewer entries than sockets cut
    const cutLines = log.entries.filter((e) => e.msg.startsWith('embedded epmd: a socket from'));
    expect(cutLines.length).toBeGreaterThan(0);
    expect(cutLines.length).toBeLessThan(50);
  });
});
