/**
 * The transport between two (or three) TS nodes: simultaneous connect, dedup, alive, the old
 * 'n' handshake, stalled handshakes, malformed frames, 1 MB / 64 MB messages in both body
 * formats, ticks, back-pressure.
 */
import { createHash } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.ts';
import type { EpmdServer } from '../src/epmd_server.ts';
import { portPlease, registerNode } from '../src/epmd_client.ts';
import { DEFAULT_FLAGS, DFLAG, MANDATORY_25 } from '../src/flags.ts';
import {
  decodeChallenge,
  decodeChallengeAck,
  decodeStatus,
  digest,
  encodeChallengeReply,
  encodeComplement,
  encodeOldSendName,
} from '../src/handshake.ts';
import { runAcceptor } from '../src/handshake_steps.ts';
import { MemoryLogger } from '../src/log.ts';
import { PacketChannel } from '../src/packet_channel.ts';
import type { PeerConnection } from '../src/transport.ts';
import type { DistTransport } from '../src/transport_impl.ts';
import { A, COOKIE, etf, privateEpmd, regSend, sleep, T, transport, until } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
beforeAll(async () => {
  epmd = await privateEpmd();
});
afterAll(async () => {
  await epmd.stop();
});

const open: DistTransport[] = [];
async function tr(name: string, opts: Parameters<typeof transport>[2] = {}) {
  const r = await transport(name, epmd.port, opts);
  open.push(r.tr);
  return r;
}
async function closeAll() {
  await Promise.all(open.splice(0).map((t) => t.close()));
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function rawSocketTo(alive: string): Promise<Socket> {
  const info = (await portPlease(alive, { epmdPort: epmd.port }))!;
  const s = connect({ host: '127.0.0.1', port: info.port });
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  return s;
}

describe('connect', () => {
  it('simultaneous connects from both sides end with one connection each side', async () => {
    try {
      const { tr: a, log: la } = await tr('sim_a@localhost');
      void la;
      const { tr: b, log: lb } = await tr('sim_b@localhost');
      for (let i = 0; i < 5; i++) {
        const [ca, cb] = await Promise.all([a.connect('sim_b@localhost'), b.connect('sim_a@localhost')]);
        expect(ca.state).toBe('up');
        expect(cb.state).toBe('up');
        expect(ca.initiator).not.toBe(cb.initiator);
        await sleep(50);
        expect(a.connections()).toEqual([ca]);
        expect(b.connections()).toEqual([cb]);
        ca.close();
        await Promise.all([ca.down, cb.down]);
        expect([ca.state, cb.state]).toEqual(['down', 'down']);
      }
      // the arbitration really ran: b (the greater name) refused a's attempt with nok, whichever
      // attempt arrived first (a answers ok_simultaneous only when b's attempt arrives before
      // a was told nok)
      expect(lb.has(/we win: nok/)).toBe(true);
      expect(la.has(/we win: nok/)).toBe(false);
    } finally {
      await closeAll();
    }
  });

  it('concurrent connect calls share one attempt and one nodeup', async () => {
    try {
      const { tr: a } = await tr('dd_a@localhost');
      await tr('dd_b@localhost');
      let ups = 0;
      a.events.subscribe((e) => (e.type === 'nodeup' ? ups++ : 0));
      const cs = await Promise.all(Array.from({ length: 5 }, () => a.connect('dd_b@localhost')));
      expect(new Set(cs).size).toBe(1);
      expect(ups).toBe(1);
    } finally {
      await closeAll();
    }
  });

  it('alive on our acceptor: a restarted peer with the same name replaces the old connection', async () => {
    try {
      const { tr: a } = await tr('al_a@localhost');
      const { tr: b1 } = await tr('al_b@localhost', { epmd: 'none' });
      const { tr: b2 } = await tr('al_b@localhost', { epmd: 'none' });
      const events: string[] = [];
      a.events.subscribe((e) => events.push(`${e.type}:${e.type === 'nodedown' ? e.reason.kind : ''}`));
      const old = await b1.connect('al_a@localhost');
      const oldOnA = a.connection('al_b@localhost')!;
      const fresh = await b2.connect('al_a@localhost');
      expect(fresh.state).toBe('up');
      expect(await oldOnA.down).toMatchObject({ kind: 'replaced' });
      expect(await old.down).toMatchObject({ kind: 'closed' });
      expect(events).toEqual(['nodeup:', 'nodedown:replaced', 'nodeup:']);
      expect(a.connection('al_b@localhost')).not.toBe(oldOnA);
    } finally {
      await closeAll();
    }
  });

  it('a second transport with a registered name fails to start; the first keeps working', async () => {
    try {
      const { tr: a } = await tr('twice@localhost');
      await expect(transport('twice@localhost', epmd.port)).rejects.toThrow(/refused.*in use/);
      const { tr: b } = await tr('twice_peer@localhost');
      expect((await b.connect('twice@localhost')).state).toBe('up');
      expect(a.connections()).toHaveLength(1);
    } finally {
      await closeAll();
    }
  });

  it('caps concurrent inbound handshakes: at the cap the oldest silent socket is evicted, never the newcomer', async () => {
    try {
      const { tr: a, log } = await tr('cap_a@localhost', { maxHandshakes: 2 });
      const closed: number[] = [];
      const socks = [await rawSocketTo('cap_a'), await rawSocketTo('cap_a')];
      for (const [i, s] of socks.entries()) s.on('close', () => closed.push(i));
      await until(() => a.pendingHandshakes().total === 2, 2000, 'two pending');
      const third = await rawSocketTo('cap_a');
      third.on('close', () => closed.push(2));
      await until(() => closed.length === 1, 2000, 'an eviction');
      expect(closed).toEqual([0]);
      expect(a.pendingHandshakes().total).toBe(2);
      await until(() => log.has(/inbound handshake .* failed: evicted/), 2000, 'the eviction log');
      // with the cap still full of silent sockets, a real peer gets in (evicting the next oldest)
      const { tr: b } = await tr('cap_b@localhost');
      expect((await b.connect('cap_a@localhost')).state).toBe('up');
      expect(closed).toEqual([0, 1]);
      for (const s of [...socks, third]) s.destroy();
    } finally {
      await closeAll();
    }
  });

  it('a registered but dead port fails with connect_failed; transport close rejects pending connects', async () => {
    try {
      const { tr: a } = await tr('cf_a@localhost');
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const port = (srv.address() as { port: number }).port;
      await new Promise<void>((r) => srv.close(() => r()));
      const reg = await registerNode({ alive: 'ghost', port, hidden: true, epmdPort: epmd.port });
      await expect(a.connect('ghost@localhost')).rejects.toMatchObject({ failure: 'connect_failed' });
      reg.close();
    } finally {
      await closeAll();
    }
  });

  it('accepts the old v5 n handshake with the c complement (OTP 23/24 without EPMD)', async () => {
    try {
      const { tr: a } = await tr('old_a@localhost');
      const ups: PeerConnection[] = [];
      a.events.subscribe((e) => (e.type === 'nodeup' ? ups.push(e.conn) : 0));
      const s = await rawSocketTo('old_a');
      const ch = new PacketChannel(s);
      const low = Number(DEFAULT_FLAGS & 0xffffffffn);
      ch.send(encodeOldSendName(low, 'old_peer@localhost'));
      expect(decodeStatus(await ch.next(2000))).toEqual({ status: 'ok' });
      const c = decodeChallenge(await ch.next(2000));
      expect(c.version).toBe(6);
      expect(c.name).toBe('old_a@localhost');
      ch.send(encodeComplement(DEFAULT_FLAGS, 4242));
      ch.send(encodeChallengeReply(77, digest(COOKIE, c.challenge)));
      const ack = decodeChallengeAck(await ch.next(2000));
      expect(Buffer.from(ack).equals(Buffer.from(digest(COOKIE, 77)))).toBe(true);
      await until(() => ups.length === 1, 2000, 'nodeup');
      expect(ups[0]!.peerCreation).toBe(4242);
      expect(ups[0]!.peerFlags).toBe(DEFAULT_FLAGS);
      s.destroy();
    } finally {
      await closeAll();
    }
  });

  it('refuses an n handshake without HANDSHAKE_23 (not_allowed)', async () => {
    try {
      const { log } = await tr('old_b@localhost');
      const s = await rawSocketTo('old_b');
      const ch = new PacketChannel(s);
      ch.send(encodeOldSendName(Number(MANDATORY_25 & ~DFLAG.HANDSHAKE_23), 'old_peer2@localhost'));
      expect(decodeStatus(await ch.next(2000))).toEqual({ status: 'not_allowed' });
      expect(log.has(/cannot handle.*HANDSHAKE_23/)).toBe(true);
      s.destroy();
    } finally {
      await closeAll();
    }
  });
});

describe('stalled and hostile handshakes', () => {
  it('a peer whose challenge ack digest is wrong is refused (Invalid challenge ack)', async () => {
    const { encodeChallenge, encodeChallengeAck, encodeStatus } = await import('../src/handshake.ts');
    const srv = createServer((s) => {
      s.on('error', () => {});
      const ch = new PacketChannel(s);
      void (async () => {
        await ch.next(2000); // send_name
        ch.send(encodeStatus('ok'));
        ch.send(encodeChallenge(DEFAULT_FLAGS, 12345, 7, 'liar@localhost'));
        await ch.next(2000); // challenge reply (not checked: this peer does not know the cookie)
        ch.send(encodeChallengeAck(new Uint8Array(16)));
      })().catch(() => s.destroy());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const reg = await registerNode({ alive: 'liar', port: (srv.address() as { port: number }).port, hidden: true, epmdPort: epmd.port });
    try {
      const { tr: a, log } = await tr('ack_a@localhost');
      const events: string[] = [];
      a.events.subscribe((e) => events.push(e.type));
      await expect(a.connect('liar@localhost')).rejects.toMatchObject({ failure: 'bad_cookie' });
      expect(log.has(/Invalid challenge ack/)).toBe(true);
      expect(events).toEqual([]);
    } finally {
      reg.close();
      await closeAll();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('data frames glued to the final ack in one segment are delivered, in order, after nodeup', async () => {
    const { encodeChallenge, encodeChallengeAck, encodeStatus, decodeChallengeReply } = await import('../src/handshake.ts');
    const { encodePassThrough } = await import('../src/frame.ts');
    const srv = createServer((s) => {
      s.on('error', () => {});
      const ch = new PacketChannel(s);
      void (async () => {
        await ch.next(2000);
        ch.send(encodeStatus('ok'));
        ch.send(encodeChallenge(DEFAULT_FLAGS & ~(DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE), 999, 7, 'eager@localhost'));
        const r = decodeChallengeReply(await ch.next(2000));
        ch.detach();
        const ack = encodeChallengeAck(digest(COOKIE, r.challenge));
        const frames = [1, 2].flatMap((i) => encodePassThrough(etf(T(2, A(''), A('x'))), etf(i)));
        s.write(Buffer.concat([Buffer.from([0, ack.length]), ack, ...frames]));
      })().catch(() => s.destroy());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const reg = await registerNode({ alive: 'eager', port: (srv.address() as { port: number }).port, hidden: true, epmdPort: epmd.port });
    try {
      const { tr: a } = await tr('eg_a@localhost');
      const seen: string[] = [];
      a.events.subscribe((e) => seen.push(e.type));
      a.onMessage = (_c, _control, payload) => seen.push(`msg ${payload![payload!.length - 1]}`);
      const c = await a.connect('eager@localhost');
      await until(() => seen.length === 3, 2000, 'two messages');
      expect(seen).toEqual(['nodeup', 'msg 1', 'msg 2']);
      expect(c.flags & DFLAG.FRAGMENTS).toBe(0n);
    } finally {
      reg.close();
      await closeAll();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('a peer that answers with another name than the one dialled is refused (no_node)', async () => {
    const { encodeChallenge, encodeStatus } = await import('../src/handshake.ts');
    const srv = createServer((s) => {
      s.on('error', () => {});
      const ch = new PacketChannel(s);
      void (async () => {
        await ch.next(2000);
        ch.send(encodeStatus('ok'));
        ch.send(encodeChallenge(DEFAULT_FLAGS, 1, 7, 'other@localhost'));
      })().catch(() => s.destroy());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const reg = await registerNode({ alive: 'imposter', port: (srv.address() as { port: number }).port, hidden: true, epmdPort: epmd.port });
    try {
      const { tr: a } = await tr('nn_a@localhost');
      await expect(a.connect('imposter@localhost')).rejects.toMatchObject({ failure: 'handshake_failed', message: expect.stringMatching(/no_node/) });
    } finally {
      reg.close();
      await closeAll();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('a peer that sends nothing is cut after setupTime, and one that stalls mid-way too', async () => {
    try {
      const { tr: a, log } = await tr('st_a@localhost', { setupTimeMs: 400 });
      const t0 = Date.now();
      const s = await rawSocketTo('st_a');
      await new Promise((r) => s.on('close', r));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(Date.now() - t0).toBeLessThan(2000);
      // send_name, then silence at the challenge-reply step
      const s2 = await rawSocketTo('st_a');
      const ch = new PacketChannel(s2);
      const { encodeSendName } = await import('../src/handshake.ts');
      ch.send(encodeSendName(DEFAULT_FLAGS, 5, 'slow@localhost'));
      expect(decodeStatus(await ch.next(2000))).toEqual({ status: 'ok' });
      decodeChallenge(await ch.next(2000));
      await new Promise((r) => s2.on('close', r));
      await until(() => log.has(/inbound handshake .* failed: setup_timeout/), 2000, 'timeout log');
      expect(a.connections()).toEqual([]);
    } finally {
      await closeAll();
    }
  });

  it('garbage instead of a handshake closes only that socket', async () => {
    try {
      const { tr: a } = await tr('gb_a@localhost');
      const { tr: b } = await tr('gb_b@localhost');
      const s = await rawSocketTo('gb_a');
      s.write(Buffer.from([0, 5, 1, 2, 3, 4, 5]));
      await new Promise((r) => s.on('close', r));
      const c = await b.connect('gb_a@localhost');
      expect(c.state).toBe('up');
      expect(a.connections()).toHaveLength(1);
    } finally {
      await closeAll();
    }
  });
});

describe('admission control for inbound sockets', () => {
  /** A raw TCP socket to `port` from local address `from` (any 127.x address is loopback on Linux). */
  async function rawFrom(port: number, from: string): Promise<Socket> {
    const s = connect({ host: '127.0.0.1', port, localAddress: from });
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    return s;
  }
  const closedAt = (s: Socket, t0: number) => new Promise<number>((r) => s.once('close', () => r(Date.now() - t0)));

  it('a silent socket is cut at the first-byte deadline; one that sent part of a message at the handshake deadline', async () => {
    try {
      const { tr: a, log } = await tr('fb_a@localhost', { firstByteTimeoutMs: 200, handshakeTimeoutMs: 800 });
      const t0 = Date.now();
      const silent = await rawSocketTo('fb_a');
      const partial = await rawSocketTo('fb_a');
      partial.write(Buffer.from([0, 40, 78])); // the start of a name message, never finished
      const [ts, tp] = await Promise.all([closedAt(silent, t0), closedAt(partial, t0)]);
      expect(ts).toBeGreaterThanOrEqual(150);
      expect(ts).toBeLessThan(600);
      expect(tp).toBeGreaterThanOrEqual(750);
      expect(tp).toBeLessThan(1500);
      expect(a.pendingHandshakes().total).toBe(0);
      expect(log.has(/failed: setup_timeout: nothing received within 200 ms/)).toBe(true);
      expect(log.has(/failed: setup_timeout: handshake not finished within 800 ms/)).toBe(true);
    } finally {
      await closeAll();
    }
  });

  it('a handshake message longer than any real one closes the socket at once', async () => {
    try {
      const { tr: a, log } = await tr('big_a@localhost');
      const s = await rawSocketTo('big_a');
      const t0 = Date.now();
      s.write(Buffer.from([0xff, 0xff, 78])); // announces 65535 bytes
      expect(await closedAt(s, t0)).toBeLessThan(1000);
      await until(() => log.has(/failed: handshake_failed: .*65535 bytes/), 2000, 'the oversize log');
      expect(a.pendingHandshakes().total).toBe(0);
    } finally {
      await closeAll();
    }
  });

  it('the per-address cap evicts from the flooding address only', async () => {
    try {
      const { tr: a } = await tr('pa_a@localhost', { maxHandshakes: 10, maxHandshakesPerAddress: 2 });
      const closed: string[] = [];
      const track = (s: Socket, name: string) => {
        s.on('close', () => closed.push(name));
        return s;
      };
      const other = track(await rawFrom(a.port, '127.0.0.3'), 'other');
      const f0 = track(await rawFrom(a.port, '127.0.0.2'), 'f0');
      await until(() => a.pendingHandshakes().total === 2, 2000, 'two pending');
      const f1 = track(await rawFrom(a.port, '127.0.0.2'), 'f1');
      const f2 = track(await rawFrom(a.port, '127.0.0.2'), 'f2');
      const f3 = track(await rawFrom(a.port, '127.0.0.2'), 'f3');
      await until(() => closed.length === 2, 2000, 'two evictions');
      expect(closed).toEqual(['f0', 'f1']);
      expect(a.pendingHandshakes().byAddress).toEqual({ '127.0.0.3': 1, '127.0.0.2': 2 });
      for (const s of [other, f0, f1, f2, f3]) s.destroy();
    } finally {
      await closeAll();
    }
  });

  it("an unauthenticated socket using a connected peer's name cannot take that connection down", async () => {
    try {
      const { tr: a, log } = await tr('imp_a@localhost');
      const { tr: b } = await tr('imp_b@localhost');
      const conn = await b.connect('imp_a@localhost');
      const onA = a.connection('imp_b@localhost')!;
      const { encodeSendName, encodeStatus } = await import('../src/handshake.ts');
      // the imposter answers `true` to alive (as a restarted node would), then fails the challenge
      const s = await rawSocketTo('imp_a');
      const ch = new PacketChannel(s);
      ch.send(encodeSendName(DEFAULT_FLAGS, 99, 'imp_b@localhost'));
      expect(decodeStatus(await ch.next(2000))).toEqual({ status: 'alive' });
      ch.send(encodeStatus('true'));
      decodeChallenge(await ch.next(2000));
      ch.send(encodeChallengeReply(1, new Uint8Array(16)));
      await new Promise((r) => s.on('close', r));
      await until(() => log.has(/Invalid challenge reply/), 2000, 'the refusal');
      expect(onA.state).toBe('up');
      expect(conn.state).toBe('up');
      expect(a.connection('imp_b@localhost')).toBe(onA);
    } finally {
      await closeAll();
    }
  });

  it('listens on loopback by default for a node named @localhost, on every interface for another host', async () => {
    const { defaultListenHost } = await import('../src/transport_impl.ts');
    expect(defaultListenHost('a@localhost')).toBe('127.0.0.1');
    expect(defaultListenHost('a@127.0.0.1')).toBe('127.0.0.1');
    expect(defaultListenHost('a@127.0.1.1')).toBe('127.0.1.1');
    expect(defaultListenHost('a@myhost')).toBe('0.0.0.0');
    expect(defaultListenHost('a@10.0.0.5')).toBe('0.0.0.0');
    expect(defaultListenHost('a@app1.example.com')).toBe('0.0.0.0');
    try {
      const { tr: a } = await tr('lh_a@localhost', { listenHost: undefined });
      expect(a.listenHost).toBe('127.0.0.1');
      const { tr: b } = await tr('lh_b@localhost', { listenHost: '0.0.0.0' });
      expect(b.listenHost).toBe('0.0.0.0');
      expect((await b.connect('lh_a@localhost')).state).toBe('up');
    } finally {
      await closeAll();
    }
  });
});

describe('frames', () => {
  async function pair(tag: string, opts: Parameters<typeof transport>[2] = {}) {
    const { tr: a, log: la } = await tr(`${tag}_a@localhost`, opts);
    const { tr: b, log: lb } = await tr(`${tag}_b@localhost`, opts);
    const got: { control: Uint8Array; payload?: Uint8Array }[] = [];
    b.onMessage = (_c, control, payload) => got.push({ control: control.slice(), payload: payload?.slice() });
    const c = await a.connect(`${tag}_b@localhost`);
    return { a, b, c, got, la, lb };
  }

  for (const mode of ['fragments', 'pass-through'] as const) {
    it(`1 MB and 64 MB messages arrive intact (${mode})`, async () => {
      try {
        const { b, c, got } = await pair(
          mode === 'fragments' ? 'fr' : 'pt',
          mode === 'fragments' ? {} : { removeFlags: DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE },
        );
        expect((c.flags & DFLAG.FRAGMENTS) !== 0n).toBe(mode === 'fragments');
        const sizes = [1 << 20, 64 << 20];
        const sent: string[] = [];
        for (const n of sizes) {
          const big = new Uint8Array(n);
          for (let i = 0; i < n; i += 4096) big[i] = (i / 4096) & 255;
          const [control, payload] = regSend(b, 'sink', big);
          sent.push(sha(payload));
          c.send(control, payload);
        }
        await until(() => got.length === 2, 30_000, 'two big messages');
        expect(got.map((g) => sha(g.payload!))).toEqual(sent);
        expect(got[0]!.control[0]).toBe(131);
        const st = b.connections()[0]!.stats();
        if (mode === 'fragments') expect(st.fragmentsIn).toBeGreaterThan(1000);
        else expect(st.fragmentsIn).toBe(0);
      } finally {
        await closeAll();
      }
    }, 60_000);
  }

  it('a malformed frame closes only that connection; others keep working', async () => {
    try {
      const { tr: hub, log } = await tr('mf_hub@localhost');
      const { tr: good } = await tr('mf_good@localhost');
      const { tr: bad } = await tr('mf_bad@localhost');
      const got: string[] = [];
      hub.onMessage = (conn) => got.push(conn.peerName);
      const cg = await good.connect('mf_hub@localhost');
      const cb = (await bad.connect('mf_hub@localhost')) as Connection;
      const hubBad = hub.connection('mf_bad@localhost')!;
      // a frame that claims a dist header, then garbage
      cb.writeRaw(Uint8Array.of(0, 0, 0, 5, 131, 68, 0, 200, 1));
      expect(await hubBad.down).toMatchObject({ kind: 'protocol_error' });
      expect(log.has(/malformed frame from mf_bad@localhost/)).toBe(true);
      const [control, payload] = regSend(good, 'x', A('still_alive'));
      cg.send(control, payload);
      await until(() => got.includes('mf_good@localhost'), 2000, 'message on the good connection');
      expect(hub.connection('mf_good@localhost')?.state).toBe('up');
      // and the node still accepts new connections from the bad peer
      await until(() => bad.connections().length === 0, 2000, 'bad side down');
      expect((await bad.connect('mf_hub@localhost')).state).toBe('up');
    } finally {
      await closeAll();
    }
  });

  it('an oversized frame length closes the connection instead of buffering it', async () => {
    try {
      const { tr: a } = await tr('ov_a@localhost', { maxMessageBytes: 1 << 20 });
      const { tr: b } = await tr('ov_b@localhost');
      const c = (await b.connect('ov_a@localhost')) as Connection;
      const onA = a.connection('ov_b@localhost')!;
      c.writeRaw(Uint8Array.of(0x7f, 0, 0, 0));
      expect(await onA.down).toMatchObject({ kind: 'protocol_error' });
    } finally {
      await closeAll();
    }
  });

  it('an onMessage handler that throws is logged and does not take the connection down', async () => {
    try {
      const { b, c, lb } = await pair('th');
      let n = 0;
      b.onMessage = () => {
        n++;
        throw new Error('handler bug');
      };
      const [control, payload] = regSend(b, 'x', 1);
      c.send(control, payload);
      c.send(control, payload);
      await until(() => n === 2, 2000, 'two deliveries');
      expect(lb.has(/onMessage handler threw/)).toBe(true);
      expect(c.state).toBe('up');
    } finally {
      await closeAll();
    }
  });

  it('control-only frames and frame order are preserved', async () => {
    try {
      const { c, got } = await pair('or');
      for (let i = 0; i < 200; i++) c.send(etf(T(2 + (i % 2), A('x'), i)));
      await until(() => got.length === 200, 3000, '200 frames');
      expect(got.every((g, i) => g.payload === undefined && g.control[g.control.length - 1] === (i & 255))).toBe(true);
    } finally {
      await closeAll();
    }
  });
});

/** A peer that completes the handshake as acceptor and then does whatever the test wants. */
async function rawAcceptorPeer(name: string): Promise<{ sockets: Socket[]; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const srv = createServer((s) => {
    s.on('error', () => {});
    const ch = new PacketChannel(s);
    runAcceptor(ch, {
      ourName: name,
      ourFlags: DEFAULT_FLAGS,
      creation: 99,
      cookie: COOKIE,
      setupTimeMs: 3000,
      requiredFlags: 0n,
      logger: new MemoryLogger(),
    }).then(
      () => {
        ch.detach();
        sockets.push(s);
      },
      () => s.destroy(),
    );
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const reg = await registerNode({ alive: name.split('@')[0]!, port: (srv.address() as { port: number }).port, hidden: true, epmdPort: epmd.port });
  return {
    sockets,
    close: async () => {
      reg.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

describe('ticks', () => {
  it('an idle connection survives several net_ticktimes; both sides tick', async () => {
    try {
      const { tr: a } = await tr('tk_a@localhost', { ticktime: 1 });
      const { tr: b } = await tr('tk_b@localhost', { ticktime: 1 });
      const c = await a.connect('tk_b@localhost');
      await sleep(3000);
      expect(c.state).toBe('up');
      expect(c.stats().ticksIn).toBeGreaterThan(3);
      expect(b.connection('tk_a@localhost')!.stats().ticksIn).toBeGreaterThan(3);
    } finally {
      await closeAll();
    }
  });

  it('a silent peer is declared down within net_ticktime (+ one tick period)', async () => {
    const peer = await rawAcceptorPeer('silent@localhost');
    try {
      const { tr: a, log } = await tr('tk_c@localhost', { ticktime: 1 });
      const c = await a.connect('silent@localhost');
      const t0 = Date.now();
      expect(await c.down).toMatchObject({ kind: 'tick_timeout' });
      const dt = Date.now() - t0;
      expect(dt).toBeGreaterThanOrEqual(950);
      expect(dt).toBeLessThan(1600);
      expect(log.has(/not responding/)).toBe(true);
    } finally {
      await closeAll();
      await peer.close();
    }
  });
});

describe('back-pressure', () => {
  it('send() reports the high-water mark, drained() resolves, and the drop policy counts and logs', async () => {
    const peer = await rawAcceptorPeer('slow_drop@localhost');
    try {
      const { tr: a, log } = await tr('bp_a@localhost', { highWaterBytes: 2 << 20, maxQueueBytes: 16 << 20, overflowPolicy: 'drop', ticktime: 60 });
      const c = await a.connect('slow_drop@localhost');
      await until(() => peer.sockets.length === 1, 2000, 'peer socket');
      peer.sockets[0]!.pause(); // the peer stops reading
      const chunk = etf(new Uint8Array(1 << 20));
      const ctl = etf(T(2, A(''), A('x')));
      let sawFalse = false;
      for (let i = 0; i < 200 && c.stats().dropped === 0; i++) {
        if (!c.send(ctl, chunk)) sawFalse = true;
        await sleep(1);
      }
      expect(sawFalse).toBe(true);
      const st = c.stats();
      expect(st.dropped).toBeGreaterThan(0);
      expect(st.overflows).toBe(st.dropped);
      expect(st.queuedBytes).toBeLessThanOrEqual(16 << 20);
      expect(log.has(/outbound queue full, message dropped/)).toBe(true);
      expect(c.state).toBe('up');
      let drained = false;
      void c.drained().then(() => (drained = true));
      await sleep(50);
      expect(drained).toBe(false);
      peer.sockets[0]!.resume();
      await until(() => drained, 10_000, 'drained');
    } finally {
      await closeAll();
      await peer.close();
    }
  });

  it('the close policy takes the connection down with queue_overflow', async () => {
    const peer = await rawAcceptorPeer('slow_close@localhost');
    try {
      const { tr: a, log } = await tr('bp_b@localhost', { highWaterBytes: 1 << 20, maxQueueBytes: 8 << 20, ticktime: 60 });
      const downs: string[] = [];
      a.events.subscribe((e) => (e.type === 'nodedown' ? downs.push(e.reason.kind) : 0));
      const c = await a.connect('slow_close@localhost');
      await until(() => peer.sockets.length === 1, 2000, 'peer socket');
      peer.sockets[0]!.pause();
      const chunk = etf(new Uint8Array(1 << 20));
      const ctl = etf(T(2, A(''), A('x')));
      for (let i = 0; i < 300 && c.state === 'up'; i++) {
        c.send(ctl, chunk);
        await sleep(1);
      }
      expect(await c.down).toMatchObject({ kind: 'queue_overflow' });
      expect(downs).toEqual(['queue_overflow']);
      expect(log.has(/outbound queue full, closing/)).toBe(true);
      expect(c.send(ctl)).toBe(false);
      expect(c.stats().droppedNotUp).toBe(1);
    } finally {
      await closeAll();
      await peer.close();
    }
  });
});
