/**
 * `{event, [UUID | {Name, Value}…]}` as a remote handler gets it (list format): the list written
 * straight to its external-format bytes, an `EncodedTerm`, instead of built as terms and walked by
 * the encoder; byte for byte what encoding `eventTerm`'s list gives. The `undefined` of an event
 * without a UUID is listed as an atom of those bytes, so the distribution's atom cache sends it as
 * a ref, as it does `event` (a receiving erl resolves an atom's text in ~0.1 µs, some 4% of what
 * taking in one event costs it). Made once per event and encoding, whatever the number of handlers.
 *
 * Consecutive events mostly repeat each other's headers (Core-UUID, host names, the calling site,
 * the date within a second): a header with the same name and value at the same position as in the
 * previous event is copied from that event's bytes, a run of such headers in one copy; one whose
 * value changed takes its tuple head and name from there too. An ASCII value is written from its
 * char codes; anything else (non-ASCII, a `%` to URL-decode, an empty string, a string past
 * STRING_EXT's 65,535 bytes) takes the term path for that one value.
 */
import { Buffer } from 'node:buffer';
import { EncodedTerm, type Term, type Tuple, encodeNoVersion, t } from '@beamline/etf';
import type { SwitchEvent } from '@beamline/switch';
import type { Encoding } from './config.ts';
import { A_EVENT, A_UNDEFINED, nameEntry, sText } from './encode.ts';

const UNDEFINED = encodeNoVersion(A_UNDEFINED).slice();
/** The `undefined` that heads the list of an event without a UUID, right after the list's head. */
const UNDEFINED_AT_HEAD = [{ offset: 5, atom: A_UNDEFINED }];

/**
 * Events are written one after the other into a slab, each a view of its part (no buffer of its
 * own). A slab lives while an event holds a view of it (the bytes are memoized on the event, which
 * may wait in another handler's queue), so slabs are small: a lagging handler that keeps one event
 * of each slab keeps 32 KiB an event, not more. An event that outgrows the slab moves, with what is
 * written of it, to a new one of its size.
 */
const SLAB_SIZE = 32 * 1024;

/** Not zero-filled: only the bytes written are ever in a view. */
function slab(size: number): Uint8Array {
  const raw = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(raw.buffer, raw.byteOffset, size);
}

class HeaderWriter {
  private buf = slab(SLAB_SIZE);
  /** Where the event being written starts, and the write position. */
  private start = 0;
  private len = 0;
  /**
   * The previous event: its slab, where its bytes start, its headers (copied: an event may change
   * after it is written), where each pair and each pair's value start (from `prevStart`). `next*`
   * are this one's.
   */
  private prevBuf: Uint8Array = this.buf;
  private prevStart = 0;
  private prevCount = 0;
  private prevNames: string[] = [];
  private prevValues: string[] = [];
  private prevAt: number[] = [];
  private prevValueAt: number[] = [];
  private nextNames: string[] = [];
  private nextValues: string[] = [];
  private nextAt: number[] = [];
  private nextValueAt: number[] = [];

  constructor(private readonly encoding: Encoding) {}

  /** `[UUID | {Name, Value}…]` (+ `{"body", Body}`). */
  write(e: SwitchEvent): EncodedTerm {
    // after an event that needed a slab of its own (a large body), the next ones get a new one
    if (this.buf.length > SLAB_SIZE) this.len = this.buf.length;
    const start = (this.len + 7) & ~7;
    this.start = this.len = start;
    const headers = e.headers;
    const n = headers.length;
    const hasBody = e.body !== undefined;
    const count = n + (hasBody ? 2 : 1);
    this.room(5); // (may move the event to a new slab: the write position is this.len)
    const b = this.buf;
    const p = this.len;
    b[p] = 108; // LIST
    b[p + 1] = count >>> 24;
    b[p + 2] = count >>> 16;
    b[p + 3] = count >>> 8;
    b[p + 4] = count;
    this.len = p + 5;
    const uuid = e.getHeader('Unique-ID');
    if (uuid === undefined) this.put(UNDEFINED);
    else this.text(uuid, false);

    const { prevBuf, prevStart, prevNames, prevValues, prevAt, prevValueAt, nextNames, nextValues, nextAt, nextValueAt } = this;
    const same = Math.min(n, this.prevCount);
    // a pending copy of `runLen` bytes of the previous event, from `runFrom` in `prevBuf`
    let runFrom = 0;
    let runLen = 0;
    for (let i = 0; i < n; i++) {
      const h = headers[i]!;
      const name = h.name;
      const value = h.value;
      nextNames[i] = name;
      nextValues[i] = value;
      const at = this.len + runLen - this.start;
      nextAt[i] = at;
      if (i < same && name === prevNames[i]) {
        // the name at the same place: the pair's tuple head and name (and its value when that
        // is the same too) are the previous event's bytes
        const pairAt = prevAt[i]!;
        const valueAt = prevValueAt[i]!;
        const sameValue = value === prevValues[i];
        const from = prevStart + pairAt;
        const size = (sameValue ? prevAt[i + 1]! : valueAt) - pairAt;
        if (runLen > 0 && runFrom + runLen === from) runLen += size;
        else {
          if (runLen > 0) this.copy(prevBuf, runFrom, runLen);
          runFrom = from;
          runLen = size;
        }
        nextValueAt[i] = at + valueAt - pairAt;
        if (!sameValue) {
          this.copy(prevBuf, runFrom, runLen);
          runLen = 0;
          this.text(value, true);
        }
      } else {
        if (runLen > 0) this.copy(prevBuf, runFrom, runLen);
        runLen = 0;
        this.room(2);
        this.buf[this.len] = 104; // SMALL_TUPLE
        this.buf[this.len + 1] = 2;
        this.len += 2;
        const entry = nameEntry(name, this.encoding);
        this.put((entry.bytes ??= encodeNoVersion(entry.term)));
        nextValueAt[i] = this.len - this.start;
        this.text(value, true);
      }
    }
    if (runLen > 0) this.copy(prevBuf, runFrom, runLen);
    nextAt[n] = this.len - this.start;
    this.prevCount = n;
    this.prevNames = nextNames;
    this.prevValues = nextValues;
    this.prevAt = nextAt;
    this.prevValueAt = nextValueAt;
    this.nextNames = prevNames;
    this.nextValues = prevValues;
    this.nextAt = prevAt;
    this.nextValueAt = prevValueAt;
    this.prevBuf = this.buf;
    this.prevStart = this.start;

    if (hasBody) this.put(encodeNoVersion(t(nameEntry('body', this.encoding).term, sText(e.body!, this.encoding, false))));
    this.room(1);
    this.buf[this.len++] = 106; // NIL: the list's tail
    const bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.start, this.len - this.start);
    return new EncodedTerm(bytes, uuid === undefined ? UNDEFINED_AT_HEAD : undefined);
  }

  /** `n` bytes of `src` from `from` (the previous event's, in this slab or the one before). */
  private copy(src: Uint8Array, from: number, n: number): void {
    this.room(n);
    if (src === this.buf) this.buf.copyWithin(this.len, from, from + n);
    else this.buf.set(src.subarray(from, from + n), this.len);
    this.len += n;
  }

  /**
   * A header value (URL-decoded) or the UUID as `S`. ASCII is written from its char codes in one
   * pass; at the first character that needs more (non-ASCII, a `%` to decode) the term path
   * writes the whole text instead, as it does an empty string or one too long for STRING_EXT.
   */
  private text(text: string, urlDecode: boolean): void {
    const n = text.length;
    const binary = this.encoding === 'binary';
    if (binary || (n > 0 && n <= 0xffff)) {
      this.room(5 + n);
      const b = this.buf;
      const at = this.len;
      let p = at;
      if (binary) {
        b[p] = 109; // BINARY
        b[p + 1] = n >>> 24;
        b[p + 2] = n >>> 16;
        b[p + 3] = n >>> 8;
        b[p + 4] = n;
        p += 5;
      } else {
        b[p] = 107; // STRING
        b[p + 1] = n >>> 8;
        b[p + 2] = n;
        p += 3;
      }
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f || (c === 0x25 && urlDecode)) break;
        b[p + i] = c;
      }
      if (i === n) {
        this.len = p + n;
        return;
      }
      this.len = at; // not plain ASCII: written again below
    }
    this.put(encodeNoVersion(sText(text, this.encoding, urlDecode)));
  }

  private put(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    this.buf.set(bytes, this.len);
    this.len += n;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const written = this.len - this.start;
    const next = slab(Math.max(SLAB_SIZE, 2 * (written + n)));
    next.set(this.buf.subarray(this.start, this.len));
    this.buf = next;
    this.start = 0;
    this.len = written;
  }
}

// made at the first event each (a slab each)
let stringWriter: HeaderWriter | undefined;
let binaryWriter: HeaderWriter | undefined;

function wire(e: SwitchEvent, encoding: Encoding): Tuple {
  const writer = encoding === 'binary' ? (binaryWriter ??= new HeaderWriter('binary')) : (stringWriter ??= new HeaderWriter('string'));
  // an EncodedTerm stands where the list goes; only the encoder ever reads this tuple
  return t(A_EVENT, writer.write(e) as unknown as Term);
}

const BUILD_STRING = (e: SwitchEvent) => wire(e, 'string');
const BUILD_BINARY = (e: SwitchEvent) => wire(e, 'binary');

/**
 * `eventTerm(e, encoding)` (list format) for a remote handler, its list already encoded (see
 * above). A local process must get `eventTerm`'s term instead.
 */
export function eventWire(e: SwitchEvent, encoding: Encoding): Tuple {
  const build = encoding === 'binary' ? BUILD_BINARY : BUILD_STRING;
  return e.memo(build, build);
}
