/**
 * The machine's idle CPU, as FreeSWITCH's profile timer measures it (switch_profile.c,
 * switch_get_system_idle_time): once a second the system-wide CPU counters are read, the share of
 * idle time since the last reading is rounded to a whole percent, and the figure is the average of
 * the last `cpu-idle-smoothing-depth` (default 30) such percents, the ring starting full of 100s.
 * It feeds `status`, HEARTBEAT's Idle-CPU, the log line prefix, and `min-idle-cpu`'s refusal.
 *
 * Sampling is lazy on the runtime clock (like the session limits): a read a second or more after
 * the last sample takes one, and its percent stands for every whole second since — so an idle
 * switch reads no counters at all.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Cumulative CPU time since boot, in any one unit: time spent working and time idle. */
export interface CpuTimes {
  readonly busy: number;
  readonly idle: number;
}

const DEFAULT_SMOOTHING_DEPTH = 30;

export class IdleCpuMeter {
  readonly #read: (() => CpuTimes | undefined) | undefined;
  readonly #now: () => number;
  #ring: number[] = [];
  #next = 0;
  #last: CpuTimes | undefined;
  #lastMs: number;
  #value = 100;

  /** `read` undefined: not measured, always 100 (as FreeSWITCH where the counters cannot be read). */
  constructor(read: (() => CpuTimes | undefined) | undefined, now: () => number, depth = DEFAULT_SMOOTHING_DEPTH) {
    this.#read = read;
    this.#now = now;
    this.#lastMs = now();
    this.setDepth(depth);
    this.#last = read?.();
  }

  /** switch.conf `cpu-idle-smoothing-depth`: a new ring of 100s (not above 0: the default). */
  setDepth(depth: number): void {
    this.#ring = new Array<number>(depth > 0 ? depth : DEFAULT_SMOOTHING_DEPTH).fill(100);
    this.#next = 0;
    this.#value = 100;
  }

  /** Idle CPU in percent, 0..100. */
  value(): number {
    if (this.#last === undefined) return 100;
    const seconds = Math.floor((this.#now() - this.#lastMs) / 1000);
    if (seconds >= 1) {
      this.#lastMs += seconds * 1000;
      this.#sample(seconds);
    }
    return this.#value;
  }

  #sample(seconds: number): void {
    const now = this.#read?.();
    const last = this.#last;
    if (now === undefined || last === undefined) {
      // switch_get_system_idle_time disables the profile timer on a failed read: 100 from then on
      this.#last = undefined;
      this.#value = 100;
      return;
    }
    const idle = now.idle - last.idle;
    const total = now.busy - last.busy + idle;
    // counters that did not move keep the last figure
    if (total <= 0) return;
    this.#last = now;
    // (100 × idle + total / 2) / total in unsigned integer arithmetic: a rounded whole percent
    const percent = Math.floor((100 * idle + Math.floor(total / 2)) / total);
    const ring = this.#ring;
    for (let i = Math.min(seconds, ring.length); i > 0; i--) {
      ring[this.#next] = percent;
      this.#next = (this.#next + 1) % ring.length;
    }
    let sum = 0;
    for (const p of ring) sum += p;
    this.#value = sum / ring.length;
  }
}

/**
 * The `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal [guest]), as
 * read_cpu_stats takes it: iowait and steal count as busy, guest as user time. Undefined when the
 * text has no such line.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = /^cpu +(.*)$/m.exec(text)?.[1];
  if (line === undefined) return undefined;
  const f = line.trim().split(/ +/).map(Number);
  if (f.length < 7 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0] = f;
  return { busy: user + guest + nice + system + irq + softirq + iowait + steal, idle };
}

/** This machine's counters: /proc/stat on Linux, else what `os.cpus()` reports summed over the CPUs. */
export function systemCpuTimes(): CpuTimes | undefined {
  if (process.platform === 'linux') {
    try {
      return parseProcStat(readFileSync('/proc/stat', 'latin1'));
    } catch {
      return undefined;
    }
  }
  let busy = 0;
  let idle = 0;
  for (const c of cpus()) {
    busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
    idle += c.times.idle;
  }
  return busy + idle > 0 ? { busy, idle } : undefined;
}
