/** The messages signals turn into, as predicates for selective receive. */
import { Tuple, type Pid, type Ref } from '@beamline/etf';
import { DOWN, EXIT } from './atoms.ts';
import { pidEquals, refEquals } from './refs.ts';

/** `{'DOWN', Ref, process, _, _}` of the monitor `ref`. */
export function isDownOf(msg: unknown, ref: Ref): msg is Tuple {
  return msg instanceof Tuple && msg.elements.length === 5 && msg.elements[0] === DOWN && refEquals(msg.elements[1], ref);
}

/** `{'EXIT', Pid, _}` from `pid`. */
export function isExitFrom(msg: unknown, pid: Pid): msg is Tuple {
  return msg instanceof Tuple && msg.elements.length === 3 && msg.elements[0] === EXIT && pidEquals(msg.elements[1], pid);
}
