/**
 * The binary term as the decoder returns it. A decoded event carries a hundred or more binaries,
 * and a typed array costs several times a small object to make in V8, so a decoded binary is a
 * window (`length` bytes from an offset) on the bytes it arrived in, the way OTP's `binary_to_term`
 * makes sub-binaries of its input; `bytes` makes the Uint8Array view when one is wanted.
 *
 * The window's bytes are not copied: the binary keeps its source alive and shows any later change
 * to it (see DecodeOptions.copyBinaries and `copyBinary`).
 */

const utf8 = new TextDecoder();
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** For the codec: the buffer a binary's bytes sit in, and where they start (no view made). */
export let sourceOf: (b: Binary) => Uint8Array;
export let offsetOf: (b: Binary) => number;

export class Binary {
  // Private so that vitest's (and jest's) toEqual sees only the bytes, through the iterator, never
  // which buffer they sit in. (node:assert's deepStrictEqual does not iterate: see the README.)
  readonly #source: Uint8Array;
  readonly #offset: number;
  readonly length: number;

  /** The `length` bytes of `source` from `offset` (default: all of it), not copied. */
  constructor(source: Uint8Array, offset = 0, length = source.length - offset) {
    if (!(offset >= 0 && length >= 0 && offset + length <= source.length) || !Number.isInteger(offset) || !Number.isInteger(length)) {
      throw new RangeError(`Binary: ${offset}+${length} is outside a ${source.length}-byte source`);
    }
    this.#source = source;
    this.#offset = offset;
    this.length = length;
  }

  /** A binary of a copy of `bytes`, or of `text` as UTF-8. */
  static from(x: string | Uint8Array): Binary {
    return new Binary(typeof x === 'string' ? new TextEncoder().encode(x) : Uint8Array.prototype.slice.call(x));
  }

  /** The bytes, as a view of the source (no copy: writing to it writes to the source). */
  get bytes(): Uint8Array {
    return this.#source.subarray(this.#offset, this.#offset + this.length);
  }

  /** The bytes view, so that `Buffer.from(b)` copies the bytes (it asks valueOf first). */
  valueOf(): Uint8Array {
    return this.bytes;
  }

  /** The byte at `i` (negative counts from the end), undefined outside the binary. */
  at(i: number): number | undefined {
    const k = i < 0 ? i + this.length : i;
    return k >= 0 && k < this.length ? this.#source[this.#offset + k] : undefined;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    const end = this.#offset + this.length;
    for (let i = this.#offset; i < end; i++) yield this.#source[i];
  }

  /** The bytes read as UTF-8 (a malformed sequence reads as U+FFFD). */
  toString(): string {
    return utf8.decode(this.bytes);
  }

  /** UTF-8 text when the bytes are valid UTF-8, else the list of byte values. */
  toJSON(): string | number[] {
    try {
      return utf8Fatal.decode(this.bytes);
    } catch {
      return Array.from(this);
    }
  }

  static {
    sourceOf = (b) => b.#source;
    offsetOf = (b) => b.#offset;
  }
}
