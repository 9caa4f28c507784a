/**
 * The result-allocation floor of decoding (for `pnpm bench etf`): the time to allocate the objects
 * a decode returns — the same Binary windows (on the same input buffers, at the same offsets), the
 * same tuples with their element arrays, lists and charlists, pids, refs and boxed floats — with
 * no parsing at all. Before timing, each distinct shape of term becomes one generated function (a
 * loop per run of like elements in a list, straight-line code for the rest), and each term the
 * numbers (window offsets and lengths, counts, integers, charlist bytes) it takes, in order. Atoms and integers
 * are not allocated (the decoder does not allocate them either); rarer objects (maps, funs,
 * bignums...) are not re-made, which only lowers the floor. A decoder can come near this, not
 * under it.
 */
import { Binary, ErlFloat, Pid, Ref, Tuple, equals, type Term } from '@beamline/etf';

/** One decoded term, replayable: `replay()` allocates it again. */
export interface Replay {
  replay(): Term;
}

type Maker = (src: Uint8Array, o: Int32Array, k: unknown[]) => Term;

const makers = new Map<string, Maker>();

function chars(o: Int32Array, at: number, n: number): number[] {
  // As the decoder reads a STRING: four at a time.
  const out: number[] = new Array(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out[i] = o[at + i];
    out[i + 1] = o[at + i + 1];
    out[i + 2] = o[at + i + 2];
    out[i + 3] = o[at + i + 3];
  }
  for (; i < n; i++) out[i] = o[at + i];
  return out;
}

interface Block {
  depth: number;
  n: number;
}

/**
 * Statements that allocate `x` again into a fresh variable (named after the block's depth, so an
 * inner block never shadows one it assigns to), and that variable; the numbers and constants it
 * reads, in order, go to `nums` and `consts`. A list's elements are grouped into runs of one shape,
 * each run a loop: the code depends on the term's shape, never on its lengths or values.
 */
function gen(x: Term, blk: Block, nums: number[], consts: unknown[]): { code: string; value: string } {
  const v = `v${blk.depth}_${blk.n++}`;
  if (x instanceof Binary) {
    nums.push(x.bytes.byteOffset, x.length);
    return { code: `const ${v} = new Binary(src, o[i++], o[i++]);`, value: v };
  }
  if (x instanceof Tuple) {
    const parts = x.elements.map((e) => gen(e, blk, nums, consts));
    const code = `${parts.map((p) => p.code).join('')}const ${v} = new Tuple([${parts.map((p) => p.value).join(', ')}]);`;
    return { code, value: v };
  }
  if (Array.isArray(x)) {
    if (x.length > 0 && x.every((e) => typeof e === 'number' && (e & 255) === e)) {
      nums.push(x.length, ...(x as number[]));
      return { code: `n = o[i++]; const ${v} = chars(o, i, n); i += n;`, value: v };
    }
    if (x.length === 0) return { code: `const ${v} = [];`, value: v };
    const q = `q${blk.depth}`;
    nums.push(x.length);
    let code = `const ${v} = new Array(o[i++]); let ${q} = 0;`;
    let k = 0;
    while (k < x.length) {
      // A run: the elements from k on whose code is the same as x[k]'s.
      const first = element(x[k], blk.depth + 1);
      let end = k + 1;
      const parts = [first];
      for (; end < x.length; end++) {
        const next = element(x[end], blk.depth + 1);
        if (next.code !== first.code) break;
        parts.push(next);
      }
      nums.push(end - k);
      for (const p of parts) {
        nums.push(...p.nums);
        consts.push(...p.consts);
      }
      code += `for (let r = o[i++]; r > 0; r--) { ${first.code}${v}[${q}++] = ${first.value}; }`;
      k = end;
    }
    return { code, value: v };
  }
  if (typeof x === 'number' && (x | 0) === x) {
    nums.push(x);
    return { code: `const ${v} = o[i++];`, value: v };
  }
  if (x instanceof Pid) {
    consts.push(x.node);
    nums.push(x.id, x.serial, x.creation);
    return { code: `const ${v} = new Pid(k[j++], o[i++] >>> 0, o[i++] >>> 0, o[i++] >>> 0);`, value: v };
  }
  if (x instanceof Ref) {
    consts.push(x.node);
    nums.push(x.creation, ...x.ids);
    return { code: `const ${v} = new Ref(k[j++], o[i++] >>> 0, [${x.ids.map(() => 'o[i++] >>> 0').join(', ')}]);`, value: v };
  }
  if (x instanceof ErlFloat) {
    consts.push(x.value);
    return { code: `const ${v} = new ErlFloat(k[j++]);`, value: v };
  }
  consts.push(x);
  return { code: `const ${v} = k[j++];`, value: v };
}

/** One list element's code (in its own block at `depth`), with the numbers and constants it reads. */
function element(x: Term, depth: number): { code: string; value: string; nums: number[]; consts: unknown[] } {
  const nums: number[] = [];
  const consts: unknown[] = [];
  return { ...gen(x, { depth, n: 0 }, nums, consts), nums, consts };
}

/** The replay of `decoded`, a term decoded from `input` (its binaries are views of input's buffer). */
export function replayOf(decoded: Term, input: Uint8Array): Replay {
  const nums: number[] = [];
  const consts: unknown[] = [];
  const top = gen(decoded, { depth: 0, n: 0 }, nums, consts);
  let make = makers.get(top.code);
  if (make === undefined) {
    const source = `return (src, o, k) => { let i = 0; let j = 0; let n = 0; ${top.code} return ${top.value}; };`;
    make = new Function('Tuple', 'Pid', 'Ref', 'ErlFloat', 'Binary', 'chars', source)(Tuple, Pid, Ref, ErlFloat, Binary, chars) as Maker;
    makers.set(top.code, make);
  }
  const m = make;
  const o = Int32Array.from(nums);
  // Offsets are from the start of the input's ArrayBuffer: the replay's windows are on all of it.
  const src = new Uint8Array(input.buffer);
  for (const b of binaries(decoded)) if (b.bytes.buffer !== input.buffer) throw new Error('floor: a binary that is not a window on the input');
  const replay = { replay: () => m(src, o, consts) };
  if (!equals(replay.replay(), decoded)) throw new Error('floor: the replay makes another term');
  return replay;
}

function* binaries(x: Term): Generator<Binary> {
  if (x instanceof Binary) yield x;
  else if (x instanceof Tuple) for (const e of x.elements) yield* binaries(e);
  else if (Array.isArray(x)) for (const e of x) yield* binaries(e);
}
