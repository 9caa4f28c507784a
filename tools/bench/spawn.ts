/**
 * `pnpm bench spawn`: spawn 1,000,000 idle processes of each kind and report the time per spawn
 * and the bytes per process (V8 heap delta after a full GC / N), beside BEAM's spawn time and
 * `erlang:memory(processes)` delta / N measured by tools/erl/spawn.escript in the same run.
 *   - behaviour: a raw ProcessBehaviour (one small object per process), idle
 *   - GenServer: a GenServer with a small state, idle
 *   - async: an async function parked in `await ctx.receive()`
 * Writes bench-results/spawn.json. Args: `--n=<count>`, `--kinds=behaviour,genserver,async`, `--no-erl`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { table as newTable } from './_table.ts';
import { GenServer, Runtime, inProcess, ok, type ProcessBehaviour, type ProcessContext } from '@beamline/core';
import { erlBinary } from '../erl/erl.ts';
import { badArg, positiveInt } from './_args.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

v8.setFlagsFromString('--expose-gc');
const gc = (globalThis as { gc?: () => void }).gc ?? (vm.runInNewContext('gc') as () => void);

function fullGc(): void {
  for (let i = 0; i < 4; i++) gc();
}

class IdleBehaviour implements ProcessBehaviour {
  handleMessage(_ctx: ProcessContext, _msg: unknown): void {}
}

class IdleServer extends GenServer<number> {
  init() {
    return ok(0);
  }
}

const idleAsync = async (ctx: ProcessContext): Promise<void> => {
  await ctx.receive();
};

const KINDS = ['behaviour', 'genserver', 'async'] as const;
type Kind = (typeof KINDS)[number];

interface Result {
  kind: string;
  n: number;
  spawnUsPerProcess: number;
  /** Spawn plus the time for every process to reach its idle receive. */
  toIdleUsPerProcess: number;
  bytesPerProcess: number;
}

async function measure(kind: Kind, n: number): Promise<Result> {
  const rt = new Runtime({ logger: null });
  // warm the spawn path so the JIT is not measured
  await spawnMany(rt, kind, 20_000);
  await rt.settle();
  await rt.stop();
  const rt2 = new Runtime({ logger: null });
  fullGc();
  const heap0 = v8.getHeapStatistics().used_heap_size;
  const t0 = performance.now();
  await spawnMany(rt2, kind, n);
  const t1 = performance.now();
  await rt2.settle();
  const t2 = performance.now();
  fullGc();
  const heap1 = v8.getHeapStatistics().used_heap_size;
  if (rt2.processCount !== n) throw new Error(`expected ${n} processes, have ${rt2.processCount}`);
  const result = {
    kind,
    n,
    spawnUsPerProcess: ((t1 - t0) * 1000) / n,
    toIdleUsPerProcess: ((t2 - t0) * 1000) / n,
    bytesPerProcess: (heap1 - heap0) / n,
  };
  await rt2.stop();
  fullGc();
  return result;
}

/**
 * Spawns `n` idle processes. GenServers are started the way a supervisor starts them: one after
 * the other from a process, each start acknowledged once its init has run (proc_lib).
 */
async function spawnMany(rt: Runtime, kind: Kind, n: number): Promise<void> {
  if (kind === 'behaviour') for (let i = 0; i < n; i++) rt.spawn(new IdleBehaviour());
  else if (kind === 'async') for (let i = 0; i < n; i++) rt.spawn(idleAsync);
  else {
    await inProcess(rt, async (ctx) => {
      for (let i = 0; i < n; i++) await GenServer.start(ctx, IdleServer);
    });
  }
}

/** BEAM in the same run: raw spawn, or (`gen_server`) acknowledged gen_server:start one after the other. */
function erlSpawn(n: number, what: 'spawn' | 'gen_server'): Result {
  const escript = basename(erlBinary) === erlBinary ? 'escript' : join(dirname(erlBinary), 'escript');
  const args = [join(root, 'tools/erl/spawn.escript'), String(n), ...(what === 'gen_server' ? ['gen_server'] : [])];
  const out = execFileSync(escript, args, { encoding: 'utf8', timeout: 300_000 });
  const line = out.split('\n').find((l) => l.startsWith(`${what} `));
  if (line === undefined) throw new Error(`spawn.escript printed no result:\n${out}`);
  const [, count, micros, bytes] = line.trim().split(/\s+/).map(Number);
  const kind = what === 'spawn' ? 'BEAM (erl)' : 'BEAM gen_server';
  return { kind, n: count, spawnUsPerProcess: micros / count, toIdleUsPerProcess: NaN, bytesPerProcess: bytes / count };
}

export const needs = (args: string[]) => (args.includes('--no-erl') ? [] : [erlNeed]);

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string', default: '1000000' },
      kinds: { type: 'string', default: KINDS.join(',') },
      'no-erl': { type: 'boolean', default: false },
    },
  });
  const n = positiveInt('--n', values.n);
  const kinds = values.kinds.split(',') as Kind[];
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length > 0) throw badArg(`--kinds ${unknown.join(',')}: the kinds are ${KINDS.join(', ')}`);
  const results: Result[] = [];
  for (const kind of kinds) results.push(await measure(kind, n));
  if (!values['no-erl']) {
    results.push(erlSpawn(n, 'spawn'));
    if (kinds.includes('genserver')) results.push(erlSpawn(n, 'gen_server'));
  }
  const beam = results.find((r) => r.kind === 'BEAM (erl)');
  const beamGs = results.find((r) => r.kind === 'BEAM gen_server');
  // each row against its BEAM counterpart: GenServer starts against gen_server:start, the rest against spawn
  const anchor = (r: Result): Result | undefined => (r.kind === 'genserver' || r.kind === 'BEAM gen_server' ? beamGs : beam);
  const ratio = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${x.toFixed(2)}×`);
  const table = newTable({
    head: ['kind', 'N', 'spawn µs/proc', 'spawn→idle µs/proc', 'bytes/proc', 'bytes vs BEAM', 'time vs BEAM', 'target'],
  });
  const targets: Record<string, string> = { behaviour: '≤ 500 B, ≤ 1 µs', genserver: '≤ 500 B, ≤ 1 µs', async: '≤ 1 KB, ≤ 1 µs' };
  for (const r of results) {
    table.push([
      r.kind,
      r.n.toLocaleString(),
      r.spawnUsPerProcess.toFixed(3),
      Number.isNaN(r.toIdleUsPerProcess) ? '-' : r.toIdleUsPerProcess.toFixed(3),
      r.bytesPerProcess.toFixed(0),
      ratio(anchor(r) && r.bytesPerProcess / (anchor(r) as Result).bytesPerProcess),
      ratio(anchor(r) && r.spawnUsPerProcess / (anchor(r) as Result).spawnUsPerProcess),
      targets[r.kind] ?? '',
    ]);
  }
  console.log('spawn: idle processes (heap delta after full GC / N)');
  console.log(table.toString());
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/spawn.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, erl: erlBinary, results }, null, 2)}\n`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
