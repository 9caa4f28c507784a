/** What the runtime services (links, monitors, aliases, timers, remote) need from the kernel. */
import type { Atom, Pid, Ref } from '@beamline/etf';
import type { Clock } from '../basics/clock.ts';
import type { Dest } from '../basics/types.ts';
import type { Proc } from '../process/process.ts';
import type { RemoteRouter } from './remote_router.ts';
import type { Scheduler } from './scheduler.ts';

export interface ServiceHost {
  readonly node: Atom;
  readonly creation: number;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly router: RemoteRouter | undefined;
  /** The live local process of `pid`. */
  lookup(pid: Pid): Proc | undefined;
  /** A pid of this node (alive or not, any creation). */
  isLocal(pid: Pid): boolean;
  makeRef(): Ref;
  /** Remember a process that has remote links/monitors (for nodeDown). */
  trackRemote(p: Proc): void;
  route(from: Proc | undefined, dest: Dest, msg: unknown): void;
}
