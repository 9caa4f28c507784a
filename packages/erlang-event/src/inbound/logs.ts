/** register_log_handler, set_log_level, nolog (spec §1.9–§1.11); the handler: handlers/logs.ts. */
import { Atom, type Pid, type Tuple, atom, t } from '@beamline/etf';
import { LOG_INVALID, logStr2Level } from '@beamline/switch';
import type { InboundContext, Reply } from './context.ts';

const A_OK = atom('ok');
const BADARG = t(atom('error'), atom('badarg'));

/**
 * Level names as switch_log_str2level (any case; numbers clamped), plus `error` as an alias of
 * `err` (DECISIONS.md). 0 (console) and unknown names are refused; `disable` silences everything.
 */
export function parseLogLevel(name: string): number | undefined {
  const level = name.toLowerCase() === 'error' ? 3 : logStr2Level(name);
  if (level === 0 || level === LOG_INVALID) return undefined;
  return level;
}

export function registerLogHandler(c: InboundContext, from: Pid | undefined): Reply {
  if (!from) return undefined;
  c.logs.register(from);
  c.link(from);
  return A_OK;
}

export function setLogLevel(msg: Tuple, c: InboundContext): Reply {
  const [, name] = msg.elements;
  if (msg.elements.length !== 2 || !(name instanceof Atom)) return BADARG;
  const level = parseLogLevel(name.name);
  if (level === undefined) return BADARG;
  c.logs.level = level;
  return A_OK;
}

export function nolog(c: InboundContext): Reply {
  if (c.logs.on) c.logs.off();
  return A_OK;
}
