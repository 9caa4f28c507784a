/**
 * `fsctl` (mod_commands' ctl_function over switch_core_session_ctl) and `shutdown` / `...`, with
 * their answers to the byte. What each subcommand changes is in core/control.ts (pausing, the
 * shutdown request, the settings read back), core/limits.ts (sessions, rates) and the logger.
 * Subcommands this switch has nothing behind (`crash`, `debug_pool`) answer as an unknown one.
 */
import { Cause } from '../channel/causes.ts';
import type { CallDirection } from '../channel/states.ts';
import type { CoreControl } from '../core/control.ts';
import { atof, atoi, switchTrue } from '../internal/strings.ts';
import { LOG_INVALID, logLevel2Str, logStr2Level } from '../log/levels.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { hangupAll } from './uuid_commands.ts';

export const CTL_SYNTAX =
  '[api_expansion [on|off]|recover|send_sighup|hupall|pause [inbound|outbound]|resume [inbound|outbound]|shutdown [cancel|elegant|asap|now|restart]|uuid_version [4|7]|sps|sps_peak_reset|sync_clock|sync_clock_when_idle|reclaim_mem|max_sessions|min_dtmf_duration [num]|max_dtmf_duration [num]|default_dtmf_duration [num]|min_idle_cpu|loglevel [level]|debug_level [level]|mdns_resolve [enable|disable]]';

const INVALID = `-ERR Invalid command\nUSAGE: fsctl ${CTL_SYNTAX}\n`;

/** `inbound` / `outbound` (any case) as fsctl's pause family reads its second word; anything else is both. */
function direction(word: string | undefined): CallDirection | undefined {
  const w = word?.toLowerCase();
  return w === 'inbound' || w === 'outbound' ? w : undefined;
}

/** A flag subcommand (`api_expansion`, `verbose_events`, ...): no word reads it, a word sets it (switch_true). */
function flag(control: CoreControl, name: 'verboseEvents' | 'apiExpansion' | 'threadedSystemExec', word: string | undefined): boolean {
  if (word !== undefined) control[name] = switchTrue(word);
  return control[name];
}

/**
 * SCSC_SHUTDOWN_ELEGANT / _ASAP: a SHUTDOWN_REQUESTED event, then wait (on the runtime clock) while
 * calls remain and nobody cancels, warning every 10 s; then stop, or say it was cancelled.
 */
async function shutdownWhenIdle(env: ApiEnv, asap: boolean, restart: boolean): Promise<void> {
  const { core } = env;
  const control = core.control;
  const requested = core.bus.create('SHUTDOWN_REQUESTED');
  requested.addHeader('Event-Info', asap ? 'ASAP' : 'elegant');
  core.fire(requested);
  control.shutdownRequested = true;
  if (asap) control.pause(undefined, true);
  let beat = 19;
  while (!control.stopping && control.shutdownRequested && core.sessions.count > 0) {
    await env.ctx.receive(() => false, 500);
    if (++beat === 20) {
      const n = core.sessions.count;
      core.log('WARNING', `Shutdown in progress, ${n} session(s) remain.\nShutting down ${asap ? 'ASAP' : 'once there are no active calls.'}`);
      beat = 0;
    }
  }
  if (control.stopping) return;
  if (control.shutdownRequested) {
    control.pause(undefined, true);
    core.log('INFO', restart ? 'Restarting' : 'Shutting down');
    control.stop({ restart, now: false });
  } else {
    core.log('INFO', 'Shutdown Cancelled');
    control.pause(undefined, false);
  }
}

/** `fsctl shutdown [cancel|elegant|asap|now|restart|reincarnate now]`: always `+OK`, once it has acted. */
async function shutdown(env: ApiEnv, argv: readonly string[]): Promise<string> {
  let mode: 'plain' | 'cancel' | 'elegant' | 'asap' | 'now' | 'reincarnate' = 'plain';
  let restart = false;
  for (let x = 1; x < 5 && argv[x] !== undefined; x++) {
    const w = argv[x]!.toLowerCase();
    if (w === 'cancel') {
      mode = 'cancel';
      break;
    }
    if (w === 'elegant' || w === 'now' || w === 'asap') mode = w;
    else if (w === 'reincarnate' && argv[x + 1]?.toLowerCase() === 'now') {
      x++;
      mode = 'reincarnate';
    } else if (w === 'restart') restart = true;
  }
  const control = env.core.control;
  if (control.stopping) return '+OK\n'; // switch_core_session_ctl does nothing once shutting down
  if (mode === 'cancel') control.shutdownRequested = false;
  else if (mode === 'elegant' || mode === 'asap') await shutdownWhenIdle(env, mode === 'asap', restart);
  else if (mode === 'now' || mode === 'reincarnate') control.stop({ restart: mode === 'reincarnate', now: true });
  else stopPlain(env, restart);
  return '+OK\n';
}

/** SCSC_SHUTDOWN: "Shutting down" (or "Restarting") and stop. */
function stopPlain(env: Pick<ApiEnv, 'core'>, restart: boolean): void {
  env.core.log('INFO', restart ? 'Restarting' : 'Shutting down');
  env.core.control.stop({ restart, now: false });
}

export const FSCTL_COMMAND: ApiCommand = {
  name: 'fsctl',
  syntax: CTL_SYNTAX,
  run: async (args, env) => {
    if (args === '') return `-USAGE: ${CTL_SYNTAX}\n`;
    const { core } = env;
    const control = core.control;
    const argv = args.split(' ').filter((a) => a !== '');
    const sub = (argv[0] ?? '').toLowerCase();
    const a1 = argv[1];
    switch (sub) {
      case 'hupall':
        await hangupAll(env, Cause.MANAGER_REQUEST);
        return '+OK\n';
      case 'recover':
        // no recovery database: nothing to bring back
        return a1?.split(':')[0]?.toLowerCase() === 'flush' ? '+OK flushed\n' : '+OK 0 session(s) recovered in total\n';
      case 'flush_db_handles':
      case 'calibrate_clock':
      case 'save_history':
      case 'reclaim_mem':
        return '+OK\n';
      case 'pause':
      case 'resume':
        control.pause(direction(a1), sub === 'pause');
        return '+OK\n';
      case 'send_sighup':
        fireTrap(core, 'HUP');
        return '+OK\n';
      case 'verbose_events':
        return `+OK verbose_events is ${flag(control, 'verboseEvents', a1) ? 'on' : 'off'} \n`;
      case 'api_expansion':
        return `+OK api_expansion is ${flag(control, 'apiExpansion', a1) ? 'on' : 'off'} \n`;
      case 'threaded_system_exec':
        return `+OK threaded_system_exec is ${flag(control, 'threadedSystemExec', a1) ? 'true' : 'false'} \n`;
      case 'pause_check':
        return String(control.paused(direction(a1)));
      case 'ready_check':
        return String(control.ready());
      case 'shutdown_check':
        return String(control.shutdownRequested);
      case 'shutdown':
        return shutdown(env, argv);
      case 'debug_sql':
        control.debugSql = !control.debugSql;
        return `+OK SQL DEBUG [${control.debugSql ? 'on' : 'off'}]\n`;
      case 'sql':
        return a1 === undefined ? '' : '+OK\n';
      case 'max_sessions': {
        // switch_core_session_limit takes a uint32_t: -5 is 4294967291, no limit; printed as an int
        const n = atoi(a1 ?? '');
        if (n) core.limits.maxSessions = n >>> 0;
        return `+OK max sessions: ${core.limits.maxSessions | 0}\n`;
      }
      case 'min_idle_cpu': {
        const d = a1 === undefined ? -1 : atof(a1);
        if (d >= 0) control.minIdleCpu = d;
        // the C format's stray `%` before the newline is printed as it stands
        return control.minIdleCpu ? `+OK min idle cpu: ${control.minIdleCpu.toFixed(2)}%\n` : '+OK min idle cpu: DISABLED\n';
      }
      case 'max_dtmf_duration':
        return `+OK max dtmf duration: ${control.setMaxDtmfDuration(atoi(a1 ?? ''))}\n`;
      case 'min_dtmf_duration':
        return `+OK min dtmf duration: ${control.setMinDtmfDuration(atoi(a1 ?? ''))}\n`;
      case 'default_dtmf_duration':
        return `+OK default dtmf duration: ${control.setDefaultDtmfDuration(atoi(a1 ?? ''))}\n`;
      case 'loglevel': {
        let level = a1 === undefined ? -1 : /^[0-9]/.test(a1) ? atoi(a1) : logStr2Level(a1);
        if (level === LOG_INVALID) return '-ERR syntax error, log level not set!\n';
        level = core.logger.setLevel(level);
        return `+OK log level: ${logLevel2Str(level)} [${level}]\n`;
      }
      case 'debug_level': {
        const n = a1 === undefined ? -1 : atoi(a1);
        if (n > -1) control.debugLevel = Math.min(n, 10);
        return `+OK DEBUG level: ${control.debugLevel}\n`;
      }
      case 'sps_peak_reset':
        core.limits.resetSpsPeak();
        return '+OK max sessions per second counter reset\n';
      case 'last_sps':
        return `+OK last sessions per second: ${core.limits.snapshot().spsLast}\n`;
      case 'sps': {
        const n = atoi(a1 ?? '');
        if (n > 0) core.limits.sessionsPerSecond = n;
        return `+OK sessions per second: ${core.limits.sessionsPerSecond}\n`;
      }
      case 'uuid_version': {
        const n = atoi(a1 ?? '');
        if (n > 0) control.uuidVersion = n;
        return `+OK set uuid version: ${control.uuidVersion}\n`;
      }
      case 'sync_clock':
        return '+OK clock synchronized\n';
      case 'sync_clock_when_idle':
        return core.sessions.count === 0 ? '+OK clock synchronized\n' : '+OK clock will synchronize when there are no more calls\n';
      case 'mdns_resolve': {
        const w = a1?.toLowerCase();
        return w === 'enable' || w === 'disable' ? '+OK\n' : INVALID;
      }
      default:
        return INVALID;
    }
  },
};

/** `shutdown` and `...` (mod_commands' shutdown_function): `+OK`, then SCSC_SHUTDOWN. */
export const SHUTDOWN_COMMANDS: readonly ApiCommand[] = ['shutdown', '...'].map((name) => ({
  name,
  run: (_args, env) => {
    // the host stops the process after the reply has gone (switchd waits a moment)
    if (!env.core.control.stopping) stopPlain(env, false);
    return '+OK\n';
  },
}));

/** handle_SIGHUP: a TRAP event with `Trapped-Signal: <signal>` (mod_logfile reopens its files on it). */
export function fireTrap(core: ApiEnv['core'], signal: string): void {
  const event = core.bus.create('TRAP');
  event.addHeader('Trapped-Signal', signal);
  core.fire(event);
}
