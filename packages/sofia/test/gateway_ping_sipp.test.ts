/**
 * Gateway OPTIONS pings (sofia_reg_check_gateway, sofia_handle_sip_r_options) with SIPp as the far
 * server: it answers a number of pings and then goes silent (an unanswered OPTIONS is a 408 after
 * Timer F's 64·T1, the profile's timer-T1 made 100 ms here) or a second SIPp answers 503. The counts go up to ping-max and down, the status
 * goes DOWN below ping-min, each change (each result with ping-monitoring) fires
 * `sofia::gateway_state`, `sofia status gateway` shows the ping fields, and a DOWN gateway refuses
 * calls with GATEWAY_DOWN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { type SippResult, freeUdpPort, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, gatewayConfig, startRig } from './helpers.ts';

const ports = { silent: 0, monitored: 0 };
let rig: Rig;
let silent: Promise<SippResult>;

beforeAll(async () => {
  ports.silent = await freeUdpPort();
  ports.monitored = await freeUdpPort();
  silent = (await startSipp({ scenario: 'uas_options', localPort: ports.silent, calls: 2, timeoutSec: 30 })).done;
  rig = await startRig({
    // T1 100 ms: an unanswered OPTIONS is a 408 after 6.4 s (64·T1) instead of 32 s
    timerT1: 100,
    gateways: [
      gatewayConfig('gw_silent', ports.silent, { register: false, ping: 5, pingMin: 2, pingMax: 2 }),
      gatewayConfig('gw_monitored', ports.monitored, { register: false, ping: 5, pingMonitoring: true }),
      gatewayConfig('gw_bad_ping', ports.monitored, { register: false, ping: 3 }),
    ],
  });
});
afterAll(async () => {
  await rig?.stop();
});

const gatewayState =
  (name: string, match: (e: SwitchEvent) => boolean = () => true) =>
  (e: SwitchEvent) =>
    e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === name && match(e);
const headers = (e: SwitchEvent) => ['State', 'Ping-Status', 'Status', 'Phrase'].map((h) => e.getHeader(h));

/** `sofia status gateway <name>`'s `field\tvalue` lines. */
async function details(name: string): Promise<Record<string, string>> {
  const text = await rig.sw.api(`sofia status gateway ${name}`);
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((l) => l.split('\t').map((x) => x.trim())),
  );
}

describe('gateway pings', () => {
  it('ping-monitoring: every answer fires sofia::gateway_state; a 503 takes the gateway DOWN and calls through it fail GATEWAY_DOWN', async () => {
    const first = await startSipp({ scenario: 'uas_options', localPort: ports.monitored, calls: 1 });
    expect((await first.done).code).toBe(0);
    const up = await rig.waitFor(gatewayState('gw_monitored'), 3000);
    expect(headers(up)).toEqual(['NOREG', 'UP', '200', 'OK']);
    expect(rig.logs).toContain('WARNING Ping succeeded gw_monitored with code 200 - count 1/1/1, state UP');
    const second = await startSipp({ scenario: 'uas_options', localPort: ports.monitored, calls: 1, vars: { reply: '503 Service Unavailable' } });
    expect((await second.done).code).toBe(0);
    const down = await rig.waitFor(
      gatewayState('gw_monitored', (e) => e.getHeader('Ping-Status') === 'DOWN'),
      3000,
    );
    expect(headers(down)).toEqual(['NOREG', 'DOWN', '503', 'Service Unavailable']);
    expect(rig.logs).toContain('WARNING Ping failed gw_monitored with code 503 - count 1/0/1, state DOWN');
    expect(await rig.sw.originate('sofia/gateway/gw_monitored/100 &park()')).toBe('-ERR GATEWAY_DOWN\n');
    expect(rig.logs).toContain("ERR Gateway 'gw_monitored' is down!");
    const d = await details('gw_monitored');
    expect([d.PingFreq, d.PingState, d.PingTime, d.State, d.Status, d.Uptime, d.FailedCallsOUT]).toEqual([
      '5',
      '1/0/1',
      '0.00',
      'NOREG',
      'DOWN',
      '0s',
      '1',
    ]);
    expect(Number(d.Ping) - Math.floor(Date.now() / 1000)).toBeGreaterThan(0);
  }, 20_000);

  it('counts answers up to ping-max; silence is a 408 after 64·T1, which takes it below ping-min: DOWN', async () => {
    expect((await silent).code).toBe(0);
    await new Promise((r) => setTimeout(r, 200)); // the last 200 on its way in
    const succeeded = rig.logs.filter((l) => l.startsWith('WARNING Ping succeeded gw_silent'));
    expect(succeeded).toEqual([
      'WARNING Ping succeeded gw_silent with code 200 - count 2/1/2, state UP',
      'WARNING Ping succeeded gw_silent with code 200 - count 2/2/2, state UP',
    ]);
    // up from the start (NOREG), and no change of status yet: no event
    expect(rig.events.filter(gatewayState('gw_silent'))).toEqual([]);
    const up = await details('gw_silent');
    expect([up.PingFreq, up.PingState, up.State, up.Status]).toEqual(['5', '2/2/2', 'NOREG', 'UP']);
    expect(up.PingTime).toMatch(/^\d+\.\d\d$/);
    const down = await rig.waitFor(gatewayState('gw_silent'), 55_000);
    expect(headers(down)).toEqual(['NOREG', 'DOWN', '408', 'Request Timeout']);
    expect(rig.logs).toContain('WARNING Ping failed gw_silent with code 408 - count 2/1/2, state DOWN');
    const d = await details('gw_silent');
    expect([d.PingState, d.Status, d.PingTime]).toEqual(['2/1/2', 'DOWN', '0.00']);
    expect(await rig.sw.originate('sofia/gateway/gw_silent/100 &park()')).toBe('-ERR GATEWAY_DOWN\n');
  }, 80_000);

  it('a ping under 5 s is refused with an ERROR and the gateway is never pinged', async () => {
    expect(rig.logs).toContain('ERR ERROR: invalid ping!');
    const d = await details('gw_bad_ping');
    expect([d.Ping, d.PingFreq, d.PingState, d.Status]).toEqual(['0', '0', '0/0/0', 'UP']);
  });

  it('sofia status gateway: each gateway with its state, ping time and calls, and the totals', async () => {
    const text = await rig.sw.api('sofia status gateway');
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      `${'Profile::Gateway-Name'.padStart(25)}\t${'    Data    '.padStart(32)}\tState\t${'Ping Time'}\tIB Calls(F/T)\tOB Calls(F/T)`,
    );
    expect(lines[1]).toBe('='.repeat(97));
    expect(lines).toContain(`${'internal::gw_silent'.padStart(25)}\t${`sip:bob@127.0.0.1:${ports.silent}`.padStart(32)}\tNOREG\t  0.00\t0/0\t1/0`);
    expect(text.endsWith(`${'='.repeat(97)}\n3 gateways: Inbound(Failed/Total): 0/0,Outbound(Failed/Total):2/0\n`)).toBe(true);
  });
});
