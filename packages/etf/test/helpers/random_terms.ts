/** Seeded random Erlang terms built in TypeScript (for the reverse interop direction and fuzzing). */
import { BitBinary, ErlFloat, ErlMap, ExportFun, ImproperList, Pid, Port, Ref, Tuple, atom, charlist, type Term } from '../../src/index.ts';

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Generated {
  term: Term;
  /** True when OTP may legitimately emit other bytes for it (maps over 32 keys, ports on OTP 26+). */
  orderOrFormFree: boolean;
  /** True when the term has a map of 2+ keys: OTP 26+ orders small maps with atom keys by atom index. */
  hasMap: boolean;
  /** True when the term has no pid/ref/port/local fun, so `format(term)` parses back in Erlang. */
  printable: boolean;
}

const UNICODE = ['a', 'Z', '_', '@', ' ', "'", '\\', 'é', 'ö', 'α', '中', '😀', '\u{10FFFF}', '\n'];
const NODES = ['n1@host', 'ts@127.0.0.1', 'ö@h'];

export class TermGenerator {
  private readonly r: () => number;
  private flagsFree = false;
  private flagsUnprintable = false;
  private flagsMap = false;
  constructor(seed: number) {
    this.r = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  generate(depth = 4): Generated {
    this.flagsFree = false;
    this.flagsUnprintable = false;
    this.flagsMap = false;
    const term = this.term(depth);
    return { term, orderOrFormFree: this.flagsFree, hasMap: this.flagsMap, printable: !this.flagsUnprintable };
  }

  term(depth: number): Term {
    if (depth <= 0) return this.leaf();
    switch (this.int(16)) {
      case 0:
        return new Tuple(this.many(depth - 1, 6));
      case 1:
        return this.many(depth - 1, 6);
      case 2: {
        const tail = this.pick<() => Term>([() => this.atom(), () => this.integer(), () => new Tuple([this.leaf()])])();
        return new ImproperList(this.many(depth - 1, 4, 1), tail);
      }
      case 3:
        return this.map(depth - 1, this.int(10) === 0 ? 33 + this.int(60) : this.int(12));
      case 4:
        return this.int(8) === 0 ? new Tuple(Array.from({ length: 250 + this.int(60) }, () => this.leaf())) : new Tuple([this.term(depth - 1)]);
      case 5:
        return [this.atom(), ...Array.from({ length: 1 + this.int(5) }, () => new Tuple([this.bin(), this.term(depth - 1)]))];
      default:
        return this.leaf();
    }
  }

  private many(depth: number, max: number, min = 0): Term[] {
    return Array.from({ length: min + this.int(max - min) }, () => this.term(depth));
  }

  private map(depth: number, size: number): ErlMap {
    if (size > 32) this.flagsFree = true;
    if (size > 1) this.flagsMap = true;
    const m = new ErlMap();
    for (let i = 0; i < size; i++) m.set(this.mapKey(), this.term(depth));
    return m;
  }

  private mapKey(): Term {
    switch (this.int(7)) {
      case 0:
        return new Tuple([this.atom(), this.integer()]);
      case 1:
        return [this.integer(), this.atom()];
      case 2:
        return this.bin();
      case 3: {
        // OTP 25 treats 0.0 and -0.0 as the same key (OTP 27 does not): keep -0.0 out of keys.
        const f = this.float();
        return f instanceof ErlFloat && Object.is(f.value, -0) ? new ErlFloat(0) : f;
      }
      case 4:
        return ErlMap.fromObject({ k: this.integer() });
      default:
        return this.r() < 0.5 ? this.atom() : this.integer();
    }
  }

  leaf(): Term {
    switch (this.int(16)) {
      case 0:
      case 1:
        return this.integer();
      case 2:
        return this.bignum();
      case 3:
        return this.float();
      case 4:
      case 5:
        return this.atom();
      case 6:
        return this.bin();
      case 7:
        return this.string();
      case 8: {
        const bytes = Uint8Array.from({ length: 1 + this.int(6) }, () => this.int(256));
        const bits = 1 + this.int(7);
        bytes[bytes.length - 1] &= (0xff << (8 - bits)) & 0xff;
        return new BitBinary(bytes, bits);
      }
      case 9:
        return this.int(800) === 0
          ? Array.from({ length: 65530 + this.int(12) }, () => this.int(256))
          : Array.from({ length: 1 + this.int(30) }, () => this.int(256));
      case 10:
        return charlist(Array.from({ length: 1 + this.int(8) }, () => this.pick(UNICODE)).join(''));
      case 11:
        this.flagsUnprintable = true;
        return new Pid(atom(this.pick(NODES)), this.int(2 ** 32), this.int(2 ** 32), 1 + this.int(2 ** 32 - 1));
      case 12:
        this.flagsUnprintable = true;
        return new Ref(
          atom(this.pick(NODES)),
          1 + this.int(2 ** 32 - 1),
          Array.from({ length: 3 + this.int(3) }, () => this.int(2 ** 32)),
        );
      case 13: {
        this.flagsUnprintable = true;
        this.flagsFree = true;
        const big = this.int(2) === 0;
        return new Port(atom(this.pick(NODES)), big ? 2 ** 32 + this.int(2 ** 40) : this.int(2 ** 32), 1 + this.int(2 ** 32 - 1));
      }
      case 14:
        return new ExportFun(this.atom(), this.atom(), this.int(256));
      default:
        return this.pick<Term>([[], new Tuple([]), new ErlMap()]);
    }
  }

  integer(): number {
    switch (this.int(4)) {
      case 0:
        return this.int(256);
      case 1:
        return this.int(2 ** 32) - 2 ** 31;
      case 2:
        return this.int(2 ** 53) - 2 ** 52;
      default: {
        const v = this.int(300);
        return v === 0 ? 0 : -v; // not -0: that is the float -0.0
      }
    }
  }

  bignum(): bigint {
    const bits = this.pick([54, 63, 64, 65, 100, 500, 2048, 2100]);
    let v = 1n;
    for (let i = 0; i < bits; i += 30) v = (v << 30n) | BigInt(this.int(2 ** 30));
    v = (v & ((1n << BigInt(bits)) - 1n)) | (1n << BigInt(bits - 1));
    return this.r() < 0.5 ? v : -v;
  }

  float(): number | ErlFloat {
    switch (this.int(5)) {
      case 0:
        return new ErlFloat(this.pick([0, -0, 1, -1, 1e300, 1e16]));
      case 1:
        return new ErlFloat(this.int(1_000_000));
      case 2:
        return (this.r() + 1e-9) * 10 ** (this.int(600) - 300);
      default:
        return (this.r() - 0.5) * 1000 + 0.25;
    }
  }

  atom(): ReturnType<typeof atom> {
    switch (this.int(8)) {
      case 0:
        return atom(Array.from({ length: 1 + this.int(20) }, () => this.pick(UNICODE)).join(''));
      case 1:
        return atom(Array.from({ length: 255 }, () => this.pick(UNICODE)).join(''));
      case 2:
        return atom('');
      default:
        return atom(Array.from({ length: 1 + this.int(12) }, () => String.fromCharCode(97 + this.int(26))).join(''));
    }
  }

  bin(): Term {
    if (this.r() < 0.5) return Uint8Array.from({ length: this.int(40) }, () => this.int(256));
    return this.string();
  }

  /** A JS string (encodes as a UTF-8 binary). */
  string(): string {
    return Array.from({ length: this.int(20) }, () => this.pick(UNICODE)).join('');
  }
}
