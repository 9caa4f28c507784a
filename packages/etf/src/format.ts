/** Erlang-style printing, close to `io_lib:format("~p", [T])` on one line, for logs and test output. */
import { Atom, formatAtomName } from './atoms.ts';
import { Binary } from './binary.ts';
import { listParts } from './compare.ts';
import { ErlMap } from './map.ts';
import { BitBinary, ErlFloat, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple, type Term } from './terms.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function formatFloat(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s.includes('.') ? s : `${s}.0`;
  const mantissa = s.slice(0, e);
  const exponent = s.slice(e + 1).replace('+', '');
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${digits}e${exponent}`;
}

function isPrintable(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c === 27 || (c >= 160 && c <= 255);
}

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch.charCodeAt(0) < 32) out += `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatBytes(bytes: Uint8Array, bits = 8): string {
  if (bits === 8 && bytes.length > 0) {
    let printable = true;
    for (const c of bytes) if (!isPrintable(c) && c < 128) printable = false;
    if (printable) {
      try {
        return `<<${quoteString(utf8.decode(bytes))}/utf8>>`;
      } catch {
        // not UTF-8: fall through to the byte list
      }
    }
  }
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const last = i === bytes.length - 1 && bits !== 8;
    parts.push(last ? `${bytes[i] >> (8 - bits)}:${bits}` : String(bytes[i]));
  }
  return `<<${parts.join(',')}>>`;
}

export interface FormatOptions {
  /**
   * The node the text is for (a runtime's own node): its pids, refs and ports print with `0` as
   * node (`<0.42.0>`), as Erlang prints local ones. Without it, and for every other node, they
   * print with the node's name (`<ts@localhost.42.0>`); see `Pid.format`.
   */
  localNode?: Atom | string;
  /**
   * For logs: print at most this many levels of nesting; deeper terms print as `...`
   * (`format(t(1, t(2, t(3))), { depth: 2 })` is `{1,{2,...}}`). Default: the whole term.
   */
  depth?: number;
  /**
   * For logs: stop once the text is about this many characters long and end it with `...`. The
   * rest of the term is not walked, so a huge term costs no more than the text asked for.
   */
  maxLength?: number;
}

/**
 * How many levels of nesting the printer walks by plain recursion (a few KB of JS stack at most)
 * before it continues on an explicit stack: shallow terms print at the speed of recursion, and
 * nesting of any depth still cannot overflow the stack.
 */
const RECURSION_LIMIT = 64;

/**
 * From this nesting depth on, the printer watches for a cyclic JS value (an array that contains
 * itself), which it would otherwise print forever: it remembers the container it opened at each
 * power-of-two depth, and prints `<cyclic>` when it meets that container again below it (Brent's
 * cycle finding on the path of open containers).
 */
const GUARD_DEPTH = 1024;

// Work items of the explicit-stack printer: a term to print at a depth, or text to append as it is.
const TERM = 0;
const TEXT = 1;

/**
 * One-line Erlang syntax for a term. Never throws, whatever the nesting. Takes any value (exit
 * reasons and messages are typed `unknown`); what is not a term prints as `<not a term: …>`.
 */
export function format(value: unknown, opts?: FormatOptions): string {
  const x = value as Term;
  const leaf = opts?.depth === undefined && opts?.maxLength === undefined ? formatLeaf(x, opts?.localNode) : undefined;
  if (leaf !== undefined) return leaf;
  const p = new Printer(opts);
  p.near(x, 0);
  return p.out.length > p.maxLength ? `${p.out.slice(0, p.maxLength)}...` : p.out;
}

class Printer {
  out = '';
  readonly local: Atom | string | undefined;
  readonly maxDepth: number;
  readonly maxLength: number;
  private checkDepth = 0;
  private checkOwner: object | undefined = undefined;

  constructor(opts: FormatOptions | undefined) {
    this.local = opts?.localNode;
    this.maxDepth = opts?.depth ?? Number.POSITIVE_INFINITY;
    this.maxLength = opts?.maxLength ?? Number.POSITIVE_INFINITY;
  }

  /** Append `x`, at nesting `depth`: the first RECURSION_LIMIT levels by recursion, then `walk`. */
  near(x: Term, depth: number): void {
    if (x instanceof ImproperList && x.elements.length === 0) {
      const parts = listParts(x);
      if (parts.elements.length === 0) x = parts.tail; // `[|T]` is T
    }
    const leaf = formatLeaf(x, this.local);
    if (leaf !== undefined) {
      this.out += leaf;
      return;
    }
    if (depth >= this.maxDepth) {
      this.out += '...';
      return;
    }
    if (depth >= RECURSION_LIMIT) {
      this.walk(x, depth);
      return;
    }
    const d = depth + 1;
    const max = this.maxLength;
    if (x instanceof Tuple) {
      const e = x.elements;
      this.out += '{';
      for (let i = 0; i < e.length && this.out.length <= max; i++) {
        if (i > 0) this.out += ',';
        this.near(e[i], d);
      }
      this.out += '}';
    } else if (x instanceof ErlMap) {
      const pairs = x.sortedEntries();
      this.out += '#{';
      for (let i = 0; i < pairs.length && this.out.length <= max; i++) {
        if (i > 0) this.out += ',';
        this.near(pairs[i][0], d);
        this.out += ' => ';
        this.near(pairs[i][1], d);
      }
      this.out += '}';
    } else {
      const { elements, tail } = listParts(x as Term[] | ImproperList);
      this.out += '[';
      for (let i = 0; i < elements.length && this.out.length <= max; i++) {
        if (i > 0) this.out += ',';
        this.near(elements[i], d);
      }
      if (!Array.isArray(tail)) {
        this.out += '|';
        this.near(tail, d);
      }
      this.out += ']';
    }
  }

  /** Append container `x`, at nesting `depth`, on an explicit stack (how deep it goes does not matter). */
  private walk(x: Term, depth: number): void {
    // The next item is on top. A container pushes its closing text, then its children (last first)
    // with the separators between them.
    const kinds: number[] = [TERM];
    const items: (Term | string)[] = [x];
    const depths: number[] = [depth];
    const max = this.maxLength;
    while (kinds.length > 0 && this.out.length <= max) {
      const kind = kinds.pop()!;
      let term = items.pop()!;
      const at = depths.pop()!;
      if (kind === TEXT) {
        this.out += term as string;
        continue;
      }
      if (term instanceof ImproperList && term.elements.length === 0) {
        const parts = listParts(term);
        if (parts.elements.length === 0) term = parts.tail; // `[|T]` is T
      }
      const leaf = formatLeaf(term, this.local);
      if (leaf !== undefined) {
        this.out += leaf;
        continue;
      }
      if (at >= this.maxDepth) {
        this.out += '...';
        continue;
      }
      if (at >= GUARD_DEPTH && this.cyclic(at, term as object)) {
        this.out += '<cyclic>';
        continue;
      }
      const d = at + 1;
      kinds.push(TEXT);
      depths.push(0);
      if (term instanceof Tuple) {
        items.push('}');
        const e = term.elements;
        for (let i = e.length - 1; i >= 0; i--) {
          kinds.push(TERM);
          items.push(e[i]);
          depths.push(d);
          if (i > 0) {
            kinds.push(TEXT);
            items.push(',');
            depths.push(0);
          }
        }
        this.out += '{';
      } else if (term instanceof ErlMap) {
        items.push('}');
        const pairs = term.sortedEntries();
        for (let i = pairs.length - 1; i >= 0; i--) {
          kinds.push(TERM, TEXT, TERM);
          items.push(pairs[i][1], ' => ', pairs[i][0]);
          depths.push(d, 0, d);
          if (i > 0) {
            kinds.push(TEXT);
            items.push(',');
            depths.push(0);
          }
        }
        this.out += '#{';
      } else {
        items.push(']');
        const { elements, tail } = listParts(term as Term[] | ImproperList);
        if (!Array.isArray(tail)) {
          kinds.push(TERM, TEXT);
          items.push(tail, '|');
          depths.push(d, 0);
        }
        for (let i = elements.length - 1; i >= 0; i--) {
          kinds.push(TERM);
          items.push(elements[i]);
          depths.push(d);
          if (i > 0) {
            kinds.push(TEXT);
            items.push(',');
            depths.push(0);
          }
        }
        this.out += '[';
      }
    }
  }

  /** The cycle check of a container opened at `depth` (see GUARD_DEPTH). */
  private cyclic(depth: number, container: object): boolean {
    if ((depth & (depth - 1)) === 0) {
      this.checkDepth = depth;
      this.checkOwner = container;
      return false;
    }
    return container === this.checkOwner && this.checkDepth < depth;
  }
}

/** The text of a term that is not a container to walk into (a printable charlist is one); else undefined. */
function formatLeaf(x: Term, local: Atom | string | undefined): string | undefined {
  switch (typeof x) {
    case 'number':
      return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : formatFloat(x);
    case 'bigint':
      return x.toString();
    case 'string':
      return `<<${quoteString(x)}/utf8>>`;
  }
  if (x instanceof Atom) return formatAtomName(x.name);
  if (x instanceof Tuple) return x.elements.length === 0 ? '{}' : undefined;
  if (Array.isArray(x) || x instanceof ImproperList) {
    const { elements, tail } = listParts(x);
    if (elements.length === 0 && Array.isArray(tail)) return '[]';
    if (Array.isArray(tail) && isCharlist(elements)) return quoteString(charlistText(elements as number[]));
    return undefined;
  }
  if (x instanceof Binary) return formatBytes(x.bytes);
  if (x instanceof Uint8Array) return formatBytes(x);
  if (x instanceof ErlFloat) return formatFloat(x.value);
  if (x instanceof ErlMap) return x.size === 0 ? '#{}' : undefined;
  if (x instanceof Pid || x instanceof Ref || x instanceof Port) return x.format(local);
  if (x instanceof BitBinary) return formatBytes(x.bytes, x.bits);
  if (x instanceof ExportFun) return `fun ${formatAtomName(x.module.name)}:${formatAtomName(x.name.name)}/${x.arity}`;
  if (x instanceof OpaqueFun) return `#Fun<${formatAtomName(x.fun.module.name)}.${x.fun.oldIndex}.${x.fun.oldUniq}>`;
  return `<not a term: ${String(x)}>`;
}

function isCharlist(elements: readonly Term[]): boolean {
  for (let i = 0; i < elements.length; i++) {
    const c = elements[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || !isPrintable(c)) return false;
  }
  return true;
}

/** The characters of a charlist (built in chunks: spreading a long array into one call overflows). */
function charlistText(codes: number[]): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode.apply(null, codes.slice(i, i + 4096));
  return s;
}

/**
 * `console.log`, `util.inspect` and `String()` show a term as Erlang prints it (`{ok,<<"hi">>}`),
 * not the fields of its class (hashes, cached encodings).
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
for (const cls of [Atom, Tuple, ImproperList, ErlMap, Pid, Ref, Port, ErlFloat, BitBinary, ExportFun, OpaqueFun]) {
  Object.defineProperty(cls.prototype, INSPECT, {
    value(this: Term) {
      return format(this);
    },
    configurable: true,
  });
  if (!Object.hasOwn(cls.prototype, 'toString'))
    Object.defineProperty(cls.prototype, 'toString', {
      value(this: Term) {
        return format(this);
      },
      configurable: true,
    });
}
