/**
 * mod_dptools' API commands: `strftime` (a local time formatted), `strepoch` / `strmicroepoch` (a
 * date string read as switch_str_time reads it), `presence` (a PRESENCE_IN / _OUT event fired
 * by hand) and `page` (page.ts).
 */
import { TIME_OF_DAY, strTime } from '../dialplan/time_match.ts';
import { separateString } from '../internal/strings.ts';
import { page } from './page.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { checkedStrftime, strftime } from './strftime.ts';

const PRESENCE_USAGE = '[in|out] <user> <rpid> <message>';

/** switch_str_time in µs, or now for an empty string (0 when it does not parse). */
function strTimeUs(args: string, env: ApiEnv): number {
  const nowUs = env.core.nowUs();
  if (args === '') return nowUs;
  const ms = strTime(args, Math.floor(nowUs / 1000), (at) => env.core.utcOffsetMinutes(at));
  if (ms === 0) return 0;
  // a time of day only keeps the current time's microseconds, as the C's struct does
  return ms * 1000 + (TIME_OF_DAY.test(args) ? nowUs % 1_000_000 : 0);
}

function presence(args: string, env: ApiEnv): string {
  const argv = args === '' ? [] : separateString(args, ' ', 4);
  const [dir, user, rpid, status] = argv;
  const out = dir?.toLowerCase() === 'out';
  if (dir === undefined || (!out && dir.toLowerCase() !== 'in') || argv.length < (out ? 2 : 4)) return `Invalid: presence ${PRESENCE_USAGE}`;
  const event = env.core.bus.create(out ? 'PRESENCE_OUT' : 'PRESENCE_IN');
  event.addHeader('proto', 'dp');
  event.addHeader('login', 'mod_dptools.c');
  event.addHeader('from', user);
  event.addHeader('rpid', rpid);
  event.addHeader('status', status);
  if (out) event.addHeader('status', 'CS_HANGUP');
  else if (status !== undefined && (status.slice(0, 3).toLowerCase() === 'cs_' || status.toLowerCase().includes('hangup'))) {
    event.addHeader('channel-state', 'CS_HANGUP');
    event.addHeader('status', 'CS_HANGUP');
  }
  event.addHeader('event_type', 'presence');
  event.addHeader('alt_event_type', 'dialog');
  event.addHeader('event_count', '0');
  env.core.fire(event);
  return 'Event Sent';
}

export const DPTOOLS_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'strftime',
    run: (args, env) => {
      const nowMs = Math.floor(env.core.nowUs() / 1000);
      let when = nowMs;
      let format: string = args;
      const bar = args.indexOf('|');
      if (args !== '' && bar >= 0) {
        // FreeSWITCH skips the first character after the `|` (spec §3.2)
        const n = Number.parseInt(args.slice(0, bar), 10);
        when = (Number.isNaN(n) ? 0 : n) * 1000;
        format = args.slice(bar + 2);
      }
      const offset = env.core.utcOffsetMinutes(when);
      return format === '' ? strftime('%Y-%m-%d %T', when, offset) : checkedStrftime(format, when, offset);
    },
  },
  // the seconds go through a uint32_t printed with %d
  { name: 'strepoch', run: (args, env) => String(Math.trunc(strTimeUs(args, env) / 1_000_000) | 0) },
  { name: 'strmicroepoch', run: (args, env) => String(strTimeUs(args, env)) },
  { name: 'presence', run: presence },
  { name: 'page', run: page },
];
