/**
 * `pnpm bench ring`: N processes in a ring pass tokens around. For each configuration
 * (N = 1,000 and 100,000; 1 token and 1,000 tokens) it runs, in the same process run:
 *   - beamline behaviour processes (raw ProcessBehaviour callbacks: the scheduler's fast path),
 *   - beamline GenServer processes (the ring hop is handleInfo),
 *   - beamline async-function processes using selective receive,
 *   - xstate v5 actors (each hop is actor.send inside an action; fewer hops, overflow caught),
 *   - a real Erlang ring (tools/erl/ring.escript) in `erl +S 1` and default `erl`, timed inside erl,
 * and prints messages/s and the ratios. Every hop sends a fresh `[token, hopsLeft]` message (as the
 * erl ring sends a fresh `{Token, HopsLeft}` tuple). Each beamline and erl figure is the best of two
 * runs (the machine may be shared). Writes bench-results/ring.json.
 *
 * Async-function processes are measured twice: here, on Node's default young generation, and in a
 * child node started with `--min-semi-space-size=128 --max-semi-space-size=128` (YOUNG_GEN_MB). A parked `receive` keeps a
 * promise, its resolving functions and the await's reaction alive until its message comes; on a
 * 100,000-process ring that is ~40 MB of young objects that survive every scavenge and get
 * promoted (most of the time went to V8's scavenger). With a young generation that holds them,
 * they die young. These flags only take effect when node starts (NODE_OPTIONS takes the max one).
 *
 * Args: `--quick` (fewer hops), `--no-erl`, `--no-xstate`, `--no-tuned` (skip the child runs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { table as newTable } from './_table.ts';
import { createActor, createMachine, type AnyActorRef } from 'xstate';
import { GenServer, Runtime, noreply, ok, type ProcessBehaviour, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { erlBinary } from '../erl/erl.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
v8.setFlagsFromString('--expose-gc');
const gc = (globalThis as { gc?: () => void }).gc ?? (vm.runInNewContext('gc') as () => void);
const root = resolve(here, '../..');

interface Config {
  n: number;
  tokens: number;
  hops: number; // per token
}

type Token = [token: number, hopsLeft: number];
type Done = (token: number) => void;

// ------------------------------------------------------------------ beamline: behaviour processes

class RingNode implements ProcessBehaviour {
  next!: Pid;
  constructor(readonly done: Done) {}
  handleMessage(ctx: ProcessContext, msg: unknown): void {
    const m = msg as Token;
    if (m[1] === 0) this.done(m[0]);
    else ctx.send(this.next, [m[0], m[1] - 1]);
  }
}

class RingServer extends GenServer<{ next: Pid | undefined; done: Done }> {
  init(done: unknown) {
    return ok<{ next: Pid | undefined; done: Done }>({ next: undefined, done: done as Done });
  }
  override handleCast(next: unknown, s: { next: Pid | undefined; done: Done }) {
    s.next = next as Pid;
    return noreply(s);
  }
  override handleInfo(msg: unknown, s: { next: Pid | undefined; done: Done }, ctx: ProcessContext) {
    const m = msg as Token;
    if (m[1] === 0) s.done(m[0]);
    else ctx.send(s.next!, [m[0], m[1] - 1]);
    return noreply(s);
  }
}

const isToken = (m: unknown): boolean => Array.isArray(m);

/** Best of two runs, with a full GC before each (the erl side also takes the best of two). */
async function beamline(kind: 'behaviour' | 'genserver' | 'async', c: Config): Promise<number> {
  gc();
  const a = await beamlineOnce(kind, c);
  gc();
  const b = await beamlineOnce(kind, c);
  return Math.max(a, b);
}

async function beamlineOnce(kind: 'behaviour' | 'genserver' | 'async', c: Config): Promise<number> {
  const rt = new Runtime({ logger: null });
  let remaining = c.tokens;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const done: Done = () => {
    if (--remaining === 0) finish();
  };
  const pids: Pid[] = new Array(c.n);
  if (kind === 'behaviour') {
    const nodes: RingNode[] = new Array(c.n);
    for (let i = 0; i < c.n; i++) pids[i] = rt.spawn((nodes[i] = new RingNode(done)));
    for (let i = 0; i < c.n; i++) nodes[i].next = pids[(i + 1) % c.n];
  } else if (kind === 'genserver') {
    for (let i = 0; i < c.n; i++) pids[i] = await GenServer.start(rt, RingServer, done);
    for (let i = 0; i < c.n; i++) GenServer.cast(rt, pids[i], pids[(i + 1) % c.n]);
  } else {
    const nexts: Pid[] = new Array(c.n);
    for (let i = 0; i < c.n; i++) {
      const idx = i;
      pids[i] = rt.spawn(async (ctx) => {
        const next = nexts[idx];
        for (;;) {
          const m = (await ctx.receive(isToken)) as Token;
          if (m[1] === 0) done(m[0]);
          else ctx.send(next, [m[0], m[1] - 1]);
        }
      });
    }
    for (let i = 0; i < c.n; i++) nexts[i] = pids[(i + 1) % c.n];
  }
  await rt.settle();
  const t0 = performance.now();
  for (let k = 0; k < c.tokens; k++) rt.send(pids[0], [k, c.hops]);
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await rt.stop();
  return (c.tokens * c.hops) / secs;
}

/** The young generation (MB per semi-space) of the tuned async run. */
const YOUNG_GEN_MB = 128;

/** The async row in a child node with a larger young generation (this file, `--child=...`). */
function asyncTuned(c: Config): number {
  const child = `--child=async:${c.n}:${c.tokens}:${c.hops}`;
  const out = execFileSync(
    process.execPath,
    [
      `--max-semi-space-size=${YOUNG_GEN_MB}`,
      `--min-semi-space-size=${YOUNG_GEN_MB}`,
      '--conditions=@beamline/source',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      child,
    ],
    { cwd: root, encoding: 'utf8', timeout: 600_000 },
  );
  const line = out.split('\n').find((l) => l.startsWith('RATE '));
  if (line === undefined) throw new Error(`ring child printed no rate:\n${out}`);
  return Number(line.slice(5));
}

// ------------------------------------------------------------------ xstate v5 actors

interface XCtx {
  next: AnyActorRef | undefined;
  done: Done;
}

const ringMachine = createMachine({
  types: {} as { context: { link: XCtx }; input: XCtx; events: { type: 'TOKEN'; t: number; k: number } },
  context: ({ input }) => ({ link: input }),
  on: {
    TOKEN: {
      actions: ({ context, event }) => {
        if (event.k === 0) context.link.done(event.t);
        else context.link.next!.send({ type: 'TOKEN', t: event.t, k: event.k - 1 });
      },
    },
  },
});

async function xstate(c: Config): Promise<number | 'overflow'> {
  let remaining = c.tokens;
  const done: Done = () => void remaining--;
  const ctxs: XCtx[] = [];
  const actors: AnyActorRef[] = [];
  for (let i = 0; i < c.n; i++) {
    const input: XCtx = { next: undefined, done };
    ctxs.push(input);
    actors.push(createActor(ringMachine, { input }).start());
  }
  for (let i = 0; i < c.n; i++) ctxs[i].next = actors[(i + 1) % c.n];
  let overflow = false;
  let errors = 0;
  // xstate reports errors thrown in actions through the actor; catch both paths
  for (const a of actors) a.subscribe({ error: () => void errors++ });
  const t0 = performance.now();
  try {
    for (let k = 0; k < c.tokens; k++) actors[0].send({ type: 'TOKEN', t: k, k: c.hops });
  } catch (e) {
    if (e instanceof RangeError) overflow = true;
    else throw e;
  }
  const secs = (performance.now() - t0) / 1000;
  for (const a of actors) a.stop();
  if (overflow || errors > 0 || remaining !== 0) return 'overflow';
  return (c.tokens * c.hops) / secs;
}

// ------------------------------------------------------------------ erl

function escriptBinary(): string {
  return basename(erlBinary) === erlBinary ? 'escript' : join(dirname(erlBinary), 'escript');
}

function erlRing(configs: Config[], flags: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const env = { ...process.env };
  if (flags !== undefined) env.ERL_FLAGS = flags;
  else delete env.ERL_FLAGS;
  const stdout = execFileSync(escriptBinary(), [join(root, 'tools/erl/ring.escript'), ...configs.map((c) => `${c.n}:${c.tokens}:${c.hops}`)], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 1 << 24,
  });
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'ring') continue;
    const [, n, tokens, hops, msgs, micros] = f.map(Number);
    out.set(`${n}:${tokens}:${hops}`, msgs / (micros / 1e6));
  }
  return out;
}

// ------------------------------------------------------------------ main

const fmt = (x: number | string | undefined): string =>
  typeof x === 'number' ? (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`) : (x ?? '-');
const ratio = (a: number | string | undefined, b: number | string | undefined): string =>
  typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}×` : '-';

export const needs = (args: string[]) => (args.includes('--no-erl') ? [] : [erlNeed]);

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      'no-erl': { type: 'boolean', default: false },
      'no-xstate': { type: 'boolean', default: false },
      'no-tuned': { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  if (values.child !== undefined) {
    const [kind, n, tokens, hops] = values.child.split(':');
    await beamlineOnce(kind as 'async', { n: 100, tokens: 10, hops: 20_000 }); // warm the JIT
    console.log(`RATE ${await beamline(kind as 'async', { n: Number(n), tokens: Number(tokens), hops: Number(hops) })}`);
    return;
  }
  const tuned = !values['no-tuned'];
  const quick = values.quick;
  const withErl = !values['no-erl'];
  const withX = !values['no-xstate'];
  const total = quick ? 400_000 : 2_000_000;
  const configs: Config[] = [
    { n: 1000, tokens: 1, hops: total },
    { n: 1000, tokens: 1000, hops: total / 1000 },
    { n: 100_000, tokens: 1, hops: total },
    { n: 100_000, tokens: 1000, hops: total / 1000 },
  ];
  const xTotal = quick ? 50_000 : 200_000;

  // warm up the JIT on a small ring
  for (const kind of ['behaviour', 'genserver', 'async'] as const) await beamlineOnce(kind, { n: 100, tokens: 10, hops: 20_000 });

  const results: Record<string, unknown>[] = [];
  const erlS1 = withErl ? erlRing(configs, '+S 1') : new Map<string, number>();
  const erlDefault = withErl ? erlRing(configs, undefined) : new Map<string, number>();
  for (const c of configs) {
    const key = `${c.n}:${c.tokens}:${c.hops}`;
    const behaviour = await beamline('behaviour', c);
    const genserver = await beamline('genserver', c);
    const asyncRate = await beamline('async', c);
    const asyncYoung = tuned ? asyncTuned(c) : undefined;
    const xHops = Math.max(1, Math.round(xTotal / c.tokens));
    const x = withX ? await xstate({ ...c, hops: xHops }) : undefined;
    // xstate overflows the stack on large rings; its rate on a 100-actor ring is the ratio base then
    const xSmall = withX && x === 'overflow' ? await xstate({ n: 100, tokens: c.tokens, hops: xHops }) : undefined;
    results.push({
      n: c.n,
      tokens: c.tokens,
      messages: c.tokens * c.hops,
      behaviour,
      genserver,
      async: asyncRate,
      asyncYoungGen: asyncYoung,
      xstate: x,
      xstate100: xSmall,
      erlS1: erlS1.get(key),
      erl: erlDefault.get(key),
    });
    gc();
  }

  const table = newTable({
    head: [
      'N × tokens',
      'behaviour',
      'GenServer',
      'async+sel.',
      `async, ${YOUNG_GEN_MB} MB young`,
      'xstate v5',
      'erl +S 1',
      'erl',
      'beh/erl+S1',
      'beh/erl',
      'async/erl+S1',
      'async/erl',
      `async ${YOUNG_GEN_MB}/erl+S1`,
      'beh/xstate',
      'async/xstate',
    ],
  });
  for (const r of results as Array<Record<string, number | string | undefined>>) {
    table.push([
      `${(r.n as number).toLocaleString()} × ${r.tokens}`,
      fmt(r.behaviour),
      fmt(r.genserver),
      fmt(r.async),
      fmt(r.asyncYoungGen),
      r.xstate === 'overflow' ? `overflow (N=100: ${fmt(r.xstate100)})` : fmt(r.xstate),
      fmt(r.erlS1),
      fmt(r.erl),
      ratio(r.behaviour, r.erlS1),
      ratio(r.behaviour, r.erl),
      ratio(r.async, r.erlS1),
      ratio(r.async, r.erl),
      ratio(r.asyncYoungGen, r.erlS1),
      ratio(r.behaviour, r.xstate === 'overflow' ? r.xstate100 : r.xstate),
      ratio(r.async, r.xstate === 'overflow' ? r.xstate100 : r.xstate),
    ]);
  }
  console.log('ring: messages/s (higher is better); behaviour = raw ProcessBehaviour callbacks');
  console.log(table.toString());
  console.log('xstate: "overflow" = RangeError (actor.send runs the receiver on the sender stack); ratios then use its rate on a 100-actor ring');
  console.log(`async, ${YOUNG_GEN_MB} MB young: the same async ring in a child node started with --min/--max-semi-space-size=${YOUNG_GEN_MB}`);
  console.log('targets: behaviour ≥ 1.5× erl +S 1 and ≥ 1.0× erl; async+selective receive ≥ 0.5× erl +S 1; ≥ 10× xstate');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/ring.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, erl: erlBinary, results }, null, 2)}\n`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
