/**
 * `fsctl` (mod_commands' ctl_function), the parts this switch has: `loglevel [level]`,
 * `max_sessions [n]`, `sps [n]`. Other subcommands answer as an unknown one does.
 */
import type { ApiCommand } from '../api/registry.ts';
import { LOG_INVALID, logLevel2Str, logStr2Level } from './levels.ts';

export const CTL_SYNTAX =
  '[api_expansion [on|off]|recover|send_sighup|hupall|pause [inbound|outbound]|resume [inbound|outbound]|shutdown [cancel|elegant|asap|now|restart]|uuid_version [4|7]|sps|sps_peak_reset|sync_clock|sync_clock_when_idle|reclaim_mem|max_sessions|min_dtmf_duration [num]|max_dtmf_duration [num]|default_dtmf_duration [num]|min_idle_cpu|loglevel [level]|debug_level [level]|mdns_resolve [enable|disable]]';

const atoi = (s: string): number => {
  const m = /^\s*([-+]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
};

export const FSCTL_COMMAND: ApiCommand = {
  name: 'fsctl',
  syntax: CTL_SYNTAX,
  run: (args, { core }) => {
    if (args === '') return `-USAGE: ${CTL_SYNTAX}\n`;
    const argv = args.split(' ').filter((a) => a !== '');
    const sub = (argv[0] ?? '').toLowerCase();
    const a1 = argv[1];
    switch (sub) {
      case 'loglevel': {
        let level = a1 === undefined ? -1 : /^[0-9]/.test(a1) ? atoi(a1) : logStr2Level(a1);
        if (level === LOG_INVALID) return '-ERR syntax error, log level not set!\n';
        level = core.logger.setLevel(level);
        return `+OK log level: ${logLevel2Str(level)} [${level}]\n`;
      }
      case 'max_sessions': {
        // switch_core_session_limit takes a uint32_t: -5 is 4294967291, no limit; printed as an int
        const n = a1 === undefined ? 0 : atoi(a1);
        if (n) core.limits.maxSessions = n >>> 0;
        return `+OK max sessions: ${core.limits.maxSessions | 0}\n`;
      }
      case 'sps': {
        const n = a1 === undefined ? 0 : atoi(a1);
        if (n > 0) core.limits.sessionsPerSecond = n;
        return `+OK sessions per second: ${core.limits.sessionsPerSecond}\n`;
      }
      default:
        return `-ERR Invalid command\nUSAGE: fsctl ${CTL_SYNTAX}\n`;
    }
  },
};
