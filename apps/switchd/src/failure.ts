/**
 * A start-up failure as one line: what went wrong and what to do. Recognised: the node name
 * taken, a port in use, no EPMD for `--epmd system`, a conf that does not load, a bad name or
 * cookie; anything else is the error's own message.
 */
import { ConfError } from '@beamline/switch';
import { SettingsError, type Settings } from './settings.ts';

interface Where {
  nodeName?: string;
  listenIp?: string;
  listenPort?: number;
  epmdPort?: number | undefined;
  epmd?: Settings['epmd'];
}

function epmdPortOf(w: Where): number {
  return w.epmdPort ?? (Number(process.env.ERL_EPMD_PORT) || 4369);
}

export function describeFailure(e: unknown, w: Where): string {
  if (e instanceof SettingsError) return `bad setting: ${e.message}; ${e.hint}`;
  if (e instanceof ConfError)
    return `bad config: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message.replace(/^.*?: /, '').replace(/\.$/, '')}; fix the file or point --conf at another conf dir`;
  const err = e as (Error & { code?: string; port?: number; kind?: string; failure?: string }) | undefined;
  const msg = err?.message ?? String(e);
  const name = err?.name ?? '';
  if (err?.code === 'EADDRINUSE') {
    const port = err.port ?? w.listenPort;
    if (port === epmdPortOf(w) && port !== w.listenPort)
      return `EPMD port ${port} is in use by something that is not EPMD; free it, or use --epmd-port / ERL_EPMD_PORT`;
    const who = w.nodeName ? ` (by another switchd running as ${w.nodeName}?)` : '';
    return `listen port ${port} (${w.listenIp ?? '0.0.0.0'}) is in use${who}; stop what holds it or choose another with --listen-port (0: any free port)`;
  }
  if (err?.code === 'EADDRNOTAVAIL') return `listen address ${w.listenIp} is not an address of this machine; fix --listen-ip`;
  if (err?.code === 'EACCES') return `not allowed to listen on port ${err.port ?? w.listenPort}; choose a port above 1023`;
  if (name === 'EpmdError' && /refused|in use/.test(msg))
    return `node name ${w.nodeName} is already registered with EPMD (another switchd or erl runs under it); stop it or choose another name with --name`;
  if (name === 'EpmdError' && w.epmd === 'system')
    return `no EPMD answers on port ${epmdPortOf(w)} (--epmd system); start one with \`epmd -daemon\`, or use --epmd auto`;
  if (name === 'NodeNameError') return `bad node name: ${msg}; give --name alive@host`;
  if (name === 'CookieError') return `bad cookie: ${msg}; give --cookie or fix the cookie file`;
  return `failed to start: ${msg.replace(/\s+/g, ' ')}`;
}
