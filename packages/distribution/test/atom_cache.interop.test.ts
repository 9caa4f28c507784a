/**
 * The distribution header's atom cache (DFLAG_DIST_HDR_ATOM_CACHE, spec §3.3) against a real erl,
 * both directions: erl's frames with cache refs (new, old, long atoms) decode here; our frames with
 * refs decode in erl, across frames (old entries), with a slot taken over by another atom (reuse),
 * with two atoms of one frame wanting one slot, more than 255 atoms in a frame, latin-1 atoms and
 * long atoms left as text (mixed cached and uncached). Each scenario is echoed through the other
 * side and compared there with `=:=`. The same traffic with the cache negotiated off works too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime, type ProcessContext } from '@beamline/core';
import { Tuple, atom, type Term } from '@beamline/etf';
import { atomSlot } from '../src/atom_cache.ts';
import type { EpmdServer } from '../src/epmd_server.ts';
import { DFLAG } from '../src/flags.ts';
import { MemoryLogger } from '../src/log.ts';
import { startNode, type BeamNode } from '../src/node.ts';
import type { PeerConnection } from '../src/transport.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { A, COOKIE, T, etf, privateEpmd } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
let erl: ErlNode;
const ERL = 'ac_erl@localhost';

beforeAll(async () => {
  epmd = await privateEpmd();
  erl = await startErl({ name: ERL, cookie: COOKIE, epmdPort: epmd.port });
  // erl's side of the echo tests: send each term to the TS echo and compare what comes back
  await erl.eval(
    `EchoAll = fun(Node, Terms) -> lists:map(fun(X) -> {echo, Node} ! {self(), X}, ` +
      `receive {echoed, Y} -> Y =:= X after 5000 -> timeout end end, Terms) end, ok`,
  );
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

/** A node whose registered `echo` answers `{From, X}` with `From ! {echoed, X}` and whose `keep` process collects. */
async function echoNode(name: string, transport: { removeFlags?: bigint } = {}) {
  const runtime = new Runtime({ logger: null });
  const node = await startNode({ name, cookie: COOKIE, epmdPort: epmd.port, runtime, logger: new MemoryLogger(false), transport });
  runtime.spawn(
    async (ctx: ProcessContext) => {
      for (;;) {
        const m = await ctx.receive();
        if (m instanceof Tuple && m.elements.length === 2) ctx.send(m.elements[0] as never, new Tuple([atom('echoed'), m.elements[1]!]));
      }
    },
    { name: 'echo' },
  );
  return {
    node,
    runtime,
    async stop() {
      await node.stop();
      await runtime.stop();
    },
  };
}

/** The terms erl sends through the echo: many atoms, repeated, long, unicode, in pids, refs, funs, maps. */
const ERL_TERMS =
  `[ok, {error, badarg}, [list_to_atom("a" ++ integer_to_list(I)) || I <- lists:seq(1, 300)], ` +
  `{self(), make_ref(), node()}, list_to_atom(lists:duplicate(200, $\\x{e9})), '', 'ünïcødé', ` +
  `#{key => value, other => [x, y, z]}, fun erlang:self/0, (fun() -> fun() -> ok end end)(), ` +
  `{ok, ok, ok, error, error}, [ok | tail]]`;

async function erlEcho(ts: string): Promise<string> {
  // twice: the second round's atoms are old entries in both caches
  return erl.eval(`R1 = EchoAll('${ts}', ${ERL_TERMS}), R2 = EchoAll('${ts}', ${ERL_TERMS}), lists:usort(R1 ++ R2)`);
}

/** Two atom names whose text hashes to the same slot. */
function collidingNames(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `slot_${i}`;
    const b = Buffer.from(name);
    const s = atomSlot(b, 0, b.length);
    const other = seen.get(s);
    if (other !== undefined) return [other, name];
    seen.set(s, name);
  }
}

describe('atom cache negotiated (the default)', () => {
  let n: Awaited<ReturnType<typeof echoNode>>;
  let node: BeamNode;
  let conn: PeerConnection;
  beforeAll(async () => {
    n = await echoNode('ac_on@localhost');
    node = n.node;
    conn = await node.transport.connect(ERL);
  });
  afterAll(async () => {
    await n?.stop();
  });

  it('is negotiated with erl', () => {
    expect(conn.flags & DFLAG.DIST_HDR_ATOM_CACHE).toBe(DFLAG.DIST_HDR_ATOM_CACHE);
  });

  it('erl → TS → erl: every term comes back equal, and both sides used cache refs, new and old', async () => {
    expect(await erlEcho(node.name)).toBe('[true]');
    const s = conn.stats();
    expect(s.atomCacheIn!.new).toBeGreaterThan(0);
    expect(s.atomCacheIn!.old).toBeGreaterThan(0);
    expect(s.atomCacheOut!.new).toBeGreaterThan(0);
    expect(s.atomCacheOut!.old).toBeGreaterThan(0);
    // 300 distinct atoms in one term: past the 255 refs of a header, the rest go as text
    expect(s.atomCacheOut!.inline).toBeGreaterThan(0);
  });

  it('a slot taken over by another atom, back and forth, and two atoms of one frame wanting one slot', async () => {
    const [a, b] = collidingNames();
    const before = conn.stats().atomCacheOut!;
    await erl.eval('register(ac_sink, self()), ok');
    const sends: Term[] = [atom(a), atom(b), atom(a), atom(b), new Tuple([atom(a), atom(b)]), new Tuple([atom(b), atom(a), atom(b)])];
    for (const m of sends) node.send(['ac_sink', ERL], m);
    const got = await erl.eval(`[receive M -> M after 5000 -> timeout end || _ <- lists:seq(1, ${sends.length})]`);
    expect(got).toBe(`[${a},${b},${a},${b},{${a},${b}},{${b},${a},${b}}]`);
    const after = conn.stats().atomCacheOut!;
    // a, b, a, b each replace the slot's text: four new entries; in each of the last two frames one
    // of the pair keeps the slot and the other goes as text
    expect(after.new - before.new).toBeGreaterThanOrEqual(4);
    expect(after.inline - before.inline).toBeGreaterThanOrEqual(2);
    // and the cache is still in step: erl's own traffic echoes fine afterwards
    expect(await erlEcho(node.name)).toBe('[true]');
  });

  it('latin-1 and long atoms written by hand go as text beside cached ones in one frame (mixed)', async () => {
    const c = conn;
    await erl.eval('catch unregister(ac_sink), register(ac_sink, self()), ok');
    const from = { pid: { node: node.name, id: 1, serial: 0, creation: node.transport.creation } };
    const control = etf(T(6, from, A(''), A('ac_sink')));
    const long = 'é'.repeat(200); // 400 bytes of UTF-8: ATOM_UTF8 (118), longer than a cache entry here
    const longBytes = Buffer.from(long);
    // {hello (ATOM_EXT, latin-1), world (SMALL_ATOM_UTF8), 'é'*200 (ATOM_UTF8)}
    const payload = Uint8Array.from([
      131,
      104,
      3,
      100,
      0,
      5,
      ...Buffer.from('hello'),
      119,
      5,
      ...Buffer.from('world'),
      118,
      longBytes.length >> 8,
      longBytes.length & 255,
      ...longBytes,
    ]);
    const before = c.stats().atomCacheOut!;
    c.send(control, payload);
    expect(await erl.eval(`receive {hello, world, L} -> L =:= list_to_atom(lists:duplicate(200, $\\x{e9})) after 5000 -> timeout end`)).toBe('true');
    const after = c.stats().atomCacheOut!;
    expect(after.inline - before.inline).toBe(2);
  });

  it('a malformed term given to send() goes out without refs, the cache untouched', async () => {
    const before = conn.stats().atomCacheOut!;
    const from = { pid: { node: node.name, id: 1, serial: 0, creation: node.transport.creation } };
    // the transport does not validate terms: a control term it cannot walk is sent as it is
    // (erl then drops the connection, as it would for any malformed frame)
    conn.send(etf(T(6, from, A(''), A('ac_sink'))).subarray(0, 10));
    expect(conn.stats().atomCacheOut).toEqual(before);
    await conn.down;
  });
});

describe('atom cache negotiated off', () => {
  it('removeFlags DIST_HDR_ATOM_CACHE: no refs either way, same results', async () => {
    const n = await echoNode('ac_off@localhost', { removeFlags: DFLAG.DIST_HDR_ATOM_CACHE });
    try {
      const conn = await n.node.transport.connect(ERL);
      expect(conn.flags & DFLAG.DIST_HDR_ATOM_CACHE).toBe(0n);
      expect(conn.flags & DFLAG.FRAGMENTS).toBe(DFLAG.FRAGMENTS);
      expect(await erlEcho(n.node.name)).toBe('[true]');
      expect(conn.stats().atomCacheOut).toBeUndefined();
      expect(conn.stats().atomCacheIn).toBeUndefined();
    } finally {
      await n.stop();
    }
  });
});
