/**
 * The ETF codec the node uses on the wire: @beamline/etf's `encode` / `decode` (terms with their
 * 131 version byte, as the transport's byte contract wants). Decoded binaries are copies
 * (`copyBinaries`), so messages never alias the transport's buffers. No nesting limit, as in OTP.
 */
import { decode, encode } from '@beamline/etf';
import type { Codec } from './router.ts';

const COPY = { copyBinaries: true } as const;

export const etfCodec: Codec = {
  encode: (term) => encode(term),
  decode: (bytes) => decode(bytes, COPY),
};
