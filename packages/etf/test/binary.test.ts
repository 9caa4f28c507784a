import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Binary, ErlMap, Tuple, atom, binary, compare, copyBinary, decode, encode, equals, format, hash, t, text, type Term } from '../src/index.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

describe('Binary, the decoded binary', () => {
  it('is a window on its source: bytes, at, iteration, text', () => {
    const src = bytes(0, 104, 105, 0xc3, 0xa9, 9);
    const b = new Binary(src, 1, 4);
    expect(b.length).toBe(4);
    expect([...b]).toEqual([104, 105, 0xc3, 0xa9]);
    expect(b.at(0)).toBe(104);
    expect(b.at(-1)).toBe(0xa9);
    expect(b.at(4)).toBeUndefined();
    expect(b.bytes.buffer).toBe(src.buffer);
    expect(String(b)).toBe('hié');
    expect(text(b)).toBe('hié');
    expect(b.toJSON()).toBe('hié');
    expect(new Binary(bytes(0xff, 1)).toJSON()).toEqual([255, 1]);
    expect(Buffer.from(b)).toEqual(Buffer.from([104, 105, 0xc3, 0xa9]));
    src[2] = 120;
    expect(String(b)).toBe('hxé'); // a window, not a copy
    expect(String(copyBinary(b))).toBe('hxé');
  });

  it('refuses a window outside its source', () => {
    expect(() => new Binary(bytes(1, 2), 1, 2)).toThrow(RangeError);
    expect(() => new Binary(bytes(1, 2), -1, 1)).toThrow(RangeError);
    expect(() => new Binary(bytes(1, 2), 0.5, 1)).toThrow(RangeError);
  });

  it('compares by its bytes alone: structural equality, equals, compare, hash, map keys', () => {
    const a = new Binary(bytes(9, 1, 2), 1, 2);
    const b = new Binary(bytes(1, 2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(new Binary(bytes(1, 3)));
    expect(equals(a, b)).toBe(true);
    expect(equals(a, bytes(1, 2))).toBe(true);
    expect(equals(binary('ab'), 'ab')).toBe(true);
    expect(compare(a, new Binary(bytes(1, 3)))).toBeLessThan(0);
    expect(compare(a, bytes(1))).toBeGreaterThan(0);
    expect(hash(a)).toBe(hash(b));
    expect(hash(binary('é')), 'same as a JS string key').toBe(hash('é'));
    const m = new ErlMap([[binary('k'), 1]]);
    expect(m.get('k')).toBe(1);
    expect(m.get(new Binary(bytes(0, 107), 1))).toBe(1);
  });

  it('prints as Erlang prints a binary', () => {
    expect(format(binary('ok'))).toBe(format(bytes(111, 107)));
    expect(format(new Binary(bytes(7, 1, 255), 1))).toBe('<<1,255>>');
  });

  it('is what decode returns for BINARY_EXT, and encodes back byte for byte', () => {
    const term = t(atom('x'), binary('abc'), [binary(''), t(binary('k'), binary('v'))]);
    const wire = encode(term);
    const back = decode(wire) as Tuple;
    expect(back.elements[1]).toBeInstanceOf(Binary);
    expect(back).toEqual(term);
    expect(encode(back)).toEqual(wire);
  });

  it('re-encodes windows of every length and alignment, from several sources in one term', () => {
    // Lengths around the 4-byte steps and the 256-byte switch to set(), at odd offsets, with the
    // windows of one term taken from different sources (the DataView of the last one is reused).
    const lengths = [0, 1, 3, 4, 5, 7, 8, 31, 255, 256, 257, 1000];
    const sources = [0, 1].map((s) => Uint8Array.from({ length: 1200 }, (_, i) => (i * 7 + s * 13) & 255));
    const terms: Term[] = [];
    for (const [k, n] of lengths.entries()) {
      for (const off of [0, 1, 2, 3]) {
        const src = sources[(k + off) % 2];
        terms.push(new Binary(src, off, n), t(new Binary(src, off + 1, n), new Binary(sources[0], off, n)));
      }
    }
    const asArrays = (x: Term): Term => (x instanceof Binary ? Uint8Array.from(x) : x instanceof Tuple ? new Tuple(x.elements.map(asArrays)) : x);
    expect(encode(terms)).toEqual(encode(terms.map(asArrays)));
    expect(encode(t(atom('one'), terms[30]))).toEqual(encode(t(atom('one'), asArrays(terms[30]))));
  });

  it('encoding a small window of a big message does not keep the message alive', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    let input: Uint8Array | undefined = encode([binary('tiny'), new Uint8Array(8_000_000)]);
    const gone = new WeakRef(input.buffer);
    const tiny = ((decode(input, { copyBinaries: true }) as Term[])[0] as Binary).bytes.length;
    expect(encode((decode(input) as Term[])[0]!)).toEqual(encode(binary('tiny')));
    input = undefined;
    // deref() keeps its target alive to the end of the job: collect in a later job, then look
    let collected = false;
    for (let i = 0; i < 10 && !collected; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
      collected = gone.deref() === undefined;
    }
    expect(tiny).toBe(4);
    expect(collected).toBe(true);
  });
});
