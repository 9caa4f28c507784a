/** Handshake messages, digest vectors (spec §2.4, checklist 14) and the flag words (§2.5). */
import { describe, expect, it } from 'vitest';
import {
  decodeChallenge,
  decodeChallengeAck,
  decodeChallengeReply,
  decodeComplement,
  decodeSendName,
  decodeStatus,
  digest,
  encodeChallenge,
  encodeChallengeAck,
  encodeChallengeReply,
  encodeComplement,
  encodeNamedStatus,
  encodeOldSendName,
  encodeSendName,
  encodeStatus,
  HandshakeDecodeError,
} from '../src/handshake.ts';
import { DEFAULT_FLAGS, DFLAG, MANDATORY_25, MANDATORY_26, expandMandatory25, missingFlags, negotiate, usesDistHeader } from '../src/flags.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('digest', () => {
  it('matches the erlang:md5 vectors', () => {
    expect(hex(digest('secret', 1234567890))).toBe('E0FCFC1BA511FC6FE6EE357C9ADDB932');
    expect(hex(digest('secret', 0))).toBe('175EC77A7F63082590987D0D8B051AFF');
    expect(hex(digest('secret', 4294967295))).toBe('5DFD181E69AA587CC812EB333E6536B6');
  });
  it('treats the challenge as unsigned 32-bit', () => {
    expect(hex(digest('secret', -1))).toBe('5DFD181E69AA587CC812EB333E6536B6');
  });
});

describe('flags', () => {
  it('mandatory 25 set is 0x1070F94', () => {
    expect(MANDATORY_25).toBe(0x1070f94n);
  });
  it('the phase-1 recommended word is 0xD075F5FBC; our default adds FRAGMENTS and DIST_HDR_ATOM_CACHE', () => {
    expect(DEFAULT_FLAGS & ~(DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE)).toBe(0xd075f5fbcn);
    expect(DEFAULT_FLAGS & DFLAG.DIST_HDR_ATOM_CACHE).toBe(DFLAG.DIST_HDR_ATOM_CACHE);
    expect(DEFAULT_FLAGS & DFLAG.PUBLISHED).toBe(0n);
    expect(missingFlags(DEFAULT_FLAGS, MANDATORY_25 | MANDATORY_26)).toEqual([]);
  });
  it('expands MANDATORY_25_DIGEST before AND-ing', () => {
    const digestOnly = DFLAG.MANDATORY_25_DIGEST | DFLAG.V4_NC | DFLAG.UNLINK_ID;
    expect(expandMandatory25(digestOnly) & MANDATORY_25).toBe(MANDATORY_25);
    expect(missingFlags(digestOnly, MANDATORY_25 | MANDATORY_26)).toEqual([]);
    expect(negotiate(DEFAULT_FLAGS, digestOnly) & MANDATORY_25).toBe(MANDATORY_25);
  });
  it('names missing flags the way OTP reports them', () => {
    expect(missingFlags(MANDATORY_25, MANDATORY_25 | MANDATORY_26)).toEqual(['UNLINK_ID', 'V4_NC']);
  });
  it('observed OTP 25 word negotiates to the dist-header mode with us', () => {
    const otp25 = 0x0000000d07df7fbdn;
    const n = negotiate(DEFAULT_FLAGS, otp25);
    expect(usesDistHeader(n)).toBe(true);
    expect(n & DFLAG.DIST_HDR_ATOM_CACHE).toBe(DFLAG.DIST_HDR_ATOM_CACHE);
    // without both FRAGMENTS and the atom cache, frames are pass-through
    expect(usesDistHeader(negotiate(DEFAULT_FLAGS & ~(DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE), otp25))).toBe(false);
    expect(usesDistHeader(negotiate(DEFAULT_FLAGS & ~DFLAG.FRAGMENTS, otp25))).toBe(true);
  });
});

describe('messages', () => {
  it('send_name N round-trips and ignores trailing bytes', () => {
    const b = encodeSendName(DEFAULT_FLAGS, 0x6b08821f, 'ts@localhost');
    expect(b[0]).toBe(78);
    expect(decodeSendName(b)).toEqual({ version: 6, flags: DEFAULT_FLAGS, creation: 0x6b08821f, name: 'ts@localhost' });
    const withExtra = new Uint8Array([...b, 1, 2, 3]);
    expect(decodeSendName(withExtra).name).toBe('ts@localhost');
  });
  it('old n form decodes (version 5, 32-bit flags)', () => {
    const b = encodeOldSendName(0x1070f94, 'old@localhost');
    expect(decodeSendName(b)).toEqual({ version: 5, flags: 0x1070f94n, creation: 0, name: 'old@localhost' });
  });
  it('names are Latin-1 bytes', () => {
    const b = encodeSendName(0n, 1, 'x@h\u00e9');
    expect(b[b.length - 1]).toBe(0xe9);
    expect(decodeSendName(b).name).toBe('x@h\u00e9');
  });
  it('status strings', () => {
    for (const s of ['ok', 'ok_simultaneous', 'nok', 'not_allowed', 'alive'] as const) {
      expect(decodeStatus(encodeStatus(s))).toEqual({ status: s });
    }
    expect(decodeStatus(encodeStatus('true'))).toEqual({ status: 'other', text: 'true' });
    expect(decodeStatus(encodeNamedStatus('ABC@127.0.0.1', 77))).toEqual({ status: 'named', name: 'ABC@127.0.0.1', creation: 77 });
  });
  it('challenge, complement, reply and ack', () => {
    const c = encodeChallenge(DEFAULT_FLAGS, 0xdeadbeef, 42, 'b@h');
    expect(decodeChallenge(c)).toEqual({ version: 6, flags: DEFAULT_FLAGS, challenge: 0xdeadbeef, creation: 42, name: 'b@h' });
    expect(decodeComplement(encodeComplement(DFLAG.SPAWN | DFLAG.V4_NC, 9))).toEqual({ flagsHigh: DFLAG.SPAWN | DFLAG.V4_NC, creation: 9 });
    const d = digest('c', 5);
    const r = decodeChallengeReply(encodeChallengeReply(7, d));
    expect(r.challenge).toBe(7);
    expect(hex(r.digest)).toBe(hex(d));
    expect(hex(decodeChallengeAck(encodeChallengeAck(d)))).toBe(hex(d));
  });
  it('rejects truncated and mistagged messages', () => {
    expect(() => decodeSendName(new Uint8Array([78, 0, 0]))).toThrow(HandshakeDecodeError);
    expect(() => decodeSendName(new Uint8Array([65]))).toThrow(HandshakeDecodeError);
    expect(() => decodeChallenge(new Uint8Array([78, 1]))).toThrow(HandshakeDecodeError);
    expect(() => decodeChallengeReply(new Uint8Array(20))).toThrow(HandshakeDecodeError);
    expect(() => decodeChallengeAck(new Uint8Array([97, 1]))).toThrow(HandshakeDecodeError);
    const bad = encodeSendName(0n, 1, 'a@b');
    bad[14] = 200; // name length beyond the message
    expect(() => decodeSendName(bad)).toThrow(HandshakeDecodeError);
  });
});
