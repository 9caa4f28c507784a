/**
 * What a JS value becomes on the wire (wire_values.ts, codec.ts; README "What crosses the wire"):
 * the mapping, its errors and their paths, the codec's fast path, and the router's handling of a
 * value that cannot be sent.
 */
import { describe, expect, it } from 'vitest';
import {
  EncodedTerm,
  ErlMap,
  ExportFun,
  ImproperList,
  Pid,
  Ref,
  type Tuple,
  atom,
  decode,
  encode,
  encodeNoVersion,
  format,
  t,
  type Term,
} from '@beamline/etf';
import { ErlangError } from '@beamline/core';
import { encodeValue, etfCodec } from '../src/codec.ts';
import { NotEncodableError, MAX_WIRE_DEPTH, toWireTerm } from '../src/wire_values.ts';
import { Router, wireReason, type Connector, type RemoteInboundApi } from '../src/router.ts';
import { DFLAG } from '../src/flags.ts';
import { MemoryLogger } from '../src/log.ts';
import type { PeerConnection } from '../src/transport.ts';

/** Erlang text, binaries without etf's `/utf8` suffix (as erl prints ASCII ones). */
const fmt = (x: Term): string => format(x).replaceAll('/utf8>>', '>>');
/** The Erlang text of what `v` becomes on the wire (through real ETF bytes). */
const wire = (v: unknown): string => fmt(decode(encodeValue(v)));

function notEncodable(v: unknown): NotEncodableError {
  try {
    toWireTerm(v);
  } catch (e) {
    if (e instanceof NotEncodableError) return e;
    throw e;
  }
  throw new Error('expected NotEncodableError');
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('the mapping', () => {
  it('primitives: booleans, undefined and null are atoms; bigint an integer; strings binaries', () => {
    expect(wire(true)).toBe('true');
    expect(wire(false)).toBe('false');
    expect(wire(undefined)).toBe('undefined');
    expect(wire(null)).toBe('null');
    expect(wire(2n ** 70n)).toBe('1180591620717411303424');
    expect(wire(-5n)).toBe('-5');
    expect(wire('héllo')).toBe('<<"héllo">>');
    expect(wire(1.5)).toBe('1.5');
  });

  it('plain objects are maps with binary keys, recursively; undefined values are kept', () => {
    expect(wire({ a: 1, b: { c: [true, null] } })).toBe('#{<<"a">> => 1,<<"b">> => #{<<"c">> => [true,null]}}');
    expect(wire({ gone: undefined })).toBe('#{<<"gone">> => undefined}');
    expect(wire(Object.assign(Object.create(null) as object, { k: 'v' }))).toBe('#{<<"k">> => <<"v">>}');
    expect(wire({ 1: 'one' })).toBe('#{<<"1">> => <<"one">>}'); // JS keys are strings
    expect(wire({ [Symbol('s')]: 1, k: 2 })).toBe('#{<<"k">> => 2}'); // symbol keys are skipped
  });

  it('Map is a map (keys mapped too), Set a list, an array hole undefined', () => {
    expect(
      wire(
        new Map<unknown, unknown>([
          ['s', 1],
          [2, { x: true }],
        ]),
      ),
    ).toBe('#{2 => #{<<"x">> => true},<<"s">> => 1}');
    expect(wire(new Set([3, 1, 2]))).toBe('[3,1,2]');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(wire([1, , 3])).toBe('[1,undefined,3]');
  });

  it('Date is its ISO 8601 text (UTC); an Error is {js_error, ...}; other class instances are opaque', () => {
    expect(wire(new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 5)))).toBe('<<"2024-05-01T12:00:00.005Z">>');
    expect(wire(new RangeError('too big'))).toBe('{js_error,<<"RangeError: too big">>}');
    expect(wire(new Point(1, 2))).toBe('{\'$js\',<<"Point">>}');
    expect(wire(Promise.resolve(1))).toBe('{\'$js\',<<"Promise">>}');
    expect(wire(new (class {})())).toBe('{\'$js\',<<"anonymous">>}');
  });

  it('an object with toJSON is what toJSON returns, as JSON.stringify (class instance or plain); a toJSON that returns itself is a cycle', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return { eur: this.cents / 100 };
      }
    }
    expect(wire([new Money(250), new URL('http://h/p')])).toBe('[#{<<"eur">> => 2.5},<<"http://h/p">>]');
    expect(wire({ value: 'on', matches: () => true, toJSON: () => ({ value: 'on' }) })).toBe('#{<<"value">> => <<"on">>}');
    const self = {
      toJSON() {
        return self;
      },
    };
    expect(notEncodable({ s: self })).toMatchObject({ kind: 'cycle', path: '$.s.toJSON()' });
    expect(
      notEncodable(
        new (class {
          toJSON = () => ({ f: () => 0 });
        })(),
      ),
    ).toMatchObject({ kind: 'function', path: '$.toJSON().f' });
  });

  it('inside tuples, lists, improper lists and maps of the term model too', () => {
    expect(wire(t(atom('ok'), { n: 1 } as never))).toBe('{ok,#{<<"n">> => 1}}');
    expect(wire(new ImproperList([true as never], false as never))).toBe('[true|false]');
    expect(wire(new ErlMap([[atom('k'), new Set([true]) as never]]))).toBe('#{k => [true]}');
  });

  it('copy-on-write: a term comes back as the same object', () => {
    const term = t(atom('a'), [1, 'x', new ErlMap([[atom('k'), [2]]])], new Pid(atom('n@h'), 1, 0, 1));
    expect(toWireTerm(term)).toBe(term);
    const mixed = t(atom('a'), [1, 2], { k: true } as never);
    const out = toWireTerm(mixed) as Tuple;
    expect(out).not.toBe(mixed);
    expect(out.elements[1]).toBe(mixed.elements[1]); // the unchanged list is shared
  });

  it('a pre-encoded part (EncodedTerm) passes as it is: a message queued while its node connects keeps it', () => {
    const pre = new EncodedTerm(encodeNoVersion([new Uint8Array([1]), 2])) as unknown as Term;
    const msg = t(atom('event'), pre);
    expect(toWireTerm(msg)).toBe(msg);
    expect(wire(msg)).toBe('{event,[<<1>>,2]}');
  });

  it('a shared object is fine (sent twice); only a cycle is refused', () => {
    const shared = { v: 1 };
    expect(wire([shared, shared])).toBe('[#{<<"v">> => 1},#{<<"v">> => 1}]');
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(notEncodable(loop)).toMatchObject({ kind: 'cycle', path: '$.self' });
  });

  it('a JSON-able value maps as json:decode(JSON.stringify(V)) would (null, binary keys, ISO dates)', () => {
    const v = { s: 'x', n: 3, f: 2.5, b: false, z: null, l: [1, { d: new Date(0) }] };
    expect(wire(v)).toBe(wire(JSON.parse(JSON.stringify(v))));
  });
});

describe('what has no Erlang form', () => {
  it('functions, symbols, NaN, Infinity, invalid dates: NotEncodableError with kind and path', () => {
    expect(notEncodable({ a: [1, { cb: () => 1 }] })).toMatchObject({ kind: 'function', path: '$.a[1].cb' });
    expect(notEncodable(t(atom('ok'), Symbol('s') as never))).toMatchObject({ kind: 'symbol', path: '$[1]' });
    expect(notEncodable({ 'odd key': Number.NaN })).toMatchObject({ kind: 'nan', path: '$["odd key"]' });
    expect(notEncodable([Number.NEGATIVE_INFINITY])).toMatchObject({ kind: 'infinity', path: '$[0]' });
    expect(notEncodable(new Map([['k', new Date(Number.NaN)]]))).toMatchObject({ kind: 'invalid_date', path: '$.get("k")' });
    expect(notEncodable(new Set([1, function named() {}]))).toMatchObject({ kind: 'function', path: '$.values()[1]' });
  });

  it('the error is an Erlang error: reason {not_encodable, Kind, Path}; it crosses the wire itself', () => {
    const e = notEncodable({ f: () => 0 });
    expect(e).toBeInstanceOf(ErlangError);
    expect(e.message).toMatch(/function .* at \$\.f/);
    expect(fmt(decode(encode(e.reason as Term)))).toBe('{not_encodable,function,<<"$.f">>}');
  });

  it(`nesting deeper than ${MAX_WIRE_DEPTH} is too_deep, not a stack overflow`, () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < MAX_WIRE_DEPTH + 10; i++) deep = { d: deep };
    expect(notEncodable(deep).kind).toBe('too_deep');
  });

  it('the codec: terms take the fast path; a mapped value that the encoder still refuses is invalid_term', () => {
    expect(encodeValue(t(atom('x'), 1))).toEqual(encode(t(atom('x'), 1)));
    expect(() => encodeValue(atom('a'.repeat(300)))).toThrow(NotEncodableError);
    expect(etfCodec.decode(etfCodec.encode({ k: 1 }))).toBeInstanceOf(ErlMap);
  });

  it('exit reasons: mapped, and one with no Erlang form is replaced by {not_encodable, Kind, Path}', () => {
    expect(fmt(wireReason({ why: 'x' }))).toBe('#{<<"why">> => <<"x">>}');
    let heard: NotEncodableError | undefined;
    expect(fmt(wireReason(t(atom('bad'), (() => 0) as never), (e) => (heard = e)))).toBe('{not_encodable,function,<<"$[1]">>}');
    expect(heard?.kind).toBe('function');
  });
});

describe('the router never drops silently', () => {
  const ME = 'ts@localhost';
  const PEER = 'a@localhost';
  const L = new Pid(atom(ME), 40, 0, 7);
  const R = new Pid(atom(PEER), 80, 0, 3);

  function setup(connected = true) {
    const sent: { control: Term; message?: Term }[] = [];
    const conn = {
      peerName: PEER,
      flags: DFLAG.EXIT_PAYLOAD | DFLAG.SEND_SENDER | DFLAG.ALIAS,
      state: 'up',
      send(control: Uint8Array, payload?: Uint8Array) {
        sent.push({ control: decode(control), message: payload ? decode(payload) : undefined });
        return true;
      },
      close() {},
    } as unknown as PeerConnection;
    let up = connected;
    let release: () => void = () => {};
    const net: Connector = {
      connection: () => (up ? conn : undefined),
      connect: () =>
        new Promise((res) => {
          release = () => {
            up = true;
            res(conn);
          };
        }),
    };
    const logger = new MemoryLogger();
    const router = new Router(new Proxy({} as RemoteInboundApi, { get: () => () => {} }), net, etfCodec, {
      nodeName: ME,
      creation: 7,
      logger,
      defaultSender: () => L,
    });
    return { router, sent, logger, connect: () => release() };
  }

  it('a mappable message is mapped and sent', () => {
    const s = setup();
    s.router.send(L, R, { hello: true });
    expect(fmt(s.sent[0].message as Term)).toBe('#{<<"hello">> => true}');
  });

  it('a message with a function: the sender gets NotEncodableError; counted, logged with the reason, nothing sent', () => {
    const s = setup();
    expect(() => s.router.send(L, R, { cb: () => 1 })).toThrow(NotEncodableError);
    expect(() => s.router.send(L, [atom('name'), atom(PEER)], [Symbol('x')])).toThrow(/symbol/);
    expect(() => s.router.aliasSend(L, new Ref(atom(PEER), 3, [1, 2, 3]), () => 0)).toThrow(NotEncodableError);
    expect(s.sent).toEqual([]);
    expect(s.router.counters.encodeErrors).toBe(3);
    const entry = s.logger.entries.find((e) => /not encodable/.test(e.msg));
    expect(entry?.meta).toMatchObject({ node: PEER, kind: 'send', error: expect.stringMatching(/function .* at \$\.cb/) });
  });

  it('while the connection is being made: mapped before it is queued, so the sender still gets the error', async () => {
    const s = setup(false);
    s.router.send(L, R, new Set([1]));
    expect(() => s.router.send(L, R, { f: () => 0 })).toThrow(NotEncodableError);
    expect(s.router.counters.encodeErrors).toBe(1);
    s.connect();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.sent.map((x) => fmt(x.message as Term))).toEqual(['[1]']);
  });

  it('an exit signal is never dropped: its unencodable reason is replaced, counted and logged', () => {
    const s = setup();
    s.router.exit(L, R, { f: () => 0 });
    expect(fmt(s.sent[0].message as Term)).toBe('{not_encodable,function,<<"$.f">>}');
    expect(s.router.counters.encodeErrors).toBe(1);
    expect(s.logger.has(/exit reason not encodable/)).toBe(true);
  });

  it('a reason the encoder refuses even mapped (an atom over 255 characters): the signal still goes, with {not_encodable, invalid_term, ...}', () => {
    const s = setup();
    s.router.exit(L, R, atom('x'.repeat(300)));
    expect(fmt(s.sent[0].message as Term)).toBe('{not_encodable,invalid_term,<<"$">>}');
    expect(s.router.counters.encodeErrors).toBe(1);
  });

  it('an external fun goes as it is', () => {
    const s = setup();
    s.router.send(L, R, new ExportFun(atom('m'), atom('f'), 1));
    expect(fmt(s.sent[0].message as Term)).toBe('fun m:f/1');
  });
});
