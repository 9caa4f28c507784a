/**
 * TLS distribution against a real erl started with `-proto_dist inet_tls` (spec §7, §9 item 48):
 * both directions, a message each way, and a plain-TCP node cannot join a TLS node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '@beamline/etf';
import type { EpmdServer } from '../src/epmd_server.ts';
import type { DistTransport } from '../src/transport_impl.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { A, COOKIE, privateEpmd, regSend, T, transport, until } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
let erl: ErlNode;
let key: Buffer;
let cert: Buffer;
const ERL = 'tls_erl@localhost';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-tls-'));
  const k = join(dir, 'key.pem');
  const c = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      k,
      '-out',
      c,
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(k);
  cert = readFileSync(c);
  const optfile = join(dir, 'ssl_dist.conf');
  writeFileSync(optfile, `[{server,[{certfile,"${c}"},{keyfile,"${k}"},{verify,verify_none}]},{client,[{verify,verify_none}]}].\n`);
  epmd = await privateEpmd();
  erl = await startErl({ name: ERL, cookie: COOKIE, epmdPort: epmd.port, args: ['-proto_dist', 'inet_tls', '-ssl_dist_optfile', optfile] });
  await erl.eval('register(sink, self()), ok = net_kernel:monitor_nodes(true, [{node_type, all}]).');
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

const tlsOpts = () => ({ tls: { server: { key, cert }, client: { rejectUnauthorized: false } } });

describe('TLS distribution', () => {
  it('TS → erl over TLS: connect, erl sees nodeup hidden, a message arrives', async () => {
    const { tr } = await transport('tls_a@localhost', epmd.port, tlsOpts());
    try {
      const c = await tr.connect(ERL);
      expect(c.state).toBe('up');
      expect(await erl.eval("receive {nodeup, 'tls_a@localhost', I} -> proplists:get_value(node_type, I) after 5000 -> timeout end")).toBe('hidden');
      const [control, payload] = regSend(tr, 'sink', T(A('over_tls'), 1));
      c.send(control, payload);
      expect(await erl.eval('receive {over_tls, N} -> N after 5000 -> timeout end')).toBe('1');
      expect(await erl.eval("[ok || {'tls_a@localhost', _} <- element(2, net_kernel:nodes_info())]")).toBe('[ok]');
    } finally {
      await tr.close();
    }
  });

  it('erl → TS over TLS: connect and deliver', async () => {
    const { tr } = await transport('tls_b@localhost', epmd.port, tlsOpts());
    const got: Uint8Array[] = [];
    tr.onMessage = (_c, _ctl, payload) => payload && got.push(payload.slice());
    try {
      expect(await erl.eval("net_kernel:connect_node('tls_b@localhost')")).toBe('true');
      await erl.eval('{foo, \'tls_b@localhost\'} ! <<"hello over tls">>, ok');
      await until(() => got.length === 1, 5000, 'message');
      expect(Buffer.from(got[0]!.subarray(6)).toString()).toBe('hello over tls');
      expect(tr.connection(ERL)?.state).toBe('up');
    } finally {
      await tr.close();
    }
  });

  it('an erl flood over TLS arrives whole and in order at a node that paces its reads', async () => {
    // thresholds lowered so that pacing surely starts; TLS hands its records over 16 KiB at a time
    const { tr } = await transport('tls_flood@localhost', epmd.port, { ...tlsOpts(), readPacing: { floodReads: 2, floodBytes: 1024 } });
    const N = 50_000;
    let count = 0;
    let inOrder = true;
    tr.onMessage = (_c, _ctl, payload) => {
      if (!payload) return;
      count++;
      if (decode(payload) !== count) inOrder = false;
    };
    try {
      expect(await erl.eval("net_kernel:connect_node('tls_flood@localhost')")).toBe('true');
      await erl.eval(`[{foo, 'tls_flood@localhost'} ! I || I <- lists:seq(1, ${N})], ok`);
      await until(() => count === N, 30_000, 'the flood');
      expect(inOrder).toBe(true);
      expect(tr.connection(ERL)?.stats().readPauses).toBeGreaterThan(0);
    } finally {
      await tr.close();
    }
  }, 60_000);

  it('sockets that never start TLS count against the caps and the deadline; erl still gets in', async () => {
    const { tr, log } = await transport('tls_guard@localhost', epmd.port, { ...tlsOpts(), maxHandshakes: 4, handshakeTimeoutMs: 1500 });
    const socks: Socket[] = [];
    const closed: number[] = [];
    try {
      const t0 = Date.now();
      for (let i = 0; i < 6; i++) {
        const s = connect({ host: '127.0.0.1', port: tr.port });
        s.on('error', () => {});
        s.on('close', () => closed.push(i));
        await new Promise((r) => s.once('connect', r));
        socks.push(s);
      }
      await until(() => closed.length === 2, 2000, 'two evictions');
      expect(closed).toEqual([0, 1]);
      expect(tr.pendingHandshakes().total).toBe(4);
      // at the cap, silent TCP sockets only: a TLS node still connects (evicting one more)
      expect(await erl.eval("net_kernel:connect_node('tls_guard@localhost')")).toBe('true');
      expect(tr.connection(ERL)?.state).toBe('up');
      await until(() => closed.length === 6, 3000, 'the rest cut at the handshake deadline');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      expect(tr.pendingHandshakes().total).toBe(0);
      expect(log.has(/inbound handshake from .* failed: evicted/)).toBe(true);
      expect(log.has(/inbound handshake from .* failed: setup_timeout: handshake not finished within 1500 ms/)).toBe(true);
    } finally {
      for (const s of socks) s.destroy();
      await tr.close();
      await erl.eval(`erlang:disconnect_node('tls_guard@localhost')`);
    }
  });

  it('a plain TCP transport cannot connect to the TLS node', async () => {
    const { tr } = await transport('tls_plain@localhost', epmd.port, { setupTimeMs: 2000 });
    try {
      await expect(tr.connect(ERL)).rejects.toMatchObject({ name: 'ConnectError' });
      expect(tr.connections()).toEqual([]);
    } finally {
      await tr.close();
    }
  });
});

export type { DistTransport };
