/**
 * G.711 (ITU-T G.711, 1988): μ-law (PCMU) and A-law (PCMA) samples to and from 16-bit linear, and
 * the two byte-for-byte conversions a bridge between a PCMU phone and a PCMA phone needs, done
 * through linear as FreeSWITCH's codecs do.
 */

/** A μ-law byte as a 16-bit linear sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? 0 - magnitude : magnitude; // not -0: negative zero is zero
}

/** An A-law byte as a 16-bit linear sample. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude = segment === 0 ? magnitude + 8 : (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** The segment (0–7) of a magnitude: the position of its highest set bit above `shift`. */
function segmentOf(magnitude: number, shift: number): number {
  let segment = 0;
  for (let m = magnitude >> shift; m > 1 && segment < 7; m >>= 1) segment++;
  return segment;
}

/** A 16-bit linear sample as a μ-law byte (with the 0x84 bias; clipped at 32635). */
export function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  const segment = segmentOf(magnitude, 7);
  const mantissa = (magnitude >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

/** A 16-bit linear sample as an A-law byte (from its 13 high bits). */
export function linearToAlaw(sample: number): number {
  let x = sample >> 3;
  let mask = 0xd5;
  if (x < 0) {
    mask = 0x55;
    x = -x - 1;
  }
  const segment = segmentOf(x, 4);
  const mantissa = (segment < 2 ? x >> 1 : x >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

/** The laws as tables, for whole frames: 256 decoded samples each, and a byte for every 16-bit sample. */
const ULAW_LINEAR = Int16Array.from({ length: 256 }, (_, b) => ulawToLinear(b));
const ALAW_LINEAR = Int16Array.from({ length: 256 }, (_, b) => alawToLinear(b));
/** Built at the first frame encoded: 128 KiB that a process with no audio never needs. */
let linearUlaw: Uint8Array | undefined;
let linearAlaw: Uint8Array | undefined;
const encodeTable = (encode: (sample: number) => number) => Uint8Array.from({ length: 65536 }, (_, i) => encode(i - 32768));

/** A sum of samples as a 16-bit sample (switch_normalize_to_16bit): an Int16Array would wrap it. */
export const clip16 = (sum: number): number => Math.max(-32768, Math.min(32767, sum));

/** A frame of `law` bytes as 16-bit linear samples. */
export function decodeFrame(law: 'PCMU' | 'PCMA', payload: Uint8Array): Int16Array {
  const table = law === 'PCMU' ? ULAW_LINEAR : ALAW_LINEAR;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]];
  return out;
}

/**
 * 20 ms of silence, the frame silence_stream plays: never written to, so its encodings are made
 * once (frames are never changed once made, here or by whoever receives them).
 */
export const SILENT_FRAME = new Int16Array(160);
let silentUlaw: Uint8Array | undefined;
let silentAlaw: Uint8Array | undefined;

/** 16-bit linear samples as a frame of `law` bytes. */
export function encodeFrame(law: 'PCMU' | 'PCMA', samples: Int16Array): Uint8Array {
  if (samples === SILENT_FRAME) {
    if (law === 'PCMU') return (silentUlaw ??= encodeSamples(law, samples));
    return (silentAlaw ??= encodeSamples(law, samples));
  }
  return encodeSamples(law, samples);
}

function encodeSamples(law: 'PCMU' | 'PCMA', samples: Int16Array): Uint8Array {
  const table = law === 'PCMU' ? (linearUlaw ??= encodeTable(linearToUlaw)) : (linearAlaw ??= encodeTable(linearToAlaw));
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i] + 32768];
  return out;
}

const ULAW_TO_ALAW = Uint8Array.from({ length: 256 }, (_, b) => linearToAlaw(ulawToLinear(b)));
const ALAW_TO_ULAW = Uint8Array.from({ length: 256 }, (_, b) => linearToUlaw(alawToLinear(b)));

function mapBytes(input: Uint8Array, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = table[input[i]];
  return out;
}

export const ulawToAlaw = (payload: Uint8Array): Uint8Array => mapBytes(payload, ULAW_TO_ALAW);
export const alawToUlaw = (payload: Uint8Array): Uint8Array => mapBytes(payload, ALAW_TO_ULAW);
