import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodeError, atom, decode, decodeAt, decodeMany, type DecodeErrorCode, type DecodeOptions } from '../src/index.ts';
import { fuzz, fuzzCorpus } from './helpers/fuzz.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

function nested(open: number[], depth: number, leaf: number[]): Uint8Array {
  const out: number[] = [131];
  for (let i = 0; i < depth; i++) out.push(...open);
  out.push(...leaf);
  return new Uint8Array(out);
}

function decodeError(input: Uint8Array, opts?: DecodeOptions): DecodeError {
  try {
    decode(input, opts);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw new Error(`expected a DecodeError, got ${String(e)}`);
  }
  throw new Error('expected a DecodeError, but it decoded');
}

const FOUR_GIB = [255, 255, 255, 255];

const cases: [string, Uint8Array, DecodeErrorCode, number, DecodeOptions?][] = [
  ['empty input', bytes(), 'truncated', 0],
  ['wrong version byte', bytes(130, 97, 1), 'bad_version', 0],
  ['version byte only', bytes(131), 'truncated', 1],
  ['truncated INTEGER', bytes(131, 98, 0, 0), 'truncated', 2],
  ['truncated NEW_FLOAT', bytes(131, 70, 0, 0, 0), 'truncated', 2],
  ['unknown tag', bytes(131, 200), 'bad_tag', 1],
  ['removed FUN_EXT', bytes(131, 117, 0, 0, 0, 0), 'bad_tag', 1],
  ['LOCAL_EXT', bytes(131, 121, 0), 'bad_tag', 1],
  ['compressed inside a term', bytes(131, 104, 1, 80, 0, 0, 0, 1), 'bad_tag', 3],
  ['BINARY length past the end', bytes(131, 109, 0, 0, 0, 10, 1, 2), 'bad_length', 1],
  ['4-GiB BINARY length', bytes(131, 109, ...FOUR_GIB), 'bad_length', 1],
  ['4-GiB LIST length', bytes(131, 108, ...FOUR_GIB, 106), 'bad_length', 1],
  // A list's leading binaries and tuples of binaries are read in place; a fault there is reported as anywhere else.
  ['BINARY in a list, length past the end', bytes(131, 108, 0, 0, 0, 2, 109, 0, 0, 0, 5, 1), 'bad_length', 6],
  [
    'second BINARY of a tuple in a list, length past the end',
    bytes(131, 108, 0, 0, 0, 1, 104, 2, 109, 0, 0, 0, 1, 65, 109, 0, 0, 0, 9, 66),
    'bad_length',
    14,
  ],
  ['tuple in a list, cut inside its head', bytes(131, 108, 0, 0, 0, 1, 104), 'truncated', 7],
  ['STRING in a list, length past the end', bytes(131, 108, 0, 0, 0, 2, 107, 0, 9, 65, 65), 'truncated', 9],
  ['STRING in a tuple in a list, length past the end', bytes(131, 108, 0, 0, 0, 1, 104, 2, 107, 0, 1, 65, 107, 0, 9, 65), 'truncated', 15],
  ['first BINARY of a pair in a list, length past the end', bytes(131, 108, 0, 0, 0, 1, 104, 2, 109, 0, 0, 0, 9, 65), 'bad_length', 8],
  ['tuple of binaries in a list, one level past maxDepth', bytes(131, 108, 0, 0, 0, 1, 104, 1, 109, 0, 0, 0, 0, 106), 'too_deep', 6, { maxDepth: 1 }],
  ['4-GiB LARGE_TUPLE arity', bytes(131, 105, ...FOUR_GIB), 'bad_length', 1],
  ['4-GiB MAP arity', bytes(131, 116, ...FOUR_GIB), 'bad_length', 1],
  ['4-GiB LARGE_BIG', bytes(131, 111, ...FOUR_GIB, 0), 'bad_length', 1],
  ['4-GiB BIT_BINARY', bytes(131, 77, ...FOUR_GIB, 3), 'bad_length', 1],
  ['STRING length past the end', bytes(131, 107, 255, 255, 1), 'truncated', 4],
  ['list without a tail', bytes(131, 108, 0, 0, 0, 1, 97, 1), 'truncated', 8],
  ['4-GiB compressed size', bytes(131, 80, ...FOUR_GIB, ...deflateSync(bytes(97, 1))), 'too_large', 1],
  ['compressed size mismatch', bytes(131, 80, 0, 0, 0, 9, ...deflateSync(bytes(97, 1))), 'bad_compressed', 1],
  ['compressed garbage', bytes(131, 80, 0, 0, 0, 2, 1, 2, 3, 4), 'bad_compressed', 1],
  ['SMALL_TUPLE nesting past an explicit maxDepth', nested([104, 1], 100_000, [106]), 'too_deep', 1 + 2 * 1000, { maxDepth: 1000 }],
  ['LIST nesting past an explicit maxDepth', nested([108, 0, 0, 0, 1], 100_000, [106]), 'too_deep', 1 + 5 * 1000, { maxDepth: 1000 }],
  ['MAP nesting past an explicit maxDepth', nested([116, 0, 0, 0, 1, 97, 1], 100_000, [106]), 'too_deep', 1 + 7 * 1000, { maxDepth: 1000 }],
  ['deep nesting past a lower maxDepth', nested([104, 1], 20, [106]), 'too_deep', 1 + 2 * 10, { maxDepth: 10 }],
  ['deep LIST nesting without the tails', nested([108, 0, 0, 0, 1], 100_000, [106]), 'truncated', 1 + 5 * 100_000 + 1],
  ['deep list with a bad tag at the bottom', nested([108, 0, 0, 0, 1], 100_000, [200]), 'bad_tag', 1 + 5 * 100_000],
  ['deep tuple chain, truncated at the bottom', nested([104, 2, 97, 1], 100_000, [98, 0]), 'truncated', 1 + 4 * 100_000 + 1],
  [
    'duplicate key in a deeply nested map',
    nested([116, 0, 0, 0, 1, 97, 1], 50_000, [116, 0, 0, 0, 2, 97, 1, 106, 97, 1, 106]),
    'duplicate_key',
    1 + 7 * 50_000 + 8,
  ],
  ['atom of 256 characters (UTF-8)', bytes(131, 118, 1, 0, ...new Array(256).fill(97)), 'bad_atom', 1],
  ['atom of 256 characters (latin-1)', bytes(131, 100, 1, 0, ...new Array(256).fill(246)), 'bad_atom', 1],
  ['atom of 256 ö (512 bytes)', bytes(131, 118, 2, 0, ...new Array(256).fill([0xc3, 0xb6]).flat()), 'bad_atom', 1],
  ['invalid UTF-8 in an atom', bytes(131, 119, 2, 0xc3, 0x28), 'bad_utf8', 1],
  ['overlong UTF-8 in an atom', bytes(131, 119, 2, 0xc0, 0x80), 'bad_utf8', 1],
  ['UTF-16 surrogate in an atom', bytes(131, 119, 3, 0xed, 0xa0, 0x80), 'bad_utf8', 1],
  ['atom length past the end', bytes(131, 118, 0, 9, 97), 'truncated', 4],
  ['NaN', bytes(131, 70, 127, 248, 0, 0, 0, 0, 0, 0), 'bad_float', 1],
  ['+Infinity', bytes(131, 70, 127, 240, 0, 0, 0, 0, 0, 0), 'bad_float', 1],
  ['FLOAT_EXT that is not a number', bytes(131, 99, ...ascii('nan'), ...new Array(28).fill(0)), 'bad_float', 1],
  ['duplicate map key', bytes(131, 116, 0, 0, 0, 2, 119, 1, 97, 97, 1, 119, 1, 97, 97, 2), 'duplicate_key', 11],
  ['trailing bytes', bytes(131, 97, 1, 0), 'trailing_data', 3],
  ['unknown atom in safe mode', bytes(131, 119, 8, ...ascii('zzqqxxyy')), 'unknown_atom', 1, { safe: true }],
  ['reference of 6 words', bytes(131, 90, 0, 6, 119, 1, 97), 'bad_length', 1],
  ['reference of 0 words', bytes(131, 90, 0, 0, 119, 1, 97), 'bad_length', 1],
  ['pid whose node is not an atom', bytes(131, 88, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'bad_tag', 2],
  ['BIT_BINARY with 9 bits', bytes(131, 77, 0, 0, 0, 1, 9, 0), 'bad_value', 1],
  ['BIT_BINARY with 0 bits', bytes(131, 77, 0, 0, 0, 1, 0, 0), 'bad_value', 1],
  ['export arity that is not a SMALL_INTEGER', bytes(131, 113, 119, 1, 109, 119, 1, 102, 98, 0, 0, 0, 1), 'bad_value', 8],
  ['atom cache ref without a cache', bytes(131, 82, 0), 'bad_atom', 1],
  ['bignum sign byte 2', bytes(131, 110, 1, 2, 5), 'bad_value', 1],
  ['NEW_FUN size smaller than its contents', bytes(131, 112, 0, 0, 0, 4, ...new Array(29).fill(0)), 'bad_length', 1],
];

describe('bad input → DecodeError with the offset', () => {
  for (const [name, input, code, offset, opts] of cases) {
    it(name, () => {
      const e = decodeError(input, opts);
      expect(e.code).toBe(code);
      expect(e.offset).toBe(offset);
    });
  }

  it('allocates nothing for a 4-GiB header (returns at once)', () => {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) decodeError(bytes(131, 108, ...FOUR_GIB));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts trailing bytes when asked, like binary_to_term/1', () => {
    expect(decode(bytes(131, 97, 1, 0), { allowTrailing: true })).toBe(1);
  });

  it('safe mode accepts atoms that already exist', () => {
    atom('already_here');
    expect(decode(bytes(131, 119, 12, ...ascii('already_here')), { safe: true })).toBe(atom('already_here'));
  });

  it('reports offsets relative to the whole buffer in decodeAt and decodeMany', () => {
    const frame = bytes(0, 0, 0, 97, 1, 98, 0);
    expect(() => decodeMany(frame, 3)).toThrow(DecodeError);
    try {
      decodeMany(frame, 3);
    } catch (e) {
      expect((e as DecodeError).offset).toBe(6);
    }
    try {
      decodeAt(bytes(9, 9, 200), 2);
    } catch (e) {
      expect((e as DecodeError).code).toBe('bad_tag');
      expect((e as DecodeError).offset).toBe(2);
    }
  });
});

describe('fuzz', () => {
  it('5000 mutations of valid terms: only terms or DecodeErrors', () => {
    const corpus = fuzzCorpus(7, 300);
    const report = fuzz(Number(process.env.ETF_FUZZ_SEED ?? Date.now() % 1_000_000), 5000, corpus);
    expect(report.crashes).toEqual([]);
    expect(report.decoded + report.decodeErrors).toBe(5000);
    expect(report.decodeErrors).toBeGreaterThan(1000);
    expect(report.decoded).toBeGreaterThan(100);
  });
});
