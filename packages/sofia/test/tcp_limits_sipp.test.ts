/**
 * The bounds on a profile's TCP connections (tcp-max-connections, tcp-max-connections-per-ip,
 * tcp-idle-seconds): a flood of idle connections from the phone's own address takes the places of
 * the oldest unused ones, never the registered phone's, so the phone still calls in over its own
 * connection and another phone over UDP; an unused connection silent past the idle time is closed.
 */
import { type Socket, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SippResult, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig, tcpConnections } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ tcpMaxConnections: 6, tcpMaxConnectionsPerIp: 4, tcpIdleSeconds: 2 });
});
afterAll(async () => {
  await rig?.stop();
});

const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);
const open = (localAddress = '127.0.0.1') =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect({ port: rig.port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.on('error', () => {}); // an evicted one is reset
    s.once('error', reject);
  });

describe('TCP connection bounds', () => {
  it('idle connections flooding the phone’s address evict each other, not the registered phone; it calls over TCP, another over UDP', async () => {
    const phone = await startSipp({
      scenario: 'register_call_tcp',
      transport: 'tcp',
      port: rig.port,
      service: '1000',
      domain: 'beamline.test',
      authUser: '1000',
      password: '1234',
      vars: { callee: '2005', wait: '1500' },
    });
    await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::register' && e.getHeader('from-user') === '1000');
    const flood: Socket[] = [];
    try {
      for (let i = 0; i < 12; i++) flood.push(await open());
      for (let i = 0; i < 12; i++) flood.push(await open('127.0.0.2'));
      await new Promise((r) => setTimeout(r, 100));
      expect(await tcpConnections(rig)).toBeLessThanOrEqual(6);
      expect(flood.filter((s) => !s.destroyed && s.remoteAddress !== undefined && s.localAddress === '127.0.0.1').length).toBeLessThanOrEqual(3);
      expect(rig.logs.some((l) => l.includes(`127.0.0.1's 4 tcp connections are taken: the oldest unused one makes room`))).toBe(true);
      expect(rig.logs.some((l) => l.includes(`the profile's 6 tcp connections are taken`))).toBe(true);
      const udpPhone = { port: rig.port, domain: 'beamline.test', authUser: '1001', password: 'secret' } as const;
      ok(await runSipp({ ...udpPhone, scenario: 'register', service: '1001' }));
      ok(await runSipp({ ...udpPhone, scenario: 'call', service: '2005' }));
      ok(await phone.done);
    } finally {
      for (const s of flood) s.destroy();
    }
  }, 20_000);

  it('closes a connection nothing uses once it is silent past tcp-idle-seconds', async () => {
    const idle = await open();
    const opened = Date.now();
    await new Promise<void>((resolve) => idle.once('close', () => resolve()));
    expect(Date.now() - opened).toBeGreaterThanOrEqual(2000);
  }, 10_000);
});
