/**
 * CPU placement for the benches. `pinSelf` keeps a codec bench and the erl it starts on one CPU
 * per pass, so both sides of a ratio ran on the same CPU. In the flood benches the receiving node
 * gets one CPU to itself and every other process (the sender, idle nodes) shares the rest, as when
 * the two nodes run on separate machines.
 * Unpinned, on a two-core machine, the receiver (a full core), the sender and the sender's helper
 * threads (V8's parallel scavenger, erl's schedulers spinning) take turns on the same two cores,
 * and which sender's threads get in the receiver's way more decides a ratio that should be about
 * the bytes on the wire. Linux only (taskset, from util-linux); every thread of a process is moved.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Placement {
  /** The CPUs this bench started with. */
  cpus: readonly number[];
  /** `receiver` alone on the first CPU, the `others` on the rest. */
  placeReceiver(receiver: number, others: readonly number[]): Promise<void>;
  /** Every process back on every CPU this bench started with. */
  unpin(pids: readonly number[]): Promise<void>;
  /** This process (every thread) on `cpu` alone, and so the processes it starts from then on; undefined: every CPU again. */
  pinSelf(cpu: number | undefined): Promise<void>;
}

async function setCpus(pid: number, cpus: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
}

/** The CPUs this process may run on, as taskset prints them ("0,1", "0-3,6"). */
async function ownCpuList(): Promise<string> {
  const { stdout } = await run('taskset', ['-c', '-p', String(process.pid)]);
  const list = stdout.slice(stdout.lastIndexOf(':') + 1).trim();
  if (!/^[\d,-]+$/.test(list)) throw new Error(`taskset printed ${stdout}`);
  return list;
}

function expand(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [a, b = a] = part.split('-').map(Number) as [number, number?];
    return Array.from({ length: b! - a + 1 }, (_, i) => a + i);
  });
}

/** Placement on this machine, or undefined where it cannot be set (not Linux, no taskset, one CPU). */
export async function placement(): Promise<Placement | undefined> {
  if (process.platform !== 'linux') return undefined;
  let all: string;
  try {
    all = await ownCpuList();
  } catch {
    return undefined;
  }
  const cpus = expand(all);
  if (cpus.length < 2) return undefined;
  const first = String(cpus[0]);
  const rest = cpus.slice(1).join(',');
  return {
    cpus,
    async placeReceiver(receiver, others) {
      await setCpus(receiver, first);
      for (const pid of others) await setCpus(pid, rest);
    },
    async unpin(pids) {
      for (const pid of pids) await setCpus(pid, all);
    },
    async pinSelf(cpu) {
      await setCpus(process.pid, cpu === undefined ? all : String(cpu));
    },
  };
}
