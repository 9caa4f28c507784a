/** status, version, uptime, create_uuid, echo, hostname, switchname, global_getvar/setvar (mod_commands). */
import { VERSION } from '../core/identity.ts';
import { stackSizes } from '../core/stack_sizes.ts';
import { lookup, separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** switch_core_measure_time: microseconds split into years (of 365 days) down to microseconds. */
export function measureTime(us: number): { yr: number; day: number; hr: number; min: number; sec: number; ms: number; mms: number } {
  let rest = Math.max(0, Math.floor(us));
  const mms = rest % 1000;
  rest = Math.floor(rest / 1000);
  const ms = rest % 1000;
  rest = Math.floor(rest / 1000);
  const sec = rest % 60;
  rest = Math.floor(rest / 60);
  const min = rest % 60;
  rest = Math.floor(rest / 60);
  const hr = rest % 24;
  rest = Math.floor(rest / 24);
  return { yr: Math.floor(rest / 365), day: rest % 365, hr, min, sec, ms, mms };
}

/** `0 years, 0 days, 0 hours, 0 minutes, 35 seconds, 692 milliseconds, 193 microseconds` (365-day years). */
export function formatUptime(us: number): string {
  const { yr, day, hr, min, sec, ms: milli, mms: micro } = measureTime(us);
  return [
    plural(yr, 'year'),
    plural(day, 'day'),
    plural(hr, 'hour'),
    plural(min, 'minute'),
    plural(sec, 'second'),
    plural(milli, 'millisecond'),
    plural(micro, 'microsecond'),
  ].join(', ');
}

const UPTIME_UNITS: Record<string, number> = {
  us: 1,
  microseconds: 1,
  ms: 1000,
  milliseconds: 1000,
  s: 1e6,
  seconds: 1e6,
  m: 60e6,
  minutes: 60e6,
  h: 3600e6,
  hours: 3600e6,
  d: 86400e6,
  days: 86400e6,
};

export const CORE_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'status',
    run: (_args, { core }) => {
      const s = core.sessions;
      // SCSC_SESSIONS_PEAK(_FIVEMIN), SCSC_LAST_SPS, SCSC_SPS (the configured budget), SCSC_SPS_PEAK(_FIVEMIN)
      const l = core.limits.snapshot();
      const stack = stackSizes();
      return (
        `UP ${formatUptime(core.uptimeUs())}\n` +
        `FreeSWITCH (Version ${VERSION.fullHuman}) is ${core.control.ready() ? 'ready' : 'not ready'}\n` +
        `${s.sinceStartup} session(s) since startup\n` +
        `${s.count} session(s) - peak ${s.peak}, last 5min ${l.sessionsPeakFiveMin} \n` +
        `${l.spsLast} session(s) per Sec out of max ${core.sessionsPerSecond}, peak ${l.spsPeak}, last 5min ${l.spsPeakFiveMin} \n` +
        `${core.maxSessions} session(s) max\n` +
        `min idle cpu ${core.control.minIdleCpu.toFixed(2)}/${core.idleCpu().toFixed(2)}\n` +
        (stack ? `Current Stack Size/Max ${stack[0] / 1024n}K/${stack[1] / 1024n}K\n` : '')
      );
    },
  },
  {
    name: 'version',
    // version_function: no argument gives the revision; any other first word not holding `short` (any case) the full human form
    run: (args) => {
      if (args === '') return `FreeSWITCH Version ${VERSION.full} (${VERSION.revisionHuman})\n`;
      if ((args.split(' ')[0] ?? '').toLowerCase().includes('short')) return `${VERSION.major}.${VERSION.minor}.${VERSION.micro}\n`;
      return `FreeSWITCH Version ${VERSION.full} (${VERSION.fullHuman})\n`;
    },
  },
  {
    name: 'uptime',
    run: (args, { core }) => {
      const key = args === '' ? 's' : args.toLowerCase();
      const unit = lookup(UPTIME_UNITS, key);
      if (unit === undefined) return '-USAGE: [us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]\n';
      return `${Math.floor(core.uptimeUs() / unit)}\n`;
    },
  },
  { name: 'create_uuid', run: (_a, { core }) => core.newUuid() },
  { name: 'echo', run: (args) => args },
  { name: 'hostname', run: (_a, { core }) => core.identity.hostname },
  { name: 'switchname', run: (_a, { core }) => core.identity.switchname },
  {
    name: 'global_getvar',
    run: (args, { core }) => {
      if (args === '')
        return core.globals
          .entries()
          .map(([k, v]) => `${k}=${v}\n`)
          .join('');
      return core.globals.get(args) ?? '';
    },
  },
  {
    name: 'global_setvar',
    syntax: '<var>=<value> [=<value2>]',
    run: (args, { core }) => {
      // switch_separate_string on `=`, three parts at most: each trimmed, quotes and backslashes read
      const [name, value, expected] = args === '' ? [] : separateString(args, '=', 3);
      if (!name) return '-USAGE: <var>=<value> [=<value2>]\n';
      if (expected) core.globals.setIf(name, value || undefined, expected);
      else core.globals.set(name, value || undefined);
      return '+OK';
    },
  },
];
