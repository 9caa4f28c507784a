/**
 * Distribution control messages (spec §4.1): the tuple that opens every frame after the
 * handshake, plus the optional term that follows it (the message of a send, the reason of a
 * PAYLOAD_* exit, the argument list of a SPAWN_REQUEST).
 *
 * `decodeControl` turns the (control tuple, trailing term) pair into one `Control` value; every
 * `*_TT` variant is folded into its base op (trace tokens are dropped), and the PAYLOAD and SENDER
 * forms into the classic ones. `encodeControl` goes the other way and picks the PAYLOAD / SENDER
 * forms only when the connection negotiated them (spec §4.1 "Sending rules").
 *
 * Pure: no I/O, no runtime. Frames and ETF bytes are the transport's business.
 */
import { Atom, DecodeError, Pid, Ref, Tuple, atom, format, type Term } from '@beamline/etf';

/** Op numbers (first element of the control tuple). */
export const Op = {
  LINK: 1,
  SEND: 2,
  EXIT: 3,
  UNLINK: 4,
  NODE_LINK: 5,
  REG_SEND: 6,
  GROUP_LEADER: 7,
  EXIT2: 8,
  SEND_TT: 12,
  EXIT_TT: 13,
  REG_SEND_TT: 16,
  EXIT2_TT: 18,
  MONITOR_P: 19,
  DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21,
  SEND_SENDER: 22,
  SEND_SENDER_TT: 23,
  PAYLOAD_EXIT: 24,
  PAYLOAD_EXIT_TT: 25,
  PAYLOAD_EXIT2: 26,
  PAYLOAD_EXIT2_TT: 27,
  PAYLOAD_MONITOR_P_EXIT: 28,
  SPAWN_REQUEST: 29,
  SPAWN_REQUEST_TT: 30,
  SPAWN_REPLY: 31,
  SPAWN_REPLY_TT: 32,
  ALIAS_SEND: 33,
  ALIAS_SEND_TT: 34,
  UNLINK_ID: 35,
  UNLINK_ID_ACK: 36,
} as const;

/** A process as a monitor target or a monitor-exit origin: a pid or a registered name. */
export type Proc = Pid | Atom;

/** SPAWN_REPLY flag bits. */
export const SPAWN_FLAG_LINK = 1;
export const SPAWN_FLAG_MONITOR = 2;

export type Control =
  | { kind: 'link'; from: Pid; to: Pid }
  /** SEND / SEND_TT / SEND_SENDER / SEND_SENDER_TT; `from` is present for the SENDER forms. */
  | { kind: 'send'; from: Pid | undefined; to: Pid; message: Term }
  | { kind: 'reg_send'; from: Pid; name: Atom; message: Term }
  /** A link broke: EXIT / EXIT_TT / PAYLOAD_EXIT / PAYLOAD_EXIT_TT. */
  | { kind: 'exit'; from: Pid; to: Pid; reason: Term }
  /** `exit/2`: EXIT2 / EXIT2_TT / PAYLOAD_EXIT2 / PAYLOAD_EXIT2_TT. */
  | { kind: 'exit2'; from: Pid; to: Pid; reason: Term }
  /** The old UNLINK (op 4): accepted, never sent. */
  | { kind: 'unlink'; from: Pid; to: Pid }
  | { kind: 'group_leader'; from: Pid; to: Pid }
  | { kind: 'node_link' }
  | { kind: 'monitor'; from: Pid; to: Proc; ref: Ref }
  | { kind: 'demonitor'; from: Pid; to: Proc; ref: Ref }
  /** MONITOR_P_EXIT / PAYLOAD_MONITOR_P_EXIT: `from` echoes the monitored pid or name. */
  | { kind: 'monitor_exit'; from: Proc; to: Pid; ref: Ref; reason: Term }
  | {
      kind: 'spawn_request';
      reqId: Ref;
      from: Pid;
      groupLeader: Pid;
      module: Atom;
      fun: Atom;
      arity: number;
      opts: Term[];
      args: Term[];
    }
  | { kind: 'spawn_reply'; reqId: Ref; to: Pid; flags: number; result: Pid | Atom }
  | { kind: 'alias_send'; from: Pid; alias: Ref; message: Term }
  | { kind: 'unlink_id'; id: bigint; from: Pid; to: Pid }
  | { kind: 'unlink_id_ack'; id: bigint; from: Pid; to: Pid };

export type ControlKind = Control['kind'];

/** Thrown for a control frame that does not match the table: the connection must be closed. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
}

/** The two terms of a frame. */
export type FramePart = 'control message' | 'payload';

/**
 * An inbound frame that must close its connection, saying which part of it was bad and how:
 * `undecodable` (not valid ETF), or `malformed` (valid ETF, but not what the protocol allows).
 * The message reads e.g. `undecodable payload: unknown tag 200 (bad_tag at byte 37 of the payload)`.
 */
export class BadFrameError extends Error {
  override readonly name = 'BadFrameError';
  constructor(
    readonly part: FramePart,
    readonly problem: 'undecodable' | 'malformed',
    readonly detail: string,
  ) {
    super(`${problem} ${part}: ${detail}`);
  }
}

/**
 * Decode one part of a frame with `decode`, which starts at byte `start` of the frame: a failure
 * becomes a BadFrameError naming the part, and a DecodeError's offset counts from the part's start.
 */
export function decodePart<T>(part: FramePart, start: number, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof DecodeError) throw new BadFrameError(part, 'undecodable', `${e.detail} (${e.code} at byte ${e.offset - start} of the ${part})`);
    throw new BadFrameError(part, 'undecodable', e instanceof Error ? e.message : String(e));
  }
}

/** The negotiated capabilities that change which form `encodeControl` emits. */
export interface SendForms {
  /** DFLAG_EXIT_PAYLOAD negotiated: use ops 24, 26, 28. */
  exitPayload: boolean;
  /** DFLAG_SEND_SENDER negotiated: use op 22 instead of 2. */
  sendSender: boolean;
}

const EMPTY = atom('');

// ---------------------------------------------------------------------------------------------
// decode

function fail(what: string, ctl: Term): never {
  throw new ControlError(`malformed control message (${what}): ${describe(ctl)}`);
}

/** For the log: Erlang syntax, abbreviated, whatever the size and nesting of the term. */
function describe(term: Term): string {
  return format(term, { depth: 8, maxLength: 300 });
}

function pid(t: Term, ctl: Term): Pid {
  if (t instanceof Pid) return t;
  return fail('pid expected', ctl);
}
function ref(t: Term, ctl: Term): Ref {
  if (t instanceof Ref) return t;
  return fail('reference expected', ctl);
}
function atomOf(t: Term, ctl: Term): Atom {
  if (t instanceof Atom) return t;
  return fail('atom expected', ctl);
}
function proc(t: Term, ctl: Term): Proc {
  if (t instanceof Pid || t instanceof Atom) return t;
  return fail('pid or name expected', ctl);
}
function unlinkId(t: Term, ctl: Term): bigint {
  if (typeof t === 'number' && Number.isInteger(t) && t >= 0) return BigInt(t);
  if (typeof t === 'bigint' && t >= 0n) return t;
  return fail('unlink id expected', ctl);
}
function list(t: Term, ctl: Term): Term[] {
  if (Array.isArray(t)) return t;
  // STRING_EXT may come through as a JS string in some codecs: a list of code points.
  if (typeof t === 'string') return Array.from(t, (c) => c.codePointAt(0) as number);
  return fail('list expected', ctl);
}
function payload(p: Term | undefined, ctl: Term): Term {
  if (p === undefined) return fail('missing trailing term', ctl);
  return p;
}
function noPayload(p: Term | undefined, ctl: Term): void {
  if (p !== undefined) fail('unexpected trailing term', ctl);
}
function arity(t: Tuple, n: number, ctl: Term): void {
  if (t.elements.length !== n) fail(`expected ${n} elements`, ctl);
}

/**
 * Decode one control message. `message` is the term after the control tuple, when the frame had
 * one. Throws `ControlError` for an unknown op or a malformed tuple.
 */
export function decodeControl(ctl: Term, message?: Term): Control {
  if (!(ctl instanceof Tuple) || ctl.elements.length === 0) return fail('not a tuple', ctl);
  const e = ctl.elements;
  const op = e[0];
  switch (op) {
    case Op.LINK:
      arity(ctl, 3, ctl);
      noPayload(message, ctl);
      return { kind: 'link', from: pid(e[1], ctl), to: pid(e[2], ctl) };
    case Op.SEND:
    case Op.SEND_TT:
      arity(ctl, op === Op.SEND ? 3 : 4, ctl);
      return { kind: 'send', from: undefined, to: pid(e[2], ctl), message: payload(message, ctl) };
    case Op.SEND_SENDER:
    case Op.SEND_SENDER_TT:
      arity(ctl, op === Op.SEND_SENDER ? 3 : 4, ctl);
      return { kind: 'send', from: pid(e[1], ctl), to: pid(e[2], ctl), message: payload(message, ctl) };
    case Op.REG_SEND:
    case Op.REG_SEND_TT:
      arity(ctl, op === Op.REG_SEND ? 4 : 5, ctl);
      return { kind: 'reg_send', from: pid(e[1], ctl), name: atomOf(e[3], ctl), message: payload(message, ctl) };
    case Op.EXIT:
    case Op.EXIT_TT:
    case Op.EXIT2:
    case Op.EXIT2_TT: {
      const n = op === Op.EXIT || op === Op.EXIT2 ? 4 : 5;
      arity(ctl, n, ctl);
      noPayload(message, ctl);
      const kind = op === Op.EXIT || op === Op.EXIT_TT ? 'exit' : 'exit2';
      return { kind, from: pid(e[1], ctl), to: pid(e[2], ctl), reason: e[n - 1] };
    }
    case Op.PAYLOAD_EXIT:
    case Op.PAYLOAD_EXIT_TT:
    case Op.PAYLOAD_EXIT2:
    case Op.PAYLOAD_EXIT2_TT: {
      arity(ctl, op === Op.PAYLOAD_EXIT || op === Op.PAYLOAD_EXIT2 ? 3 : 4, ctl);
      const kind = op === Op.PAYLOAD_EXIT || op === Op.PAYLOAD_EXIT_TT ? 'exit' : 'exit2';
      return { kind, from: pid(e[1], ctl), to: pid(e[2], ctl), reason: payload(message, ctl) };
    }
    case Op.UNLINK:
      arity(ctl, 3, ctl);
      noPayload(message, ctl);
      return { kind: 'unlink', from: pid(e[1], ctl), to: pid(e[2], ctl) };
    case Op.NODE_LINK:
      arity(ctl, 1, ctl);
      return { kind: 'node_link' };
    case Op.GROUP_LEADER:
      arity(ctl, 3, ctl);
      noPayload(message, ctl);
      return { kind: 'group_leader', from: pid(e[1], ctl), to: pid(e[2], ctl) };
    case Op.MONITOR_P:
    case Op.DEMONITOR_P:
      arity(ctl, 4, ctl);
      noPayload(message, ctl);
      return {
        kind: op === Op.MONITOR_P ? 'monitor' : 'demonitor',
        from: pid(e[1], ctl),
        to: proc(e[2], ctl),
        ref: ref(e[3], ctl),
      };
    case Op.MONITOR_P_EXIT:
      arity(ctl, 5, ctl);
      noPayload(message, ctl);
      return { kind: 'monitor_exit', from: proc(e[1], ctl), to: pid(e[2], ctl), ref: ref(e[3], ctl), reason: e[4] };
    case Op.PAYLOAD_MONITOR_P_EXIT:
      arity(ctl, 4, ctl);
      return {
        kind: 'monitor_exit',
        from: proc(e[1], ctl),
        to: pid(e[2], ctl),
        ref: ref(e[3], ctl),
        reason: payload(message, ctl),
      };
    case Op.SPAWN_REQUEST:
    case Op.SPAWN_REQUEST_TT: {
      arity(ctl, op === Op.SPAWN_REQUEST ? 6 : 7, ctl);
      const mfa = e[4];
      if (!(mfa instanceof Tuple) || mfa.elements.length !== 3) return fail('{M,F,A} expected', ctl);
      const a = mfa.elements[2];
      if (typeof a !== 'number' || !Number.isInteger(a) || a < 0) return fail('arity expected', ctl);
      const args = list(payload(message, ctl), ctl);
      return {
        kind: 'spawn_request',
        reqId: ref(e[1], ctl),
        from: pid(e[2], ctl),
        groupLeader: pid(e[3], ctl),
        module: atomOf(mfa.elements[0], ctl),
        fun: atomOf(mfa.elements[1], ctl),
        arity: a,
        opts: list(e[5], ctl),
        args,
      };
    }
    case Op.SPAWN_REPLY:
    case Op.SPAWN_REPLY_TT: {
      arity(ctl, op === Op.SPAWN_REPLY ? 5 : 6, ctl);
      noPayload(message, ctl);
      const flags = e[3];
      if (typeof flags !== 'number' || !Number.isInteger(flags)) return fail('flags expected', ctl);
      const result = e[4];
      if (!(result instanceof Pid) && !(result instanceof Atom)) return fail('pid or atom expected', ctl);
      return { kind: 'spawn_reply', reqId: ref(e[1], ctl), to: pid(e[2], ctl), flags, result };
    }
    case Op.ALIAS_SEND:
    case Op.ALIAS_SEND_TT:
      arity(ctl, op === Op.ALIAS_SEND ? 3 : 4, ctl);
      return { kind: 'alias_send', from: pid(e[1], ctl), alias: ref(e[2], ctl), message: payload(message, ctl) };
    case Op.UNLINK_ID:
    case Op.UNLINK_ID_ACK:
      arity(ctl, 4, ctl);
      noPayload(message, ctl);
      return {
        kind: op === Op.UNLINK_ID ? 'unlink_id' : 'unlink_id_ack',
        id: unlinkId(e[1], ctl),
        from: pid(e[2], ctl),
        to: pid(e[3], ctl),
      };
    default:
      return fail(`unknown op ${describe(op as Term)}`, ctl);
  }
}

// ---------------------------------------------------------------------------------------------
// encode

/** The control tuple and the optional trailing term of one frame. */
export interface EncodedControl {
  control: Tuple;
  message?: Term;
}

function tup(...el: Term[]): Tuple {
  return new Tuple(el);
}

/** An unlink id on the wire: a small integer when it fits, a big integer otherwise. */
function wireId(id: bigint): Term {
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id;
}

/** The last `{SEND_SENDER, From, To}` made: a process sending a stream to one pid reuses it (terms are never changed). */
let lastSendSender: Tuple | undefined;

function sendSender(from: Pid, to: Pid): Tuple {
  const last = lastSendSender;
  if (last !== undefined && last.elements[1] === from && last.elements[2] === to) return last;
  return (lastSendSender = tup(Op.SEND_SENDER, from, to));
}

/** The last `{SEND, '', To}` made, reused the same way (a stream sent without a sender pid). */
let lastSend: Tuple | undefined;

function sendTo(to: Pid): Tuple {
  const last = lastSend;
  if (last !== undefined && last.elements[2] === to) return last;
  return (lastSend = tup(Op.SEND, EMPTY, to));
}

/**
 * Encode one control message for a connection with the given forms. The `*_TT` and the old
 * UNLINK / NODE_LINK ops are never produced: `unlink` and `node_link` throw.
 */
export function encodeControl(c: Control, forms: SendForms): EncodedControl {
  switch (c.kind) {
    case 'link':
      return { control: tup(Op.LINK, c.from, c.to) };
    case 'send':
      if (forms.sendSender && c.from !== undefined) return { control: sendSender(c.from, c.to), message: c.message };
      return { control: sendTo(c.to), message: c.message };
    case 'reg_send':
      return { control: tup(Op.REG_SEND, c.from, EMPTY, c.name), message: c.message };
    case 'exit':
      if (forms.exitPayload) return { control: tup(Op.PAYLOAD_EXIT, c.from, c.to), message: c.reason };
      return { control: tup(Op.EXIT, c.from, c.to, c.reason) };
    case 'exit2':
      if (forms.exitPayload) return { control: tup(Op.PAYLOAD_EXIT2, c.from, c.to), message: c.reason };
      return { control: tup(Op.EXIT2, c.from, c.to, c.reason) };
    case 'group_leader':
      return { control: tup(Op.GROUP_LEADER, c.from, c.to) };
    case 'monitor':
      return { control: tup(Op.MONITOR_P, c.from, c.to, c.ref) };
    case 'demonitor':
      return { control: tup(Op.DEMONITOR_P, c.from, c.to, c.ref) };
    case 'monitor_exit':
      if (forms.exitPayload) return { control: tup(Op.PAYLOAD_MONITOR_P_EXIT, c.from, c.to, c.ref), message: c.reason };
      return { control: tup(Op.MONITOR_P_EXIT, c.from, c.to, c.ref, c.reason) };
    case 'spawn_request':
      return {
        control: tup(Op.SPAWN_REQUEST, c.reqId, c.from, c.groupLeader, tup(c.module, c.fun, c.arity), c.opts),
        message: c.args,
      };
    case 'spawn_reply':
      return { control: tup(Op.SPAWN_REPLY, c.reqId, c.to, c.flags, c.result) };
    case 'alias_send':
      return { control: tup(Op.ALIAS_SEND, c.from, c.alias), message: c.message };
    case 'unlink_id':
      return { control: tup(Op.UNLINK_ID, wireId(c.id), c.from, c.to) };
    case 'unlink_id_ack':
      return { control: tup(Op.UNLINK_ID_ACK, wireId(c.id), c.from, c.to) };
    case 'unlink':
    case 'node_link':
      throw new ControlError(`${c.kind} is never sent (spec §4.1)`);
  }
}
