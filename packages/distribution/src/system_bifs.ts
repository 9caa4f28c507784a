/**
 * The `erlang` and `os` BIFs an operator's shell and monitoring tools ask a node for its clock and
 * its size, over rpc, in erl's shapes:
 *
 *   erlang:memory/0,1         total is the OS process's resident size; processes the sum of the
 *                              per-process estimates (introspection.ts); binary is what ArrayBuffers
 *                              hold; atom an estimate of 64 bytes per atom; code and ets are 0
 *   erlang:ports/0            [] (system_info(port_count) is 0)
 *   erlang:system_info/1      process_count, atom_count, port_count, schedulers(_online),
 *                              logical_processors(_available|_online), wordsize, system_version;
 *                              anything else is badarg
 *   erlang:statistics/1       wall_clock and runtime, in milliseconds ({Total, SinceLastCall}); the run
 *                              queue and active task items, counted over the processes (one scheduler,
 *                              and the dirty queues empty); scheduler_wall_time(_all) undefined (off)
 *   erlang:system_time/0,1, monotonic_time/0,1, time_offset/0,1, timestamp/0, localtime/0,
 *   universaltime/0, date/0, time/0; os:system_time/0,1, os:timestamp/0, os:type/0
 *
 * The native time unit is the nanosecond, as on erl for Linux; the system clock's resolution is the
 * millisecond (Date.now()), the monotonic clock's the nanosecond (process.hrtime). Units are erl's:
 * second, millisecond, microsecond, nanosecond, native, perf_counter, a positive integer of parts
 * per second, and the deprecated plural names.
 */
import { availableParallelism } from 'node:os';
import { Atom, atom, atomTableSize, charlist, t, type Term, type Tuple } from '@beamline/etf';
import type { Runtime } from '@beamline/core';
import { badarg, erlError, type ModuleExports } from './exports.ts';
import { memoryEstimate } from './introspection.ts';

const NS_PER_UNIT: Record<string, bigint> = {
  second: 1_000_000_000n,
  seconds: 1_000_000_000n,
  millisecond: 1_000_000n,
  milli_seconds: 1_000_000n,
  microsecond: 1_000n,
  micro_seconds: 1_000n,
  nanosecond: 1n,
  nano_seconds: 1n,
  native: 1n,
  perf_counter: 1n,
};

/** floor(a / b), for the negative values a time offset can have. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b !== a && a < 0n !== b < 0n ? q - 1n : q;
}

/** An integer term: a number while it is exact, else a bigint. */
function integer(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** `ns` nanoseconds in `unit` (a time unit term), rounded down as erlang:convert_time_unit does. */
function inUnit(ns: bigint, unit: Term): number | bigint {
  if (unit instanceof Atom) {
    // own keys only: an atom such as `constructor` is no unit
    const per = Object.hasOwn(NS_PER_UNIT, unit.name) ? NS_PER_UNIT[unit.name] : undefined;
    if (per === undefined) throw badarg();
    return integer(floorDiv(ns, per));
  }
  if ((typeof unit === 'number' && Number.isInteger(unit) && unit > 0) || (typeof unit === 'bigint' && unit > 0n)) {
    return integer(floorDiv(ns * BigInt(unit), 1_000_000_000n));
  }
  throw badarg();
}

const systemNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const monotonicNs = (): bigint => process.hrtime.bigint();

function timestamp(): Tuple {
  const us = systemNs() / 1_000n;
  return t(Number(us / 1_000_000_000_000n), Number((us / 1_000_000n) % 1_000_000n), Number(us % 1_000_000n));
}

const dateTerm = (d: Date, utc: boolean): Tuple =>
  utc ? t(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()) : t(d.getFullYear(), d.getMonth() + 1, d.getDate());
const timeTerm = (d: Date, utc: boolean): Tuple =>
  utc ? t(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) : t(d.getHours(), d.getMinutes(), d.getSeconds());
const dateTime = (utc: boolean): Tuple => {
  const d = new Date();
  return t(dateTerm(d, utc), timeTerm(d, utc));
};

const MEMORY_TYPES = ['total', 'processes', 'processes_used', 'system', 'atom', 'atom_used', 'binary', 'code', 'ets'];
const BYTES_PER_ATOM = 64;

function atomCount(): number {
  const { pinned, weak } = atomTableSize();
  return pinned + weak;
}

function memory(rt: Runtime): Map<string, number> {
  const usage = process.memoryUsage();
  let processes = 0;
  for (const pid of rt.processes()) {
    const info = rt.processInfo(pid);
    if (info !== undefined) processes += memoryEstimate(info);
  }
  const atoms = atomCount() * BYTES_PER_ATOM;
  const values = [usage.rss, processes, processes, Math.max(0, usage.rss - processes), atoms, atoms, usage.arrayBuffers, 0, 0];
  return new Map(MEMORY_TYPES.map((k, i) => [k, values[i]]));
}

function systemInfo(rt: Runtime, item: Term): Term {
  if (!(item instanceof Atom)) throw badarg();
  switch (item.name) {
    case 'process_count':
      return rt.processCount;
    case 'atom_count':
      return atomCount();
    case 'port_count':
      return 0;
    case 'schedulers':
    case 'schedulers_online':
      return 1;
    case 'logical_processors':
    case 'logical_processors_available':
    case 'logical_processors_online':
      return availableParallelism();
    case 'wordsize':
      return 8;
    case 'system_version':
      return charlist(`beamline on Node.js ${process.version} [${process.arch}] [smp:1:1]\n`);
    default:
      throw badarg();
  }
}

/** erl's statistics/1 items; those with no counterpart here (reductions, io, gc, ...) are not_supported. */
const STATISTICS = new Set(
  'active_tasks active_tasks_all context_switches exact_reductions garbage_collection io microstate_accounting reductions run_queue run_queue_lengths run_queue_lengths_all runtime scheduler_wall_time scheduler_wall_time_all total_active_tasks total_active_tasks_all total_run_queue_lengths total_run_queue_lengths_all wall_clock'.split(
    ' ',
  ),
);

/** CPU time of the whole OS process, in ms (erl's `runtime` is the emulator's). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return Math.floor((u.user + u.system) / 1000);
}

/**
 * statistics/1's scheduler items, as erl gives them for one normal scheduler followed by the dirty
 * CPU queue (`_all`: and the dirty IO one), which are always empty here: the run queue holds the
 * runnable processes, the active tasks the runnable and the running ones. Wall time accounting is
 * never on, so scheduler_wall_time is `undefined`, as on erl until it is enabled.
 */
function schedulerItem(rt: Runtime, item: string): Term | undefined {
  let runnable = 0;
  let running = 0;
  for (const pid of rt.processes()) {
    const status = rt.processInfo(pid)?.status;
    if (status === 'runnable') runnable++;
    else if (status === 'running') running++;
  }
  const active = runnable + running;
  switch (item) {
    case 'run_queue':
    case 'total_run_queue_lengths':
    case 'total_run_queue_lengths_all':
      return runnable;
    case 'run_queue_lengths':
      return [runnable, 0];
    case 'run_queue_lengths_all':
      return [runnable, 0, 0];
    case 'total_active_tasks':
    case 'total_active_tasks_all':
      return active;
    case 'active_tasks':
      return [active, 0];
    case 'active_tasks_all':
      return [active, 0, 0];
    case 'scheduler_wall_time':
    case 'scheduler_wall_time_all':
      return atom('undefined');
    default:
      return undefined;
  }
}

/** `erlang`'s clock, memory and system BIFs for `rt`. */
export function systemBifs(rt: Runtime): ModuleExports {
  // statistics/1's {Total, SinceLastCall} in ms: the last call of the same item, node-wide as on erl
  const counters = new Map<string, { read: () => number; last: number }>([
    ['wall_clock', { read: () => Math.floor(performance.now()), last: 0 }],
    ['runtime', { read: cpuMs, last: 0 }],
  ]);
  return {
    'memory/0': () => [...memory(rt)].map(([k, v]) => t(atom(k), v)),
    'memory/1': (what: Term) => {
      const all = memory(rt);
      const value = (k: Term) => {
        const v = k instanceof Atom ? all.get(k.name) : undefined;
        if (v === undefined) throw badarg();
        return v;
      };
      return Array.isArray(what) ? what.map((k) => t(k, value(k))) : value(what);
    },
    'system_info/1': (item: Term) => systemInfo(rt, item),
    // the node has no Erlang ports (port_count is 0); its sockets are JavaScript's
    'ports/0': () => [],
    'statistics/1': (item: Term) => {
      if (!(item instanceof Atom) || !STATISTICS.has(item.name)) throw badarg();
      const counter = counters.get(item.name);
      if (counter === undefined) {
        const value = schedulerItem(rt, item.name);
        if (value === undefined) throw erlError(t(atom('not_supported'), item));
        return value;
      }
      const now = counter.read();
      const since = now - counter.last;
      counter.last = now;
      return t(now, since);
    },
    'system_time/0': () => integer(systemNs()),
    'system_time/1': (unit: Term) => inUnit(systemNs(), unit),
    'monotonic_time/0': () => integer(monotonicNs()),
    'monotonic_time/1': (unit: Term) => inUnit(monotonicNs(), unit),
    'time_offset/0': () => integer(systemNs() - monotonicNs()),
    'time_offset/1': (unit: Term) => inUnit(systemNs() - monotonicNs(), unit),
    'timestamp/0': timestamp,
    'localtime/0': () => dateTime(false),
    'universaltime/0': () => dateTime(true),
    'date/0': () => dateTerm(new Date(), false),
    'time/0': () => timeTerm(new Date(), false),
  };
}

/** `os`'s BIFs: getpid/0, type/0, timestamp/0, system_time/0,1. */
export function osBifs(): ModuleExports {
  return {
    'getpid/0': () => charlist(String(process.pid)),
    'type/0': () => (process.platform === 'win32' ? t(atom('win32'), atom('nt')) : t(atom('unix'), atom(process.platform))),
    'timestamp/0': timestamp,
    'system_time/0': () => integer(systemNs()),
    'system_time/1': (unit: Term) => inUnit(systemNs(), unit),
  };
}
