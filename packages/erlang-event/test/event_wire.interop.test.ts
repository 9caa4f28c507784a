/**
 * Events as a real erl handler receives them, written straight to bytes (src/event_wire.ts): a
 * run of 400 varied events (headers repeated from the event before, values that change at the
 * same place, UUIDs and none, URL escapes, non-ASCII, values past STRING_EXT, bodies) goes to erl
 * through the distribution's atom cache; erl's own `term_to_binary` of each event it got must be
 * the bytes of the term `eventTerm` makes for that event.
 */
import { createHash } from 'node:crypto';
import { encode } from '@beamline/etf';
import type { SwitchEvent } from '@beamline/switch';
import { describe, expect, it } from 'vitest';
import type { Encoding } from '../src/config.ts';
import { eventTerm } from '../src/encode.ts';
import { ERL_DEFS, startRig } from './helpers.ts';

const N = 400;
const VALUES = ['CHANNEL_CREATE', 'a%20b', 'é!', '日本', '100', 'sofia/internal/1000@10.0.0.1'];

/** A small deterministic generator (a failure replays the same events). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe.each(['binary', 'string'] as Encoding[])('encoding=%s: events from the bytes path', (encoding) => {
  it(`erl's term_to_binary of each of ${N} events it got is the encoding of eventTerm's term`, async () => {
    const rig = await startRig(`wire_${encoding}`, { encoding });
    try {
      await rig.shell(ERL_DEFS);
      expect(await rig.shell(`Pw = Coll(), Do(Pw, register_event_handler), Do(Pw, {event, 'CUSTOM', 'wire::t'})`)).toBe('ok');
      const bus = rig.fs.sw.core.bus;
      const r = rng(11);
      const sent: SwitchEvent[] = [];
      for (let i = 0; i < N; i++) {
        const e = bus.create('CUSTOM', 'wire::t');
        if (r() < 0.3) e.addHeader('Unique-ID', `0b3e7d2c-5e0f-4a59-9d4f-${String(1e11 + (i % 7)).slice(0, 12)}`);
        e.addHeader('Seq', String(i)); // changes at the same place every time
        e.addHeader('Same', 'same value');
        e.addHeader('Mostly', r() < 0.8 ? 'x' : VALUES[Math.floor(r() * VALUES.length)]!);
        if (r() < 0.02) e.addHeader('Long', 'z'.repeat(70_000));
        if (r() < 0.2) e.addHeader(`Extra-${i % 3}`, 'y');
        if (r() < 0.1) e.body = `body ${i}`;
        bus.fire(e);
        sent.push(e);
      }
      const got = await rig.shell(
        `Lw = [binary:encode_hex(erlang:md5(term_to_binary(Ew, [{minor_version, 2}]))) || Ew <- WaitEv(Pw, ${N})], {length(Lw), Lw}`,
        20_000,
      );
      const hashes = [...got.matchAll(/<<"([0-9A-F]{32})">>/g)].map((m) => m[1]);
      expect(got.startsWith(`{${N},`)).toBe(true);
      const want = sent.map((e) =>
        createHash('md5')
          .update(encode(eventTerm(e, encoding)))
          .digest('hex')
          .toUpperCase(),
      );
      const first = want.findIndex((h, i) => h !== hashes[i]);
      expect(first === -1 ? 'all equal' : { first, headers: sent[first]!.headers.map((h) => [h.name, h.value.slice(0, 40)]) }).toBe('all equal');
    } finally {
      await rig.stop();
    }
  }, 60_000);
});
