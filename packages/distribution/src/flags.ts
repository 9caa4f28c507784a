/**
 * DFLAG_* capability bits (spec §2.5). 64-bit words are bigints everywhere; never use Number
 * bitwise operators on them.
 */
export const DFLAG = {
  PUBLISHED: 0x1n,
  ATOM_CACHE: 0x2n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  HIDDEN_ATOM_CACHE: 0x40n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  BIG_SEQTRACE_LABELS: 0x100000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 1n << 32n,
  NAME_ME: 1n << 33n,
  V4_NC: 1n << 34n,
  ALIAS: 1n << 35n,
  LOCAL_EXT: 1n << 36n,
  ALTACT_SIG: 1n << 37n,
} as const;

export type DFlagName = keyof typeof DFLAG;

/** OTP 25's mandatory set (= 0x1070F94). */
export const MANDATORY_25: bigint =
  DFLAG.EXTENDED_REFERENCES |
  DFLAG.FUN_TAGS |
  DFLAG.EXTENDED_PIDS_PORTS |
  DFLAG.UTF8_ATOMS |
  DFLAG.NEW_FUN_TAGS |
  DFLAG.BIG_CREATION |
  DFLAG.NEW_FLOATS |
  DFLAG.MAP_TAG |
  DFLAG.EXPORT_PTR_TAG |
  DFLAG.BIT_BINARIES |
  DFLAG.HANDSHAKE_23;

/** OTP 26+ adds these. */
export const MANDATORY_26: bigint = DFLAG.V4_NC | DFLAG.UNLINK_ID;

/** What we require from a peer: OTP 25 + 26 mandatory bits (we are an OTP 26/27-grade node). */
export const REQUIRED_FROM_PEER: bigint = MANDATORY_25 | MANDATORY_26;

/**
 * The default word we advertise (hidden node). Spec §2.5 "phase 2": the recommended phase-1 word
 * plus FRAGMENTS and DIST_HDR_ATOM_CACHE (atom_cache.ts; `removeFlags` turns it off). PUBLISHED is
 * added for normal nodes.
 */
export const DEFAULT_FLAGS: bigint =
  MANDATORY_25 |
  MANDATORY_26 |
  DFLAG.DIST_MONITOR |
  DFLAG.DIST_MONITOR_NAME |
  DFLAG.UNICODE_IO |
  DFLAG.SMALL_ATOM_TAGS |
  DFLAG.SEND_SENDER |
  DFLAG.BIG_SEQTRACE_LABELS |
  DFLAG.EXIT_PAYLOAD |
  DFLAG.FRAGMENTS |
  DFLAG.DIST_HDR_ATOM_CACHE |
  DFLAG.MANDATORY_25_DIGEST |
  DFLAG.SPAWN |
  DFLAG.ALIAS;

/** OTP's `expand_mandatory_25_flag`: a word with the digest bit stands for all 25 bits. */
export function expandMandatory25(flags: bigint): bigint {
  return (flags & DFLAG.MANDATORY_25_DIGEST) !== 0n ? flags | MANDATORY_25 : flags;
}

/** Negotiated word: AND of both, after digest expansion. */
export function negotiate(ours: bigint, theirs: bigint): bigint {
  return expandMandatory25(ours) & expandMandatory25(theirs);
}

export function hasFlag(flags: bigint, flag: bigint): boolean {
  return (flags & flag) === flag;
}

/** Names of the bits of `required` missing from `flags` (after digest expansion), OTP style. */
export function missingFlags(flags: bigint, required: bigint): string[] {
  const f = expandMandatory25(flags);
  const out: string[] = [];
  for (const [name, bit] of Object.entries(DFLAG)) {
    if ((required & bit) !== 0n && (f & bit) === 0n) out.push(name);
  }
  return out;
}

export function flagNames(flags: bigint): string[] {
  return Object.entries(DFLAG)
    .filter(([, bit]) => (flags & bit) !== 0n)
    .map(([n]) => n);
}

/** Body format after the handshake (spec §3.2): fixed for the connection's life. */
export function usesDistHeader(negotiated: bigint): boolean {
  return (negotiated & (DFLAG.FRAGMENTS | DFLAG.DIST_HDR_ATOM_CACHE)) !== 0n;
}
