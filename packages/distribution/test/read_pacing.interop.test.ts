/**
 * Inbound read pacing (read_pacer.ts) with a real erl sender: a flood of 200,000 small messages
 * from erl arrives whole and in order at a node that paces its reads (thresholds lowered so that
 * pacing surely starts on a loaded CI machine) and at one with pacing off, which never pauses; on
 * a node with the default thresholds, sequential round trips never pause reading, so pacing adds
 * no latency outside a flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, TIMEOUT, type ProcessContext } from '@beamline/core';
import { type Pid, Tuple, atom, t } from '@beamline/etf';
import { MemoryLogger } from '../src/log.ts';
import { startNode, type BeamNode } from '../src/node.ts';
import type { TransportOptions } from '../src/transport.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { ev, freePort } from './helpers/node_pair.ts';

const COOKIE = 'beamline_pacing_test';
const N = 200_000;

interface Ts {
  node: BeamNode;
  runtime: Runtime;
}

const nodes: Record<'paced' | 'unpaced' | 'defaults', Ts> = {} as never;
let erl: ErlNode;

/** `sink` counts `{seq, I}` and checks they come 1, 2, 3...; `{done, From}` answers `{count, C, InOrder}`. */
async function sink(ctx: ProcessContext): Promise<void> {
  const SEQ = atom('seq');
  let count = 0;
  let inOrder = true;
  for (;;) {
    const m = await ctx.receive();
    if (m === TIMEOUT || !(m instanceof Tuple)) continue;
    const [tag, x] = m.elements;
    if (tag === SEQ) {
      count++;
      if (x !== count) inOrder = false;
    } else if (tag === atom('done')) {
      ctx.send(x as Pid, t(atom('count'), count, atom(String(inOrder))));
      count = 0;
      inOrder = true;
    }
  }
}

/** `echo` answers `{ping, From, I}` with `{pong, I}`. */
async function echo(ctx: ProcessContext): Promise<void> {
  for (;;) {
    const m = await ctx.receive();
    if (m instanceof Tuple && m.elements[0] === atom('ping')) ctx.send(m.elements[1] as Pid, t(atom('pong'), m.elements[2]!));
  }
}

async function start(name: string, epmdPort: number, transport: Partial<TransportOptions>): Promise<Ts> {
  const runtime = new Runtime({ logger: null });
  const node = await startNode({ name, cookie: COOKIE, epmdPort, runtime, logger: new MemoryLogger(false), transport });
  runtime.spawn(sink, { name: 'sink' });
  runtime.spawn(echo, { name: 'echo' });
  return { node, runtime };
}

beforeAll(async () => {
  const epmdPort = await freePort();
  // one read of 1 KiB starts pacing: a CPU-starved node reads a flood in few, large chunks, and two
  // reads within one millisecond (the earlier threshold) then never came on a loaded CI machine
  nodes.paced = await start('ts_paced@localhost', epmdPort, { readPacing: { floodReads: 1, floodBytes: 1024 } });
  nodes.unpaced = await start('ts_unpaced@localhost', epmdPort, { readPacing: false });
  nodes.defaults = await start('ts_paced_defaults@localhost', epmdPort, {});
  erl = await startErl({ name: 'erl_pacing@localhost', cookie: COOKIE, epmdPort, echo: process.env.BEAMLINE_TEST_ECHO === '1' });
}, 30_000);

afterAll(async () => {
  await erl?.stop().catch(() => {});
  for (const ts of Object.values(nodes)) {
    await ts.node.stop();
    await ts.runtime.stop();
  }
});

/** erl sends N `{seq, I}` to `sink` on `node`, then `{done, self()}`; the sink's answer as text. */
function flood(node: string): Promise<string> {
  return ev(
    erl,
    `[{sink, '${node}'} ! {seq, I} || I <- lists:seq(1, ${N})], {sink, '${node}'} ! {done, self()},
     receive {count, _, _} = R -> R after 60000 -> timeout end`,
  );
}

function pauses(ts: Ts): number {
  const c = ts.node.connection('erl_pacing@localhost');
  if (!c) throw new Error(`${ts.node.name} has no connection to erl`);
  return c.stats().readPauses;
}

describe('read pacing, erl floods the node', () => {
  it('a paced node gets every message in order, and did pause', async () => {
    expect(await flood(nodes.paced.node.name)).toBe(`{count,${N},true}`);
    expect(pauses(nodes.paced)).toBeGreaterThan(0);
  }, 90_000);

  it('with readPacing: false the node never pauses, and gets every message in order', async () => {
    expect(await flood(nodes.unpaced.node.name)).toBe(`{count,${N},true}`);
    expect(pauses(nodes.unpaced)).toBe(0);
  }, 90_000);

  it('with the defaults, 2,000 sequential round trips never pause reading', async () => {
    const ts = nodes.defaults.node.name;
    const got = await ev(
      erl,
      `(fun L(0) -> ok; L(I) -> {echo, '${ts}'} ! {ping, self(), I}, receive {pong, I} -> L(I - 1) after 5000 -> {timeout, I} end end)(2000)`,
    );
    expect(got).toBe('ok');
    expect(pauses(nodes.defaults)).toBe(0);
  }, 60_000);
});
