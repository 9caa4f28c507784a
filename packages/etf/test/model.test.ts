import { inspect } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  Atom,
  BitBinary,
  ErlFloat,
  ErlMap,
  ExportFun,
  ImproperList,
  Pid,
  Port,
  Ref,
  atom,
  atomTableSize,
  charlist,
  clearDecodedAtomCache,
  compare,
  decode,
  encode,
  equals,
  existingAtom,
  float,
  format,
  getValue,
  hash,
  isAtom,
  isTagged,
  isTuple,
  mapGet,
  t,
  text,
  type Term,
} from '../src/index.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);

describe('ErlMap', () => {
  it('finds structurally equal keys: tuples, lists, binaries, pids, maps', () => {
    const m = new ErlMap();
    const pid = new Pid(atom('a@h'), 1, 0, 2);
    m.set(t(atom('k'), 1), 'tuple');
    m.set([1, 2, 3], 'list');
    m.set(bytes(1, 2), 'binary');
    m.set(pid, 'pid');
    m.set(ErlMap.fromObject({ x: 1 }), 'map');
    expect(m.get(t(atom('k'), 1))).toBe('tuple');
    expect(m.get([1, 2, 3])).toBe('list');
    expect(m.get(bytes(1, 2))).toBe('binary');
    expect(m.get(new Pid(atom('a@h'), 1, 0, 2))).toBe('pid');
    expect(m.get(ErlMap.fromObject({ x: 1 }))).toBe('map');
    expect(m.get(t(atom('k'), 2))).toBeUndefined();
    expect(m.size).toBe(5);
  });

  it('distinguishes 1 from 1.0 and a charlist from a binary, like =:=', () => {
    const m = new ErlMap([
      [1, 'int'],
      [float(1), 'float'],
      [charlist('ab'), 'charlist'],
      ['ab', 'binary'],
    ]);
    expect(m.size).toBe(4);
    expect(m.get(1)).toBe('int');
    expect(m.get(new ErlFloat(1))).toBe('float');
    expect(m.get(bytes(97, 98))).toBe('binary');
    expect(m.get([97, 98])).toBe('charlist');
  });

  it('keeps working past the size where it switches to a hash index, and after deletes', () => {
    const m = new ErlMap();
    for (let i = 0; i < 100; i++) m.set(t(atom('k'), i), i);
    expect(m.size).toBe(100);
    for (let i = 0; i < 100; i += 2) expect(m.delete(t(atom('k'), i))).toBe(true);
    expect(m.delete(t(atom('k'), 0))).toBe(false);
    expect(m.size).toBe(50);
    for (let i = 0; i < 100; i++) expect(m.has(t(atom('k'), i))).toBe(i % 2 === 1);
    m.set(t(atom('k'), 1), 'new');
    expect(m.get(t(atom('k'), 1))).toBe('new');
    expect([...m.values()].length).toBe(50);
  });

  it('builds from a plain object with atom keys', () => {
    const m = ErlMap.fromObject({ name: 'x', n: 2 });
    expect(m.get(atom('name'))).toBe('x');
    expect(mapGet(m, 'n')).toBe(2);
    expect(format(m)).toBe('#{n => 2,name => <<"x"/utf8>>}');
  });

  it('emits a TS-built map of more than 32 keys in insertion order', () => {
    const m = new ErlMap();
    for (let i = 40; i > 0; i--) m.set(i, i);
    const back = decode(encode(m)) as ErlMap;
    expect([...back.keys()].slice(0, 3)).toEqual([40, 39, 38]);
  });
});

describe('equality and term order', () => {
  it('orders the types as Erlang does', () => {
    const node = atom('n@h');
    const ordered: Term[] = [
      1,
      atom('a'),
      new Ref(node, 1, [1, 2, 3]),
      new ExportFun(atom('m'), atom('f'), 1),
      new Port(node, 1, 1),
      new Pid(node, 1, 0, 1),
      t(1),
      new ErlMap(),
      [],
      [1],
      bytes(1),
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(compare(ordered[i], ordered[j]), `${format(ordered[i])} vs ${format(ordered[j])}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('compares numbers across integer, bigint and float', () => {
    expect(compare(1, float(1))).toBe(0);
    expect(equals(1, float(1))).toBe(false);
    expect(compare(2n ** 64n, 1e300)).toBe(-1);
    expect(compare(2n ** 64n, 1.5)).toBe(1);
    expect(compare(-1, 0.5)).toBe(-1);
    expect(equals(5n, 5)).toBe(true);
    expect(hash(5n)).toBe(hash(5));
  });

  it('orders tuples by size first, lists element by element, binaries bytewise', () => {
    expect(compare(t(9), t(1, 1))).toBe(-1);
    expect(compare([1, 2], [1, 3])).toBe(-1);
    expect(compare([1, 2], [1, 2, 0])).toBe(-1);
    expect(compare(new ImproperList([1], atom('b')), [1, 2])).toBe(-1); // the atom tail sorts before a list
    expect(compare('abc', 'abd')).toBe(-1);
    expect(compare(bytes(1, 2), bytes(1))).toBe(1);
    expect(compare(new BitBinary(bytes(128), 1), bytes(128))).toBe(-1);
  });

  it('sees a proper list and the same list written with an improper tail as equal', () => {
    expect(equals([1, 2, 3], new ImproperList([1], [2, 3]))).toBe(true);
    expect(hash([1, 2, 3])).toBe(hash(new ImproperList([1, 2], [3])));
  });

  it('orders atoms by code point, not UTF-16 unit', () => {
    expect(compare(atom('\u{1F600}'), atom('\uFFFD'))).toBe(1);
  });

  it('treats a JS string and its UTF-8 bytes as the same binary', () => {
    expect(equals('hé', bytes(104, 0xc3, 0xa9))).toBe(true);
    expect(hash('hé')).toBe(hash(bytes(104, 0xc3, 0xa9)));
  });
});

describe('format', () => {
  it('prints terms in Erlang syntax', () => {
    expect(format(t(atom('ok'), 1, [1, 2], charlist('hi'), float(1), -0.5, 10n ** 20n))).toBe('{ok,1,[1,2],"hi",1.0,-0.5,100000000000000000000}');
    expect(format(new ImproperList([atom('a')], atom('b')))).toBe('[a|b]');
    expect(format(atom('hello world'))).toBe("'hello world'");
    expect(format(atom('EXIT'))).toBe("'EXIT'");
    expect(format(new BitBinary(bytes(1, 64), 3))).toBe('<<1,2:3>>');
    expect(format(bytes(0, 255))).toBe('<<0,255>>');
    expect(format(new ExportFun(atom('lists'), atom('map'), 2))).toBe('fun lists:map/2');
    expect(format(float(1e300))).toBe('1.0e300');
    expect(format(float(-0))).toBe('-0.0');
  });

  it('console.log / util.inspect and String() show a term as Erlang prints it, not its fields', () => {
    const x = t(atom('ok'), bytes(104, 105), new ImproperList([1], 2), new ErlMap([[atom('k'), float(1)]]));
    expect(inspect(x)).toBe('{ok,<<"hi"/utf8>>,[1|2],#{k => 1.0}}');
    expect(String(x)).toBe(format(x));
    expect(`${new Pid(atom('a@h'), 1, 0, 1)}`).toBe('<a@h.1.0>');
    expect(inspect([atom('a'), t()])).toBe('[ a, {} ]');
    // what is not a term says so (exit reasons are typed unknown)
    expect(format(new Error('boom') as unknown)).toBe('<not a term: Error: boom>');
  });

  it('prints pids, refs and ports with 0 as node only for the localNode it is given', () => {
    const a = atom('a@h');
    const pid = new Pid(a, 42, 3, 7);
    const ref = new Ref(a, 7, [1, 2, 3]);
    const port = new Port(a, 5, 7);
    const remote = new Pid(atom('b@h.example.com'), 9, 0, 1);
    // no local node: node-qualified (the node's name printed as an atom)
    expect(String(pid)).toBe('<a@h.42.3>');
    expect(format(pid)).toBe('<a@h.42.3>');
    expect(format(ref)).toBe('#Ref<a@h.3.2.1>');
    expect(format(port)).toBe('#Port<a@h.5>');
    expect(format(remote)).toBe("<'b@h.example.com'.9.0>");
    // the local node given as a string or an atom, also inside compound terms
    const msg = t(atom('DOWN'), ref, atom('process'), [pid, remote], new ErlMap([[port, pid]]));
    const local = "{'DOWN',#Ref<0.3.2.1>,process,[<0.42.3>,<'b@h.example.com'.9.0>],#{#Port<0.5> => <0.42.3>}}";
    expect(format(msg, { localNode: 'a@h' })).toBe(local);
    expect(format(msg, { localNode: a })).toBe(local);
    expect(format(new ImproperList([pid], pid), { localNode: 'a@h' })).toBe('[<0.42.3>|<0.42.3>]');
    // another node as local: a@h is remote from there, b@... is local
    expect(format([pid, remote], { localNode: 'b@h.example.com' })).toBe('[<a@h.42.3>,<0.9.0>]');
    expect(pid.format('a@h')).toBe('<0.42.3>');
    // printing never depends on anything but the arguments
    expect(String(pid)).toBe('<a@h.42.3>');
  });
});

describe('match helpers', () => {
  const reply = t(atom('ok'), [t(atom('name'), 'x'), atom('verbose'), t(bytes(107), 3)]);
  it('tests shapes', () => {
    expect(isTagged(reply, 'ok', 2)).toBe(true);
    expect(isTagged(reply, 'error')).toBe(false);
    expect(isTuple(reply, 2)).toBe(true);
    expect(isAtom(atom('ok'), 'ok')).toBe(true);
    expect(isAtom('ok', 'ok')).toBe(false);
  });
  it('reads proplists', () => {
    const list = (reply.elements[1] as Term[]) ?? [];
    expect(getValue(list, 'name')).toBe('x');
    expect(getValue(list, 'verbose')).toBe(atom('true'));
    expect(getValue(list, 'k')).toBeUndefined(); // 'k' means the atom k, not the binary
    expect(getValue(list, bytes(107))).toBe(3);
    expect(getValue(list, 'missing', 0)).toBe(0);
  });
  it('gets text out of binaries, charlists and atoms', () => {
    expect(text(bytes(0xc3, 0xa9))).toBe('é');
    expect(text(charlist('hé😀'))).toBe('hé😀');
    expect(text(atom('ok'))).toBe('ok');
    expect(text(t())).toBeUndefined();
  });
});

describe('atom table', () => {
  it('pins atoms named by the program', () => {
    const a = atom('pinned_by_program');
    expect(existingAtom('pinned_by_program')).toBe(a);
    expect(a).toBeInstanceOf(Atom);
  });

  it('lets atoms that came from the network be collected once unused', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const N = 5000;
    const before = atomTableSize().weak;
    const names = Array.from({ length: N }, (_, i) => `net_atom_${i}_${Date.now()}`);
    // Decode N fresh atoms, then drop every reference to them.
    const wire = names.map((n) => {
      const b = Buffer.from(n);
      return new Uint8Array([131, 119, b.length, ...b]);
    });
    let decoded: Term[] | undefined = wire.map((w) => decode(w));
    expect(atomTableSize().weak).toBeGreaterThanOrEqual(before + N);
    expect(existingAtom(names[0])).toBe(decoded[0]);
    decoded = undefined;
    clearDecodedAtomCache();
    for (let i = 0; i < 10 && atomTableSize().weak > before + N / 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(atomTableSize().weak).toBeLessThan(before + N / 10);
    expect(existingAtom(names[0])).toBeUndefined();
    // and safe mode now refuses them again
    expect(() => decode(wire[0], { safe: true })).toThrow(/safe mode/);
  });
});
