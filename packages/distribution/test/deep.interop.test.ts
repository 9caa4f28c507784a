/**
 * Deep terms over a real connection (OTP has no nesting limit, so neither may we): erl sends
 * messages nested a million levels deep (a list in a list, an `{I, Prev}` chain) and gen_server
 * calls with deep requests to a TS server; they arrive, the replies go back, and the connection
 * stays up. A frame that is truly bad closes only its own connection, and the log line says what
 * was wrong and whether it was in the control message or the payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pid, Tuple, atom, encode, t, type Term } from '@beamline/etf';
import { GenServer, ok, reply, type CallResult } from '@beamline/core';
import type { Connection } from '../src/connection.ts';
import { Op } from '../src/control.ts';
import { COOKIE, Inbox, ev, freePort, startPair, until, type Pair } from './helpers/node_pair.ts';
import { transport } from './helpers/transport_kit.ts';

const DEPTH = 1_000_000;
let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;
let inbox: Inbox;

class Echo extends GenServer<null> {
  init() {
    return ok(null);
  }
  override handleCall(req: unknown, _from: unknown, s: null): CallResult<null, Term> {
    return reply(t(atom('echo'), req as Term), s);
  }
}

/** How many one-element lists are nested around `[]`. */
function listDepth(x: Term): number {
  let n = 0;
  while (Array.isArray(x) && x.length === 1) {
    x = x[0];
    n++;
  }
  return Array.isArray(x) && x.length === 0 ? n : -1;
}

/** The length of an `{I, Prev}` chain ending in `nil`, or -1 when it is not one (I counts down). */
function chainLength(x: Term): number {
  let n = 0;
  while (x instanceof Tuple && x.elements.length === 2) {
    if (x.elements[0] !== DEPTH - n) return -1;
    x = x.elements[1];
    n++;
  }
  return x === atom('nil') ? n : -1;
}

const LIST = 'lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, N))';
const CHAIN = 'lists:foldl(fun(I, Prev) -> {I, Prev} end, nil, lists:seq(1, N))';

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('deep', EPMD);
  GenServer.start(p.node.runtime, Echo, [], { name: 'ts_echo' });
  inbox = new Inbox(p.node.runtime, 'deep_inbox');
}, 30_000);
afterAll(async () => {
  await p?.stop();
});

describe('deep terms from erl', () => {
  it('gen_server:call with a 1000-deep list (and a 1000-long {I, Prev} chain) to a TS echo server returns it', async () => {
    for (const build of [LIST, CHAIN]) {
      expect(await ev(p.erl, `N = 1000, $D = ${build.replace(/\bN\b/g, '1000')}, {echo, $D} =:= gen_server:call({ts_echo, '${p.ts}'}, $D)`)).toBe(
        'true',
      );
    }
  });

  it(`messages nested ${DEPTH} deep arrive, calls with them are answered, and the connection stays up`, async () => {
    const n = String(DEPTH);
    expect(await ev(p.erl, `{deep_inbox, '${p.ts}'} ! {list, ${LIST.replace(/\bN\b/g, n)}}, ok`)).toBe('ok');
    const list = await inbox.next<Tuple>((m) => m instanceof Tuple && m.elements[0] === atom('list'), 60_000);
    expect(listDepth(list.elements[1])).toBe(DEPTH);
    expect(await ev(p.erl, `{deep_inbox, '${p.ts}'} ! {chain, ${CHAIN.replace(/\bN\b/g, n)}}, ok`)).toBe('ok');
    const chain = await inbox.next<Tuple>((m) => m instanceof Tuple && m.elements[0] === atom('chain'), 60_000);
    expect(chainLength(chain.elements[1])).toBe(DEPTH);
    // both ways: the echo server's reply carries the chain back, and erl finds it =:= its own
    expect(await ev(p.erl, `$C = ${CHAIN.replace(/\bN\b/g, n)}, {echo, $C} =:= gen_server:call({ts_echo, '${p.ts}'}, $C, 60000)`, 90_000)).toBe(
      'true',
    );
    expect(await ev(p.erl, `gen_server:call({ts_echo, '${p.ts}'}, still_here)`)).toBe('{echo,still_here}');
    expect(p.node.nodes()).toContain(p.erlName);
    expect(p.node.stats().router.protocolErrors).toBe(0);
    expect(p.logger.has(/closing connection/)).toBe(false);
  }, 180_000);
});

describe('a truly bad frame', () => {
  /** A 131 term: `depth` one-element lists around the bytes `bottom` (then their NIL tails). */
  function deepList(depth: number, bottom: number[]): Uint8Array {
    const out = new Uint8Array(1 + 5 * depth + bottom.length + depth);
    out[0] = 131;
    for (let i = 0; i < depth; i++) out.set([108, 0, 0, 0, 1], 1 + 5 * i);
    out.set(bottom, 1 + 5 * depth);
    out.fill(106, 1 + 5 * depth + bottom.length);
    return out;
  }

  for (const [part, name, frame, logged] of [
    [
      'payload',
      'bad_payload',
      (from: Pid) => [encode(t(Op.REG_SEND, from, atom(''), atom('deep_inbox'))), deepList(10_000, [200])],
      /^closing connection: undecodable payload: unknown tag 200 \(bad_tag at byte 50000 of the payload\)$/,
    ],
    [
      'control message',
      'bad_control',
      () => [Uint8Array.of(131, 104, 4, 97, 6, 88, 200), encode(atom('hi'))],
      /^closing connection: undecodable control message: expected an atom, got tag 200 \(bad_tag at byte 5 of the control message\)$/,
    ],
  ] as const) {
    it(`(its ${part} bad) closes only its own connection; the log says what and where`, async () => {
      const rawName = `${name}@localhost`;
      const { tr } = await transport(rawName, EPMD, { cookie: COOKIE });
      try {
        const c = (await tr.connect(p.ts)) as Connection;
        const [control, payload] = frame(new Pid(atom(rawName), 1, 0, 1));
        c.send(control, payload);
        await until(() => c.state === 'down', 10_000, 'the bad connection to close');
        const entry = p.logger.entries.find((e) => logged.test(e.msg));
        expect(entry, p.logger.entries.map((e) => e.msg).join('\n')).toBeDefined();
        expect(entry!.meta).toMatchObject({ peer: rawName, part });
        // the connection to erl is untouched
        expect(await ev(p.erl, `gen_server:call({ts_echo, '${p.ts}'}, after_bad_${name})`)).toBe(`{echo,after_bad_${name}}`);
        expect(p.node.nodes()).toContain(p.erlName);
      } finally {
        await tr.close();
      }
    }, 30_000);
  }
});
