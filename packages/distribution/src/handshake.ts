/**
 * Distribution handshake messages (spec §2.2), pure encode/decode and the MD5 digest (§2.4).
 * Every function here works on the message body, i.e. the bytes after the 2-byte length prefix.
 */
import { createHash } from 'node:crypto';
import { bytesToName, nameToBytes } from './node_name.ts';

export class HandshakeDecodeError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'HandshakeDecodeError';
  }
}

/** MD5(cookie ++ decimal(challenge as unsigned 32-bit)). */
export function digest(cookie: string, challenge: number): Uint8Array {
  const h = createHash('md5');
  h.update(Buffer.from(cookie, 'latin1'));
  h.update(String(challenge >>> 0), 'latin1');
  return new Uint8Array(h.digest());
}

export function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length < n) throw new HandshakeDecodeError(`${what}: truncated (${b.length} < ${n} bytes)`);
}

// ---- message 1: send_name -------------------------------------------------------------------

export interface SendName {
  /** 6 for 'N', 5 for the old 'n'. */
  version: 5 | 6;
  flags: bigint;
  creation: number; // 0 for 'n' (comes later in 'c')
  name: string;
}

export function encodeSendName(flags: bigint, creation: number, name: string): Uint8Array {
  const nb = nameToBytes(name);
  const out = new Uint8Array(1 + 8 + 4 + 2 + nb.length);
  const dv = view(out);
  out[0] = 78; // 'N'
  dv.setBigUint64(1, flags);
  dv.setUint32(9, creation >>> 0);
  dv.setUint16(13, nb.length);
  out.set(nb, 15);
  return out;
}

/** Old form, v5 'n' (for tests only: never sent by our initiator). */
export function encodeOldSendName(flags32: number, name: string): Uint8Array {
  const nb = nameToBytes(name);
  const out = new Uint8Array(1 + 2 + 4 + nb.length);
  const dv = view(out);
  out[0] = 110;
  dv.setUint16(1, 5);
  dv.setUint32(3, flags32 >>> 0);
  out.set(nb, 7);
  return out;
}

export function decodeSendName(b: Uint8Array): SendName {
  need(b, 1, 'send_name');
  const dv = view(b);
  if (b[0] === 78) {
    need(b, 15, 'send_name N');
    const flags = dv.getBigUint64(1);
    const creation = dv.getUint32(9);
    const nlen = dv.getUint16(13);
    need(b, 15 + nlen, 'send_name N name');
    // trailing bytes after the name are ignored (OTP does the same)
    return { version: 6, flags, creation, name: bytesToName(b.subarray(15, 15 + nlen)) };
  }
  if (b[0] === 110) {
    need(b, 7, 'send_name n');
    const version = dv.getUint16(1);
    if (version !== 5) throw new HandshakeDecodeError(`send_name n: version ${version} (expected 5)`);
    const flags = BigInt(dv.getUint32(3));
    return { version: 5, flags, creation: 0, name: bytesToName(b.subarray(7)) };
  }
  throw new HandshakeDecodeError(`send_name: unexpected tag ${b[0]}`);
}

// ---- message 2: status ----------------------------------------------------------------------

export type Status = 'ok' | 'ok_simultaneous' | 'nok' | 'not_allowed' | 'alive';
export type StatusMsg = { status: Status } | { status: 'named'; name: string; creation: number } | { status: 'other'; text: string };

export function encodeStatus(s: string): Uint8Array {
  const tb = Buffer.from(s, 'latin1');
  const out = new Uint8Array(1 + tb.length);
  out[0] = 115;
  out.set(tb, 1);
  return out;
}

export function encodeNamedStatus(name: string, creation: number): Uint8Array {
  const nb = nameToBytes(name);
  const out = new Uint8Array(1 + 6 + 2 + nb.length + 4);
  const dv = view(out);
  out[0] = 115;
  out.set(Buffer.from('named:', 'latin1'), 1);
  dv.setUint16(7, nb.length);
  out.set(nb, 9);
  dv.setUint32(9 + nb.length, creation >>> 0);
  return out;
}

export function decodeStatus(b: Uint8Array): StatusMsg {
  need(b, 1, 'status');
  if (b[0] !== 115) throw new HandshakeDecodeError(`status: unexpected tag ${b[0]}`);
  const text = Buffer.from(b.buffer, b.byteOffset + 1, b.length - 1).toString('latin1');
  if (text.startsWith('named:')) {
    const dv = view(b);
    need(b, 9, 'status named');
    const nlen = dv.getUint16(7);
    need(b, 9 + nlen + 4, 'status named');
    return { status: 'named', name: bytesToName(b.subarray(9, 9 + nlen)), creation: dv.getUint32(9 + nlen) };
  }
  switch (text) {
    case 'ok':
    case 'ok_simultaneous':
    case 'nok':
    case 'not_allowed':
    case 'alive':
      return { status: text };
    default:
      return { status: 'other', text };
  }
}

// ---- message 3: challenge -------------------------------------------------------------------

export interface Challenge {
  version: 5 | 6;
  flags: bigint;
  challenge: number;
  creation: number;
  name: string;
}

export function encodeChallenge(flags: bigint, challenge: number, creation: number, name: string): Uint8Array {
  const nb = nameToBytes(name);
  const out = new Uint8Array(1 + 8 + 4 + 4 + 2 + nb.length);
  const dv = view(out);
  out[0] = 78;
  dv.setBigUint64(1, flags);
  dv.setUint32(9, challenge >>> 0);
  dv.setUint32(13, creation >>> 0);
  dv.setUint16(17, nb.length);
  out.set(nb, 19);
  return out;
}

/** Old v5 challenge: 'n' u16 5 u32 flags u32 challenge name (sent to an 'n' peer without HANDSHAKE_23). */
export function encodeOldChallenge(flags32: number, challenge: number, name: string): Uint8Array {
  const nb = nameToBytes(name);
  const out = new Uint8Array(1 + 2 + 4 + 4 + nb.length);
  const dv = view(out);
  out[0] = 110;
  dv.setUint16(1, 5);
  dv.setUint32(3, flags32 >>> 0);
  dv.setUint32(7, challenge >>> 0);
  out.set(nb, 11);
  return out;
}

export function decodeChallenge(b: Uint8Array): Challenge {
  need(b, 1, 'challenge');
  const dv = view(b);
  if (b[0] === 78) {
    need(b, 19, 'challenge N');
    const nlen = dv.getUint16(17);
    need(b, 19 + nlen, 'challenge N name');
    return {
      version: 6,
      flags: dv.getBigUint64(1),
      challenge: dv.getUint32(9),
      creation: dv.getUint32(13),
      name: bytesToName(b.subarray(19, 19 + nlen)),
    };
  }
  if (b[0] === 110) {
    need(b, 11, 'challenge n');
    return { version: 5, flags: BigInt(dv.getUint32(3)), challenge: dv.getUint32(7), creation: 0, name: bytesToName(b.subarray(11)) };
  }
  throw new HandshakeDecodeError(`challenge: unexpected tag ${b[0]}`);
}

// ---- message 3b: complement (after an old 'n') ----------------------------------------------

export function encodeComplement(flags: bigint, creation: number): Uint8Array {
  const out = new Uint8Array(9);
  const dv = view(out);
  out[0] = 99;
  dv.setUint32(1, Number(flags >> 32n) >>> 0);
  dv.setUint32(5, creation >>> 0);
  return out;
}

export function decodeComplement(b: Uint8Array): { flagsHigh: bigint; creation: number } {
  need(b, 9, 'complement');
  if (b[0] !== 99) throw new HandshakeDecodeError(`complement: unexpected tag ${b[0]}`);
  const dv = view(b);
  return { flagsHigh: BigInt(dv.getUint32(1)) << 32n, creation: dv.getUint32(5) };
}

// ---- message 4: challenge reply, message 5: ack ---------------------------------------------

export function encodeChallengeReply(challenge: number, dig: Uint8Array): Uint8Array {
  const out = new Uint8Array(21);
  out[0] = 114;
  view(out).setUint32(1, challenge >>> 0);
  out.set(dig, 5);
  return out;
}

export function decodeChallengeReply(b: Uint8Array): { challenge: number; digest: Uint8Array } {
  if (b.length !== 21 || b[0] !== 114) throw new HandshakeDecodeError(`challenge_reply: bad message (tag ${b[0]}, ${b.length} bytes)`);
  return { challenge: view(b).getUint32(1), digest: b.subarray(5, 21) };
}

export function encodeChallengeAck(dig: Uint8Array): Uint8Array {
  const out = new Uint8Array(17);
  out[0] = 97;
  out.set(dig, 1);
  return out;
}

export function decodeChallengeAck(b: Uint8Array): Uint8Array {
  if (b.length !== 17 || b[0] !== 97) throw new HandshakeDecodeError(`challenge_ack: bad message (tag ${b[0]}, ${b.length} bytes)`);
  return b.subarray(1, 17);
}
