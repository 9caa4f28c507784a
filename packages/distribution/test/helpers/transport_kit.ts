/**
 * Test kit for the transport suites: free ports, a private embedded EPMD, a tiny ETF encoder
 * (just enough to build control tuples; the real codec lives in @beamline/etf), and waiting.
 */
import { EpmdServer } from '../../src/epmd_server.ts';
import { DistTransport } from '../../src/transport_impl.ts';
import { MemoryLogger } from '../../src/log.ts';
import type { TransportOptions } from '../../src/transport.ts';
import { freePort } from '../../../../tools/erl/free_port.ts';

export const COOKIE = 'beamline_transport_test';
export const echo = process.env.BEAMLINE_TEST_ECHO === '1';

export { freePort };

/** A private embedded EPMD on a free port (tests never touch 4369). */
export async function privateEpmd(): Promise<EpmdServer> {
  const srv = new EpmdServer({ port: 0, host: '127.0.0.1', logger: new MemoryLogger(false) });
  await srv.start();
  return srv;
}

export async function transport(
  name: string,
  epmdPort: number,
  opts: Partial<TransportOptions> = {},
): Promise<{ tr: DistTransport; log: MemoryLogger }> {
  const log = new MemoryLogger(echo);
  const tr = await DistTransport.listen({ nodeName: name, cookie: COOKIE, epmdPort, listenHost: '127.0.0.1', logger: log, ...opts });
  return { tr, log };
}

export async function until(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- a minimal ETF encoder (tests only) -------------------------------------------------------

export type Mini =
  | { atom: string }
  | number
  | Uint8Array
  | Mini[]
  | { tuple: Mini[] }
  | { pid: { node: string; id: number; serial: number; creation: number } };

export const A = (s: string): Mini => ({ atom: s });
export const T = (...e: Mini[]): Mini => ({ tuple: e });

function enc(m: Mini, out: number[]): void {
  if (typeof m === 'number') {
    if (m >= 0 && m < 256) out.push(97, m);
    else out.push(98, (m >>> 24) & 255, (m >>> 16) & 255, (m >>> 8) & 255, m & 255);
  } else if (m instanceof Uint8Array) {
    out.push(109, (m.length >>> 24) & 255, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255);
    for (let i = 0; i < m.length; i++) out.push(m[i]!);
  } else if (Array.isArray(m)) {
    if (m.length === 0) out.push(106);
    else {
      out.push(108, (m.length >>> 24) & 255, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255);
      for (const e of m) enc(e, out);
      out.push(106);
    }
  } else if ('atom' in m) {
    const b = Buffer.from(m.atom, 'utf8');
    out.push(119, b.length, ...b);
  } else if ('tuple' in m) {
    out.push(104, m.tuple.length);
    for (const e of m.tuple) enc(e, out);
  } else {
    const p = m.pid;
    out.push(88);
    enc(A(p.node), out);
    for (const v of [p.id, p.serial, p.creation]) out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
}

/** term_to_binary (with the 131 version byte). Large binaries are appended without a copy loop. */
export function etf(m: Mini): Uint8Array {
  if (m instanceof Uint8Array) {
    const out = new Uint8Array(6 + m.length);
    out.set([131, 109, (m.length >>> 24) & 255, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255]);
    out.set(m, 6);
    return out;
  }
  const out = [131];
  enc(m, out);
  return Uint8Array.from(out);
}

/** REG_SEND control + payload from a pid of `tr` to `name` on the peer. */
export function regSend(tr: DistTransport, name: string, msg: Mini): [Uint8Array, Uint8Array] {
  const from = { pid: { node: tr.nodeName, id: 1, serial: 0, creation: tr.creation } };
  return [etf(T(6, from, A(''), A(name))), etf(msg)];
}

export function hex(b: Uint8Array | undefined): string {
  return b ? Buffer.from(b).toString('hex') : '';
}
