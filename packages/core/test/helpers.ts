import { Tuple } from '@beamline/etf';
import { Runtime, TestClock, type CrashReport, type RuntimeOptions } from '../src/index.ts';

export function setup(opts: RuntimeOptions = {}): { rt: Runtime; clock: TestClock; crashes: CrashReport[] } {
  const clock = new TestClock();
  const crashes: CrashReport[] = [];
  const rt = new Runtime({ clock, logger: { crash: (r) => crashes.push(r) }, ...opts });
  return { rt, clock, crashes };
}

/** Erlang-ish view of a term for assertions: tuples become arrays, atoms strings, pids/refs strings. */
export function view(x: unknown): unknown {
  if (x instanceof Tuple) return x.elements.map(view);
  if (Array.isArray(x)) return x.map(view);
  if (x !== null && typeof x === 'object' && x.constructor?.name === 'Atom') return String((x as { name: string }).name);
  if (x !== null && typeof x === 'object' && (x.constructor?.name === 'Pid' || x.constructor?.name === 'Ref')) return String(x);
  return x;
}

export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
