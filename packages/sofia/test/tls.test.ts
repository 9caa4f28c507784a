/**
 * SIP over TLS (`tls=true`), with the test's own TLS phone (tls_phone.ts; Debian's SIPp has no
 * TLS) and certificates openssl makes in a temp dir: the TLS URLs in `sofia status`; a phone
 * registers over TLS (`Registered(TLS)`), calls echo and hears itself, hangs up; the switch calls it
 * back over its own connection; a `;transport=tls` dial string and a gateway with
 * `register-transport=tls` connect to a TLS far end; `tls-verify-policy` refuses a peer whose
 * certificate does not verify; a certificate that does not load leaves UDP and TCP running with
 * sofia-sip's line. The config and the verification rules are checked on their own first.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenServer } from '@beamline/core';
import { linearToUlaw, parseXml } from '@beamline/switch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneAudio } from '../../../tools/sipp/audio.ts';
import { SofiaConfigError, profilesFromXml } from '../src/config.ts';
import { dialTarget } from '../src/endpoint.ts';
import type { ProfileStatus } from '../src/profile.ts';
import { header } from '../src/sip/message.ts';
import { type PeerFacts, certificateFiles, parseVerifyPolicy, peerVerdict, switchCertsDir, versionRange } from '../src/tls_transport.ts';
import { type Rig, gatewayConfig, startRig } from './helpers.ts';
import { type Certificates, TlsPhone, makeCertificates, sdpOffer, startLine, tlsConnect, tlsServer } from './tls_phone.ts';

async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const statusOf = async (rig: Rig) => {
  const pid = rig.sofia.profilePids().get('internal');
  if (!pid) throw new Error('no internal profile');
  return GenServer.call<ProfileStatus>(rig.rt, pid, { op: 'status' });
};

/** The port of the rig's TLS listener (`tls-sip-port` auto). */
const tlsPort = async (rig: Rig) => Number(/:(\d+)$/.exec((await statusOf(rig)).tlsUrl ?? '')?.[1]);

describe('TLS settings and verification', () => {
  const profile = (settings: string, gateways = '') =>
    profilesFromXml(
      parseXml(
        `<configuration name="sofia.conf"><profiles><profile name="p"><settings>${settings}</settings><gateways>${gateways}</gateways></profile></profiles></configuration>`,
      ),
    )[0];
  const param = (name: string, value: string) => `<param name="${name}" value="${value}"/>`;
  const gateway = (transport: string) =>
    `<gateway name="g">${param('username', 'u')}${param('password', 'p')}${param('proxy', '10.0.0.9')}${param('register-transport', transport)}</gateway>`;

  it('reads sofia.c’s tls params and defaults; register-transport=tls only on a TLS profile', () => {
    expect(profile('')).toMatchObject({
      tls: false,
      tlsSipPort: 5061,
      tlsBindParams: 'transport=tls',
      tlsVerifyPolicy: 'none',
      tlsVerifyDepth: 2,
      tlsVerifyDate: true,
      tlsTimeout: 300,
    });
    const p = profile(
      [
        param('tls', 'true'),
        param('tls-sip-port', 'auto'),
        param('tls-bind-params', 'maddr=10.0.0.1'),
        param('tls-cert-dir', '/etc/certs'),
        param('tls-version', 'TLSv1.2,bogus'),
        param('tls-verify-in-subjects', 'a.test|b.test'),
        param('tls-timeout', '-4'),
      ].join(''),
      gateway('tls'),
    );
    expect(p).toMatchObject({
      tls: true,
      tlsSipPort: 0,
      tlsBindParams: 'maddr=10.0.0.1;transport=tls',
      tlsCertDir: '/etc/certs',
      tlsVersions: ['tlsv1.2'],
      tlsVerifyInSubjects: ['a.test', 'b.test'],
      tlsTimeout: 300,
    });
    expect(p?.gateways[0]?.registerTransport).toBe('tls');
    expect(() => profile('', gateway('tls'))).toThrow(new SofiaConfigError('sofia.conf gateway g: ERROR: unsupported transport'));
    expect(versionRange(['tlsv1.2'])).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(versionRange(['sslv3'])).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  });

  it('tls-verify-policy as sofia_glue_str2tls_verify_policy reads it', () => {
    const errors: string[] = [];
    const read = (t: string) => parseVerifyPolicy(t, (e) => errors.push(e));
    expect(read('none')).toEqual({ in: false, out: false, subjectsIn: false, subjectsOut: false });
    expect(read('in|subjects_in')).toEqual({ in: true, out: false, subjectsIn: true, subjectsOut: false });
    expect(read('a')).toEqual({ in: true, out: true, subjectsIn: false, subjectsOut: false });
    expect(read('all|none|out')).toEqual({ in: false, out: false, subjectsIn: false, subjectsOut: false });
    expect(read('out|sideways')).toEqual({ in: false, out: true, subjectsIn: false, subjectsOut: false });
    expect(errors).toEqual(['Invalid tls-verify-policy value: sideways']);
  });

  it('tls_post_connection_check: what each policy asks of a peer', () => {
    const policy = parseVerifyPolicy('all|subjects_all', () => {});
    const v = { policy, verifyDate: true, verifyDepth: 2, inSubjects: ['phone.test'] };
    const good: PeerFacts = { certificate: true, error: undefined, chainLength: 2, subjects: ['phone.test', '10.0.0.5'] };
    expect(peerVerdict(v, good, true, '')).toBeUndefined();
    expect(peerVerdict(v, good, false, '10.0.0.5')).toBeUndefined();
    expect(peerVerdict(v, good, false, '10.0.0.6')).toBe('Peer Subject Mismatch (10.0.0.6)');
    expect(peerVerdict(v, { ...good, subjects: ['other.test'] }, true, '')).toBe('Peer Subject Mismatch (incoming connection)');
    expect(peerVerdict(v, { ...good, certificate: false }, true, '')).toMatch(/no certificate/);
    expect(peerVerdict(v, { ...good, error: 'CERT_HAS_EXPIRED' }, true, '')).toMatch(/CERT_HAS_EXPIRED/);
    expect(peerVerdict({ ...v, verifyDate: false }, { ...good, error: 'CERT_HAS_EXPIRED' }, true, '')).toBeUndefined();
    expect(peerVerdict(v, { ...good, chainLength: 5 }, true, '')).toMatch(/CERT_CHAIN_TOO_LONG/);
    const none = { ...v, policy: parseVerifyPolicy('none', () => {}) };
    expect(peerVerdict(none, { ...good, certificate: false, error: 'SELF_SIGNED' }, false, 'x')).toBeUndefined();
  });

  it('the files tport_tls_init_master picks, and the default certs dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sofia-tls-files-'));
    expect(certificateFiles(dir)).toEqual({ key: join(dir, 'tls.pem'), ca: undefined });
    writeFileSync(join(dir, 'tls.pem'), 'x');
    expect(certificateFiles(dir)).toEqual({ key: join(dir, 'tls.pem'), ca: join(dir, 'tls.pem') });
    writeFileSync(join(dir, 'agent.pem'), 'x');
    writeFileSync(join(dir, 'cafile.pem'), 'x');
    expect(certificateFiles(dir)).toEqual({ key: join(dir, 'agent.pem'), ca: join(dir, 'cafile.pem') });
    expect(switchCertsDir(undefined, '/opt/conf')).toBe('/opt/conf/tls');
    expect(switchCertsDir('/etc/tls', '/opt/conf')).toBe('/etc/tls');
  });

  it('a dial string with ;transport=tls or sips: goes over TLS, to 5061 when it names no port', () => {
    expect(dialTarget('1000@10.0.0.5;transport=tls')).toMatchObject({ host: '10.0.0.5', port: 5061, transport: 'tls' });
    expect(dialTarget('sips:1000@10.0.0.5:5081')).toEqual({ requestUri: 'sips:1000@10.0.0.5:5081', host: '10.0.0.5', port: 5081, transport: 'tls' });
    const fsPath = encodeURIComponent('sip:127.0.0.1:40001;transport=tls');
    expect(dialTarget(`sip:1000@127.0.0.1:5070;transport=tls;fs_path=${fsPath}`)).toEqual({
      requestUri: 'sip:1000@127.0.0.1:5070;transport=tls',
      host: '127.0.0.1',
      port: 40001,
      transport: 'tls',
    });
  });
});

describe('SIP over TLS', () => {
  let certs: Certificates;
  let rig: Rig;
  let port: number;
  let registrar: Awaited<ReturnType<typeof tlsServer>>;
  beforeAll(async () => {
    certs = makeCertificates();
    registrar = await tlsServer({ key: certs.agent, cert: certs.agent });
    rig = await startRig({
      tls: true,
      tlsSipPort: 0,
      tlsCertDir: certs.dir,
      gateways: [gatewayConfig('gw_tls', registrar.port, { registerTransport: 'tls', expireSeconds: 60 })],
    });
    port = await tlsPort(rig);
  });
  afterAll(async () => {
    await rig?.stop();
    registrar?.server.close();
  });

  it('sofia status and sofia status profile show the TLS URLs', async () => {
    expect(port).toBeGreaterThan(0);
    const table = await rig.sw.api('sofia status');
    expect(table).toContain(`${'internal'.padStart(25)}\tprofile\t  ${`sip:mod_sofia@127.0.0.1:${rig.port}`.padStart(40)}\tRUNNING (0)\n`);
    expect(table).toContain(`${'internal'.padStart(25)}\tprofile\t  ${`sip:mod_sofia@127.0.0.1:${port}`.padStart(40)}\tRUNNING (0) (TLS)\n`);
    const status = await rig.sw.api('sofia status profile internal');
    expect(status).toContain(
      `BIND-URL         \tsip:mod_sofia@127.0.0.1:${rig.port};transport=udp,tcp\nTLS-URL          \tsip:mod_sofia@127.0.0.1:${port}\nTLS-BIND-URL     \tsips:mod_sofia@127.0.0.1:${port};transport=tls\n`,
    );
    expect(rig.logs).toContain(`NOTICE sofia: profile internal listening on tls 127.0.0.1:${port}`);
  });

  it('a gateway with register-transport=tls registers over TLS: Via SIP/2.0/TLS, Contact on the TLS port', async () => {
    await until('the gateway’s connection', () => registrar.peers.length > 0);
    const peer = registrar.peers[0];
    const register = await peer.request('REGISTER');
    expect(header(register, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${port};`));
    expect(header(register, 'contact')).toBe(`<sip:gw+gw_tls@127.0.0.1:${port};transport=tls;gw=gw_tls>`);
    new TlsPhone(peer, 'bob', 'sipp.test', '').ok(register);
    await rig.waitFor(
      (e) => e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === 'gw_tls' && e.getHeader('State') === 'REGED',
    );
  });

  it('a phone registers over TLS: 401, then 200 on the same connection; Registered(TLS)', async () => {
    const peer = await tlsConnect(port, { ca: certs.ca, rejectUnauthorized: true });
    try {
      const phone = new TlsPhone(peer, '1000', 'beamline.test', '1234');
      const r = await phone.register();
      expect(startLine(r)).toBe('200 OK');
      const registered = await rig.waitFor(
        (e) => e.getHeader('Event-Subclass') === 'sofia::register' && e.getHeader('contact')?.includes('transport=tls') === true,
      );
      expect(registered.getHeader('status')).toBe('Registered(TLS)');
      const reg = await rig.sw.api('sofia status profile internal reg');
      expect(reg).toContain('Status:     \tRegistered(TLS)(unknown)');
      expect(reg).toContain(`Port:       \t${peer.localPort}\n`);
      expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe(`sofia/internal/sip:1000@127.0.0.1:${peer.localPort};transport=tls`);
    } finally {
      peer.close();
    }
  });

  it('a call over TLS to echo: Via and Contact say TLS, the audio comes back, the phone’s BYE ends it', async () => {
    const audio = await phoneAudio();
    const peer = await tlsConnect(port);
    try {
      const phone = new TlsPhone(peer, '1000', 'beamline.test', '1234');
      const seen = rig.events.length;
      const { invite, final } = await phone.invite('2005', audio.port);
      expect(startLine(final)).toBe('200 OK');
      expect(header(final, 'contact')).toBe(`<sip:mod_sofia@127.0.0.1:${port};transport=tls>`);
      phone.peer.send(phone.ackOf(invite, final));
      const echo = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo' && rig.events.indexOf(e) >= seen);
      const uuid = echo.getHeader('Unique-ID') ?? '';
      expect(echo.getHeader('variable_sip_via_protocol')).toBe('tls');
      const frames = Array.from({ length: 10 }, (_, i) => Uint8Array.from({ length: 160 }, (_, j) => linearToUlaw(((i * 160 + j) % 50) * 300)));
      await audio.send(Number(await rig.sw.api(`uuid_getvar ${uuid} local_media_port`)), 0, frames);
      await until('the echo', () => audio.received.length >= frames.length);
      expect(audio.received.map((p) => [...p.payload])).toEqual(frames.map((f) => [...f]));
      const bye = phone.inDialog('BYE', final);
      peer.send(bye);
      expect(startLine(await peer.response(phone.callId, 'BYE'))).toBe('200 OK');
      const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);
      expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    } finally {
      audio.close();
      peer.close();
    }
  });

  it('the switch calls a phone registered over TLS on the phone’s own connection, and its BYE follows', async () => {
    const peer = await tlsConnect(port);
    try {
      // a phone that says it listens on 5071 but connected from a port of its own: the call comes on its connection
      const phone = new TlsPhone(peer, '1001', 'beamline.test', 'secret', 5071);
      expect(startLine(await phone.register())).toBe('200 OK');
      const contact = await rig.sw.api('sofia_contact 1001@beamline.test');
      expect(contact).toBe(
        `sofia/internal/sip:1001@127.0.0.1:5071;transport=tls;fs_path=${encodeURIComponent(`sip:127.0.0.1:${peer.localPort};transport=tls`)}`,
      );
      const originate = rig.sw.originate('user/1001@beamline.test &park()');
      const invite = await peer.request('INVITE');
      expect(invite.uri).toBe('sip:1001@127.0.0.1:5071;transport=tls');
      expect(header(invite, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${port};branch=z9hG4bK`));
      expect(header(invite, 'contact')).toBe(`<sip:mod_sofia@127.0.0.1:${port};transport=tls>`);
      phone.ok(invite, sdpOffer(40000));
      const out = await originate;
      expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
      await peer.request('ACK');
      expect(await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`)).toBe('+OK\n');
      const bye = await peer.request('BYE');
      expect(header(bye, 'via')).toMatch(/^SIP\/2\.0\/TLS /);
      phone.ok(bye);
    } finally {
      peer.close();
    }
  });

  it('a dial string with ;transport=tls opens a TLS connection to the far end; our BYE goes on it', async () => {
    const far = await tlsServer({ key: certs.agent, cert: certs.agent });
    try {
      const originate = rig.sw.originate(`sofia/internal/2000@127.0.0.1:${far.port};transport=tls &park()`);
      await until('the connection', () => far.peers.length > 0);
      const peer = far.peers[0];
      const invite = await peer.request('INVITE');
      expect(invite.uri).toBe(`sip:2000@127.0.0.1:${far.port};transport=tls`);
      expect(header(invite, 'via')).toMatch(new RegExp(`^SIP/2\\.0/TLS 127\\.0\\.0\\.1:${port};`));
      new TlsPhone(peer, '2000', '127.0.0.1', '').ok(invite, sdpOffer(40002));
      const out = await originate;
      expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
      await peer.request('ACK');
      expect(await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`)).toBe('+OK\n');
      expect(header(await peer.request('BYE'), 'via')).toMatch(/^SIP\/2\.0\/TLS /);
      expect(far.peers).toHaveLength(1);
    } finally {
      far.server.close();
      for (const p of far.peers) p.close();
    }
  });
});

describe('tls-verify-policy', () => {
  let certs: Certificates;
  let rig: Rig;
  let port: number;
  beforeAll(async () => {
    certs = makeCertificates();
    rig = await startRig({ tls: true, tlsSipPort: 0, tlsCertDir: certs.dir, tlsVerifyPolicy: 'all|subjects_out' });
    port = await tlsPort(rig);
  });
  afterAll(async () => {
    await rig?.stop();
  });

  const options = (peer: Awaited<ReturnType<typeof tlsConnect>>) =>
    new TlsPhone(peer, '1000', 'beamline.test', '1234').build('OPTIONS', 'sip:127.0.0.1', { callId: `verify-${peer.localPort}` });

  it('in: a phone without a certificate the CA signed is refused; one with it is answered', async () => {
    for (const cert of [undefined, certs.stranger]) {
      const peer = await tlsConnect(port, cert ? { key: cert, cert } : {});
      await until('the refusal', () => peer.closed);
    }
    expect(rig.logs.filter((l) => /^WARNING sofia\/internal: refused the tls connection from 127\.0\.0\.1:\d+: /.test(l))).toHaveLength(2);
    const peer = await tlsConnect(port, { key: certs.agent, cert: certs.agent });
    try {
      peer.send(options(peer));
      expect(startLine(await peer.response(`verify-${peer.localPort}`, 'OPTIONS'))).toBe('200 OK');
    } finally {
      peer.close();
    }
  });

  it('out: a far end whose certificate does not verify gets no INVITE; one that does, with the name connected to, gets it', async () => {
    const stranger = await tlsServer({ key: certs.stranger, cert: certs.stranger });
    const trusted = await tlsServer({ key: certs.agent, cert: certs.agent });
    try {
      const refused = await rig.sw.originate(`sofia/internal/2000@127.0.0.1:${stranger.port};transport=tls &park()`);
      expect(refused).toBe('-ERR NORMAL_TEMPORARY_FAILURE\n'); // sofia-sip's local 503, at once
      expect(rig.logs.some((l) => l.includes(`could not connect to 127.0.0.1:${stranger.port} over tls: its certificate did not verify`))).toBe(true);
      expect(stranger.peers.flatMap((p) => p.messages)).toEqual([]);
      const originate = rig.sw.originate(`sofia/internal/2000@127.0.0.1:${trusted.port};transport=tls &park()`);
      await until('the connection', () => trusted.peers.length > 0);
      const invite = await trusted.peers[0].request('INVITE');
      new TlsPhone(trusted.peers[0], '2000', '127.0.0.1', '').ok(invite, sdpOffer(40004));
      const out = await originate;
      expect(out).toMatch(/^\+OK /);
      await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`);
    } finally {
      for (const s of [stranger, trusted]) {
        s.server.close();
        for (const p of s.peers) p.close();
      }
    }
  });
});

describe('the TCP bounds on TLS connections', () => {
  let rig: Rig;
  let port: number;
  beforeAll(async () => {
    const certs = makeCertificates();
    rig = await startRig({ tls: true, tlsSipPort: 0, tlsCertDir: certs.dir, tcpMaxConnectionsPerIp: 3, tcpMaxConnections: 4 });
    port = await tlsPort(rig);
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('idle TLS and TCP connections share tcp-max-connections and evict each other, never the registered TLS phone', async () => {
    const peer = await tlsConnect(port);
    const flood: { close(): void }[] = [];
    try {
      const phone = new TlsPhone(peer, '1000', 'beamline.test', '1234');
      expect(startLine(await phone.register())).toBe('200 OK');
      const tcp = connect(rig.port, '127.0.0.1');
      tcp.on('error', () => {});
      flood.push({ close: () => tcp.destroy() });
      await new Promise((r) => tcp.once('connect', r));
      for (let i = 0; i < 4; i++) flood.push(await tlsConnect(port));
      for (let i = 0; i < 3; i++) flood.push(await tlsConnect(port, { localAddress: '127.0.0.2' }));
      await new Promise((r) => setTimeout(r, 200));
      const status = await statusOf(rig);
      expect(status.tlsConnections + status.tcpConnections).toBeLessThanOrEqual(4);
      const evicted = (t: string) =>
        new RegExp(`closed the ${t} connection from 127\\.0\\.0\\.1:\\d+: 127\\.0\\.0\\.1's 3 tcp connections are taken`);
      expect(rig.logs.some((l) => evicted('tcp').test(l))).toBe(true);
      expect(rig.logs.some((l) => evicted('tls').test(l))).toBe(true);
      expect(rig.logs.some((l) => l.includes("the profile's 4 tcp connections are taken"))).toBe(true);
      peer.send(phone.build('OPTIONS', 'sip:127.0.0.1', { callId: 'still-there' }));
      expect(startLine(await peer.response('still-there', 'OPTIONS'))).toBe('200 OK');
    } finally {
      peer.close();
      for (const f of flood) f.close();
    }
  });
});

describe('a TLS profile whose certificate does not load', () => {
  let rig: Rig;
  let dir: string;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'sofia-tls-none-')), 'missing');
    rig = await startRig({ tls: true, tlsSipPort: 0, tlsCertDir: dir });
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it('logs sofia-sip’s tls_create_ctx line and has no TLS; UDP still answers, a TLS call is refused', async () => {
    expect(rig.logs).toContain(`ERR tls_create_ctx: invalid local certificate: ${join(dir, 'tls.pem')}`);
    expect(rig.logs).toContain(`ERR sofia/internal: no TLS (the certificate in ${dir} did not load); udp and tcp go on`);
    const status = await rig.sw.api('sofia status profile internal');
    expect(status).toContain('BIND-URL');
    expect(status).not.toContain('TLS-URL');
    expect(await rig.sw.api('sofia status')).not.toContain('(TLS)');
    const udp = createSocket('udp4');
    try {
      await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
      const replies: string[] = [];
      udp.on('message', (m) => replies.push(m.toString()));
      const options = [
        'OPTIONS sip:127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:${udp.address().port};branch=z9hG4bK-notls`,
        'From: <sip:probe@127.0.0.1>;tag=1',
        'To: <sip:127.0.0.1>',
        'Call-ID: no-tls-udp',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      udp.send(options, rig.port, '127.0.0.1');
      await until('the UDP answer', () => replies.length > 0);
      expect(replies[0]).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    } finally {
      udp.close();
    }
    expect(await rig.sw.originate('sofia/internal/2000@127.0.0.1:5999;transport=tls &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(rig.logs).toContain('ERR TLS not supported by profile');
  });
});

describe('tls-only', () => {
  it('binds TLS alone: only the (TLS) row and lines, the UDP port left free; without a certificate the profile does not start', async () => {
    const certs = makeCertificates();
    const rig = await startRig({ tls: true, tlsOnly: true, tlsSipPort: 0, tlsCertDir: certs.dir });
    try {
      const port = await tlsPort(rig);
      const table = await rig.sw.api('sofia status');
      expect(table).toContain(`\tRUNNING (0) (TLS)\n`);
      expect(table).not.toContain(`sip:mod_sofia@127.0.0.1:${rig.port}`);
      const status = await rig.sw.api('sofia status profile internal');
      expect(status).not.toContain('BIND-URL         ');
      expect(status).toContain(`TLS-BIND-URL     \tsips:mod_sofia@127.0.0.1:${port};transport=tls\n`);
      const udp = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(rig.port, '127.0.0.1', resolve);
      });
      udp.close();
      const peer = await tlsConnect(port);
      const phone = new TlsPhone(peer, '1000', 'beamline.test', '1234');
      expect(startLine(await phone.register())).toBe('200 OK');
      peer.close();
    } finally {
      await rig.stop();
    }
    const none = await startRig({ tls: true, tlsOnly: true, tlsSipPort: 0, tlsCertDir: join(certs.dir, 'missing') });
    try {
      expect(none.sofia.profilePids().has('internal')).toBe(false);
      expect(none.logs.some((l) => l.startsWith('ERR sofia: profile internal did not start') && l.includes('tls-only'))).toBe(true);
    } finally {
      await none.stop();
    }
  });
});
