/**
 * `sofia profile <name> siptrace on` (sofia-sip's TPTAG_LOG, tport_log_msg): each SIP message sent
 * or received, logged at mod_sofia's trace level (`sofia tracelevel`, CONSOLE unless set) as
 * sofia-sip writes it: a stamp line, a rule, the message with its line ends as `\n`.
 */
import { type Switch, type SwitchLogLevel, logLevel2Str } from '@beamline/switch';
import type { Address } from './transport.ts';

const RULE = `${'-'.repeat(72)}\n`;

/** tport_stamp and tport_log_msg's text for `bytes` sent to or received from `peer` at `now`. */
export function siptraceText(what: 'send' | 'recv', bytes: Buffer, peer: Address, now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds() * 1000).padStart(6, '0')}`;
  const stamp = `${what} ${bytes.length} bytes ${what === 'send' ? 'to' : 'from'} ${peer.transport ?? 'udp'}/[${peer.address}]:${peer.port} at ${time}:\n`;
  const text = bytes.toString('utf8');
  const end = text.indexOf('\0');
  return `${stamp}${RULE}${(end >= 0 ? text.slice(0, end) : text).replace(/\r\n?/g, '\n')}\n`;
}

/** mod_sofia_globals.tracelevel (a log level number; 0 is CONSOLE): what `sofia tracelevel <level>` sets. */
export const siptraceLevel = { value: 0 };

export function logSiptrace(sw: Switch, what: 'send' | 'recv', bytes: Buffer, peer: Address): void {
  const level = siptraceLevel.value;
  if (level < 0 || level > 7) return; // DISABLE, INVALID
  sw.core.log(logLevel2Str(level) as SwitchLogLevel, siptraceText(what, bytes, peer, new Date()));
}
