/** Mutation fuzzing of the decoder: the only acceptable outcomes are a term or a DecodeError. */
import { DecodeError, atom, decode, encode, t, type Term } from '../../src/index.ts';
import { TermGenerator, rng } from './random_terms.ts';

export interface FuzzReport {
  cases: number;
  decoded: number;
  decodeErrors: number;
  /** Anything else thrown: each one is a bug. */
  crashes: { input: string; error: string }[];
  byCode: Record<string, number>;
  slowestMs: number;
}

/** Valid encodings to mutate. */
export function fuzzCorpus(seed: number, count: number): Uint8Array[] {
  const gen = new TermGenerator(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    // Every fifth a header list (the shape the decoder reads in place), so mutations reach that path.
    const term = i % 5 === 4 ? headerList(gen) : gen.generate(3).term;
    out.push(encode(term, i % 7 === 0 ? { compressed: true } : undefined));
  }
  return out;
}

/** `[Binary | [{Binary, Binary | other leaf}]]` (charlists for some binaries), a few elements long. */
function headerList(gen: TermGenerator): Term[] {
  const bin = (): Term => {
    const bytes = new Uint8Array(gen.int(12)).fill(65 + gen.int(26));
    return gen.int(3) === 0 ? [...bytes] : bytes; // a charlist now and then
  };
  const list: Term[] = [bin()];
  const n = 1 + gen.int(6);
  for (let i = 0; i < n; i++) list.push(t(bin(), gen.int(5) === 0 ? atom('v') : bin()));
  return list;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 106, 107, 108, 104, 105, 116, 119, 118, 100, 109, 77, 110, 111, 88, 90, 112, 113, 80];

export function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  let b = Uint8Array.from(src);
  const rounds = 1 + pick(4);
  for (let k = 0; k < rounds; k++) {
    const at = b.length === 0 ? 0 : pick(b.length);
    switch (pick(8)) {
      case 0: // flip a bit
        if (b.length) b[at] ^= 1 << pick(8);
        break;
      case 1: // an interesting byte
        if (b.length) b[at] = INTERESTING[pick(INTERESTING.length)];
        break;
      case 2: // truncate
        b = b.slice(0, at);
        break;
      case 3: {
        // a huge 32-bit length somewhere
        const c = Uint8Array.from(b);
        for (let i = 0; i < 4 && at + i < c.length; i++) c[at + i] = pick(2) ? 0xff : pick(256);
        b = c;
        break;
      }
      case 4: {
        // insert random bytes
        const extra = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
        const c = new Uint8Array(b.length + extra.length);
        c.set(b.subarray(0, at));
        c.set(extra, at);
        c.set(b.subarray(at), at + extra.length);
        b = c;
        break;
      }
      case 5: {
        // delete a range
        const n = 1 + pick(8);
        const rest = b.subarray(Math.min(b.length, at + n));
        const c = new Uint8Array(at + rest.length);
        c.set(b.subarray(0, at));
        c.set(rest, at);
        b = c;
        break;
      }
      case 6: {
        // duplicate a slice of itself
        const from = pick(b.length + 1);
        const piece = b.slice(from, from + 1 + pick(16));
        const c = new Uint8Array(b.length + piece.length);
        c.set(b.subarray(0, at));
        c.set(piece, at);
        c.set(b.subarray(at), at + piece.length);
        b = c;
        break;
      }
      default:
        if (b.length) b[at] = pick(256);
    }
  }
  return b;
}

export function fuzz(seed: number, cases: number, corpus: Uint8Array[]): FuzzReport {
  const r = rng(seed);
  const report: FuzzReport = { cases, decoded: 0, decodeErrors: 0, crashes: [], byCode: {}, slowestMs: 0 };
  for (let i = 0; i < cases; i++) {
    const input = mutate(corpus[Math.floor(r() * corpus.length)], r);
    const started = performance.now();
    try {
      const term = decode(input);
      report.decoded++;
      encode(term); // whatever decodes must be encodable again
    } catch (e) {
      if (e instanceof DecodeError) {
        report.decodeErrors++;
        report.byCode[e.code] = (report.byCode[e.code] ?? 0) + 1;
      } else if (report.crashes.length < 20) {
        report.crashes.push({ input: Buffer.from(input).toString('hex').slice(0, 400), error: String((e as Error)?.stack ?? e) });
      } else {
        report.crashes.length++;
      }
    }
    const ms = performance.now() - started;
    if (ms > report.slowestMs) report.slowestMs = ms;
  }
  return report;
}
