/**
 * `fsctl` beyond loglevel/max_sessions/sps (those are in conf_switch and core_timers), and the
 * `shutdown` command: each answer as mod_commands' ctl_function writes it, and what each one
 * changes (switch_core_session_ctl, switch_core_session_request_uuid's checks).
 */
import { describe, expect, it } from 'vitest';
import type { StopRequest } from '../src/index.ts';
import { type Setup, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const OUT_OF_ORDER = '-ERR DESTINATION_OUT_OF_ORDER\n';

/** A setup whose switch records what it asks its host to stop with. */
async function hosted(): Promise<Setup & { stops: StopRequest[] }> {
  const t = await setup({ timers: false });
  const stops: StopRequest[] = [];
  t.sw.core.control.stopProcess = (how) => stops.push(how);
  return { ...t, stops };
}

/** A parked call, then `fsctl shutdown <how>` sent without waiting: its SHUTDOWN_REQUESTED's Event-Info and its answer so far. */
async function shutdownWithACall(how: string) {
  const t = await hosted();
  await parkedNull(t);
  t.sub.take();
  let answered: string | undefined;
  void t.sw.api(`fsctl shutdown ${how}`).then((r) => (answered = r));
  await t.settle();
  const info = t.sub
    .take()
    .find((e) => e.type === 'SHUTDOWN_REQUESTED')
    ?.getHeader('Event-Info');
  return { t, info, answered: () => answered };
}

describe('fsctl pause / resume', () => {
  it('pause outbound refuses originate with the CRIT line; inbound legs (loopback B) are refused by pause inbound', async () => {
    const t = await hosted();
    const { sw, logs } = t;
    expect(await sw.api('fsctl pause outbound')).toBe('+OK\n');
    expect(await sw.api('fsctl pause_check outbound')).toBe('true');
    expect(await sw.api('fsctl pause_check')).toBe('false');
    expect(await sw.api('fsctl ready_check')).toBe('true');
    expect(await sw.originate('null/1 &park()')).toBe(OUT_OF_ORDER);
    expect(logs).toContain('CRIT The system cannot create any outbound sessions at this time.');
    expect(sw.core.sessions.sinceStartup).toBe(0);
    expect(await sw.api('fsctl resume outbound')).toBe('+OK\n');
    expect(await sw.originate('null/1 &park()')).toMatch(/^\+OK /);

    expect(await sw.api('fsctl pause INBOUND')).toBe('+OK\n');
    expect(await sw.api('fsctl pause_check inbound')).toBe('true');
    expect(await sw.originate('null/2 &park()')).toMatch(/^\+OK /); // outbound still allowed
    expect(await sw.originate('loopback/1000 &park()')).not.toMatch(/^\+OK /); // its B leg is inbound
    expect(logs).toContain('CRIT The system cannot create any inbound sessions at this time.');
    await stopSetup(t);
  });

  it('pause with no direction pauses both: ready_check is false; resume clears both', async () => {
    const t = await hosted();
    const { sw } = t;
    expect(await sw.api('fsctl pause')).toBe('+OK\n');
    expect(await sw.api('fsctl pause_check')).toBe('true');
    expect(await sw.api('fsctl ready_check')).toBe('false');
    expect(await sw.api('status')).toContain(') is not ready\n');
    expect(await sw.originate('null/1 &park()')).toBe(OUT_OF_ORDER);
    expect(await sw.api('fsctl resume')).toBe('+OK\n');
    expect(await sw.api('status')).toContain(') is ready\n');
    expect(await sw.api('fsctl pause_check')).toBe('false');
    expect(await sw.originate('null/1 &park()')).toMatch(/^\+OK /);
    await stopSetup(t);
  });
});

describe('fsctl shutdown', () => {
  it('plain: "Shutting down", the host is asked to stop, and nothing new starts', async () => {
    const t = await hosted();
    expect(await t.sw.api('fsctl shutdown')).toBe('+OK\n');
    expect(t.stops).toEqual([{ restart: false, now: false }]);
    expect(t.logs).toContain('INFO Shutting down');
    expect(await t.sw.originate('null/1 &park()')).toBe(OUT_OF_ORDER);
    expect(await t.sw.api('fsctl ready_check')).toBe('false');
    // once stopping, switch_core_session_ctl does nothing more
    expect(await t.sw.api('fsctl shutdown restart')).toBe('+OK\n');
    expect(t.stops).toHaveLength(1);
    await stopSetup(t);
  });

  it('restart, now, reincarnate now, and the shutdown command', async () => {
    const restart = await hosted();
    await restart.sw.api('fsctl shutdown restart');
    expect(restart.stops).toEqual([{ restart: true, now: false }]);
    expect(restart.logs).toContain('INFO Restarting');
    await stopSetup(restart);
    const now = await hosted();
    await now.sw.api('fsctl shutdown now');
    expect(now.stops).toEqual([{ restart: false, now: true }]);
    await stopSetup(now);
    const again = await hosted();
    await again.sw.api('fsctl shutdown reincarnate now');
    expect(again.stops).toEqual([{ restart: true, now: true }]);
    await stopSetup(again);
    const command = await hosted();
    expect(await command.sw.api('shutdown')).toBe('+OK\n');
    await command.settle();
    expect(command.stops).toEqual([{ restart: false, now: false }]);
    await stopSetup(command);
  });

  it('elegant: SHUTDOWN_REQUESTED, then it waits for the last call (warning as it waits) and stops', async () => {
    const { t, info, answered } = await shutdownWithACall('elegant');
    expect(info).toBe('elegant');
    expect(await t.sw.api('fsctl shutdown_check')).toBe('true');
    // elegant lets new calls in while it waits
    expect(await t.sw.originate('null/2 &park()')).toMatch(/^\+OK /);
    await t.clock.advance(600);
    await t.settle();
    expect(t.logs).toContain('WARNING Shutdown in progress, 2 session(s) remain.\nShutting down once there are no active calls.');
    expect(answered()).toBeUndefined();
    expect(await t.sw.api('hupall')).toMatch(/^\+OK/);
    await t.settle();
    for (let i = 0; i < 4 && answered() === undefined; i++) {
      await t.clock.advance(500);
      await t.settle();
    }
    expect(answered()).toBe('+OK\n');
    expect(t.stops).toEqual([{ restart: false, now: false }]);
    expect(t.logs).toContain('INFO Shutting down');
    await stopSetup(t);
  });

  it('asap refuses new calls while it waits; cancel ends the wait: "Shutdown Cancelled", calls allowed again', async () => {
    const { t, info, answered } = await shutdownWithACall('asap');
    expect(info).toBe('ASAP');
    expect(await t.sw.originate('null/2 &park()')).toBe(OUT_OF_ORDER);
    expect(await t.sw.api('fsctl shutdown cancel')).toBe('+OK\n');
    await t.clock.advance(500);
    await t.settle();
    expect(answered()).toBe('+OK\n');
    expect(t.logs).toContain('INFO Shutdown Cancelled');
    expect(t.stops).toEqual([]);
    expect(await t.sw.api('fsctl shutdown_check')).toBe('false');
    expect(await t.sw.originate('null/3 &park()')).toMatch(/^\+OK /);
    await stopSetup(t);
  });
});

describe('fsctl: the other subcommands', () => {
  it('hupall hangs every call up with MANAGER_REQUEST; send_sighup fires TRAP', async () => {
    const t = await hosted();
    const a = await parkedNull(t);
    t.sub.take();
    expect(await t.sw.api('fsctl hupall')).toBe('+OK\n');
    await t.settle();
    const hangup = t.sub.take().find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === a);
    expect(hangup?.getHeader('Hangup-Cause')).toBe('MANAGER_REQUEST');
    expect(await t.sw.api('fsctl send_sighup')).toBe('+OK\n');
    await t.settle();
    expect(
      t.sub
        .take()
        .find((e) => e.type === 'TRAP')
        ?.getHeader('Trapped-Signal'),
    ).toBe('HUP');
    await stopSetup(t);
  });

  it('verbose_events on puts the variables on every channel event (CHANNEL_STATE too)', async () => {
    const t = await hosted();
    const stateWithVariables = () =>
      t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_STATE')
        .map((e) => e.headers.some((h) => h.name.startsWith('variable_')));
    await parkedNull(t, 1);
    expect(stateWithVariables()).toContain(false);
    expect(await t.sw.api('fsctl verbose_events')).toBe('+OK verbose_events is off \n');
    expect(await t.sw.api('fsctl verbose_events on')).toBe('+OK verbose_events is on \n');
    await parkedNull(t, 2);
    const states = stateWithVariables();
    expect(states.length).toBeGreaterThan(0);
    expect(states).not.toContain(false);
    expect(await t.sw.api('fsctl verbose_events false')).toBe('+OK verbose_events is off \n');
    await stopSetup(t);
  });

  it('api_expansion off: ${api(args)} in an expansion is refused, as switch_channel_expand_variables_check does', async () => {
    const t = await hosted();
    expect(await t.sw.api('eval ${expr(1+1)}')).toBe('2');
    expect(await t.sw.api('fsctl api_expansion off')).toBe('+OK api_expansion is off \n');
    expect(await t.sw.api('eval ${expr(1+1)}')).toBe('<API Execute Permission Denied>');
    expect(await t.sw.api('fsctl api_expansion on')).toBe('+OK api_expansion is on \n');
    expect(await t.sw.api('eval ${expr(1+1)}')).toBe('2');
    await stopSetup(t);
  });

  it('uuid_version 7: new channel and job uuids are version 7, in creation order', async () => {
    const t = await hosted();
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(await t.sw.api('create_uuid')).toMatch(v4);
    expect(await t.sw.api('fsctl uuid_version 7')).toBe('+OK set uuid version: 7\n');
    const first = await t.sw.api('create_uuid');
    await t.clock.advance(5);
    const call = await parkedNull(t);
    expect(first).toMatch(v7);
    expect(call).toMatch(v7);
    expect(first < call).toBe(true);
    // the first 48 bits are the switch's clock in ms (setup starts at 1,725,358,272,000)
    expect(Number.parseInt(first.replace(/-/g, '').slice(0, 12), 16)).toBe(1_725_358_272_000);
    expect(await t.sw.api('fsctl uuid_version 4')).toBe('+OK set uuid version: 4\n');
    expect(await t.sw.api('create_uuid')).toMatch(v4);
    await stopSetup(t);
  });

  it('answer as ctl_function writes them', async () => {
    const t = await hosted();
    const api = (line: string) => t.sw.api(line);
    const expected: [string, string][] = [
      ['fsctl debug_level', '+OK DEBUG level: 0\n'],
      ['fsctl debug_level 42', '+OK DEBUG level: 10\n'],
      ['fsctl debug_level -3', '+OK DEBUG level: 10\n'],
      ['fsctl api_expansion', '+OK api_expansion is on \n'],
      ['fsctl api_expansion off', '+OK api_expansion is off \n'],
      ['fsctl threaded_system_exec yes', '+OK threaded_system_exec is true \n'],
      ['fsctl min_idle_cpu', '+OK min idle cpu: DISABLED\n'],
      ['fsctl min_idle_cpu 12.5', '+OK min idle cpu: 12.50%\n'],
      ['fsctl min_idle_cpu -1', '+OK min idle cpu: 12.50%\n'],
      ['fsctl min_idle_cpu 0', '+OK min idle cpu: DISABLED\n'],
      ['fsctl max_dtmf_duration', '+OK max dtmf duration: 192000\n'],
      ['fsctl max_dtmf_duration 100', '+OK max dtmf duration: 400\n'],
      ['fsctl min_dtmf_duration', '+OK min dtmf duration: 400\n'],
      ['fsctl min_dtmf_duration 8000', '+OK min dtmf duration: 8000\n'],
      ['fsctl max_dtmf_duration', '+OK max dtmf duration: 8000\n'],
      ['fsctl default_dtmf_duration 9000', '+OK default dtmf duration: 9000\n'],
      ['fsctl max_dtmf_duration', '+OK max dtmf duration: 9000\n'],
      ['fsctl default_dtmf_duration 999999', '+OK default dtmf duration: 192000\n'],
      ['fsctl sps_peak_reset', '+OK max sessions per second counter reset\n'],
      ['fsctl last_sps', '+OK last sessions per second: 0\n'],
      ['fsctl uuid_version', '+OK set uuid version: 4\n'],
      ['fsctl uuid_version 7', '+OK set uuid version: 7\n'],
      ['fsctl sync_clock', '+OK clock synchronized\n'],
      ['fsctl sync_clock_when_idle', '+OK clock synchronized\n'],
      ['fsctl reclaim_mem', '+OK\n'],
      ['fsctl calibrate_clock', '+OK\n'],
      ['fsctl flush_db_handles', '+OK\n'],
      ['fsctl save_history', '+OK\n'],
      ['fsctl recover', '+OK 0 session(s) recovered in total\n'],
      ['fsctl recover flush:sofia', '+OK flushed\n'],
      ['fsctl debug_sql', '+OK SQL DEBUG [on]\n'],
      ['fsctl debug_sql', '+OK SQL DEBUG [off]\n'],
      ['fsctl sql start', '+OK\n'],
      ['fsctl sql', ''],
      ['fsctl mdns_resolve enable', '+OK\n'],
      ['fsctl shutdown_check', 'false'],
      ['fsctl SPS 40', '+OK sessions per second: 40\n'],
    ];
    for (const [line, answer] of expected) expect(await api(line), line).toBe(answer);
    expect(await api('fsctl min_idle_cpu 7')).toBe('+OK min idle cpu: 7.00%\n');
    expect(await api('status')).toContain('\nmin idle cpu 7.00/100.00\n');
    expect(await api('fsctl mdns_resolve')).toMatch(/^-ERR Invalid command\nUSAGE: fsctl /);
    expect(await api('fsctl crash')).toMatch(/^-ERR Invalid command\nUSAGE: fsctl /);
    await parkedNull(t);
    expect(await api('fsctl sync_clock_when_idle')).toBe('+OK clock will synchronize when there are no more calls\n');
    expect(t.stops).toEqual([]);
    await stopSetup(t);
  });
});
