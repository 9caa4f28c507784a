/**
 * PCRE pattern text → JavaScript pattern text, for the constructs that differ but have an
 * equivalent: `\A`, `\z`, `\Z`, `$` matching before a final newline, `(?P<name>`, `(?P=name)`,
 * and the options (`i`, `s`, `m`) as flags or rewrites.
 *
 * Caseless matching is written into the pattern (`a` → `[aA]`, `[a-f]` → `[a-fA-F]`) instead of
 * being left to the `i` flag: V8's linear-time engine, which takes over from a pattern that
 * backtracks without end, cannot run `i`. PCRE without UTF mode folds ASCII letters only, which
 * is also all this rewrite folds. A pattern with backreferences keeps the flag, since a
 * backreference must compare caselessly too.
 */

export interface TranslatedPattern {
  /** The pattern with JavaScript's `$`: right for any subject that does not end in a newline. */
  readonly plain: string;
  /** The pattern with PCRE's `$` (end, or before a final newline); undefined when it has none. */
  readonly beforeFinalNewline: string | undefined;
  /** Flags for both: `s` and `m` when asked, `i` only when the case could not be folded into the pattern. */
  readonly flags: string;
}

export interface PcreOptions {
  readonly caseless: boolean;
  readonly dotAll: boolean;
  readonly multiline: boolean;
}

/** What `$`, `\A`, `\z`, `\Z` become: with the `m` flag JavaScript's `^` and `$` are line anchors. */
interface Anchors {
  readonly dollar: string;
  readonly start: string;
  readonly end: string;
  readonly endBeforeNewline: string;
}

const SUBJECT_ANCHORS: Anchors = { dollar: '$', start: '^', end: '$', endBeforeNewline: '$' };
const PCRE_SUBJECT_ANCHORS: Anchors = { ...SUBJECT_ANCHORS, dollar: '(?=\\n?$)', endBeforeNewline: '(?=\\n?$)' };
const MULTILINE_ANCHORS: Anchors = {
  dollar: '$',
  start: '(?<![\\s\\S])',
  end: '(?![\\s\\S])',
  endBeforeNewline: '(?=\\n?(?![\\s\\S]))',
};

export function translatePattern(pattern: string, options: PcreOptions): TranslatedPattern {
  const fold = options.caseless && !hasBackreference(pattern);
  const flags = (options.caseless && !fold ? 'i' : '') + (options.dotAll ? 's' : '') + (options.multiline ? 'm' : '');
  if (options.multiline) return { plain: translate(pattern, fold, MULTILINE_ANCHORS), beforeFinalNewline: undefined, flags };
  const plain = translate(pattern, fold, SUBJECT_ANCHORS);
  const withNewline = translate(pattern, fold, PCRE_SUBJECT_ANCHORS);
  return { plain, beforeFinalNewline: withNewline === plain ? undefined : withNewline, flags };
}

function hasBackreference(p: string): boolean {
  return /\\[1-9k]|\(\?P=/.test(p);
}

function translate(p: string, fold: boolean, anchors: Anchors): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '\\') {
      const next = p[i + 1] ?? '';
      if (next === 'A') out += anchors.start;
      else if (next === 'z') out += anchors.end;
      else if (next === 'Z') out += anchors.endBeforeNewline;
      else {
        const esc = readEscape(p, i);
        out += fold && esc.code !== undefined ? foldedAtom(esc.text, esc.code) : esc.text;
        i += esc.text.length - 1;
        continue;
      }
      i++;
      continue;
    }
    if (ch === '[') {
      const end = classEnd(p, i);
      out += fold ? foldClass(p.slice(i, end)) : p.slice(i, end);
      i = end - 1;
      continue;
    }
    if (ch === '$') {
      out += anchors.dollar;
      continue;
    }
    const name = /^\(\?P?<([A-Za-z_]\w*)>/.exec(p.slice(i, i + 40));
    if (name) {
      out += `(?<${name[1]}>`;
      i += name[0].length - 1;
      continue;
    }
    const backref = /^\(\?P=(\w+)\)/.exec(p.slice(i, i + 40));
    if (backref) {
      out += `\\k<${backref[1]}>`;
      i += backref[0].length - 1;
      continue;
    }
    out += fold ? foldedAtom(ch, ch.charCodeAt(0)) : ch;
  }
  return out;
}

/**
 * The escape at `start` (a backslash) as written, one character long unless it is `\xHH`, and
 * the character it stands for when it stands for exactly one (so that `\x41` folds too).
 */
function readEscape(p: string, start: number): { text: string; code: number | undefined } {
  const next = p[start + 1];
  if (next === undefined) return { text: '\\', code: undefined };
  const hex = /^x([0-9A-Fa-f]{2})/.exec(p.slice(start + 1, start + 4));
  if (hex) return { text: `\\${hex[0]}`, code: Number.parseInt(hex[1]!, 16) };
  if (next === 'c' && /[A-Za-z]/.test(p[start + 2] ?? '')) return { text: p.slice(start, start + 3), code: undefined };
  return { text: `\\${next}`, code: /[A-Za-z0-9]/.test(next) ? undefined : next.charCodeAt(0) };
}

/** Where the class opening at `start` ends (one past its `]`); a leading `]` or `^]` is literal. */
function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i + 1;
  }
  return p.length;
}

function otherCase(code: number): number | undefined {
  if (code >= 0x41 && code <= 0x5a) return code + 0x20;
  if (code >= 0x61 && code <= 0x7a) return code - 0x20;
  return undefined;
}

function foldedAtom(text: string, code: number): string {
  const other = otherCase(code);
  return other === undefined ? text : `[${text}${String.fromCharCode(other)}]`;
}

/** A whole `[...]` with the other case of each ASCII letter it names added before its `]`. */
function foldClass(cls: string): string {
  if (!cls.endsWith(']') || cls.length < 2) return cls;
  let i = cls[1] === '^' ? 2 : 1;
  // code: the one character an atom stands for (undefined for \\d and the like)
  const atoms: Array<{ code: number | undefined; rangeDash: boolean }> = [];
  const body = cls.slice(0, -1);
  while (i < body.length) {
    if (body[i] === '\\') {
      const esc = readEscape(body, i);
      i += esc.text.length;
      atoms.push({ code: esc.code, rangeDash: false });
    } else {
      atoms.push({ code: body.charCodeAt(i), rangeDash: body[i] === '-' });
      i++;
    }
  }
  let extra = '';
  for (let k = 0; k < atoms.length; k++) {
    const lo = atoms[k]!.code;
    const hi = atoms[k + 2]?.code;
    if (lo !== undefined && atoms[k + 1]?.rangeDash && hi !== undefined && lo <= hi) {
      extra += foldedRange(lo, hi);
      k += 2;
    } else if (lo !== undefined) {
      const other = otherCase(lo);
      if (other !== undefined) extra += String.fromCharCode(other);
    }
  }
  return `${body}${extra}]`;
}

function foldedRange(lo: number, hi: number): string {
  let out = '';
  for (const [from, to, shift] of [
    [0x41, 0x5a, 0x20],
    [0x61, 0x7a, -0x20],
  ] as const) {
    const a = Math.max(lo, from);
    const b = Math.min(hi, to);
    if (a <= b) out += `${String.fromCharCode(a + shift)}-${String.fromCharCode(b + shift)}`;
  }
  return out;
}
