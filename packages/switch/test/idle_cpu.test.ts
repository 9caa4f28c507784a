/**
 * The idle CPU figure (switch_profile.c): whole percents per second, averaged over a ring that
 * starts full of 100s; /proc/stat read as read_cpu_stats reads it. Then what it drives: `status`,
 * HEARTBEAT, json status and `min-idle-cpu`'s silent refusal (switch_core_session_request_uuid).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CpuTimes, IdleCpuMeter, parseProcStat, systemCpuTimes } from '../src/core/idle_cpu.ts';
import { copyConf, setup, stopSetup } from './switch_helpers.ts';

/** Counters a test moves by hand: `run(busy, idle)` adds that much of each. */
function fakeCpu() {
  let now: CpuTimes | undefined = { busy: 5_000, idle: 95_000 };
  return {
    read: () => now,
    run(busy: number, idle: number) {
      if (now) now = { busy: now.busy + busy, idle: now.idle + idle };
    },
    fail() {
      now = undefined;
    },
  };
}

describe('IdleCpuMeter', () => {
  it('100 until a second has passed; then each second a rounded whole percent into a 30-deep ring of 100s', () => {
    let ms = 0;
    const cpu = fakeCpu();
    const m = new IdleCpuMeter(cpu.read, () => ms);
    ms = 999;
    expect(m.value()).toBe(100);
    ms = 1000;
    // 1 idle of 3 is 33.3…: (100 + 1) / 3 = 33 in integer arithmetic; the ring is 29 × 100 + 33
    cpu.run(2, 1);
    expect(m.value()).toBeCloseTo((29 * 100 + 33) / 30, 10);
    // 1 of 2 is 50 exactly; 2 of 3 rounds up to 67 ((200 + 1) / 3)
    ms = 2000;
    cpu.run(1, 1);
    expect(m.value()).toBeCloseTo((28 * 100 + 33 + 50) / 30, 10);
    ms = 3000;
    cpu.run(1, 2);
    expect(m.value()).toBeCloseTo((27 * 100 + 33 + 50 + 67) / 30, 10);
  });

  it('a read after a gap counts its percent for each whole second of it; counters that did not move keep the figure', () => {
    let ms = 0;
    const cpu = fakeCpu();
    const m = new IdleCpuMeter(cpu.read, () => ms, 4);
    ms = 2500;
    cpu.run(90, 10);
    expect(m.value()).toBeCloseTo((2 * 100 + 2 * 10) / 4, 10);
    ms = 60_000;
    cpu.run(75, 25);
    expect(m.value()).toBe(25);
    ms = 61_000;
    expect(m.value()).toBe(25);
  });

  it('cpu-idle-smoothing-depth sets the ring (not above 0: 30); counters that cannot be read make it 100 for good', () => {
    let ms = 0;
    const cpu = fakeCpu();
    const m = new IdleCpuMeter(cpu.read, () => ms);
    m.setDepth(1);
    ms = 1000;
    cpu.run(3, 1);
    expect(m.value()).toBe(25);
    m.setDepth(0);
    ms = 2000;
    cpu.run(3, 1);
    expect(m.value()).toBeCloseTo((29 * 100 + 25) / 30, 10);
    cpu.fail();
    ms = 3000;
    expect(m.value()).toBe(100);
    expect(new IdleCpuMeter(undefined, () => ms).value()).toBe(100);
  });
});

describe('/proc/stat', () => {
  it('reads the cpu line with 7, 8 or 9+ fields as read_cpu_stats: iowait, irq, softirq and steal are busy, guest is user', () => {
    const stat = 'cpu  100 5 50 1000 7 3 2 4 20 9\ncpu0 50 2 25 500 3 1 1 2 10 4\nintr 1\n';
    expect(parseProcStat(stat)).toEqual({ busy: 100 + 20 + 5 + 50 + 3 + 2 + 7 + 4, idle: 1000 });
    expect(parseProcStat('cpu  1 2 3 4 5 6 7\n')).toEqual({ busy: 1 + 2 + 3 + 5 + 6 + 7, idle: 4 });
    expect(parseProcStat('cpu  1 2 3 4 5 6\n')).toBeUndefined();
    expect(parseProcStat('cpu0 1 2 3 4 5 6 7\n')).toBeUndefined();
  });

  it("this machine's counters move while it works", () => {
    const a = systemCpuTimes();
    expect(a).toBeDefined();
    const until = Date.now() + 60;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const b = systemCpuTimes()!;
    expect(b.busy + b.idle).toBeGreaterThan(a!.busy + a!.idle);
    expect(b.busy).toBeGreaterThan(a!.busy);
  });
});

const UUID = /^\+OK [0-9a-f-]{36}\n$/;

describe('what the idle CPU drives', () => {
  it('status, json status and HEARTBEAT show it; min_idle_cpu refuses new sessions below it without a log line or using the per-second budget', async () => {
    const cpu = fakeCpu();
    const t = await setup({ cpuTimes: cpu.read, heartbeatIntervalSec: 30 });
    const { sw, clock, sub, settle, logs } = t;
    expect(await sw.api('fsctl min_idle_cpu 50')).toBe('+OK min idle cpu: 50.00%\n');
    // 30 seconds at 10% idle fill the ring
    cpu.run(27_000, 3_000);
    await clock.advance(30_000);
    await settle();
    const hb = sub.take().find((e) => e.type === 'HEARTBEAT');
    expect(hb?.getHeader('Idle-CPU')).toBe('10.000000');
    expect((await sw.api('status')).split('\n')[6]).toBe('min idle cpu 50.00/10.00');
    expect(await sw.api('json {"command":"status","data":""}')).toContain('"idleCPU":{"used":50,"allowed":10}');
    const before = logs.length;
    const spsBefore = sw.core.limits.snapshot().sps;
    expect(await sw.originate('null/1 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(logs.slice(before).filter((l) => l.startsWith('CRIT'))).toEqual([]);
    expect(sw.core.limits.snapshot().sps).toBe(spsBefore);
    expect(sw.core.sessions.sinceStartup).toBe(0);
    // idle again: after 30 more seconds the ring is all 80s
    cpu.run(6_000, 24_000);
    await clock.advance(30_000);
    expect(sw.core.idleCpu()).toBe(80);
    expect(await sw.originate('null/1 &park()')).toMatch(UUID);
    // min_idle_cpu 0 turns the check off whatever the figure
    cpu.run(30_000, 0);
    await clock.advance(30_000);
    expect(sw.core.idleCpu()).toBe(0);
    expect(await sw.originate('null/2 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    expect(await sw.api('fsctl min_idle_cpu 0')).toBe('+OK min idle cpu: DISABLED\n');
    expect(await sw.originate('null/2 &park()')).toMatch(UUID);
    await stopSetup(t);
  });

  it('switch.conf min-idle-cpu and cpu-idle-smoothing-depth', async () => {
    const dir = copyConf();
    writeFileSync(
      join(dir, 'autoload_configs/switch.conf.xml'),
      `<configuration name="switch.conf">
  <settings>
    <param name="min-idle-cpu" value="25.5"/>
    <param name="cpu-idle-smoothing-depth" value="2"/>
  </settings>
</configuration>
`,
    );
    const cpu = fakeCpu();
    const t = await setup({ confDir: dir, dialplan: undefined, timers: false, cpuTimes: cpu.read });
    expect(await t.sw.api('fsctl min_idle_cpu')).toBe('+OK min idle cpu: 25.50%\n');
    cpu.run(4, 1);
    await t.clock.advance(1_000);
    // a ring of two: (100 + 20) / 2
    expect(t.sw.core.idleCpu()).toBe(60);
    await t.clock.advance(1_000);
    cpu.run(4, 1);
    expect(t.sw.core.idleCpu()).toBe(20);
    expect(await t.sw.originate('null/1 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    await stopSetup(t);
  });
});
