import { describe, expect, it } from 'vitest';
import { EncodeError, EncodedTerm, TermWriter, atom, decode, encode, encodeNoVersion, t, type Term } from '../src/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pre = (x: Term, atoms?: ConstructorParameters<typeof EncodedTerm>[1]) => new EncodedTerm(encodeNoVersion(x), atoms) as unknown as Term;

describe('EncodedTerm', () => {
  it('is written verbatim, alone or inside a term, as the term it encodes would be', () => {
    const inner = t(atom('event'), [new Uint8Array([1, 2, 3]), 'é', 70_000]);
    expect(hex(encode(pre(inner)))).toBe(hex(encode(inner)));
    const outer = t(atom('call_event'), inner, [inner]);
    expect(hex(encode(t(atom('call_event'), pre(inner), [pre(inner)])))).toBe(hex(encode(outer)));
    expect(decode(encode(pre(inner)))).toEqual(decode(encode(inner)));
  });

  it('is not read: its bytes are copied as they are', () => {
    const junk = new EncodedTerm(new Uint8Array([97, 1]));
    expect(hex(encode(junk as unknown as Term))).toBe('836101');
    expect(() => encode({ bytes: new Uint8Array([97, 1]) } as unknown as Term)).toThrow(EncodeError);
  });

  it('has its listed atoms written by the encoder when atoms are rewritten (minor_version 1), the others copied', () => {
    const x = [atom('undefined'), new Uint8Array([7]), atom('ok')];
    const bytes = encodeNoVersion(x);
    // [undefined, <<7>>, ok]: LIST 3, then undefined at offset 5
    const listed = new EncodedTerm(bytes, [{ offset: 5, atom: atom('undefined') }]) as unknown as Term;
    expect(hex(encode(listed))).toBe(hex(encode(x))); // plain: verbatim
    const v1 = hex(encode(listed, { minorVersion: 1 }));
    expect(v1).toContain(Buffer.from([100, 0, 9, ...Buffer.from('undefined')]).toString('hex')); // ATOM_EXT
    expect(v1).toContain(Buffer.from([119, 2, ...Buffer.from('ok')]).toString('hex')); // not listed: as it was
    const all = new EncodedTerm(bytes, [
      { offset: 5, atom: atom('undefined') },
      { offset: 5 + 11 + 6, atom: atom('ok') },
    ]) as unknown as Term;
    expect(hex(encode(all, { minorVersion: 1 }))).toBe(hex(encode(x, { minorVersion: 1 })));
  });

  it('finds the end of a listed atom written with any atom tag (bytes made with minorVersion 1 too)', () => {
    const x = [atom('undefined'), atom('é'), 7];
    const v1 = encode(x, { minorVersion: 1 }).subarray(1); // ATOM_EXT for latin-1 names
    expect(v1[5]).toBe(100);
    const listed = new EncodedTerm(v1, [{ offset: 5, atom: atom('undefined') }]) as unknown as Term;
    expect(hex(encode(listed, { minorVersion: 1 }))).toBe(hex(encode(x, { minorVersion: 1 })));
    const small = new Uint8Array([108, 0, 0, 0, 1, 115, 2, 111, 107, 106]); // [ok] with SMALL_ATOM_EXT
    const w = new TermWriter();
    w.atomRefs = { ref: () => 9 };
    w.term(new EncodedTerm(small, [{ offset: 5, atom: atom('ok') }]) as unknown as Term);
    expect(hex(w.view())).toBe('6c00000001' + '5209' + '6a');
  });

  it('offers its listed atoms to the atom-ref hook (the distribution atom cache), in place', () => {
    const x = [atom('undefined'), new Uint8Array([7, 8])];
    const listed = new EncodedTerm(encodeNoVersion(x), [{ offset: 5, atom: atom('undefined') }]) as unknown as Term;
    const offered: string[] = [];
    const w = new TermWriter();
    w.atomRefs = {
      ref: (a) => {
        offered.push(a.name);
        return 3;
      },
    };
    w.term(t(atom('event'), listed));
    expect(offered).toEqual(['event', 'undefined']);
    // {event, [undefined, <<7,8>>]} with both atoms as ATOM_CACHE_REF 3
    expect(hex(w.view())).toBe('6802' + '5203' + '6c00000002' + '5203' + '6d000000020708' + '6a');
  });
});
