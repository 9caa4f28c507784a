/**
 * The ETF codec the node uses on the wire: @beamline/etf's `encode` / `decode` (terms with their
 * 131 version byte, as the transport's byte contract wants). Decoded binaries are copies
 * (`copyBinaries`), so messages never alias the transport's buffers. No nesting limit, as in OTP.
 *
 * Encoding takes any JS value: a term encodes as it is (the fast path: no extra walk); a value
 * the encoder refuses is mapped by wire_values.ts (objects → maps, booleans → atoms, ...) and
 * encoded again. What has no Erlang form throws NotEncodableError; the router turns that into an
 * error for the sender (README "What crosses the wire").
 */
import { EncodeError, decode, encode } from '@beamline/etf';
import type { Codec } from './router.ts';
import { NotEncodableError, toWireTerm } from './wire_values.ts';

/** `value` as ETF bytes (version byte included), JS values mapped; throws NotEncodableError. */
export function encodeValue(value: unknown): Uint8Array {
  try {
    return encode(value as never);
  } catch (e) {
    if (!(e instanceof EncodeError)) throw e;
  }
  const term = toWireTerm(value);
  try {
    return encode(term);
  } catch (e) {
    // mapped, and still refused by the encoder (an atom too long, a nesting limit, ...)
    if (e instanceof EncodeError) throw new NotEncodableError('invalid_term', '$', e.message);
    throw e;
  }
}

const COPY = { copyBinaries: true } as const;

export const etfCodec: Codec = {
  encode: encodeValue,
  decode: (bytes) => decode(bytes, COPY),
  toTerm: toWireTerm,
};
