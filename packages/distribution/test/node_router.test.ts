/**
 * The router against a fake wire and a recording runtime: what goes out for each runtime signal,
 * what reaches the runtime for each control message (spec §4.3-§4.5).
 */
import { describe, expect, it } from 'vitest';
import { ImproperList, Pid, Ref, atom, encode, t, type Term } from '@beamline/etf';
import { Router, wireReason, type Codec, type Connector, type RemoteInboundApi } from '../src/router.ts';
import { Op } from '../src/control.ts';
import { DFLAG } from '../src/flags.ts';
import { MemoryLogger } from '../src/log.ts';
import { frameHandler } from '../src/node_frame.ts';
import type { PeerConnection } from '../src/transport.ts';

const ME = 'ts@localhost';
const PEER = 'a@localhost';
const L = new Pid(atom(ME), 40, 0, 7);
const R = new Pid(atom(PEER), 80, 0, 3);
const REF = new Ref(atom(PEER), 3, [9, 8, 7]);
/** `{SEND_SENDER, R, L}`: a message from R to L. */
const CONTROL = encode(t(Op.SEND_SENDER, R, L));

/** A 131 term: `depth` one-element lists around the bytes `bottom` (then their NIL tails). */
function deepList(depth: number, bottom: number[]): Uint8Array {
  const out = new Uint8Array(1 + 5 * depth + bottom.length + depth);
  out[0] = 131;
  for (let i = 0; i < depth; i++) out.set([108, 0, 0, 0, 1], 1 + 5 * i);
  out.set(bottom, 1 + 5 * depth);
  out.fill(106, 1 + 5 * depth + bottom.length);
  return out;
}

/** Terms travel as handles: the codec is not what is tested here. */
function fakeCodec(): Codec {
  const table: Term[] = [];
  return {
    encode(term) {
      table.push(term as Term);
      return Uint8Array.of(table.length - 1);
    },
    decode(bytes) {
      if (bytes[0] === 255) throw new Error('garbage');
      return table[bytes[0]];
    },
  };
}

class FakeConn {
  state: 'up' | 'down' = 'up';
  sent: { control: Term; message?: Term }[] = [];
  closed: string | undefined;
  constructor(
    readonly peerName: string,
    readonly flags: bigint,
    private readonly codec: Codec,
  ) {}
  send(control: Uint8Array, payload?: Uint8Array): boolean {
    this.sent.push({ control: this.codec.decode(control), message: payload ? this.codec.decode(payload) : undefined });
    return true;
  }
  close(detail?: string): void {
    this.closed = detail ?? 'closed';
    this.state = 'down';
  }
}

const ALL = DFLAG.EXIT_PAYLOAD | DFLAG.SEND_SENDER | DFLAG.ALIAS;

function setup(flags = ALL) {
  const codec = fakeCodec();
  const calls: [string, ...unknown[]][] = [];
  const inbound = new Proxy({} as RemoteInboundApi, {
    get:
      (_t, name: string) =>
      (...args: unknown[]) =>
        void calls.push([name, ...args]),
  });
  const conns = new Map<string, FakeConn>();
  let failNext: string | undefined;
  let resolveConnect: (() => void) | undefined;
  const net: Connector = {
    connection: (n) => conns.get(n) as unknown as PeerConnection | undefined,
    connect: (n) =>
      new Promise((res, rej) => {
        resolveConnect = () => {
          if (failNext === n) return rej(new Error('refused'));
          const c = new FakeConn(n, flags, codec);
          conns.set(n, c);
          res(c as unknown as PeerConnection);
        };
      }),
  };
  const logger = new MemoryLogger();
  const router = new Router(inbound, net, codec, { nodeName: ME, creation: 7, logger, defaultSender: () => L });
  const conn = new FakeConn(PEER, flags, codec);
  conns.set(PEER, conn);
  const inject = (control: Term, message?: Term) =>
    router.handleFrame(conn as unknown as PeerConnection, codec.encode(control), message === undefined ? undefined : codec.encode(message));
  return {
    router,
    conn,
    calls,
    inject,
    logger,
    conns,
    codec,
    failConnect: (n: string) => (failNext = n),
    completeConnect: () => resolveConnect?.(),
  };
}

describe('inbound control messages reach the runtime', () => {
  it('SEND, REG_SEND, EXIT2, MONITOR_P, DEMONITOR_P, MONITOR_P_EXIT', () => {
    const s = setup();
    s.inject(t(Op.SEND_SENDER, R, L), 'hi');
    s.inject(t(Op.REG_SEND, R, atom(''), atom('foo')), 'yo');
    s.inject(t(Op.PAYLOAD_EXIT2, R, L), atom('kill'));
    s.inject(t(Op.MONITOR_P, R, atom('foo'), REF));
    s.inject(t(Op.DEMONITOR_P, R, L, REF));
    s.inject(t(Op.PAYLOAD_MONITOR_P_EXIT, R, L, REF), atom('normal'));
    expect(s.calls).toEqual([
      ['send', L, 'hi'],
      ['send', atom('foo'), 'yo'],
      ['exit2', R, L, atom('kill')],
      ['monitor', R, atom('foo'), REF],
      ['demonitor', R, L, REF],
      ['down', L, REF, atom('normal')],
    ]);
  });

  it('a message interceptor sees SEND and REG_SEND with the peer first; what it takes the runtime never sees', () => {
    const s = setup();
    const seen: [string, string, unknown][] = [];
    s.router.interceptMessage = (peer, m) => {
      seen.push([peer, m.kind, m.message]);
      return m.kind === 'reg_send' ? m.name !== atom('net_kernel') : m.message === 'mine';
    };
    s.inject(t(Op.REG_SEND, R, atom(''), atom('any_name')), 'taken');
    s.inject(t(Op.REG_SEND, R, atom(''), atom('net_kernel')), 'left');
    s.inject(t(Op.SEND_SENDER, R, L), 'mine');
    s.inject(t(Op.SEND_SENDER, R, L), 'yours');
    expect(seen).toEqual([
      [PEER, 'reg_send', 'taken'],
      [PEER, 'reg_send', 'left'],
      [PEER, 'send', 'mine'],
      [PEER, 'send', 'yours'],
    ]);
    expect(s.calls).toEqual([
      ['send', atom('net_kernel'), 'left'],
      ['send', L, 'yours'],
    ]);
    // a throwing interceptor loses nothing: logged, delivered as usual
    s.router.interceptMessage = () => {
      throw new Error('bug');
    };
    s.inject(t(Op.REG_SEND, R, atom(''), atom('x')), 'still');
    expect(s.calls.at(-1)).toEqual(['send', atom('x'), 'still']);
    expect(s.logger.has(/interceptor threw/)).toBe(true);
  });

  it('an exit interceptor sees each EXIT2 before it is applied; what it takes is not applied', () => {
    const s = setup();
    const seen: [string, unknown, unknown][] = [];
    s.router.interceptExit = (peer, x) => {
      seen.push([peer, x.from, x.reason]);
      return x.reason === atom('kill');
    };
    s.inject(t(Op.PAYLOAD_EXIT2, R, L), atom('kill'));
    s.inject(t(Op.EXIT2, R, L, atom('bye')));
    expect(seen).toEqual([
      [PEER, R, atom('kill')],
      [PEER, R, atom('bye')],
    ]);
    expect(s.calls).toEqual([['exit2', R, L, atom('bye')]]);
    // SEND / REG_SEND do not reach it, and a throwing one loses nothing: logged, applied as usual
    s.inject(t(Op.REG_SEND, R, atom(''), atom('x')), 'm');
    expect(seen).toHaveLength(2);
    s.router.interceptExit = () => {
      throw new Error('bug');
    };
    s.inject(t(Op.PAYLOAD_EXIT2, R, L), atom('kill'));
    expect(s.calls.at(-1)).toEqual(['exit2', R, L, atom('kill')]);
    expect(s.logger.has(/exit interceptor threw/)).toBe(true);
  });

  it('LINK, then UNLINK_ID: the ack goes out first, the runtime forgets the link', () => {
    const s = setup();
    s.inject(t(Op.LINK, R, L));
    s.inject(t(Op.LINK, R, L)); // duplicate: ignored
    s.inject(t(Op.UNLINK_ID, 5, R, L));
    expect(s.calls).toEqual([
      ['link', R, L],
      ['unlink', R, L],
    ]);
    expect(s.conn.sent).toEqual([{ control: t(Op.UNLINK_ID_ACK, 5, L, R), message: undefined }]);
  });

  it('an EXIT for a link we are unlinking is dropped; the ack then clears the entry', () => {
    const s = setup();
    s.router.link(L, R);
    s.router.unlink(L, R);
    const unlinkId = (s.conn.sent[1].control as { elements: Term[] }).elements[1];
    s.inject(t(Op.LINK, R, L)); // ignored while our unlink is pending
    s.inject(t(Op.PAYLOAD_EXIT, R, L), atom('boom')); // dropped
    expect(s.calls).toEqual([]);
    s.inject(t(Op.UNLINK_ID_ACK, unlinkId, R, L));
    expect(s.router.stats().links).toBe(0);
    s.inject(t(Op.LINK, R, L));
    s.inject(t(Op.EXIT, R, L, atom('boom')));
    expect(s.calls).toEqual([
      ['link', R, L],
      ['exit', R, L, atom('boom')],
    ]);
  });

  it('SPAWN_REQUEST without a handler is refused with notsup', () => {
    const s = setup();
    s.inject(t(Op.SPAWN_REQUEST, REF, R, R, t(atom('erpc'), atom('execute_call'), 4), [atom('monitor')]), [REF, atom('m'), atom('f'), []]);
    expect(s.conn.sent).toEqual([{ control: t(Op.SPAWN_REPLY, REF, R, 0, atom('notsup')), message: undefined }]);
  });

  it('an undecodable or unknown control message closes that connection and nothing else', () => {
    const s = setup();
    s.router.handleFrame(s.conn as unknown as PeerConnection, Uint8Array.of(255), undefined);
    expect(s.conn.closed).toMatch(/^protocol_error: undecodable control message: garbage/);
    expect(s.logger.has(/^closing connection: undecodable control message: garbage/)).toBe(true);
    const s2 = setup();
    s2.inject(t(99, R, L));
    expect(s2.conn.closed).toMatch(/^protocol_error: malformed control message: unknown op 99: \{99,/);
    expect(s2.calls).toEqual([]);
    expect(s2.logger.entries.at(-1)).toMatchObject({ level: 'warn', meta: { peer: PEER, part: 'control message', problem: 'malformed' } });
    // the payload's codec failing is the payload's fault, not the control message's
    const s3 = setup();
    const control = s3.codec.encode(t(Op.SEND_SENDER, R, L));
    s3.router.handleFrame(s3.conn as unknown as PeerConnection, control, Uint8Array.of(255));
    expect(s3.conn.closed).toMatch(/^protocol_error: undecodable payload: garbage/);
    expect(s3.logger.entries.at(-1)).toMatchObject({ meta: { part: 'payload', problem: 'undecodable' } });
    expect(s3.calls).toEqual([]);
    expect(s3.router.counters.protocolErrors).toBe(1);
  });

  it('the one-pass onFrame path dispatches and counts through the same router code', () => {
    const s = setup();
    const onFrame = frameHandler(s.router);
    const conn = s.conn as unknown as PeerConnection;
    const body = (...parts: Uint8Array[]) => Uint8Array.from([112, ...parts.flatMap((p) => [...p])]);
    onFrame(conn, body(encode(t(Op.SEND_SENDER, R, L)), encode(atom('hi'))), 1, true);
    expect(s.calls).toEqual([['send', L, atom('hi')]]);
    expect(s.router.counters).toMatchObject({ in: 1, protocolErrors: 0 });
    expect(s.conn.closed).toBeUndefined();
    onFrame(conn, body(encode(t(Op.SEND_SENDER, R, L)), encode(atom('hi')), Uint8Array.of(106)), 1, true);
    expect(s.conn.closed).toBe('protocol_error: malformed payload: 1 trailing bytes after it');
    expect(s.router.counters).toMatchObject({ in: 1, protocolErrors: 1 });
    expect(s.logger.has(/^closing connection: malformed payload: 1 trailing bytes/)).toBe(true);
  });

  it('a payload nested a million levels deep is a message like any other', () => {
    const s = setup();
    const onFrame = frameHandler(s.router);
    const conn = s.conn as unknown as PeerConnection;
    let deep: Term = [];
    for (let i = 0; i < 1_000_000; i++) deep = t(i, deep);
    const payload = encode(deep);
    const frame = new Uint8Array(1 + CONTROL.length + payload.length);
    frame[0] = 112;
    frame.set(CONTROL, 1);
    frame.set(payload, 1 + CONTROL.length);
    onFrame(conn, frame, 1, true);
    expect(s.conn.closed).toBeUndefined();
    expect(s.router.counters).toMatchObject({ in: 1, protocolErrors: 0 });
    const [[kind, to, got]] = s.calls as [[string, Pid, Term]];
    expect([kind, to]).toEqual(['send', L]);
    expect(Buffer.from(encode(got)).equals(Buffer.from(payload))).toBe(true);
  });

  for (const [what, control, payload, expected] of [
    [
      'a bad tag deep in the payload',
      CONTROL,
      deepList(50_000, [200]),
      /^undecodable payload: unknown tag 200 \(bad_tag at byte 250000 of the payload\)$/,
    ],
    [
      'a truncated payload',
      CONTROL,
      encode(t(atom('ok'), 'text')).subarray(0, 9),
      /^undecodable payload: need \d+ more bytes, have \d+ \(truncated at byte 7 of the payload\)$/,
    ],
    ['a payload without its 131', CONTROL, encode(atom('hi')).subarray(1), /^malformed payload: it lacks the 131 version byte$/],
    [
      'a bad tag in the control message',
      Uint8Array.of(131, 104, 3, 97, 22, 200),
      encode(atom('hi')),
      /^undecodable control message: unknown tag 200 \(bad_tag at byte 4 of the control message\)$/,
    ],
    [
      'a control message that is not a control tuple',
      encode(t(atom('hello'))),
      encode(atom('hi')),
      /^malformed control message: not a tuple|unknown op hello/,
    ],
  ] as const) {
    it(`${what}: the log line says what was wrong and in which part; only that connection closes`, () => {
      const s = setup();
      const onFrame = frameHandler(s.router);
      const frame = new Uint8Array(1 + control.length + payload.length);
      frame[0] = 112;
      frame.set(control, 1);
      frame.set(payload, 1 + control.length);
      onFrame(s.conn as unknown as PeerConnection, frame, 1, true);
      const entry = s.logger.entries.at(-1)!;
      expect(entry.level).toBe('warn');
      expect(entry.msg.replace(/^closing connection: /, ''), entry.msg).toMatch(expected);
      expect(entry.meta).toMatchObject({ peer: PEER, part: what.includes('control') ? 'control message' : 'payload' });
      expect(s.conn.closed).toBe(`protocol_error: ${entry.msg.replace(/^closing connection: /, '')}`);
      expect(s.calls).toEqual([]);
      expect(s.router.counters).toMatchObject({ in: 0, protocolErrors: 1 });
    });
  }
});

describe('outbound signals', () => {
  it('payload and sender forms follow the negotiated flags', () => {
    for (const [flags, expected] of [
      [ALL, [t(Op.SEND_SENDER, L, R), t(Op.PAYLOAD_EXIT2, L, R), t(Op.PAYLOAD_MONITOR_P_EXIT, atom('foo'), R, REF)]],
      [0n, [t(Op.SEND, atom(''), R), t(Op.EXIT2, L, R, atom('bye')), t(Op.MONITOR_P_EXIT, atom('foo'), R, REF, atom('normal'))]],
    ] as const) {
      const s = setup(flags);
      s.router.send(L, R, 'm');
      s.router.exit(L, R, atom('bye'));
      s.router.monitorExit([atom('foo'), atom(ME)], R, REF, atom('normal'));
      expect(s.conn.sent.map((x) => x.control)).toEqual(expected);
    }
  });

  it('REG_SEND for {Name, Node}; from outside a process the default sender is used', () => {
    const s = setup();
    s.router.send(undefined, [atom('rex'), atom(PEER)], 'x');
    expect(s.conn.sent).toEqual([{ control: t(Op.REG_SEND, L, atom(''), atom('rex')), message: 'x' }]);
  });

  it('a message to a pid is a plain send whatever its shape (a gen-reply-like tuple is not rewritten)', () => {
    const tag = new ImproperList([atom('alias')], REF);
    const s = setup();
    s.router.send(L, R, t(tag, atom('yes')));
    expect(s.conn.sent[0].control).toEqual(t(Op.SEND_SENDER, L, R));
  });

  it('an inbound ALIAS_SEND goes to the runtime aliases; a send to a remote alias is ALIAS_SEND', () => {
    const s = setup();
    const myRef = new Ref(atom(ME), 7, [1, 2, 3]);
    const tag = new ImproperList([atom('alias')], myRef);
    s.inject(t(Op.ALIAS_SEND, R, myRef), t(tag, 42));
    expect(s.calls).toEqual([['aliasSend', R, myRef, t(tag, 42)]]);
    s.router.aliasSend(L, REF, 'hi');
    expect(s.conn.sent.map((x) => x.control)).toEqual([t(Op.ALIAS_SEND, L, REF)]);
    expect(s.router.canAlias(atom(PEER))).toBe(true);
    const s2 = setup(DFLAG.SEND_SENDER);
    s2.router.aliasSend(L, REF, 'hi'); // no ALIAS on that connection: the owner is unknown, dropped
    expect(s2.conn.sent).toEqual([]);
    expect(s2.router.counters.dropped).toBe(1);
    expect(s2.router.canAlias(atom(PEER))).toBe(false);
  });

  it('linkExit sends EXIT once; a LINK to a dead local pid is answered with noproc', () => {
    const s = setup();
    s.router.link(L, R);
    s.router.linkExit(L, R, atom('boom'));
    s.router.linkExit(L, R, new Error('x'));
    expect(s.conn.sent.map((x) => x.control)).toEqual([t(Op.LINK, L, R), t(Op.PAYLOAD_EXIT, L, R), t(Op.PAYLOAD_EXIT, L, R)]);
    expect(s.conn.sent[2].message).toEqual(t(atom('js_error'), 'Error: x'));
  });

  it('signals to an unconnected node queue in order until the connection is up', async () => {
    const s = setup();
    const B = new Pid(atom('b@localhost'), 1, 0, 1);
    s.router.link(L, B);
    s.router.send(L, B, 1);
    s.router.send(L, B, 2);
    expect(s.conns.has('b@localhost')).toBe(false);
    s.completeConnect();
    await new Promise((r) => setImmediate(r));
    const c = s.conns.get('b@localhost')!;
    expect(c.sent.map((x) => x.message ?? x.control)).toEqual([t(Op.LINK, L, B), 1, 2]);
  });

  it('a failed auto-connect is a node down for that node', async () => {
    const s = setup();
    const B = new Pid(atom('b@localhost'), 1, 0, 1);
    s.failConnect('b@localhost');
    s.router.link(L, B);
    s.completeConnect();
    await new Promise((r) => setImmediate(r));
    expect(s.calls).toEqual([['nodeDown', 'b@localhost']]);
    expect(s.router.stats()).toEqual({ links: 0, pendingNodes: 0 });
  });

  it('demonitor / monitor exits / link exits to a node we are not connected to are not dialled', () => {
    const s = setup();
    const B = new Pid(atom('b@localhost'), 1, 0, 1);
    s.router.demonitor(L, B, REF);
    s.router.monitorExit(L, B, REF, atom('normal'));
    s.router.linkExit(L, B, atom('normal'));
    expect(s.router.stats().pendingNodes).toBe(0);
    expect(s.router.counters.dropped).toBe(3);
  });
});

describe('helpers', () => {
  it('wireReason', () => {
    expect(wireReason(undefined)).toBe(atom('normal'));
    expect(wireReason(new TypeError('t'))).toEqual(t(atom('js_error'), 'TypeError: t'));
    const exitErr = Object.assign(new Error('e'), { name: 'ExitError', reason: atom('shutdown') });
    expect(wireReason(exitErr)).toBe(atom('shutdown'));
  });
});

describe('what cannot cross the wire', () => {
  it('a message the codec refuses is not sent: the sender gets the error; counted and logged; the connection stays', () => {
    const codec = fakeCodec();
    const throwing: Codec = {
      encode: (term) => {
        if (typeof term === 'object' && term !== null && !(term instanceof Pid) && (term as { js?: boolean }).js) throw new TypeError('not a term');
        return codec.encode(term);
      },
      decode: codec.decode,
    };
    const s = setup();
    const router = new Router(
      new Proxy({} as RemoteInboundApi, { get: () => () => {} }),
      { connection: () => s.conn as unknown as PeerConnection, connect: () => Promise.reject(new Error('x')) },
      throwing,
      {
        nodeName: ME,
        creation: 7,
        logger: s.logger,
      },
    );
    expect(() => router.send(L, R, { js: true })).toThrow(/not a term/);
    expect(router.counters.encodeErrors).toBe(1);
    expect(s.logger.has(/not encodable/)).toBe(true);
    expect(s.conn.closed).toBeUndefined();
  });
});

describe('bounded queues', () => {
  it('signals held while connecting are bounded; the overflow is counted and logged', async () => {
    const s = setup();
    const router = new Router(
      new Proxy({} as RemoteInboundApi, { get: () => () => {} }),
      { connection: () => undefined, connect: () => new Promise(() => {}) },
      fakeCodec(),
      { nodeName: ME, creation: 7, logger: s.logger, maxPending: 3 },
    );
    const B = new Pid(atom('b@localhost'), 1, 0, 1);
    for (let i = 0; i < 5; i++) router.send(L, B, i);
    expect(router.counters.pendingOverflow).toBe(2);
    expect(s.logger.has(/queue full/)).toBe(true);
  });
});
