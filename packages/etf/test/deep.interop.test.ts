/**
 * Deep terms against a real erl: OTP has no nesting limit, so neither may we. erl builds terms nested
 * a million levels deep (a list in a list, an `{I, Prev}` chain, and a chain cycling through maps,
 * improper lists and tuples); each must decode here and re-encode to the same bytes. The same terms
 * built in TypeScript must decode in erl to terms =:= erl's own.
 */
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, equals, format, hash, compare, type Term } from '../src/index.ts';
import { deepTerms, DEEP_SHAPES } from './helpers/deep_terms.ts';
import { etfInterop, readRecords, scratchDir } from './helpers/erl_peer.ts';

const DEPTH = 1_000_000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe(`terms nested ${DEPTH} deep, both ways through erl`, () => {
  it('erl → beamline: decodes, re-encodes byte for byte, compares, hashes and prints', async () => {
    const file = join(scratchDir(), 'deep.bin');
    await etfInterop(['deep', String(DEPTH), file]);
    const records = readRecords(file);
    expect(records.length).toBe(DEEP_SHAPES.length);
    const built: (Term | undefined)[] = deepTerms(DEPTH);
    for (let k = 0; k < records.length; k++) {
      const shape = DEEP_SHAPES[k];
      const got = decode(records[k]);
      expect(sameBytes(encode(got), records[k]), `${shape}: re-encoding`).toBe(true);
      const mine = built[k] as Term;
      built[k] = undefined; // each shape is let go once checked: three million-deep terms at once are plenty
      expect(equals(got, mine), `${shape}: equals`).toBe(true);
      expect(compare(got, mine), `${shape}: compare`).toBe(0);
      expect(hash(got), `${shape}: hash`).toBe(hash(mine));
      expect(format(got, { depth: 3 }), `${shape}: format`).toMatch(/\.\.\./);
    }
  }, 120_000);

  it('beamline → erl: binary_to_term gives the term erl builds, and erl re-encodes our bytes', async () => {
    const dir = scratchDir();
    const terms = deepTerms(DEPTH);
    const bytes = terms.map((x) => encode(x));
    const chunks: Buffer[] = [];
    for (const b of bytes) {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(b.length);
      chunks.push(head, Buffer.from(b));
    }
    writeFileSync(join(dir, 'in.bin'), Buffer.concat(chunks));
    await etfInterop(['deep_check', String(DEPTH), join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const out = readFileSync(join(dir, 'out.bin'));
    let p = 0;
    for (let k = 0; k < terms.length; k++) {
      const status = out[p];
      const len = out.readUInt32BE(p + 1);
      const echo = out.subarray(p + 5, p + 5 + len);
      p += 5 + len;
      expect(status, `${DEEP_SHAPES[k]}: erl's verdict (1 = the same term, 0 = another, 3 = binary_to_term failed)`).toBe(1);
      expect(sameBytes(echo, bytes[k]), `${DEEP_SHAPES[k]}: erl's re-encoding`).toBe(true);
    }
    expect(p).toBe(out.length);
  }, 120_000);
});
