/**
 * TS → erl: terms built in TypeScript decode in erl (binary_to_term) to the expected value. erl
 * parses `format(term)` as Erlang source and compares with =:=, and echoes term_to_binary of what it
 * decoded, which must be the same term (and the same bytes, unless OTP may order/form it otherwise).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, equals, format } from '../src/index.ts';
import { etfInterop, otpRelease, scratchDir } from './helpers/erl_peer.ts';
import { TermGenerator, type Generated } from './helpers/random_terms.ts';
import { readFileSync } from 'node:fs';

const SEED = Number(process.env.ETF_INTEROP_SEED ?? Date.now() % 1_000_000);
const COUNT = 3000;

describe(`TS-built terms decode in erl (seed ${SEED})`, () => {
  it('erl reads every TS encoding as the expected term', async () => {
    // OTP 26+ keeps small maps with atom keys in atom-index order, which no other node can know.
    const mapOrderKnown = (await otpRelease()) < 26;
    const gen = new TermGenerator(SEED);
    const cases: (Generated & { bytes: Uint8Array })[] = [];
    const chunks: Buffer[] = [];
    for (let i = 0; i < COUNT; i++) {
      const g = gen.generate(4);
      const bytes = encode(g.term);
      const text = g.printable ? Buffer.from(format(g.term), 'utf8') : Buffer.alloc(0);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(bytes.length);
      const textHead = Buffer.alloc(4);
      textHead.writeUInt32BE(text.length);
      chunks.push(head, Buffer.from(bytes), textHead, text);
      cases.push({ ...g, bytes });
    }
    const dir = scratchDir();
    writeFileSync(join(dir, 'in.bin'), Buffer.concat(chunks));
    await etfInterop(['check', join(dir, 'in.bin'), join(dir, 'out.bin')]);
    const out = readFileSync(join(dir, 'out.bin'));

    const failures: string[] = [];
    let parsedAndMatched = 0;
    let byteCompared = 0;
    let p = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const status = out[p];
      const len = out.readUInt32BE(p + 1);
      const echo = new Uint8Array(out.subarray(p + 5, p + 5 + len));
      p += 5 + len;
      const shown = format(c.term).slice(0, 300);
      if (status === 3) failures.push(`#${i} binary_to_term failed: ${shown}`);
      else if (status === 0) failures.push(`#${i} erl decoded something else than the text says: ${shown}`);
      else {
        if (status === 1) parsedAndMatched++;
        if (!equals(decode(echo), c.term)) failures.push(`#${i} echo is another term: ${shown}`);
        else if (!c.orderOrFormFree && (mapOrderKnown || !c.hasMap)) {
          byteCompared++;
          if (!Buffer.from(echo).equals(Buffer.from(c.bytes))) failures.push(`#${i} erl re-encodes differently: ${shown}`);
        }
      }
    }
    expect(p).toBe(out.length);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(parsedAndMatched).toBeGreaterThan(COUNT / 3);
    expect(byteCompared).toBeGreaterThan(COUNT / 4);
  }, 60_000);
});
