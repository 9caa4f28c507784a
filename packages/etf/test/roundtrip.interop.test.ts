/**
 * Byte-exactness against a real erl: erl makes thousands of random terms; each must satisfy
 * encode(decode(B)) === B for B = term_to_binary(T, [{minor_version, 2}]), and the older forms OTP
 * emits (default latin-1 atoms, minor_version 0 floats, compressed) must decode to the same term.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Atom,
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
  Tuple,
  decode,
  encode,
  equals,
  format,
  type Term,
} from '../src/index.ts';
import { etfInterop, otpRelease, readRecords, scratchDir } from './helpers/erl_peer.ts';

const SEED = Number(process.env.ETF_INTEROP_SEED ?? Date.now() % 1_000_000);
const COUNT = 3000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Counts the kinds of terms reached, to prove the corpus covers every type. */
function kinds(x: Term, seen: Set<string>): void {
  if (typeof x === 'number') seen.add(Number.isInteger(x) ? 'integer' : 'float');
  else if (typeof x === 'bigint') seen.add('bignum');
  else if (x instanceof Atom) seen.add(/^\p{ASCII}*$/u.test(x.name) ? 'atom' : 'unicode atom');
  else if (x instanceof Tuple) {
    seen.add(x.elements.length > 255 ? 'large tuple' : 'tuple');
    for (const e of x.elements) kinds(e, seen);
  } else if (Array.isArray(x)) {
    if (x.length > 65535) seen.add('long list');
    seen.add(x.length === 0 ? 'nil' : 'list');
    for (const e of x) kinds(e, seen);
  } else if (x instanceof ImproperList) {
    seen.add('improper list');
    for (const e of x.elements) kinds(e, seen);
    kinds(x.tail, seen);
  } else if (x instanceof ErlMap) {
    seen.add(x.size > 32 ? 'big map' : 'map');
    for (const [k, v] of x) {
      kinds(k, seen);
      kinds(v, seen);
    }
  } else if (x instanceof Binary) seen.add('binary');
  else if (x instanceof BitBinary) seen.add('bitstring');
  else if (x instanceof ErlFloat) seen.add(Object.is(x.value, -0) ? '-0.0' : 'float');
  else if (x instanceof Pid) seen.add('pid');
  else if (x instanceof Ref) seen.add('ref');
  else if (x instanceof Port) seen.add('port');
  else if (x instanceof ExportFun) seen.add('export fun');
  else if (x instanceof OpaqueFun) {
    seen.add('local fun');
    for (const v of x.fun.freeVars) kinds(v, seen);
  }
}

describe(`round trip against erl (seed ${SEED})`, () => {
  let records: Uint8Array[] = [];
  let release = 0;
  beforeAll(async () => {
    release = await otpRelease();
    const file = join(scratchDir(), 'terms.bin');
    await etfInterop(['gen', String(SEED), String(COUNT), file]);
    records = readRecords(file);
  }, 60_000);

  it('covers every term type', () => {
    expect(records.length / 4).toBeGreaterThan(COUNT);
    const seen = new Set<string>();
    for (let i = 0; i < records.length; i += 4) kinds(decode(records[i]), seen);
    for (const k of [
      'integer',
      'bignum',
      'float',
      '-0.0',
      'atom',
      'unicode atom',
      'tuple',
      'large tuple',
      'nil',
      'list',
      'long list',
      'improper list',
      'map',
      'big map',
      'binary',
      'bitstring',
      'pid',
      'ref',
      'port',
      'export fun',
      'local fun',
    ]) {
      expect(seen, k).toContain(k);
    }
  });

  it('encode(decode(B)) === B for every minor_version 2 encoding', () => {
    const failures: string[] = [];
    for (let i = 0; i < records.length; i += 4) {
      const b = records[i];
      try {
        const again = encode(decode(b));
        if (!sameBytes(again, b)) failures.push(`#${i / 4} differs at byte ${firstDiff(again, b)}: ${format(decode(b)).slice(0, 300)}`);
      } catch (e) {
        failures.push(`#${i / 4} threw ${(e as Error).message}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it("decodes OTP's default, minor_version 0 and compressed forms to the same term (and re-encodes to the v2 bytes)", () => {
    const failures: string[] = [];
    for (let i = 0; i < records.length; i += 4) {
      const v2 = records[i];
      const expected = decode(v2);
      for (const [form, b] of [
        ['default', records[i + 1]],
        ['minor_version 0', records[i + 2]],
        ['compressed', records[i + 3]],
      ] as const) {
        try {
          const got = decode(b);
          if (!equals(got, expected)) failures.push(`#${i / 4} ${form}: ${format(got).slice(0, 200)} vs ${format(expected).slice(0, 200)}`);
          else if (form !== 'compressed' && !sameBytes(encode(got), v2)) failures.push(`#${i / 4} ${form}: re-encoding differs from v2`);
        } catch (e) {
          failures.push(`#${i / 4} ${form} threw ${(e as Error).message}`);
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it("re-creates OTP's default term_to_binary/1 bytes with minorVersion 1 (latin-1 ATOM_EXT on OTP 25)", () => {
    const failures: string[] = [];
    const minorVersion = release < 26 ? 1 : 2;
    for (let i = 0; i < records.length; i += 4) {
      const def = records[i + 1];
      const again = encode(decode(def), { minorVersion });
      if (!sameBytes(again, def)) failures.push(`#${i / 4} differs at byte ${firstDiff(again, def)}: ${format(decode(def)).slice(0, 300)}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
