/**
 * `beamctl kill sofia` (the SIP face's supervisor): switchd_sup starts it again and its profile
 * binds the same SIP port again, every time. The old profile dies of its killed supervisor's
 * exit signal, so the restart must not race it for the port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, run, startSwitchd, stopSwitchd, type Proc } from '../../../tools/apps/run.ts';

const NAME = 'sofia_restart@localhost';
let proc: Proc | undefined;
let ctl: (...args: string[]) => ReturnType<typeof run>;

beforeAll(async () => {
  const sip = await freePort();
  const started = await startSwitchd(NAME, ['--sip-port', String(sip)]);
  proc = started.proc;
  ctl = (...args) => run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(started.epmdPort), ...args]);
}, 90_000);
afterAll(async () => {
  await stopSwitchd(proc);
});

async function profileRunning(): Promise<boolean> {
  for (const end = Date.now() + 5_000; Date.now() < end; ) {
    const r = await ctl('api', 'sofia', 'status');
    if (/internal\tprofile\t.*RUNNING/.test(r.stdout)) return true;
    await new Promise((res) => setTimeout(res, 200));
  }
  return false;
}

describe('sofia killed', { timeout: 120_000 }, () => {
  it('comes back listening on the same SIP port, three times running', async () => {
    expect(await profileRunning()).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect((await ctl('kill', 'sofia', '--yes')).code).toBe(0);
      expect(await profileRunning()).toBe(true);
    }
    expect(proc?.out()).not.toMatch(/did not start|EADDRINUSE/);
  });
});
