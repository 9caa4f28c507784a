/**
 * What the node's owner (`dist`, registered, so any peer can call it) does with a call or cast no
 * one defined: a peer's typo must not crash it, since switchd_sup restarts everything after a
 * crashed child (rest_for_one) and gives up after three crashes in ten seconds. A call is answered
 * `{error, {unknown_call, Request}}`; a cast is dropped. Both are logged.
 */
import { format, t, atom, type Term } from '@beamline/etf';
import type { ConsoleLog } from './log.ts';

const A_ERROR = atom('error');
const A_UNKNOWN_CALL = atom('unknown_call');

export function unknownCall(log: ConsoleLog, server: string, req: unknown): Term {
  log.log('WARNING', 'switchd', `${server}: unknown call ${format(req as Term, { depth: 5 })}, answered {error, {unknown_call, …}}`);
  return t(A_ERROR, t(A_UNKNOWN_CALL, req as Term));
}

export function unknownCast(log: ConsoleLog, server: string, msg: unknown): void {
  log.log('WARNING', 'switchd', `${server}: unknown cast ${format(msg as Term, { depth: 5 })}, dropped`);
}
