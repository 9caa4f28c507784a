/**
 * A start-up failure as one line: what went wrong and what to do. Recognised: the node name
 * taken, a port in use (with the node EPMD lists on it, if any), an EPMD port held by a real EPMD
 * (--epmd embedded) or by something that is not one, no EPMD for `--epmd system`, a conf that does
 * not load, a bad name or cookie; anything else is the error's own message.
 */
import { ConfError } from '@beamline/switch';
import { type EpmdNames, epmdNames } from './epmd_probe.ts';
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

/** What EPMD said when asked after the failure (probeFailure): the listing, or undefined: no EPMD answered. */
export interface Facts {
  epmd?: EpmdNames | undefined;
}

const whoHolds = (port: number) => `\`ss -ltnp 'sport = :${port}'\` shows which program`;

function isEpmdError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && e.name === 'EpmdError';
}

/** Asks EPMD what a port-in-use or EPMD failure needs to be worded right (at most a second). */
export async function probeFailure(e: unknown, w: Where): Promise<Facts> {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code !== 'EADDRINUSE' && !isEpmdError(e)) return {};
  return { epmd: await epmdNames(epmdPortOf(w)) };
}

export function describeFailure(e: unknown, w: Where, facts: Facts = {}): string {
  if (e instanceof SettingsError) return `bad setting: ${e.message}; ${e.hint}`;
  if (e instanceof ConfError)
    return `bad config: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message.replace(/^.*?: /, '').replace(/\.$/, '')}; fix the file or point --conf at another conf dir`;
  const err = e as (Error & { code?: string; port?: number; kind?: string; failure?: string }) | undefined;
  const msg = err?.message ?? String(e);
  const name = err?.name ?? '';
  const epmdPort = epmdPortOf(w);
  if (err?.code === 'EADDRINUSE') {
    const port = err.port ?? w.listenPort;
    if (port === epmdPort && port !== w.listenPort) {
      if (facts.epmd)
        return `an EPMD already runs on port ${port}, so --epmd embedded cannot start switchd's own there; use --epmd auto (or system) to register with it, or give another --epmd-port`;
      return `EPMD port ${port} is in use by something that is not EPMD (${whoHolds(port)}); free it, or use --epmd-port / ERL_EPMD_PORT`;
    }
    const holder = port === undefined ? undefined : facts.epmd?.nodes.find((n) => n.port === port);
    const who = holder
      ? `by the Erlang node ${holder.name} (the EPMD on port ${epmdPort} lists it there)`
      : `by another program (${port === undefined ? 'ss -ltnp shows which' : whoHolds(port)})`;
    return `listen port ${port} (${w.listenIp ?? '0.0.0.0'}) is in use ${who}; stop it or choose another port with --listen-port (0: any free port)`;
  }
  if (err?.code === 'EADDRNOTAVAIL') return `listen address ${w.listenIp} is not an address of this machine; fix --listen-ip`;
  if (err?.code === 'EACCES') return `not allowed to listen on port ${err.port ?? w.listenPort}; choose a port above 1023`;
  if (name === 'EpmdError' && /refused|in use/.test(msg))
    return `node name ${w.nodeName} is already registered with EPMD (another switchd or erl runs under it); stop it or choose another name with --name`;
  // something holds the EPMD port but does not speak EPMD (a silent listener: the reply times out)
  if (name === 'EpmdError' && (err?.code === 'timeout' || err?.code === 'protocol') && !facts.epmd)
    return `EPMD port ${epmdPort} is held by something that does not answer as EPMD (${msg}; ${whoHolds(epmdPort)}); free it, or use --epmd-port / ERL_EPMD_PORT`;
  if (name === 'EpmdError' && w.epmd === 'system')
    return `no EPMD answers on port ${epmdPort} (--epmd system); start one with \`epmd -daemon${epmdPort === 4369 ? '' : ` -port ${epmdPort}`}\`, or use --epmd auto`;
  if (name === 'NodeNameError') return `bad node name: ${msg}; give --name alive@host`;
  if (name === 'CookieError') return `bad cookie: ${msg}; give --cookie or fix the cookie file`;
  return `failed to start: ${msg.replace(/\s+/g, ' ')}`;
}
