/**
 * SIP over TCP on the profile's port, with SIPp in its TCP mode (`-t t1`): a phone registers and
 * calls the echo extension with audio the test plays and reads back, every response and the
 * switch's own requests coming back over the phone's connection (SIPp has no other); `sofia status
 * profile` names both transports; a connection sending what cannot be SIP is closed, alone.
 */
import { createSocket } from 'node:dgram';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { linearToUlaw } from '@beamline/switch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneAudio } from '../../../tools/sipp/audio.ts';
import { type SippResult, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import { MAX_STREAM_MESSAGE, SipFramingError, SipStreams, type StreamSockets, TCP_SOCKETS, takeFrames } from '../src/tcp_transport.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.stop();
});

const phone = { domain: 'beamline.test', authUser: '1000', password: '1234', transport: 'tcp', traceMessages: true } as const;
const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);
const headerOf = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(message)?.[1];

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('framing a TCP stream', () => {
  const message = (body: string) => `OPTIONS sip:x SIP/2.0\r\nl: ${body.length}\r\n\r\n${body}`;

  it('cuts messages by Content-Length, skips CRLF keep-alives, keeps a partial message for later', () => {
    const bytes = Buffer.from(`\r\n\r\n${message('abc')}\r\n${message('')}OPTIONS sip:y SIP/2.0\r\nContent-Length: 5\r\n\r\nab`);
    const { frames, rest } = takeFrames(bytes);
    expect(frames.map(String)).toEqual([message('abc'), message('')]);
    expect(String(rest)).toBe('OPTIONS sip:y SIP/2.0\r\nContent-Length: 5\r\n\r\nab');
  });

  it('counts a double CRLF where a message would start as a ping, also cut across reads; message bytes start the count again', () => {
    expect(takeFrames(Buffer.from('\r\n\r\n'))).toMatchObject({ frames: [], pings: 1, crlf: 0 });
    const half = takeFrames(Buffer.from('\r\n'));
    expect(half).toMatchObject({ pings: 0, crlf: 2 });
    expect(takeFrames(Buffer.from('\r\n'), half.crlf)).toMatchObject({ pings: 1, crlf: 0 });
    expect(takeFrames(Buffer.from(`\r\n\r\n${message('')}\r\n\r\n`))).toMatchObject({ pings: 2, crlf: 0 });
    // a message's own CRLF (one, between two messages) is no ping
    expect(takeFrames(Buffer.from(`${message('')}\r\n${message('')}`), 2)).toMatchObject({ pings: 0, crlf: 0 });
    expect(takeFrames(Buffer.from('OPT'), 2)).toMatchObject({ pings: 0, crlf: 0 });
  });

  it('refuses a bad Content-Length and anything longer than MAX_STREAM_MESSAGE', () => {
    expect(() => takeFrames(Buffer.from('OPTIONS sip:x SIP/2.0\r\nContent-Length: -1\r\n\r\n'))).toThrow(SipFramingError);
    expect(() => takeFrames(Buffer.from(`OPTIONS sip:x SIP/2.0\r\nContent-Length: ${MAX_STREAM_MESSAGE}\r\n\r\n`))).toThrow(SipFramingError);
    expect(() => takeFrames(Buffer.alloc(MAX_STREAM_MESSAGE + 1, 'x'))).toThrow('no end of headers');
    expect(takeFrames(Buffer.alloc(MAX_STREAM_MESSAGE, 'x')).frames).toEqual([]);
  });
});

describe('the sockets a profile opens', () => {
  it('have TCP_NODELAY and the kernel keep-alive after socket-tcp-keepalive seconds (tport_tcp_init_secondary)', async () => {
    const seen: { noDelay?: boolean; keepAlive?: [boolean | undefined, number | undefined] }[] = [];
    const spied: StreamSockets = {
      ...TCP_SOCKETS,
      connect: (to) => {
        const socket = TCP_SOCKETS.connect(to);
        const s: (typeof seen)[number] = {};
        seen.push(s);
        const { setNoDelay, setKeepAlive } = socket;
        socket.setNoDelay = (on?: boolean) => {
          s.noDelay = on;
          return setNoDelay.call(socket, on);
        };
        socket.setKeepAlive = (on?: boolean, delay?: number) => {
          s.keepAlive = [on, delay];
          return setKeepAlive.call(socket, on, delay);
        };
        return socket;
      },
    };
    const far = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => far.once('listening', r));
    const streams = new SipStreams(
      () => {},
      { maxConnections: 4, maxPerAddress: 4, idleMs: 60_000, socketKeepaliveSeconds: 30 },
      () => {},
    );
    await streams.listen('127.0.0.1', 0, spied);
    try {
      streams.send(Buffer.from('OPTIONS'), { address: '127.0.0.1', port: (far.address() as { port: number }).port, transport: 'tcp' });
      expect(seen).toEqual([{ noDelay: true, keepAlive: [true, 30_000] }]);
    } finally {
      streams.close();
      far.close();
    }
  });
});

describe('a message whose connection cannot be opened', () => {
  const limits = { maxConnections: 10, maxPerAddress: 10, idleMs: 60_000 };
  const listening = (): Promise<Server> =>
    new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
  const portOf = (s: Server) => (s.address() as { port: number }).port;

  it('is reported undelivered: refused at connect, or dropped while its connection is still opening', async () => {
    const warnings: string[] = [];
    const warn = (w: string) => {
      warnings.push(w);
    };
    const streams = new SipStreams(() => {}, limits, warn);
    // A transport whose sockets never become ready (a TLS peer that never finishes its handshake).
    const stalled: StreamSockets = { ...TCP_SOCKETS, readyEvent: 'never' };
    const refusing = await listening();
    const silent = await listening();
    await streams.listen('127.0.0.1', 0, stalled);
    try {
      const closed = portOf(refusing);
      await new Promise((r) => refusing.close(r));
      const why: string[] = [];
      expect(streams.send(Buffer.from('OPTIONS'), { address: '127.0.0.1', port: closed, transport: 'tcp' }, (w) => why.push(w))).toBe(true);
      await until('the refusal', () => why.length > 0);
      expect(why).toEqual([`connect ECONNREFUSED 127.0.0.1:${closed}`]);

      const to = { address: '127.0.0.1', port: portOf(silent), transport: 'tcp' } as const;
      const lost: string[] = [];
      streams.send(Buffer.from('INVITE'), to, (w) => lost.push(w));
      streams.send(Buffer.from('ACK'), to); // nobody to tell
      await new Promise((r) => setTimeout(r, 100));
      expect(lost).toEqual([]);
      streams.drop(to, 'the test drops it');
      await until('the drop', () => lost.length > 0);
      expect(lost).toEqual(['closed before it was ready']);
      expect(warnings.filter((w) => w.startsWith('could not connect'))).toHaveLength(2);
    } finally {
      streams.close();
      silent.close();
    }
  });
});

describe('SIP over TCP', () => {
  it('sofia status profile names the TCP bind (BIND-URL …;transport=udp,tcp)', async () => {
    const status = await rig.sw.api('sofia status profile internal');
    expect(status).toContain(`URL              \tsip:mod_sofia@127.0.0.1:${rig.port}\n`);
    expect(status).toContain(`BIND-URL         \tsip:mod_sofia@127.0.0.1:${rig.port};transport=udp,tcp\n`);
  });

  it('a phone registers over TCP: 401, then 200 on the same connection, Registered(TCP)', async () => {
    const r = await runSipp({ ...phone, scenario: 'register_tcp', port: rig.port, service: '1000' });
    ok(r);
    const registered = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::register' && e.getHeader('from-user') === '1000');
    expect(registered.getHeader('status')).toBe('Registered(TCP)');
    expect(await rig.sw.api('sofia status profile internal reg')).toContain('Status:     \tRegistered(TCP)(unknown)');
    expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toMatch(
      /^sofia\/internal\/sip:1000@127\.0\.0\.1:\d+;transport=TCP;fs_path=sip%3A127\.0\.0\.1%3A\d+%3Btransport%3Dtcp$/,
    );
  });

  it('a call to echo over TCP: our Via and Contact say TCP, the audio comes back, the phone hangs up', async () => {
    const audio = await phoneAudio();
    try {
      const seen = rig.events.length;
      const call = await startSipp({ ...phone, scenario: 'call', port: rig.port, service: '2005', holdMs: 2500, audioPort: audio.port });
      const echo = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo' && rig.events.indexOf(e) >= seen);
      const uuid = echo.getHeader('Unique-ID') ?? '';
      expect(echo.getHeader('variable_sip_via_protocol')).toBe('tcp');
      const frames = Array.from({ length: 10 }, (_, i) => Uint8Array.from({ length: 160 }, (_, j) => linearToUlaw(((i * 160 + j) % 50) * 300)));
      await audio.send(Number(await rig.sw.api(`uuid_getvar ${uuid} local_media_port`)), 0, frames);
      await until('the echo', () => audio.received.length >= frames.length);
      expect(audio.received.map((p) => [...p.payload])).toEqual(frames.map((f) => [...f]));
      const r = await call.done;
      ok(r);
      const answer = r.messages.find((m) => m.startsWith('SIP/2.0 200') && headerOf(m, 'CSeq') === '2 INVITE') ?? '';
      expect(headerOf(answer, 'Contact')).toBe(`<sip:mod_sofia@127.0.0.1:${rig.port};transport=tcp>`);
      const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);
      expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    } finally {
      audio.close();
    }
  });

  it('the switch’s own request (a BYE) goes over the phone’s connection, its Via SIP/2.0/TCP', async () => {
    // the phone's second call replaces its first (replaces_sipp.test.ts), which the switch then hangs up
    const r = await runSipp({
      ...phone,
      scenario: 'call_replaces',
      port: rig.port,
      service: '2000',
      holdMs: 500,
      vars: { service2: '9999', replaces: '[call_id];to-tag=[$tag1];from-tag=[pid]SIPpTag00[call_number]', hold2: '500', bye_wait: '5000' },
    });
    ok(r);
    const bye = r.messages.find((m) => m.startsWith('BYE ') && !headerOf(m, 'Call-ID')?.startsWith('second///')) ?? '';
    expect(headerOf(bye, 'Via')).toMatch(new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${rig.port};branch=z9hG4bK`));
    expect(bye).toMatch(/^BYE sip:1000@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
  });

  describe('a connection sending what is not SIP', () => {
    const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(rig.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });

    it('a double-CRLF ping gets a CRLF pong (RFC 5626 §3.5.1, as mod_sofia’s TPTAG_PONG2PING), a ping cut in two too', async () => {
      const phone = await open();
      try {
        let heard = '';
        phone.on('data', (d) => {
          heard += d.toString('latin1');
        });
        phone.write('\r\n\r\n');
        await until('the pong', () => heard.length >= 2);
        expect(heard).toBe('\r\n');
        phone.write('\r\n');
        await new Promise((r) => setTimeout(r, 100));
        expect(heard).toBe('\r\n'); // half a ping: nothing yet
        phone.write('\r\n');
        await until('the second pong', () => heard.length >= 4);
        expect(heard).toBe('\r\n\r\n');
      } finally {
        phone.destroy();
      }
    });

    it('is closed with a WARNING (garbage, an oversized frame); UDP and other connections go on', async () => {
      const good = await open();
      const garbage = await open();
      const gone = closed(garbage);
      garbage.write(Buffer.concat([Buffer.from([0, 1, 2, 0xff]), Buffer.from(' not sip\r\n\r\n')]));
      await gone;
      expect(rig.logs.some((l) => /^WARNING sofia\/internal: closed the tcp connection from 127\.0\.0\.1:\d+: /.test(l))).toBe(true);
      const big = await open();
      const bigGone = closed(big);
      big.write(Buffer.alloc(MAX_STREAM_MESSAGE + 10, 'a'));
      await bigGone;
      expect(rig.logs.some((l) => l.includes('no end of headers'))).toBe(true);
      // the other connection and UDP still get answers
      const replies: string[] = [];
      good.on('data', (d) => replies.push(d.toString()));
      const options = (port: number, via: string) =>
        [
          'OPTIONS sip:127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/${via} 127.0.0.1:${port};branch=z9hG4bK-${via}`,
          'From: <sip:probe@127.0.0.1>;tag=1',
          'To: <sip:127.0.0.1>',
          `Call-ID: tcp-garbage-${via}`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
      good.write(options(good.localPort ?? 0, 'TCP'));
      await until('the TCP answer', () => replies.join('').includes('\r\n\r\n'));
      expect(replies.join('')).toMatch(/^SIP\/2\.0 200 OK\r\n/);
      const udp = createSocket('udp4');
      try {
        await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
        const udpReplies: string[] = [];
        udp.on('message', (m) => udpReplies.push(m.toString()));
        udp.send(options(udp.address().port, 'UDP'), rig.port, '127.0.0.1');
        await until('the UDP answer', () => udpReplies.length > 0);
        expect(udpReplies[0]).toMatch(/^SIP\/2\.0 200 OK\r\n/);
      } finally {
        udp.close();
        good.destroy();
      }
    });
  });
});

describe('tcp-keepalive and tcp-pingpong', () => {
  let kept: Rig;
  beforeAll(async () => {
    kept = await startRig({ tcpKeepaliveMs: 1000, tcpPingpongMs: 1500 });
  });
  afterAll(async () => {
    await kept?.stop();
  });

  it('a connection we send nothing on gets a ping; one that answers it stays, one that does not is closed with a WARNING', async () => {
    const connectTo = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(kept.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    const answering = await connectTo();
    const silent = await connectTo();
    let heard = '';
    answering.on('data', (d) => {
      heard += d.toString('latin1');
      answering.write('\r\n'); // the pong
    });
    let silentHeard = '';
    let silentClosed = false;
    silent.on('data', (d) => {
      silentHeard += d.toString('latin1');
    });
    silent.on('close', () => {
      silentClosed = true;
    });
    try {
      await until('the pings', () => heard.length >= 4 && silentHeard.length >= 4, 4000);
      expect(heard.slice(0, 4)).toBe('\r\n\r\n');
      expect(silentHeard).toBe('\r\n\r\n');
      await until('the unanswered connection closed', () => silentClosed, 5000);
      expect(
        kept.logs.some((l) => /^WARNING sofia\/internal: closed the tcp connection from 127\.0\.0\.1:\d+: no pong within 1500 ms$/.test(l)),
      ).toBe(true);
      await until('a second ping', () => heard.length >= 8, 3000); // answered, so pinged again
      expect(answering.destroyed).toBe(false);
    } finally {
      answering.destroy();
      silent.destroy();
    }
  }, 15_000);
});

describe('tcp-unreg-on-socket-close', () => {
  let unreg: Rig;
  beforeAll(async () => {
    unreg = await startRig({ tcpUnregOnSocketClose: true });
  });
  afterAll(async () => {
    await unreg?.stop();
  });

  it('a registration goes with its connection: sofia::unregister reason socket-disconnection, PRESENCE_IN Unregistered', async () => {
    const r = await runSipp({ ...phone, scenario: 'register_tcp', port: unreg.port, service: '1001' });
    ok(r); // SIPp has registered and quit: its connection is closed
    const gone = await unreg.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::unregister' && e.getHeader('from-user') === '1001');
    expect(gone.getHeader('reason')).toBe('socket-disconnection');
    expect(gone.getHeader('profile-name')).toBe('internal');
    const presence = await unreg.waitFor((e) => e.type === 'PRESENCE_IN' && e.getHeader('from') === '1001@beamline.test');
    expect(presence.getHeader('status')).toBe('Unregistered');
    expect(presence.getHeader('presence-source')).toBe('register');
    expect(await unreg.sw.api('sofia_contact 1001@beamline.test')).toBe('error/user_not_registered');
    // without the param (the suite's own profile), the same registration outlives its connection
    ok(await runSipp({ ...phone, scenario: 'register_tcp', port: rig.port, service: '1001' }));
    await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::register' && e.getHeader('from-user') === '1001');
    await new Promise((r) => setTimeout(r, 200));
    expect(await rig.sw.api('sofia_contact 1001@beamline.test')).toMatch(/^sofia\/internal\/sip:1001@/);
  });
});
