import { type ProcessContext, Runtime, TestClock } from '@beamline/core';
import { describe, expect, it } from 'vitest';
import { SwitchCore } from '../src/core/core.ts';
import { addCoreTasks } from '../src/core/heartbeat.ts';
import { makeIdentity } from '../src/core/identity.ts';
import { SessionLimits } from '../src/core/limits.ts';
import { SessionTable } from '../src/core/sessions.ts';
import type { SwitchEvent } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

const pick = (e: SwitchEvent, names: string[]) => names.map((n) => `${n}: ${e.getHeader(n) ?? '-'}`).join(' | ');

const HB = [
  'Event-Info',
  'Up-Time',
  'FreeSWITCH-Version',
  'Uptime-msec',
  'Session-Count',
  'Max-Sessions',
  'Session-Per-Sec',
  'Session-Per-Sec-Last',
  'Session-Per-Sec-Max',
  'Session-Per-Sec-FiveMin',
  'Session-Since-Startup',
  'Session-Peak-Max',
  'Session-Peak-FiveMin',
  'Idle-CPU',
];

describe('HEARTBEAT and RE_SCHEDULE (switch_core.c, switch_scheduler.c)', () => {
  it('at startup, then every event-heartbeat-interval seconds, each followed by RE_SCHEDULE; check_ip every 60 s', async () => {
    const { sw, rt, clock, settle, sub } = await setup({ heartbeatIntervalSec: 20 });
    await settle();
    // the startup round (HEARTBEAT, RE_SCHEDULE 1, RE_SCHEDULE 2) ran inside startSwitch: sequences 1–3
    expect(sub.take().filter((e) => e.type === 'HEARTBEAT' || e.type === 'RE_SCHEDULE')).toEqual([]);
    expect(sw.events.create('CUSTOM', 'x::y').getHeader('Event-Sequence')).toBe('4');
    await sw.originate('null/1 &park()');
    await clock.advance(20_000);
    await settle();
    const got = sub.take().filter((e) => e.type === 'HEARTBEAT' || e.type === 'RE_SCHEDULE');
    expect(got.map((e) => e.type)).toEqual(['HEARTBEAT', 'RE_SCHEDULE']);
    const hb = got[0]!;
    expect(HB.map((n) => `${n}: ${hb.getHeader(n)}`)).toEqual([
      'Event-Info: System Ready',
      'Up-Time: 0 years, 0 days, 0 hours, 0 minutes, 20 seconds, 0 milliseconds, 0 microseconds',
      'FreeSWITCH-Version: 1.10.12-release~64bit',
      'Uptime-msec: 20000',
      'Session-Count: 1',
      'Max-Sessions: 1000',
      'Session-Per-Sec: 30',
      'Session-Per-Sec-Last: 0',
      'Session-Per-Sec-Max: 1',
      'Session-Per-Sec-FiveMin: 1',
      'Session-Since-Startup: 1',
      'Session-Peak-Max: 1',
      'Session-Peak-FiveMin: 1',
      'Idle-CPU: 100.000000',
    ]);
    expect(hb.headers[13]?.name).toBe('Event-Info');
    expect(pick(got[1]!, ['Task-ID', 'Task-Desc', 'Task-Group', 'Task-Runtime'])).toBe(
      'Task-ID: 1 | Task-Desc: heartbeat | Task-Group: core | Task-Runtime: 1725358312',
    );
    await clock.advance(40_000);
    await settle();
    expect(
      sub
        .take()
        .filter((e) => e.type === 'HEARTBEAT' || e.type === 'RE_SCHEDULE')
        .map((e) => `${e.type} ${e.getHeader('Task-ID') ?? ''}`.trim()),
    ).toEqual(['HEARTBEAT', 'RE_SCHEDULE 1', 'HEARTBEAT', 'RE_SCHEDULE 1', 'RE_SCHEDULE 2']);
    await sw.stop();
    await rt.stop();
  });
});

describe('the core tasks on a jumping clock', () => {
  it('a task due long ago runs once, with the WARNING, and is rescheduled from now', async () => {
    let t = 0;
    const logs: string[] = [];
    const core = new SwitchCore({
      identity: makeIdentity({ coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'h1' }),
      startEpochMs: 1_725_358_272_000,
      now: () => t,
      utcOffsetMinutes: () => 0,
      log: (l) => logs.push(`${l.level} ${l.text}`),
    });
    const sub = core.bus.subscribe({ types: ['HEARTBEAT', 'RE_SCHEDULE'] });
    addCoreTasks(core);
    // the rounds run in a process (the core's clock is `t`, not the runtime's)
    const rt = new Runtime({ clock: new TestClock(), logger: null });
    const round = () => new Promise<number | undefined>((resolve) => rt.spawn((ctx: ProcessContext) => core.scheduler.runDue(ctx).then(resolve)));
    expect(await round()).toBe(20_000);
    t = 65_000;
    expect(await round()).toBe(20_000);
    await rt.stop();
    expect(logs).toEqual([
      'WARNING Task was executed late by 45 seconds 1 heartbeat (core)',
      'WARNING Task was executed late by 5 seconds 2 check_ip (core)',
    ]);
    expect(sub.take().map((e) => `${e.type} ${e.getHeader('Task-Runtime') ?? ''}`.trim())).toEqual([
      'HEARTBEAT',
      'RE_SCHEDULE 1725358292',
      'RE_SCHEDULE 1725358332',
      'HEARTBEAT',
      'RE_SCHEDULE 1725358357',
      'RE_SCHEDULE 1725358397',
    ]);
  });
});

describe('session limits (switch_core_session_request)', () => {
  it('the per-second budget: a request takes one even when refused; refused at <= 0; refilled each second', () => {
    let now = 0;
    const sessions = new SessionTable();
    const l = new SessionLimits(1000, 3, sessions, () => now);
    expect([l.request(0), l.request(1), l.request(2)]).toEqual([undefined, undefined, 'Throttle Error! 2']);
    expect(l.snapshot()).toMatchObject({ sps: 0 });
    now = 1000;
    expect(l.snapshot()).toEqual({ sps: 3, spsLast: 3, spsPeak: 3, spsPeakFiveMin: 3, sessionsPeakFiveMin: 0 });
    now = 2500;
    expect(l.snapshot()).toMatchObject({ sps: 3, spsLast: 0, spsPeak: 3, spsPeakFiveMin: 3 });
    now = 400_000;
    expect(l.snapshot()).toMatchObject({ sps: 3, spsLast: 0, spsPeak: 3, spsPeakFiveMin: 0 });
  });

  it('max-sessions', () => {
    const l = new SessionLimits(2, 30);
    expect([l.request(1), l.request(2)]).toEqual([undefined, 'Over Session Limit! 2']);
  });

  it('originate over the limits: -ERR DESTINATION_OUT_OF_ORDER and the CRIT line, no channel made', async () => {
    const { sw, rt, logs } = await setup({ maxSessions: 1, timers: false });
    expect(await sw.originate('null/1 &park()')).toMatch(/^\+OK /);
    expect(await sw.originate('null/2 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(logs).toContain('CRIT Over Session Limit! 1');
    expect(sw.core.sessions.sinceStartup).toBe(1);
    expect(await sw.api('fsctl max_sessions 5')).toBe('+OK max sessions: 5\n');
    expect(await sw.originate('null/3 &park()')).toMatch(/^\+OK /);
    // a negative limit is a uint32_t in the C: no limit at all, printed back as the int it was
    expect(await sw.api('fsctl max_sessions 2')).toBe('+OK max sessions: 2\n');
    expect(await sw.originate('null/4 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(await sw.api('fsctl max_sessions -5')).toBe('+OK max sessions: -5\n');
    expect(await sw.originate('null/5 &park()')).toMatch(/^\+OK /);
    await sw.stop();
    await rt.stop();
  });

  it('sessions-per-second: the 3rd originate within a second of a budget of 3 is throttled', async () => {
    const { sw, rt, clock, logs } = await setup({ sessionsPerSecond: 3, timers: false });
    expect(await sw.originate('null/1 &park()')).toMatch(/^\+OK /);
    expect(await sw.originate('null/2 &park()')).toMatch(/^\+OK /);
    expect(await sw.originate('null/3 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(logs).toContain('CRIT Throttle Error! 2');
    await clock.advance(1000);
    expect(await sw.originate('null/4 &park()')).toMatch(/^\+OK /);
    await sw.stop();
    await rt.stop();
  });
});
