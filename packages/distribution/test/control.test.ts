import { describe, expect, it } from 'vitest';
import { ImproperList, Pid, Ref, Tuple, atom, t, type Term } from '@beamline/etf';
import { ControlError, Op, decodeControl, encodeControl, type Control } from '../src/control.ts';

const P = new Pid(atom('a@localhost'), 80, 0, 3);
const T = new Pid(atom('ts@localhost'), 42, 0, 7);
const R = new Ref(atom('a@localhost'), 3, [1, 2, 3]);
const EMPTY = atom('');

const plain = { exitPayload: false, sendSender: false };
const modern = { exitPayload: true, sendSender: true };

describe('decodeControl: what OTP 25 sends (spec §4.2)', () => {
  it('REG_SEND', () => {
    expect(decodeControl(t(Op.REG_SEND, P, EMPTY, atom('foo')), 'hi')).toEqual({
      kind: 'reg_send',
      from: P,
      name: atom('foo'),
      message: 'hi',
    });
  });
  it('SEND and SEND_SENDER', () => {
    expect(decodeControl(t(Op.SEND, EMPTY, T), 1)).toEqual({ kind: 'send', from: undefined, to: T, message: 1 });
    expect(decodeControl(t(Op.SEND_SENDER, P, T), 1)).toEqual({ kind: 'send', from: P, to: T, message: 1 });
  });
  it('the _TT variants fold into their base op', () => {
    expect(decodeControl(t(Op.SEND_TT, EMPTY, T, atom('tok')), 1).kind).toBe('send');
    expect(decodeControl(t(Op.REG_SEND_TT, P, EMPTY, atom('foo'), atom('tok')), 1)).toMatchObject({ kind: 'reg_send' });
    expect(decodeControl(t(Op.EXIT_TT, P, T, atom('tok'), atom('r')))).toEqual({ kind: 'exit', from: P, to: T, reason: atom('r') });
    expect(decodeControl(t(Op.EXIT2_TT, P, T, atom('tok'), atom('r')))).toEqual({ kind: 'exit2', from: P, to: T, reason: atom('r') });
    expect(decodeControl(t(Op.PAYLOAD_EXIT_TT, P, T, atom('tok')), atom('r')).kind).toBe('exit');
    expect(decodeControl(t(Op.PAYLOAD_EXIT2_TT, P, T, atom('tok')), atom('r')).kind).toBe('exit2');
    expect(decodeControl(t(Op.SEND_SENDER_TT, P, T, atom('tok')), 5)).toEqual({ kind: 'send', from: P, to: T, message: 5 });
    expect(decodeControl(t(Op.ALIAS_SEND_TT, P, R, atom('tok')), 5)).toEqual({ kind: 'alias_send', from: P, alias: R, message: 5 });
  });
  it('monitors by pid and by name, and the exits of both forms', () => {
    expect(decodeControl(t(Op.MONITOR_P, P, atom('foo'), R))).toEqual({ kind: 'monitor', from: P, to: atom('foo'), ref: R });
    expect(decodeControl(t(Op.DEMONITOR_P, P, T, R))).toEqual({ kind: 'demonitor', from: P, to: T, ref: R });
    expect(decodeControl(t(Op.MONITOR_P_EXIT, atom('tester'), T, R, atom('normal')))).toEqual({
      kind: 'monitor_exit',
      from: atom('tester'),
      to: T,
      ref: R,
      reason: atom('normal'),
    });
    expect(decodeControl(t(Op.PAYLOAD_MONITOR_P_EXIT, P, T, R), atom('noproc'))).toEqual({
      kind: 'monitor_exit',
      from: P,
      to: T,
      ref: R,
      reason: atom('noproc'),
    });
  });
  it('links, UNLINK_ID with small and big ids', () => {
    expect(decodeControl(t(Op.LINK, P, T))).toEqual({ kind: 'link', from: P, to: T });
    expect(decodeControl(t(Op.UNLINK_ID, 5, P, T))).toEqual({ kind: 'unlink_id', id: 5n, from: P, to: T });
    expect(decodeControl(t(Op.UNLINK_ID_ACK, 2n ** 63n, P, T))).toEqual({ kind: 'unlink_id_ack', id: 2n ** 63n, from: P, to: T });
    expect(decodeControl(t(Op.UNLINK, P, T))).toEqual({ kind: 'unlink', from: P, to: T });
  });
  it('SPAWN_REQUEST for erpc:execute_call/4 with bare atom options', () => {
    const c = decodeControl(t(Op.SPAWN_REQUEST, R, P, P, t(atom('erpc'), atom('execute_call'), 4), [atom('monitor')]), [
      R,
      atom('m'),
      atom('f'),
      [1, 2],
    ]);
    expect(c).toEqual({
      kind: 'spawn_request',
      reqId: R,
      from: P,
      groupLeader: P,
      module: atom('erpc'),
      fun: atom('execute_call'),
      arity: 4,
      opts: [atom('monitor')],
      args: [R, atom('m'), atom('f'), [1, 2]],
    });
  });
  it('SPAWN_REPLY with a pid or an error atom', () => {
    expect(decodeControl(t(Op.SPAWN_REPLY, R, P, 3, T))).toEqual({ kind: 'spawn_reply', reqId: R, to: P, flags: 3, result: T });
    expect(decodeControl(t(Op.SPAWN_REPLY_TT, R, P, 0, atom('badarg'), atom('tok')))).toMatchObject({ result: atom('badarg') });
  });
  it('GROUP_LEADER and NODE_LINK are understood', () => {
    expect(decodeControl(t(Op.GROUP_LEADER, P, T)).kind).toBe('group_leader');
    expect(decodeControl(t(Op.NODE_LINK)).kind).toBe('node_link');
  });
});

describe('decodeControl rejects what it cannot use (the connection is closed)', () => {
  const bad: [string, Term, Term?][] = [
    ['unknown op', t(99, P, T)],
    ['op 37 (OTP 28 ALTACT_SIG, not negotiated)', t(37, P, T)],
    ['not a tuple', [Op.LINK, P, T]],
    ['empty tuple', new Tuple([])],
    ['wrong arity', t(Op.LINK, P)],
    ['pid where an atom is needed', t(Op.REG_SEND, P, EMPTY, P), 1],
    ['missing message', t(Op.SEND, EMPTY, T)],
    ['unexpected message', t(Op.LINK, P, T), 1],
    ['negative unlink id', t(Op.UNLINK_ID, -1, P, T)],
    ['bad mfa', t(Op.SPAWN_REQUEST, R, P, P, t(atom('m'), atom('f')), []), []],
    ['improper arg list', t(Op.SPAWN_REQUEST, R, P, P, t(atom('m'), atom('f'), 1), []), new ImproperList([1], 2)],
  ];
  for (const [name, ctl, msg] of bad) {
    it(name, () => expect(() => decodeControl(ctl, msg)).toThrow(ControlError));
  }
});

describe('encodeControl picks the forms the connection negotiated (spec §4.1)', () => {
  it("SEND: op 22 with SEND_SENDER, else {2, '', To}", () => {
    const c: Control = { kind: 'send', from: T, to: P, message: 1 };
    expect(encodeControl(c, modern)).toEqual({ control: t(Op.SEND_SENDER, T, P), message: 1 });
    expect(encodeControl(c, plain)).toEqual({ control: t(Op.SEND, EMPTY, P), message: 1 });
  });
  it('exits and monitor exits: payload forms only with EXIT_PAYLOAD', () => {
    const r = t(atom('boom'));
    expect(encodeControl({ kind: 'exit', from: T, to: P, reason: r }, modern)).toEqual({ control: t(Op.PAYLOAD_EXIT, T, P), message: r });
    expect(encodeControl({ kind: 'exit', from: T, to: P, reason: r }, plain)).toEqual({ control: t(Op.EXIT, T, P, r) });
    expect(encodeControl({ kind: 'exit2', from: T, to: P, reason: r }, modern)).toEqual({ control: t(Op.PAYLOAD_EXIT2, T, P), message: r });
    expect(encodeControl({ kind: 'exit2', from: T, to: P, reason: r }, plain)).toEqual({ control: t(Op.EXIT2, T, P, r) });
    const me: Control = { kind: 'monitor_exit', from: atom('foo'), to: P, ref: R, reason: atom('noproc') };
    expect(encodeControl(me, modern)).toEqual({ control: t(Op.PAYLOAD_MONITOR_P_EXIT, atom('foo'), P, R), message: atom('noproc') });
    expect(encodeControl(me, plain)).toEqual({ control: t(Op.MONITOR_P_EXIT, atom('foo'), P, R, atom('noproc')) });
  });
  it('round-trips every sendable kind in both forms', () => {
    const all: Control[] = [
      { kind: 'link', from: T, to: P },
      { kind: 'send', from: T, to: P, message: [1, 2] },
      { kind: 'reg_send', from: T, name: atom('rex'), message: atom('x') },
      { kind: 'exit', from: T, to: P, reason: atom('kill') },
      { kind: 'exit2', from: T, to: P, reason: atom('kill') },
      { kind: 'group_leader', from: T, to: P },
      { kind: 'monitor', from: T, to: atom('net_kernel'), ref: R },
      { kind: 'demonitor', from: T, to: P, ref: R },
      { kind: 'monitor_exit', from: T, to: P, ref: R, reason: atom('normal') },
      {
        kind: 'spawn_request',
        reqId: R,
        from: T,
        groupLeader: T,
        module: atom('erpc'),
        fun: atom('execute_call'),
        arity: 4,
        opts: [atom('monitor')],
        args: [R, atom('m'), atom('f'), []],
      },
      { kind: 'spawn_reply', reqId: R, to: P, flags: 2, result: T },
      { kind: 'alias_send', from: T, alias: R, message: t(R, atom('yes')) },
      { kind: 'unlink_id', id: 42n, from: T, to: P },
      { kind: 'unlink_id_ack', id: 2n ** 64n - 1n, from: P, to: T },
    ];
    for (const forms of [plain, modern]) {
      for (const c of all) {
        const { control, message } = encodeControl(c, forms);
        const back = decodeControl(control, message);
        if (c.kind === 'send' && !forms.sendSender) expect(back).toEqual({ ...c, from: undefined });
        else expect(back).toEqual(c);
      }
    }
  });
  it('never sends the old UNLINK', () => {
    expect(() => encodeControl({ kind: 'unlink', from: T, to: P }, modern)).toThrow(ControlError);
  });
  it('UNLINK_ID: a small id is an integer on the wire, a 64-bit one a bigint', () => {
    expect(encodeControl({ kind: 'unlink_id', id: 5n, from: T, to: P }, plain).control.elements[1]).toBe(5);
    expect(encodeControl({ kind: 'unlink_id', id: 2n ** 60n, from: T, to: P }, plain).control.elements[1]).toBe(2n ** 60n);
  });
});
