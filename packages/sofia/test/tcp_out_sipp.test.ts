import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SippResult, freeUdpPort, startSipp } from '../../../tools/sipp/sipp.ts';
import { dialTarget } from '../src/endpoint.ts';
import { type Rig, gatewayConfig, startRig, tcpConnections } from './helpers.ts';

const ports = { registrar: 0, trunk: 0 };
let rig: Rig;
let registrar: Awaited<ReturnType<typeof startSipp>>;
beforeAll(async () => {
  ports.registrar = await freeUdpPort();
  ports.trunk = await freeUdpPort();
  const expectAuth = { username: 'bob', password: 'secret' };
  registrar = await startSipp({
    scenario: 'uas_register',
    transport: 'tcp',
    localPort: ports.registrar,
    expectAuth,
    expires: 60,
    traceMessages: true,
  });
  rig = await startRig({
    gateways: [
      gatewayConfig('gw_tcp', ports.registrar, { registerTransport: 'tcp', expireSeconds: 60 }),
      gatewayConfig('gw_tcp_call', ports.trunk, { registerTransport: 'tcp', register: false }),
    ],
  });
});
afterAll(async () => {
  await rig?.stop();
});

/** A loopback TCP port nothing listens on (taken, then given back). */
function closedTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);
const headerOf = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(message)?.[1];

describe('dial targets', () => {
  it('sends to fs_path’s address over its transport, the Request-URI without fs_ params', () => {
    const fsPath = encodeURIComponent('sip:127.0.0.1:40001;transport=tcp');
    expect(dialTarget(`sip:1000@127.0.0.1:5070;transport=TCP;fs_path=${fsPath}`)).toEqual({
      requestUri: 'sip:1000@127.0.0.1:5070;transport=TCP',
      host: '127.0.0.1',
      port: 40001,
      transport: 'tcp',
    });
    expect(dialTarget('1000@10.0.0.5:5062;transport=tcp')).toMatchObject({ host: '10.0.0.5', port: 5062, transport: 'tcp' });
    expect(dialTarget('1000@10.0.0.5')).toMatchObject({ port: 5060, transport: 'udp' });
  });
});

describe('calls out over TCP', () => {
  it('a phone registered over TCP is called over its own connection, answers, and hangs up', async () => {
    const phone = await startSipp({
      scenario: 'register_tcp_stay',
      outOfCall: 'ooc_answer_bye',
      transport: 'tcp',
      port: rig.port,
      service: '1000',
      domain: 'beamline.test',
      authUser: '1000',
      password: '1234',
      holdMs: 2500,
      traceMessages: true,
    });
    await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::register' && e.getHeader('from-user') === '1000');
    const contact = await rig.sw.api('sofia_contact 1000@beamline.test');
    expect(contact).toMatch(/^sofia\/internal\/sip:1000@127\.0\.0\.1:\d+;transport=TCP;fs_path=sip%3A127\.0\.0\.1%3A\d+%3Btransport%3Dtcp$/);
    const out = await rig.sw.originate('user/1000@beamline.test &park()');
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = out.slice(4, -1);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    const r = await phone.done;
    ok(r);
    const invite = r.messages.find((m) => m.startsWith('INVITE ')) ?? '';
    expect(invite).toMatch(/^INVITE sip:1000@127\.0\.0\.1:\d+;transport=TCP SIP\/2\.0\r\n/);
    expect(headerOf(invite, 'Via')).toMatch(new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${rig.port};`));
    expect(headerOf(invite, 'Contact')).toBe(`<sip:mod_sofia@127.0.0.1:${rig.port};transport=tcp>`);
  });

  it('a dial string with ;transport=tcp to a host with no connection opens one; our BYE goes on it', async () => {
    const port = await freeUdpPort();
    const phone = await startSipp({ scenario: 'uas_answer', transport: 'tcp', localPort: port, traceMessages: true });
    await new Promise((r) => setTimeout(r, 300)); // SIPp listening
    const before = await tcpConnections(rig);
    const out = await rig.sw.originate(`sofia/internal/2000@127.0.0.1:${port};transport=tcp &park()`);
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(await tcpConnections(rig)).toBe(before + 1);
    expect(await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`)).toBe('+OK\n');
    const r = await phone.done;
    ok(r);
    const bye = r.messages.find((m) => m.startsWith('BYE ')) ?? '';
    expect(headerOf(bye, 'Via')).toMatch(/^SIP\/2\.0\/TCP /);
  });

  it('a far end that refuses the connection fails the call at once: a local 503, NORMAL_TEMPORARY_FAILURE, no ACK', async () => {
    const port = await closedTcpPort();
    const uuid = randomUUID();
    const started = Date.now();
    const out = await rig.sw.originate(`{origination_uuid=${uuid},originate_timeout=20}sofia/internal/2000@127.0.0.1:${port};transport=tcp &park()`);
    expect(out).toBe('-ERR NORMAL_TEMPORARY_FAILURE\n');
    expect(Date.now() - started).toBeLessThan(5000);
    const hangup = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);
    expect(hangup.getHeader('variable_sip_term_status')).toBe('503');
    expect(hangup.getHeader('variable_sip_invite_failure_phrase')).toBe('Service Unavailable');
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_refuse');
    await new Promise((r) => setTimeout(r, 300)); // an ACK would be trying its own connection by now
    const tries = rig.logs.filter((l) => l.includes(`could not connect to 127.0.0.1:${port} over tcp`));
    expect(tries).toHaveLength(1); // the INVITE's connection only: nothing ACKs a local response
  });
});

describe('a gateway with register-transport=tcp', () => {
  it('registers over TCP (Via SIP/2.0/TCP, Contact ;transport=tcp) and is REGED', async () => {
    const r = await registrar.done;
    ok(r);
    await rig.waitFor(
      (e) => e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === 'gw_tcp' && e.getHeader('State') === 'REGED',
    );
    const register = r.messages.filter((m) => m.startsWith('REGISTER '));
    expect(register).toHaveLength(2);
    expect(headerOf(register[1], 'Via')).toMatch(new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${rig.port};`));
    expect(headerOf(register[1], 'Contact')).toBe(`<sip:gw+gw_tcp@127.0.0.1:${rig.port};transport=tcp;gw=gw_tcp>`);
  }, 20_000);

  it('calls through it over TCP: the Request-URI says transport=tcp, our BYE on the same connection', async () => {
    const trunk = await startSipp({ scenario: 'uas_answer', transport: 'tcp', localPort: ports.trunk, traceMessages: true });
    await new Promise((r) => setTimeout(r, 300));
    const out = await rig.sw.originate('sofia/gateway/gw_tcp_call/5551234 &park()');
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`)).toBe('+OK\n');
    const r = await trunk.done;
    ok(r);
    const invite = r.messages.find((m) => m.startsWith('INVITE ')) ?? '';
    expect(invite).toMatch(new RegExp(`^INVITE sip:5551234@127\\.0\\.0\\.1:${ports.trunk};transport=tcp SIP/2\\.0\r\n`));
    expect(headerOf(r.messages.find((m) => m.startsWith('BYE ')) ?? '', 'Via')).toMatch(/^SIP\/2\.0\/TCP /);
  });
});
