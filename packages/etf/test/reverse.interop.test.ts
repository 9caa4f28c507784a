/**
 * TS → erl: terms built in TypeScript decode in erl (binary_to_term) to the expected value. erl
 * parses `format(term)` as Erlang source and compares with =:=, and echoes term_to_binary of what it
 * decoded, which must be the same term (and the same bytes, unless OTP may order/form it otherwise).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pid, Tuple, atom, charlist, decode, encode, equals, format, t, type Term } from '../src/index.ts';
import { etfInterop, otpRelease, scratchDir } from './helpers/erl_peer.ts';
import { TermGenerator, type Generated } from './helpers/random_terms.ts';
import { readFileSync } from 'node:fs';

/** Encode each case, have erl decode and re-encode it; the failures, and how many were parsed and byte-compared. */
async function checkInErl(generated: Generated[], mapOrderKnown: boolean) {
  const cases: (Generated & { bytes: Uint8Array })[] = [];
  const chunks: Buffer[] = [];
  for (const g of generated) {
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
  return { failures, parsedAndMatched, byteCompared };
}

/**
 * Lists of binaries, strings, atoms and tuples, the shapes the encoder writes in place (an event's
 * header list, headed by its Unique-ID or `undefined`), with every way out of that path: a tuple
 * with a non-binary leaf, one with a container inside (written in place up to it, the rest of it
 * and of the list after), a large tuple, a list element that is none of these, and binaries big
 * enough to make the writer grow halfway through.
 */
function headerShapes(): Term[] {
  const bin = (s: string) => new Uint8Array(Buffer.from(s));
  const big = (n: number, c: number) => new Uint8Array(n).fill(c);
  const pid = new Pid(atom('n1@host'), 7, 0, 3);
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => t(bin(`Name-${i}`), bin(`value ${i}`)));
  return [
    [bin('uuid')],
    [bin('a'), bin(''), bin('xyz')],
    pairs(60),
    t(atom('event'), [bin('uuid'), ...pairs(60)]),
    [t(bin('k'), atom('v'), 1, 300, [], charlist('str'), pid), t(bin('k2'), bin('v2'))],
    [t(bin('k'), [bin('nested'), t(bin('a'), bin('b'))], bin('after')), t(bin('k2'), bin('v2')), bin('tail')],
    [t(bin('k'), t(bin('inner'))), bin('x')],
    [t(bin('a'), bin('b')), atom('x'), t(bin('c'), bin('d'))],
    t(atom('event'), [atom('undefined'), ...pairs(60)]), // an event without a Unique-ID
    [atom('a'), atom('a_longer_atom_than_sixteen_bytes'), atom('ätöm'), t(bin('c'), bin('d')), atom('end')],
    // JS strings (UTF-8 binaries) as list elements and pair values, ASCII and not
    ['uuid', t(bin('Event-Sequence'), '42'), t('k', 'v'), t(bin('n'), 'ünïcödé ✓'), t(bin('e'), ''), 'tail'],
    [t(bin('a'), bin('b')), [bin('inner list')], t(bin('c'), bin('d'))],
    [new Tuple(Array.from({ length: 300 }, (_, i) => bin(`e${i}`))), t(bin('c'), bin('d'))],
    [t(), t(bin('only'))],
    [big(40_000, 1), t(big(30_000, 2), big(30_000, 3)), t(bin('k'), big(70_000, 4)), big(5, 5)],
    [1, t(bin('a'), bin('b'))],
    [t(bin('k'), atom('v')), t(bin('k'), 7), t(bin('k'), bin('v')), t(atom('k'), bin('v'))],
    [charlist('uuid'), t(charlist('k'), charlist('v')), t(charlist('k'), bin('v')), t(bin('k'), charlist('v')), bin('x')],
    [charlist('a'), t(charlist('k'), charlist('v'), atom('x')), charlist('b')],
  ];
}

const SEED = Number(process.env.ETF_INTEROP_SEED ?? Date.now() % 1_000_000);
const COUNT = 3000;

describe(`TS-built terms decode in erl (seed ${SEED})`, () => {
  it('erl reads every TS encoding as the expected term', async () => {
    // OTP 26+ keeps small maps with atom keys in atom-index order, which no other node can know.
    const mapOrderKnown = (await otpRelease()) < 26;
    const gen = new TermGenerator(SEED);
    const { failures, parsedAndMatched, byteCompared } = await checkInErl(
      Array.from({ length: COUNT }, () => gen.generate(4)),
      mapOrderKnown,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(parsedAndMatched).toBeGreaterThan(COUNT / 3);
    expect(byteCompared).toBeGreaterThan(COUNT / 4);
  }, 60_000);

  it('erl reads lists of binaries and tuples (written in place) byte for byte, and they decode from its bytes', async () => {
    const shapes = headerShapes().map((term) => ({ term, orderOrFormFree: false, hasMap: false, printable: !format(term).includes('<') }));
    const { failures, byteCompared } = await checkInErl(shapes, true);
    expect(failures).toEqual([]);
    expect(byteCompared).toBe(shapes.length);
  }, 60_000);
});
