/**
 * A profile or a call killed with exit(Pid, kill) runs no terminate; what it held (the profile's
 * UDP, TCP and TLS listeners and its registration rows, a call's RTP socket) must still go, as
 * Erlang closes a killed process's ports, so that the supervisor's restart binds the same ports.
 */
import { createSocket } from 'node:dgram';
import { type Socket, connect, createServer } from 'node:net';
import { GenServer, Supervisor, kill } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProfileStatus } from '../src/profile.ts';
import { header } from '../src/sip/message.ts';
import { type Rig, startRig, until } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';
import { type Certificates, makeCertificates } from './tls_phone.ts';

let certs: Certificates;
let rig: Rig | undefined;
const phones: NatPhone[] = [];

beforeAll(() => {
  certs = makeCertificates();
});
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});
afterAll(() => vi.restoreAllMocks());

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const tcpAccepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

const udpBindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** The rig whose profile listens on UDP and TCP `rig.port` and TLS `tlsPort`. */
async function tlsRig(): Promise<{ rig: Rig; tlsPort: number }> {
  const tlsPort = await freeTcpPort();
  const r = await startRig({ tls: true, tlsSipPort: tlsPort, tlsCertDir: certs.dir });
  return { rig: r, tlsPort };
}

const profilePid = (r: Rig) => r.sofia.profilePids().get('internal');

/** The profile's next incarnation, once the supervisor has started it. */
const nextProfile = (r: Rig, old: Pid) =>
  until('the restarted profile', () => {
    const pid = profilePid(r);
    return pid && String(pid) !== String(old) && r.rt.isAlive(pid) ? pid : undefined;
  });

async function registers(r: Rig): Promise<number> {
  const phone = await NatPhone.open(r.port);
  phones.push(phone);
  return (await phone.register()).status;
}

describe('a killed profile', () => {
  it('gives its UDP, TCP and TLS ports and its registrations back: the restart binds the same ports and takes a REGISTER', async () => {
    const t = await tlsRig();
    rig = t.rig;
    const r = t.rig;
    expect(await registers(r)).toBe(200);
    expect(r.sw.core.registrations.rows()).toHaveLength(1);
    const first = profilePid(r);
    if (!first) throw new Error('no profile');

    r.rt.exit(first, kill);
    const second = await nextProfile(r, first);

    expect(r.logs.filter((l) => l.includes('did not start') || l.includes('no TLS'))).toEqual([]);
    const status = await GenServer.call<ProfileStatus>(r.rt, second, { op: 'status' });
    expect([status.url, status.tlsUrl]).toEqual([`sip:mod_sofia@127.0.0.1:${r.port}`, `sip:mod_sofia@127.0.0.1:${t.tlsPort}`]);
    // the killed incarnation's registration row went with it
    expect(r.sw.core.registrations.rows()).toHaveLength(0);
    expect(await registers(r)).toBe(200);
    expect(await tcpAccepts(r.port)).toBe(true);
    expect(await tcpAccepts(t.tlsPort)).toBe(true);
    expect(await r.sw.api('sofia status')).toContain('\n1 profile 0 aliases\n');
  }, 20_000);

  it('with its watcher killed first: the next incarnation releases what the last one held', async () => {
    const t = await tlsRig();
    rig = t.rig;
    const r = t.rig;
    const first = profilePid(r);
    if (!first) throw new Error('no profile');
    const watchers = r.rt.children(first);
    expect(watchers).toHaveLength(1);
    r.rt.exit(watchers[0], kill);
    await r.rt.settle();
    r.rt.exit(first, kill);
    await nextProfile(r, first);
    expect(r.logs.filter((l) => l.includes('did not start') || l.includes('no TLS'))).toEqual([]);
    expect(await registers(r)).toBe(200);
    expect(await tcpAccepts(t.tlsPort)).toBe(true);
  }, 20_000);

  it('sofia profile internal restart after a kill stops and starts it on the same ports', async () => {
    const t = await tlsRig();
    rig = t.rig;
    const r = t.rig;
    const first = profilePid(r);
    if (!first) throw new Error('no profile');
    r.rt.exit(first, kill);
    const second = await nextProfile(r, first);

    // the 10 s a profile must be up before a restart, passed
    const realNow = Date.now;
    const later = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 11_000);
    const out = await r.sw.api('sofia profile internal restart');
    later.mockRestore();
    expect(out).toBe('Reload XML [Success]\nrestarting: internal');
    const third = await nextProfile(r, second);
    expect(String(third)).not.toBe(String(first));
    expect(r.logs.filter((l) => l.includes('did not start') || l.includes('no TLS'))).toEqual([]);
    expect(await registers(r)).toBe(200);
    expect(await tcpAccepts(t.tlsPort)).toBe(true);
  }, 20_000);
});

describe('a killed call', () => {
  it('gives its RTP port back', async () => {
    rig = await startRig();
    const r = rig;
    const phone = await NatPhone.open(r.port);
    phones.push(phone);
    void r.sw.api(`bgapi originate {originate_timeout=10}sofia/internal/1000@127.0.0.1:${phone.port} &park`);
    const invite = await phone.request('INVITE');
    const rtpPort = Number(/^m=audio (\d+) /m.exec(invite.body.toString())?.[1]);
    expect(rtpPort).toBeGreaterThan(0);
    expect(await udpBindable(rtpPort)).toBe(false);

    const sup = r.sofia.supervisor;
    if (!sup) throw new Error('no sofia supervisor');
    const calls = (await Supervisor.whichChildren(r.rt, sup)).find((c) => c.id === 'calls')?.pid;
    if (!calls || calls === 'restarting') throw new Error('no calls supervisor');
    const [call] = await Supervisor.whichChildren(r.rt, calls);
    if (!call?.pid || call.pid === 'restarting') throw new Error(`no call process for ${header(invite, 'call-id')}`);

    r.rt.exit(call.pid, kill);
    await until('the RTP port', async () => ((await udpBindable(rtpPort)) ? true : undefined), 2000);
  }, 20_000);
});
