/** The well-known atoms the runtime speaks (exit reasons, signal tags, gen/sys protocol tags). */
import { atom } from '@beamline/etf';

export const normal = atom('normal');
export const kill = atom('kill');
export const killed = atom('killed');
export const shutdown = atom('shutdown');
export const noproc = atom('noproc');
export const noconnection = atom('noconnection');
export const timeout = atom('timeout');
export const badarg = atom('badarg');
export const calling_self = atom('calling_self');

/** Signal/message tags (internal names, exported for matching in tests and behaviours). */
export const EXIT = atom('EXIT');
export const DOWN = atom('DOWN');
export const process_ = atom('process');
export const GEN_CALL = atom('$gen_call');
export const GEN_CAST = atom('$gen_cast');
export const SYSTEM = atom('system');
export const ok = atom('ok');
export const error = atom('error');
export const ignore = atom('ignore');
