/**
 * Gateways with SIPp as the far server: a registration answered with digest credentials (SIPp
 * checks them) goes TRYING → REGISTER → REGED, one refused goes FAILED → FAIL_WAIT, each change a
 * `sofia::gateway_state` event; `sofia status` lists them; `sofia/gateway/<name>/<number>` calls
 * through one with its credentials, and refuses an unknown or a down gateway as mod_sofia does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { freeUdpPort, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, gatewayConfig, startRig } from './helpers.ts';

const ports = { ok: 0, bad: 0, call: 0 };
let registrars: Awaited<ReturnType<typeof startSipp>>[] = [];
let rig: Rig;

const gateway = gatewayConfig;

beforeAll(async () => {
  ports.ok = await freeUdpPort();
  ports.bad = await freeUdpPort();
  ports.call = await freeUdpPort();
  const expectAuth = { username: 'bob', password: 'secret' };
  registrars = await Promise.all([
    startSipp({ scenario: 'uas_register', localPort: ports.ok, expectAuth, expires: 60 }),
    startSipp({ scenario: 'uas_register', localPort: ports.bad, expectAuth }),
  ]);
  rig = await startRig({
    gateways: [
      gateway('gw_ok', ports.ok),
      gateway('gw_bad', ports.bad, { password: 'wrong' }),
      gateway('gw_call', ports.call, { register: false, fromUser: 'trunk7', fromDomain: 'carrier.test' }),
    ],
  });
});
afterAll(async () => {
  await rig?.stop();
});

const states = (name: string) =>
  rig.events
    .filter((e) => e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === name)
    .map((e) => e.getHeader('State'));
const stateIs = (name: string, state: string) => (e: SwitchEvent) =>
  e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === name && e.getHeader('State') === state;

describe('gateways', () => {
  it('registers with digest credentials: TRYING, REGISTER, REGED; a refused one: FAILED (403 Forbidden), FAIL_WAIT', async () => {
    const reged = await rig.waitFor(stateIs('gw_ok', 'REGED'), 8000);
    expect(reged.getHeader('Ping-Status')).toBe('UP');
    expect(states('gw_ok')).toEqual(['TRYING', 'REGISTER', 'REGED']);
    const failed = await rig.waitFor(stateIs('gw_bad', 'FAILED'), 8000);
    expect([failed.getHeader('Status'), failed.getHeader('Phrase')]).toEqual(['403', 'Forbidden']);
    await rig.waitFor(stateIs('gw_bad', 'FAIL_WAIT'), 3000);
    expect(states('gw_bad')).toEqual(['TRYING', 'FAILED', 'FAIL_WAIT']);
    expect(rig.logs).toContain('WARNING gw_bad Failed Registration [403], setting retry to 30 seconds.');
    for (const r of registrars) expect((await r.done).code).toBe(0);
    expect(states('gw_call')).toEqual([]);
  });

  it('sofia status lists each gateway under its profile with register_to and its state', async () => {
    await rig.waitFor(stateIs('gw_bad', 'FAIL_WAIT'), 8000);
    const status = await rig.sw.api('sofia status');
    const row = (name: string, port: number, state: string) =>
      `${name.padStart(25)}\tgateway\t  ${`sip:bob@127.0.0.1:${port}`.padStart(40)}\t${state}\n`;
    expect(status).toContain(row('internal::gw_ok', ports.ok, 'REGED'));
    expect(status).toMatch(/\n {9}internal::gw_bad\tgateway\t {2}\s+sip:bob@127\.0\.0\.1:\d+\tFAIL_WAIT \(retry: (30|29)s\)\n/);
    expect(status).toContain(row('internal::gw_call', ports.call, 'NOREG'));
    expect(status.indexOf('internal::gw_ok')).toBeGreaterThan(status.indexOf('\tprofile\t'));
  });

  it('calls through a gateway with its credentials; refuses an unknown gateway and one that is down', async () => {
    const server = await startSipp({ scenario: 'uas_auth', localPort: ports.call, expectAuth: { username: 'bob', password: 'secret' } });
    const out = await rig.sw.originate('sofia/gateway/gw_call/5551234 &park()');
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = out.slice(4, -1);
    const answer = await rig.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Unique-ID') === uuid);
    expect(answer.getHeader('Channel-Name')).toBe('sofia/gateway/gw_call/5551234');
    expect(answer.getHeader('variable_sip_to_uri')).toBe(`5551234@127.0.0.1:${ports.call}`);
    // sofia_glue_do_invite names the profile the call left by
    expect(answer.getHeader('variable_sofia_profile_name')).toBe('internal');
    expect(answer.getHeader('variable_recovery_profile_name')).toBe('internal');
    expect(answer.getHeader('variable_sofia_profile_url')).toMatch(/^sip:mod_sofia@127\.0\.0\.1:\d+$/);
    expect(await rig.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    expect((await server.done).code).toBe(0);
    expect(await rig.sw.originate('sofia/gateway/nosuch/1 &park()')).toBe('-ERR INVALID_GATEWAY\n');
    expect(rig.logs).toContain("ERR Invalid Gateway 'nosuch'");
    await rig.waitFor(stateIs('gw_bad', 'FAIL_WAIT'), 8000);
    expect(await rig.sw.originate('sofia/gateway/gw_bad/1 &park()')).toBe('-ERR GATEWAY_DOWN\n');
    expect(await rig.sw.originate('sofia/gateway/gw_ok &park()')).toBe('-ERR INVALID_URL\n');
  });

  it('sofia status gateway <name>: mod_sofia’s lines with the state, the status and the calls; an unknown one is invalid', async () => {
    const lines = (text: string) =>
      Object.fromEntries(
        text
          .split('\n')
          .filter((l) => l.includes('\t'))
          .map((l) => l.split('\t').map((x) => x.trim())),
      );
    const call = lines(await rig.sw.api('sofia status gateway gw_call'));
    expect(call).toMatchObject({
      Name: 'gw_call',
      Profile: 'internal',
      Scheme: 'Digest',
      Realm: 'sipp.test',
      Username: 'bob',
      Password: 'yes',
      From: '<sip:trunk7@carrier.test>',
      To: `sip:bob@127.0.0.1:${ports.call}`,
      Proxy: `sip:127.0.0.1:${ports.call}`,
      State: 'NOREG',
      Status: 'UP',
      CallsOUT: '1',
      FailedCallsOUT: '0',
    });
    const bad = lines(await rig.sw.api('sofia status gateway gw_bad'));
    expect([bad.State, bad.Status, bad.Uptime, bad.CallsOUT, bad.FailedCallsOUT]).toEqual(['FAIL_WAIT', 'DOWN', '0s', '0', '1']);
    expect(await rig.sw.api('sofia status gateway nosuch')).toBe('Invalid Gateway!\n');
  });
});
