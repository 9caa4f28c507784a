import { describe, expect, it } from 'vitest';
import {
  Binary,
  BitBinary,
  ErlFloat,
  ErlMap,
  ExportFun,
  ImproperList,
  OpaqueFun,
  Pid,
  Port,
  Ref,
  atom,
  charlist,
  copyBinary,
  decode,
  decodeAt,
  decodeMany,
  encode,
  encodeNoVersion,
  encodeTo,
  equals,
  float,
  t,
  TermWriter,
  type Tuple,
  type Term,
  EncodeError,
} from '../src/index.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);
const enc = (x: Term) => [...encode(x)];
const dec = (...xs: number[]) => decode(bytes(131, ...xs));
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The spec §5.3 byte sequences: each term encodes to exactly these bytes and decodes back. */
const exact: [string, Term, number[]][] = [
  ['255', 255, [97, 255]],
  ['256', 256, [98, 0, 0, 1, 0]],
  ['-1', -1, [98, 255, 255, 255, 255]],
  ['2147483647', 2147483647, [98, 127, 255, 255, 255]],
  ['2147483648', 2147483648, [110, 4, 0, 0, 0, 0, 128]],
  ['-2147483648', -2147483648, [98, 128, 0, 0, 0]],
  ['-2147483649', -2147483649, [110, 4, 1, 1, 0, 0, 128]],
  ['1 bsl 64', 1n << 64n, [110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
  ['-(1 bsl 64)', -(1n << 64n), [110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
  ['2^53', 2n ** 53n, [110, 7, 0, 0, 0, 0, 0, 0, 0, 32]],
  ['MAX_SAFE', Number.MAX_SAFE_INTEGER, [110, 7, 0, 255, 255, 255, 255, 255, 255, 31]],
  ['1 bsl 2040', 1n << 2040n, [111, 0, 0, 1, 0, 0, ...new Array(255).fill(0), 1]],
  ['1.0', float(1), [70, 63, 240, 0, 0, 0, 0, 0, 0]],
  ['-0.0', float(-0), [70, 128, 0, 0, 0, 0, 0, 0, 0]],
  ['0.5', 0.5, [70, 63, 224, 0, 0, 0, 0, 0, 0]],
  ["''", atom(''), [119, 0]],
  ['ok', atom('ok'), [119, 2, 111, 107]],
  ['"abc"', charlist('abc'), [107, 0, 3, 97, 98, 99]],
  ['[1,2,300]', [1, 2, 300], [108, 0, 0, 0, 3, 97, 1, 97, 2, 98, 0, 0, 1, 44, 106]],
  ['[a|b]', new ImproperList([atom('a')], atom('b')), [108, 0, 0, 0, 1, 119, 1, 97, 119, 1, 98]],
  ['[1|2]', new ImproperList([1], 2), [108, 0, 0, 0, 1, 97, 1, 97, 2]],
  ['[]', [], [106]],
  ['{}', t(), [104, 0]],
  ['<<1:1>>', new BitBinary(bytes(128), 1), [77, 0, 0, 0, 1, 1, 128]],
  ['<<1,2:3>>', new BitBinary(bytes(1, 64), 3), [77, 0, 0, 0, 2, 3, 1, 64]],
  ['<<"hi">>', bytes(104, 105), [109, 0, 0, 0, 2, 104, 105]],
  ['#{}', new ErlMap(), [116, 0, 0, 0, 0]],
  ['pid', new Pid(atom('a@b'), 1, 2, 3), [88, 119, 3, 97, 64, 98, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]],
  ['ref', new Ref(atom('a'), 3, [1, 2, 3]), [90, 0, 3, 119, 1, 97, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]],
  ['port', new Port(atom('a'), 7, 3), [89, 119, 1, 97, 0, 0, 0, 7, 0, 0, 0, 3]],
  ['v4 port', new Port(atom('a'), 4294967296, 3, true), [120, 119, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3]],
  ['fun lists:map/2', new ExportFun(atom('lists'), atom('map'), 2), [113, 119, 5, ...ascii('lists'), 119, 3, ...ascii('map'), 97, 2]],
];

describe('spec §5.3 byte sequences', () => {
  for (const [name, term, wire] of exact) {
    it(`${name} encodes exactly and decodes back`, () => {
      expect(enc(term)).toEqual([131, ...wire]);
      const back = dec(...wire);
      expect(equals(back, term)).toBe(true);
      expect(enc(back)).toEqual([131, ...wire]);
    });
  }
});

describe('integers and floats', () => {
  it('gives numbers for safe integers and bigints beyond', () => {
    expect(dec(110, 7, 0, 255, 255, 255, 255, 255, 255, 31)).toBe(Number.MAX_SAFE_INTEGER);
    expect(dec(110, 7, 0, 0, 0, 0, 0, 0, 0, 32)).toBe(2n ** 53n);
    expect(typeof dec(98, 255, 255, 255, 255)).toBe('number');
  });
  it('accepts non-canonical bignums like OTP', () => {
    expect(dec(110, 1, 0, 5)).toBe(5);
    expect(dec(110, 0, 0)).toBe(0);
    expect(Object.is(dec(110, 1, 1, 0), 0)).toBe(true); // never -0: that would re-encode as a float
  });
  it('keeps integral floats as ErlFloat and -0.0 with its sign', () => {
    const one = dec(70, 63, 240, 0, 0, 0, 0, 0, 0);
    expect(one).toBeInstanceOf(ErlFloat);
    const negZero = dec(70, 128, 0, 0, 0, 0, 0, 0, 0) as ErlFloat;
    expect(Object.is(negZero.value, -0)).toBe(true);
    expect(enc(-0)).toEqual([131, 70, 128, 0, 0, 0, 0, 0, 0, 0]);
    expect(equals(float(0), float(-0))).toBe(false);
  });
  it('encodes integral numbers beyond the safe range as floats', () => {
    expect(enc(1e300)[1]).toBe(70);
  });
  it('refuses JS values that are not terms, and cyclic terms', () => {
    expect(() => encode(undefined as unknown as Term)).toThrow(EncodeError);
    expect(() => encode(null as unknown as Term)).toThrow(EncodeError);
    expect(() => encode({ a: 1 } as unknown as Term)).toThrow(EncodeError);
    expect(() => encode(true as unknown as Term)).toThrow(EncodeError);
    const cyclic: Term[] = [];
    cyclic.push(t(cyclic));
    expect(() => encode(cyclic)).toThrow(EncodeError);
  });
  it('never puts a float into a STRING_EXT (-0 and 1.5 in a list of bytes)', () => {
    expect(enc([1, -0])).toEqual([131, 108, 0, 0, 0, 2, 97, 1, 70, 128, 0, 0, 0, 0, 0, 0, 0, 106]);
    expect(enc([1, 1.5])[1]).toBe(108);
    expect(enc([1, 256])[1]).toBe(108);
    expect(enc([1, -1])[1]).toBe(108);
    expect(enc([1, Number.NaN].slice(0, 1))).toEqual([131, 107, 0, 1, 1]);
  });
  it('refuses NaN and infinities', () => {
    expect(() => encode(Number.NaN)).toThrow(EncodeError);
    expect(() => encode(Infinity)).toThrow(EncodeError);
    expect(() => encode(new ErlFloat(-Infinity))).toThrow(EncodeError);
  });
  it('decodes the old FLOAT_EXT text form', () => {
    const text = '1.50000000000000000000e+00';
    const wire = [99, ...ascii(text), ...new Array(31 - text.length).fill(0)];
    expect(dec(...wire)).toBe(1.5);
  });
});

describe('atoms', () => {
  it('decodes the OTP 25 default latin-1 forms', () => {
    expect(dec(100, 0, 1, 97)).toBe(atom('a'));
    expect(dec(100, 0, 1, 246)).toBe(atom('ö'));
    expect(dec(115, 1, 246)).toBe(atom('ö'));
    expect(dec(100, 0, 0)).toBe(atom(''));
  });
  it('decodes a 255 × ö atom (510 UTF-8 bytes) and re-encodes it as ATOM_UTF8', () => {
    const name = 'ö'.repeat(255);
    const wire = [118, 1, 254, ...Buffer.from(name)];
    expect(dec(...wire)).toBe(atom(name));
    expect(enc(atom(name))).toEqual([131, ...wire]);
  });
  it('refuses to encode an atom over 255 characters', () => {
    expect(() => encode(atom('x'.repeat(256)))).toThrow(EncodeError);
  });
  it('encodes unicode atoms as SMALL_ATOM_UTF8', () => {
    expect(enc(atom('ö'))).toEqual([131, 119, 2, 0xc3, 0xb6]);
  });
});

describe('lists and strings', () => {
  it('switches from STRING_EXT to LIST_EXT past 65535 bytes', () => {
    const s65535 = encode(new Array(65535).fill(120));
    expect([...s65535.subarray(0, 4)]).toEqual([131, 107, 255, 255]);
    const s65536 = encode(new Array(65536).fill(120));
    expect([...s65536.subarray(0, 6)]).toEqual([131, 108, 0, 1, 0, 0]);
    expect((decode(s65536) as number[]).length).toBe(65536);
  });
  it('flattens list tails that are lists', () => {
    expect(dec(108, 0, 0, 0, 1, 119, 1, 97, 107, 0, 2, 98, 99)).toEqual([atom('a'), 98, 99]);
    expect(enc(new ImproperList([1, 2], charlist('bc')))).toEqual([131, 107, 0, 4, 1, 2, 98, 99]);
    expect(enc(new ImproperList([atom('a')], charlist('bc')))).toEqual([131, 108, 0, 0, 0, 3, 119, 1, 97, 97, 98, 97, 99, 106]);
  });
  it('decodes an empty LIST_EXT with a tail to the tail', () => {
    expect(dec(108, 0, 0, 0, 0, 97, 5)).toBe(5);
  });
  it('keeps charlists and binaries distinct; a JS string is a UTF-8 binary', () => {
    expect(enc('hé')).toEqual([131, 109, 0, 0, 0, 3, 104, 0xc3, 0xa9]);
    expect(dec(109, 0, 0, 0, 1, 65)).toBeInstanceOf(Binary);
    expect(Array.isArray(dec(107, 0, 1, 65))).toBe(true);
    expect(equals('A', bytes(65))).toBe(true);
    expect(equals('A', [65])).toBe(false);
  });
  it('a JS string encodes as its UTF-8 bytes wherever its first non-ASCII character falls', () => {
    for (let len = 0; len <= 11; len++) {
      for (let at = -1; at < len; at++) {
        for (const ch of ['é', '€', '😀']) {
          const s = Array.from({ length: len }, (_, i) => (i === at ? ch : String.fromCharCode(97 + i))).join('');
          const utf8 = [...Buffer.from(s, 'utf8')];
          expect(enc(s), JSON.stringify(s)).toEqual([131, 109, 0, 0, 0, utf8.length, ...utf8]);
        }
      }
    }
  });
});

describe('tuples, maps, bitstrings', () => {
  it('uses LARGE_TUPLE from 256 elements', () => {
    const big = t(...new Array(256).fill(0));
    expect([...encode(big).subarray(0, 6)]).toEqual([131, 105, 0, 0, 1, 0]);
    expect(equals(decode(encode(big)), big)).toBe(true);
  });
  it('sorts small TS-built maps like OTP (integers, then floats, then atoms)', () => {
    const m = new ErlMap([
      [atom('b'), 1],
      [atom('a'), 2],
      [float(1), 3],
      [1, 4],
    ]);
    const back = decode(encode(m)) as ErlMap;
    expect([...back.keys()]).toEqual([1, new ErlFloat(1), atom('a'), atom('b')]);
  });
  it('keeps the decoded order of a map when re-encoding', () => {
    const wire = [116, 0, 0, 0, 2, 119, 1, 98, 97, 1, 119, 1, 97, 97, 2];
    expect(enc(dec(...wire))).toEqual([131, ...wire]);
  });
  it('accepts BIT_BINARY with 8 bits as a binary and empty with 0 bits', () => {
    expect(dec(77, 0, 0, 0, 1, 8, 1)).toEqual(new Binary(bytes(1)));
    expect(dec(77, 0, 0, 0, 0, 0)).toEqual(new Binary(bytes()));
  });
});

describe('pids, refs, ports, funs (old forms)', () => {
  it('decodes PID_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT, PORT_EXT', () => {
    const node = [119, 1, 110];
    expect(dec(103, ...node, 0, 0, 0, 5, 0, 0, 0, 6, 2)).toEqual(new Pid(atom('n'), 5, 6, 2));
    expect(dec(101, ...node, 0, 0, 0, 9, 1)).toEqual(new Ref(atom('n'), 1, [9]));
    expect(dec(114, 0, 2, ...node, 1, 0, 0, 0, 9, 0, 0, 0, 8)).toEqual(new Ref(atom('n'), 1, [9, 8]));
    expect(dec(102, ...node, 0, 0, 0, 9, 1)).toEqual(new Port(atom('n'), 9, 1));
    // re-encoded in the current forms
    expect(enc(dec(103, ...node, 0, 0, 0, 5, 0, 0, 0, 6, 2))[1]).toBe(88);
  });
  it('re-encodes a local fun from OTP byte for byte', () => {
    // term_to_binary(fun() -> ok end, [{minor_version,2}]) from a module `probe` on OTP 25
    const wire = [
      112, 0, 0, 0, 71, 0, 50, 203, 75, 159, 113, 134, 234, 32, 95, 68, 246, 2, 53, 135, 113, 105, 0, 0, 0, 0, 0, 0, 0, 0, 119, 5, 112, 114, 111, 98,
      101, 97, 0, 98, 1, 150, 90, 92, 88, 119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    const fun = dec(...wire);
    expect(enc(fun)).toEqual([131, ...wire]);
  });
});

describe('compressed terms', () => {
  it('round-trips through the compressed form', () => {
    const big = new Array(1000).fill(atom('hello'));
    const packed = encode(big, { compressed: true });
    expect(packed[1]).toBe(80);
    expect(packed.length).toBeLessThan(encode(big).length);
    expect(equals(decode(packed), big)).toBe(true);
  });
  it('keeps the plain form when compression would not shrink it, like OTP', () => {
    expect(enc(1)).toEqual([...encode(1, { compressed: true })]);
  });
});

describe('dist variants', () => {
  it('encodes without a version byte and decodes at offsets', () => {
    const a = encodeNoVersion(t(atom('ok'), 1));
    expect(a[0]).toBe(104);
    const frame = new Uint8Array([9, 9, ...a, ...encodeNoVersion([1, 2]), 9]);
    const first = decodeAt(frame, 2);
    expect(equals(first.term, t(atom('ok'), 1))).toBe(true);
    expect(decodeMany(frame, 2, frame.length - 1).length).toBe(2);
  });
  it('writes several terms into one writer', () => {
    const w = new TermWriter(4);
    w.u8(68);
    encodeTo(w, atom('a'));
    encodeTo(w, 'long enough to force the writer to grow');
    const out = w.take();
    expect(out[0]).toBe(68);
    const terms = decodeMany(out, 1);
    expect(terms[0]).toBe(atom('a'));
    expect(Buffer.from(terms[1] as Binary).toString()).toBe('long enough to force the writer to grow');
  });
  it('resolves ATOM_CACHE_REF through the frame atom cache', () => {
    const { term } = decodeAt(bytes(104, 2, 82, 0, 82, 1), 0, { atomCache: [atom('x'), atom('y')] });
    expect(equals(term, t(atom('x'), atom('y')))).toBe(true);
  });
  it('decodes from a Buffer that starts at a non-zero byteOffset, in both binary modes', () => {
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(encode(t(0.5, bytes(7, 8))))]).subarray(3);
    for (const copyBinaries of [true, false]) {
      const back = decode(pooled, { copyBinaries });
      expect(equals(back, t(0.5, bytes(7, 8))), String(copyBinaries)).toBe(true);
    }
    const view = (decode(pooled, { copyBinaries: false }) as Tuple).elements[1] as Binary;
    pooled[pooled.length - 1] = 9;
    expect([...view]).toEqual([7, 9]); // a view into the caller's bytes
  });
  it('decodes a header list (read in place) from an offset Buffer as views, or as copies with copyBinaries', () => {
    const term = [bytes(1, 2), t(bytes(3), bytes(4, 5)), t(bytes(6), bytes(7), bytes(8))];
    const input = () => Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(encode(term))]).subarray(3);
    for (const copyBinaries of [true, false]) {
      const pooled = input();
      const back = decode(pooled, { copyBinaries }) as Term[];
      expect(equals(back, term), String(copyBinaries)).toBe(true);
      pooled.fill(0);
      const pair = (back[1] as Tuple).elements[1] as Binary;
      expect([...pair], String(copyBinaries)).toEqual(copyBinaries ? [4, 5] : [0, 0]);
    }
  });
  it('tells apart atoms that share their length and first, middle and last bytes (one cache slot)', () => {
    const names = ['aXbYc', 'aZbWc', 'aQbRc', 'a\u00e9b', 'a\u00e8b'];
    for (let round = 0; round < 3; round++) {
      for (const name of names) expect(decode(encode(atom(name)))).toBe(atom(name));
    }
  });
  it('is not fooled when the caller reuses a Buffer that held an atom', () => {
    const buf = Buffer.from([131, 119, 3, ...Buffer.from('abc')]);
    expect(decode(buf)).toBe(atom('abc'));
    buf.write('xyz', 3);
    expect(decode(buf)).toBe(atom('xyz'));
  });
  it('returns independent results from consecutive encodes', () => {
    const results = Array.from({ length: 2000 }, (_, i) => encode(t(atom('n'), i)));
    for (const [i, r] of results.entries()) expect(equals(decode(r), t(atom('n'), i))).toBe(true);
    const big = encode(new Array(5000).fill(1));
    expect(big.length).toBe(5004); // 131, STRING_EXT, u16 length, 5000 bytes
  });
  it('with copyBinaries, keeps every decoded binary intact across many decodes (shared copy slabs) and for big inputs', () => {
    const kept: [number, Binary][] = [];
    for (let i = 0; i < 3000; i++) {
      const input = encode(new Uint8Array(40).fill(i & 255));
      kept.push([i, decode(input, { copyBinaries: true }) as Binary]);
      input.fill(0);
    }
    for (const [i, bin] of kept) expect(bin.bytes.every((v) => v === (i & 255))).toBe(true);
    const big = new Uint8Array(100_000).map((_, i) => i & 255);
    const input = encode(big);
    const back = decode(input, { copyBinaries: true }) as Binary;
    input.fill(0);
    expect(back.at(99_999)).toBe(99_999 & 255);
  });
  it('binaries survive the caller reusing its buffer with copyBinaries', () => {
    const input = bytes(131, 109, 0, 0, 0, 2, 1, 2);
    const bin = decode(input, { copyBinaries: true }) as Binary;
    input.fill(0);
    expect([...bin]).toEqual([1, 2]);
  });
  it('by default binaries are views into the input, like OTP sub-binaries; copyBinary detaches one', () => {
    const input = bytes(131, 104, 2, 109, 0, 0, 0, 2, 1, 2, 77, 0, 0, 0, 1, 3, 0xe0);
    const [bin, bits] = (decode(input) as Tuple).elements as [Binary, BitBinary];
    expect(bin.bytes.buffer).toBe(input.buffer);
    expect(bits.bytes.buffer).toBe(input.buffer);
    const own = copyBinary(bin);
    input[9] = 9;
    expect([...bin]).toEqual([1, 9]);
    expect([...own]).toEqual([1, 2]);
    expect(own.bytes.buffer).not.toBe(input.buffer);
    const pooled = decode(Buffer.from([131, 109, 0, 0, 0, 2, 5, 6])) as Binary; // a view into Node's shared pool
    expect(copyBinary(pooled).bytes.buffer.byteLength).toBe(2); // copied out of it
  });
  it('binaries of a compressed term are views into its own inflated bytes, never the input', () => {
    const input = encode(t(new Uint8Array(300).fill(7), atom('x')), { compressed: true });
    expect(input[1]).toBe(80);
    for (const copyBinaries of [false, true]) {
      const bin = (decode(input, { copyBinaries }) as Tuple).elements[0] as Binary;
      expect(bin.bytes.buffer).not.toBe(input.buffer);
      expect(bin.bytes.every((v) => v === 7)).toBe(true);
    }
  });
});

describe('the shared output slab', () => {
  it('terms that outgrow the slab midway keep their bytes and the positions patched at their end', () => {
    // A local fun's size is patched after its free variables: with the fun starting anywhere in
    // the slab and the free variables overflowing it, the size must still land on the fun.
    const fun = (free: Term[]) =>
      new OpaqueFun({
        arity: 0,
        uniq: new Uint8Array(16).fill(3),
        index: 1,
        module: atom('m'),
        oldIndex: 1,
        oldUniq: 2,
        pid: new Pid(atom('a@h'), 1, 2, 3),
        freeVars: free,
      });
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < i % 14; j++) encode(new Uint8Array(3900 + i)); // moves the next term's start along the slab
      const x = t(atom('f'), fun([new Uint8Array(30_000 + i).fill(i), 'tail']));
      const bytes = encode(x);
      expect(equals(decode(bytes), x)).toBe(true);
    }
    const results = Array.from({ length: 200 }, (_, i) => [i, encode(t(i, new Uint8Array(700).fill(i & 255)))] as const);
    for (const [i, r] of results) expect(equals(decode(r), t(i, new Uint8Array(700).fill(i & 255)))).toBe(true);
  });
});
