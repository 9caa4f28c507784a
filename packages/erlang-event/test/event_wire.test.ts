/** eventWire writes exactly the bytes encoding eventTerm gives, through every cache path. */
import { Runtime, TIMEOUT, inProcess } from '@beamline/core';
import { type EncodedTerm, type Term, TermWriter, Tuple, atom, decode, encode } from '@beamline/etf';
import { SwitchEvent } from '@beamline/switch';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Encoding } from '../src/config.ts';
import { eventTerm } from '../src/encode.ts';
import { eventWire } from '../src/event_wire.ts';
import { EventHandlers } from '../src/handlers/events.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A small deterministic generator (a failure replays the same events). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const VALUES = ['h', 'CHANNEL_CREATE', 'a%20b', '%', 'é!', '日本', 'x+y', '100%', 'sofia/internal/1000@10.0.0.1'];

function randomValue(r: () => number): string {
  const k = r();
  if (k < 0.02) return 'z'.repeat(70_000); // past STRING_EXT's 65,535: a list of bytes
  if (k < 0.5) return VALUES[Math.floor(r() * VALUES.length)]!;
  return String(Math.floor(r() * 1000));
}

describe('eventWire', () => {
  it('encodes byte for byte as eventTerm for 20,000 random events (slabs filled many times over), both encodings', () => {
    const r = rng(7);
    const names = ['Event-Name', 'Core-UUID', 'Seq', 'Unique-ID', 'V', 'Nom-é', 'W%41'];
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const e = new SwitchEvent('CUSTOM', 'x::y');
      const count = Math.floor(r() * names.length) + 1;
      for (let k = 0; k < count; k++) {
        // mostly the same names at the same positions as the event before, sometimes shuffled
        const name = r() < 0.85 ? names[k]! : names[Math.floor(r() * names.length)]!;
        e.addHeader(name, r() < 0.6 ? `same-${k}` : randomValue(r));
      }
      if (r() < 0.2) e.body = randomValue(r);
      const enc: Encoding = r() < 0.5 ? 'binary' : 'string';
      // the term path and the bytes path share the header-name cache: either may go first
      let wire: Uint8Array;
      let term: Uint8Array;
      if (r() < 0.5) {
        wire = encode(eventWire(e, enc));
        term = encode(eventTerm(e, enc));
      } else {
        term = encode(eventTerm(e, enc));
        wire = encode(eventWire(e, enc));
      }
      if (hex(wire) !== hex(term)) expect({ i, enc, headers: e.headers, body: e.body }).toBe('the same bytes');
      checked++;
    }
    expect(checked).toBe(20_000);
  });

  it('is made once per event and encoding, and again after the event changes', () => {
    const e = new SwitchEvent('CUSTOM', 'x::y');
    e.addHeader('A', '1');
    const a = eventWire(e, 'binary');
    expect(eventWire(e, 'binary')).toBe(a);
    expect(eventWire(e, 'string')).not.toBe(a);
    e.addHeader('B', '2');
    const b = eventWire(e, 'binary');
    expect(b).not.toBe(a);
    expect(decode(encode(b))).toEqual(decode(encode(eventTerm(e, 'binary'))));
  });

  it("keeps an event's bytes: later events (past a slab's end) do not overwrite them", () => {
    const first = new SwitchEvent('CUSTOM', 'x::y');
    first.addHeader('N', '0');
    const kept = eventWire(first, 'binary');
    const before = hex(encode(kept));
    for (let i = 1; i < 20_000; i++) {
      const e = new SwitchEvent('CUSTOM', 'x::y');
      e.addHeader('N', String(i));
      e.addHeader('Pad', 'p'.repeat(i % 50));
      eventWire(e, 'binary');
    }
    expect(hex(encode(kept))).toBe(before);
  });

  it('gives an event too big for a slab one of its own, and the next events a new slab of the usual size', () => {
    const bufferOf = (e: SwitchEvent) => ((eventWire(e, 'binary').elements[1] as unknown as EncodedTerm).bytes.buffer as ArrayBuffer).byteLength;
    const small = () => {
      const e = new SwitchEvent('CUSTOM', 'x::y');
      e.addHeader('N', '1');
      return e;
    };
    const usual = bufferOf(small());
    const big = new SwitchEvent('CUSTOM', 'x::y');
    big.body = 'b'.repeat(200_000);
    expect(bufferOf(big)).toBeGreaterThan(400_000);
    expect(bufferOf(small())).toBe(usual);
    expect(decode(encode(eventWire(big, 'binary')))).toEqual(decode(encode(eventTerm(big, 'binary'))));
  });

  it("offers `event` and a UUID-less event's `undefined` to the atom cache; a UUID is bytes", () => {
    const offered: string[] = [];
    const w = new TermWriter();
    w.atomRefs = {
      ref: (a) => {
        offered.push(a.name);
        return -1; // written as text: the bytes must then equal the plain encoding
      },
    };
    const plain = new SwitchEvent('HEARTBEAT');
    plain.addHeader('Event-Name', 'HEARTBEAT');
    w.term(eventWire(plain, 'string'));
    expect(offered).toEqual(['event', 'undefined']);
    expect(hex(w.view())).toBe(hex(encode(eventTerm(plain, 'string')).subarray(1)));

    offered.length = 0;
    w.reset();
    const call = new SwitchEvent('CHANNEL_CREATE');
    call.addHeader('Unique-ID', '0b3e7d2c-5e0f-4a59-9d4f-3b1a2c3d4e5f');
    w.term(eventWire(call, 'binary'));
    expect(offered).toEqual(['event']);
    const [, list] = (decode(Uint8Array.of(131, ...w.view())) as unknown as { elements: Term[] }).elements as [Term, Term[]];
    expect(Buffer.from(list[0] as Uint8Array).toString()).toBe('0b3e7d2c-5e0f-4a59-9d4f-3b1a2c3d4e5f');
  });

  it('is not what a local handler gets: a pid on the switch node receives the plain term', async () => {
    const rt = new Runtime({ logger: null });
    try {
      const got: unknown[] = [];
      let sent: SwitchEvent | undefined;
      const local = rt.spawn(async (ctx) => {
        for (;;) {
          const m = await ctx.receive();
          if (m !== TIMEOUT) got.push(m);
        }
      });
      await inProcess(rt, async (ctx) => {
        const handlers = new EventHandlers({
          config: { ...DEFAULTS, encoding: 'binary' },
          ctx,
          sendItem: (to, msg) => rt.send(to, msg),
          drained: async () => {},
          reportLost: () => {},
        });
        handlers.register(local).sub.add([atom('ALL')]);
        sent = new SwitchEvent('HEARTBEAT');
        sent.addHeader('Event-Name', 'HEARTBEAT');
        handlers.offer(sent);
        for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      });
      expect(got).toHaveLength(1);
      const m = got[0] as Tuple;
      expect(m).toBeInstanceOf(Tuple);
      expect(Array.isArray(m.elements[1])).toBe(true); // a list of terms, not pre-encoded bytes
      expect(hex(encode(m as Term))).toBe(hex(encode(eventTerm(sent!, 'binary'))));
    } finally {
      await rt.stop();
    }
  });
});
