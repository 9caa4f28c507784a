/**
 * No nesting limit: every walk over a term (decode, encode, equals, compare, hash, format) runs on an
 * explicit stack, so a term nested a million levels deep is an ordinary term. Cyclic JS values, which
 * no Erlang term can be, fail (or print `<cyclic>`) instead of walking forever.
 */
import { describe, expect, it } from 'vitest';
import {
  EncodeError,
  ErlMap,
  ImproperList,
  OpaqueFun,
  Pid,
  atom,
  charlist,
  compare,
  compareKeys,
  decode,
  encode,
  equals,
  format,
  hash,
  t,
  type Term,
} from '../src/index.ts';

// Far past any recursion (V8's stack ends near 10,000 frames); the 1,000,000-deep chains cross
// to and from a real erl in deep.interop.test.ts.
const DEPTH = 200_000;
const PID = new Pid(atom('a@h'), 1, 2, 3);

function fun(freeVars: Term[]): OpaqueFun {
  return new OpaqueFun({ arity: 1, uniq: new Uint8Array(16).fill(7), index: 2, module: atom('m'), oldIndex: 3, oldUniq: 4, pid: PID, freeVars });
}

/** `depth` levels of one container kind around `leaf`. */
const shapes: [string, (inner: Term, i: number) => Term][] = [
  ['tuple chain {I, Prev}', (inner, i) => t(i, inner)],
  ['list in a list', (inner) => [inner]],
  ['list of two, the deep one last', (inner, i) => [i, inner]],
  ['map value', (inner, i) => new ErlMap([[i, inner]])],
  ['map key', (inner) => new ErlMap([[inner, 1]])],
  ['improper list tail', (inner, i) => new ImproperList([i], t(inner))],
  ['local fun free variable', (inner) => fun([inner])],
];

function nest(shape: (inner: Term, i: number) => Term, depth: number, leaf: Term): Term {
  let x = leaf;
  for (let i = 0; i < depth; i++) x = shape(x, i % 200);
  return x;
}

describe(`terms nested ${DEPTH} deep`, () => {
  for (const [name, shape] of shapes) {
    it(`${name}: encode, decode, re-encode, equals, compare, hash, format`, () => {
      // A million levels of the two shapes ordinary accumulators build; fewer of the bulkier ones.
      const depth = name === 'tuple chain {I, Prev}' || name === 'list in a list' ? DEPTH : DEPTH / 5;
      let x: Term | undefined = nest(shape, depth, atom('bottom'));
      const bytes = encode(x);
      let y: Term | undefined = decode(bytes);
      expect(Buffer.from(encode(y)).equals(Buffer.from(bytes))).toBe(true);
      expect(equals(x, y)).toBe(true);
      expect(compare(x, y)).toBe(0);
      expect(hash(x)).toBe(hash(y));
      if (!(y instanceof OpaqueFun)) {
        expect(format(y, { depth: 4 })).toContain('...');
        expect(format(y).length).toBeGreaterThan(depth);
      }
      // The same nesting with another leaf at the bottom: unequal, and ordered by that leaf.
      const other = decode(encode(nest(shape, depth, atom('cellar'))));
      expect(equals(y, other)).toBe(false);
      expect(compare(y, other)).toBe(-1); // 'bottom' < 'cellar'
      expect(compare(other, y)).toBe(1);
      x = y = undefined;
    }, 60_000);
  }

  it('decodes nesting of every container kind straight from bytes', () => {
    const levels = 300_000;
    // {1, [#{k => [I | {...}]}]} repeated: SMALL_TUPLE, LIST, MAP, improper LIST, tail tuple.
    const open = [104, 2, 97, 1, 108, 0, 0, 0, 1, 116, 0, 0, 0, 1, 119, 1, 107, 108, 0, 0, 0, 1, 97, 9, 104, 1];
    const close = [106]; // the LIST's tail (the map, improper list and tuples need none)
    const b = new Uint8Array(1 + levels * (open.length + close.length) + 1);
    let p = 0;
    b[p++] = 131;
    for (let i = 0; i < levels; i++) for (const x of open) b[p++] = x;
    b[p++] = 106; // the innermost term: []
    for (let i = 0; i < levels; i++) for (const x of close) b[p++] = x;
    const term = decode(b.subarray(0, p));
    let x: Term = term;
    let n = 0;
    while (!(Array.isArray(x) && x.length === 0)) {
      const list = (x as ReturnType<typeof t>).elements[1] as Term[];
      const map = list[0] as ErlMap;
      const improper = map.get(atom('k')) as ImproperList;
      x = (improper.tail as ReturnType<typeof t>).elements[0];
      n++;
    }
    expect(n).toBe(levels);
    expect(Buffer.from(encode(term)).equals(Buffer.from(b.subarray(0, p)))).toBe(true);
  });

  it('a printable charlist of 200,000 characters formats (no call with 200,000 arguments)', () => {
    const s = 'abc'.repeat(70_000);
    expect(format(charlist(s))).toBe(`"${s}"`);
  });
});

describe('format options for logs', () => {
  it('depth abbreviates deeper terms with ...', () => {
    expect(format(t(1, t(2, t(3))), { depth: 2 })).toBe('{1,{2,...}}');
    expect(format([1, [2, [3]]], { depth: 1 })).toBe('[1,...]');
    expect(format(new ErlMap([[atom('a'), t(1)]]), { depth: 1 })).toBe('#{a => ...}');
    expect(format(t(1, 2), { depth: 5 })).toBe('{1,2}');
  });

  it('maxLength stops the text (and the walk) at about that many characters', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => t(i, atom('x')));
    const text = format(big, { maxLength: 50 });
    expect(text.length).toBeLessThanOrEqual(53);
    expect(text.endsWith('...')).toBe(true);
    expect(text.startsWith('[{0,x},{1,x},')).toBe(true);
  });
});

describe('maps whose keys are maps (a walk inside a walk)', () => {
  it('compares, orders and hashes them like any other term', () => {
    const key = (i: number) =>
      new ErlMap([
        [atom('id'), i],
        [atom('tag'), t(i, [i])],
      ]);
    const a = new ErlMap([
      [key(1), 'one'],
      [key(2), 'two'],
      [key(3), t(key(4), 'x')],
    ]);
    const b = decode(
      encode(
        new ErlMap([
          [key(3), t(key(4), 'x')],
          [key(2), 'two'],
          [key(1), 'one'],
        ]),
      ),
    );
    expect(equals(a, b)).toBe(true);
    expect(compare(a, b)).toBe(0);
    expect(hash(a)).toBe(hash(b));
    const c = new ErlMap([
      [key(1), 'one'],
      [key(2), 'two'],
      [key(3), t(key(5), 'x')],
    ]);
    expect(compare(a, c)).toBe(-1);
    expect(compareKeys(c, a)).toBe(1);
    expect(a.get(key(2))).toBe('two');
  });
});

describe('cyclic JS values (no Erlang term is one) fail instead of walking forever', () => {
  const cycles: [string, () => Term][] = [
    [
      'a list that contains itself',
      () => {
        const a: Term[] = [1];
        a.push(a);
        return a;
      },
    ],
    [
      'a tuple that contains itself, three levels down',
      () => {
        const inner: Term[] = [];
        const x = t(1, [t(inner)]);
        inner.push(x);
        return x;
      },
    ],
    [
      'a map that is its own value',
      () => {
        const m = new ErlMap([[1, 2]]);
        m.set(atom('self'), m);
        return m;
      },
    ],
  ];
  for (const [name, make] of cycles) {
    it(name, () => {
      const x = make();
      expect(() => encode(x)).toThrow(EncodeError);
      expect(() => hash(x)).toThrow(TypeError);
      expect(() => equals(x, make())).toThrow(TypeError);
      expect(format(x)).toContain('<cyclic>');
      // The writer recovers: the next term encodes as usual.
      expect(decode(encode(t(atom('ok'), 1)))).toEqual(t(atom('ok'), 1));
    });
  }
});
