/**
 * The expression language of mod_expr (the ExprEval library it embeds): `;`-terminated
 * expressions over doubles with `= + - * / ^`, unary `+ -`, parentheses, `#` comments to the end
 * of the line, variables (0 until assigned), the M_* constants and ExprEval's functions; the value
 * is the last expression's. The parser cuts a range of tokens as ExprEval does — at the first `=`,
 * else the last binary `+`/`-`, else the last `*`/`/`, else the last `^` (so `2^3^2` is 64 and
 * `-2^2` is 4) — and the math errors it checks are glibc's errno cases.
 */

/** Any ExprEval error (mod_expr prints `!err!` for all of them). */
export class ExprError extends Error {}

type TokenType = '(' | ')' | 'ident' | 'value' | '+' | '-' | '*' | '/' | '&' | ';' | ',' | '=' | '^';
interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly value: number;
}

export type ExprNode =
  | { readonly kind: 'multi'; readonly items: readonly ExprNode[] }
  | { readonly kind: '+' | '-' | '*' | '/' | '^'; readonly left: ExprNode; readonly right: ExprNode }
  | { readonly kind: 'neg'; readonly operand: ExprNode }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'var'; readonly name: string; readonly constant: boolean }
  | { readonly kind: 'assign'; readonly name: string; readonly operand: ExprNode }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly ExprNode[]; readonly refs: readonly string[] };

/** exprValListInit's constants. */
const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['M_E', Math.E],
  ['M_LOG2E', Math.LOG2E],
  ['M_LOG10E', Math.LOG10E],
  ['M_LN2', Math.LN2],
  ['M_LN10', Math.LN10],
  ['M_PI', Math.PI],
  ['M_PI_2', Math.PI / 2],
  ['M_PI_4', Math.PI / 4],
  ['M_1_PI', 1 / Math.PI],
  ['M_2_PI', 2 / Math.PI],
  ['M_1_SQRTPI', 1 / Math.sqrt(Math.PI)],
  ['M_2_SQRTPI', 2 / Math.sqrt(Math.PI)],
  ['M_SQRT2', Math.SQRT2],
  ['M_1_SQRT2', Math.SQRT1_2],
]);

/** exprFuncListInit's functions: [min args, max args (-1: any), references]. */
type Arity = readonly [min: number, max: number, refs: number];
const arity = (names: string, a: Arity): [string, Arity][] => names.split(' ').map((n) => [n, a]);
const FUNCTIONS: ReadonlyMap<string, Arity> = new Map([
  ...arity('abs ipart fpart sqrt sin sinh asin cos cosh acos tan tanh atan log pow10 ln exp ceil floor deg rad not', [1, 1, 0]),
  ...arity('mod pow atan2 logn recttopolr recttopola poltorectx poltorecty equal above below and or land lor', [2, 2, 0]),
  ...arity('min max avg many', [1, -1, 0]),
  ...arity('poly', [2, -1, 0]),
  ...arity('for', [4, -1, 0]),
  ...arity('if clip clamp', [3, 3, 0]),
  ...arity('select', [3, 4, 0]),
  ...arity('pntchange', [5, 5, 0]),
  ...arity('rand randomize', [0, 0, 1]),
  ...arity('random', [2, 2, 1]),
]);

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
const SINGLE: ReadonlySet<string> = new Set(['(', ')', '+', '-', '*', '/', '^', '&', ';', ',', '=']);

/** exprStringToTokenList. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '#') comment = true;
    else if (c === '\r' || c === '\n') comment = false;
    else if (comment) continue;
    else if (SINGLE.has(c)) tokens.push({ type: c as TokenType, text: c, value: 0 });
    else if (c === '.' || isDigit(c)) {
      const start = i;
      while (isDigit(text[i])) i++;
      if (text[i] === '.') i++;
      while (isDigit(text[i])) i++;
      const word = text.slice(start, i--);
      if (word.length > 255) throw new ExprError('bad identifier');
      // atof: `.` alone is 0
      tokens.push({ type: 'value', text: word, value: word === '.' ? 0 : Number(word) });
    } else if (c === '_' || isAlpha(c)) {
      const start = i;
      while (text[i] === '_' || isAlpha(text[i]) || isDigit(text[i])) i++;
      const word = text.slice(start, i--);
      if (word.length > 255) throw new ExprError('bad identifier');
      tokens.push({ type: 'ident', text: word, value: 0 });
    } else if (!SPACE.has(c)) throw new ExprError('invalid character');
  }
  if (tokens.length === 0) throw new ExprError('empty expression');
  return tokens;
}

class Parser {
  constructor(readonly tokens: readonly Token[]) {}

  /** exprMultiParse: expressions each ending in `;`, none empty, no `;` inside parentheses. */
  multi(): ExprNode {
    const t = this.tokens;
    let level = 0;
    let last = -1;
    for (let pos = 0; pos < t.length; pos++) {
      const type = t[pos]!.type;
      if (type === '(') level++;
      else if (type === ')' && --level < 0) throw new ExprError('unmatched parenthesis');
      else if (type === ';') {
        if (level !== 0 || last === pos - 1) throw new ExprError('syntax');
        last = pos;
      }
    }
    if (level !== 0) throw new ExprError('unmatched parenthesis');
    if (last !== t.length - 1) throw new ExprError('missing semicolon');
    const items: ExprNode[] = [];
    let from = 0;
    t.forEach((tok, pos) => {
      if (tok.type !== ';') return;
      items.push(this.range(from, pos - 1));
      from = pos + 1;
    });
    return { kind: 'multi', items };
  }

  /** exprInternalParse: tokens `start`..`end` (inclusive). */
  range(start: number, end: number): ExprNode {
    if (start > end) throw new ExprError('empty');
    const t = this.tokens;
    let level = 0;
    let open = -1;
    let close = -1;
    let assign = -1;
    let addSub = -1;
    let mulDiv = -1;
    let exp = -1;
    let sign = -1;
    for (let pos = start; pos <= end; pos++) {
      const type = t[pos]!.type;
      if (type === '(') {
        if (++level === 1 && open === -1) open = pos;
      } else if (type === ')') {
        if (--level === 0 && close === -1) close = pos;
        if (level < 0) throw new ExprError('unmatched parenthesis');
      } else if (level !== 0) continue;
      else if (type === '=') {
        if (assign === -1) assign = pos;
      } else if (type === '*' || type === '/') mulDiv = pos;
      else if (type === '^') exp = pos;
      else if (type === '+' || type === '-') {
        // after an operator (or first) it is a sign, else addition / subtraction
        const before = pos === start ? undefined : t[pos - 1]!.type;
        if (before === undefined || before === '=' || before === '+' || before === '-' || before === '*' || before === '/' || before === '^') {
          if (sign === -1) sign = pos;
        } else addSub = pos;
      }
    }
    if (level !== 0) throw new ExprError('unmatched parenthesis');
    if (assign !== -1) return this.assign(start, end, assign);
    for (const at of [addSub, mulDiv, exp]) if (at !== -1) return this.binary(start, end, at);
    if (sign !== -1) {
      if (sign !== start) throw new ExprError('sign');
      const operand = this.range(sign + 1, end);
      return t[sign]!.type === '+' ? operand : { kind: 'neg', operand };
    }
    if (open === start) {
      if (close !== end || close <= open + 1) throw new ExprError('syntax');
      return this.range(open + 1, close - 1);
    }
    // a call: what comes before the name is not looked at (ExprEval's own oversight)
    if (open > start) {
      if (close !== end) throw new ExprError('syntax');
      return this.call(open, close);
    }
    if (start !== end) throw new ExprError('unknown');
    const tok = t[start]!;
    if (tok.type === 'value') return { kind: 'value', value: tok.value };
    if (tok.type === 'ident') return { kind: 'var', name: tok.text, constant: CONSTANTS.has(tok.text) };
    throw new ExprError('unknown');
  }

  assign(start: number, end: number, at: number): ExprNode {
    const name = this.tokens[at - 1];
    if (at !== start + 1 || at >= end || name?.type !== 'ident') throw new ExprError('syntax');
    if (CONSTANTS.has(name.text)) throw new ExprError('constant assignment');
    return { kind: 'assign', name: name.text, operand: this.range(at + 1, end) };
  }

  binary(start: number, end: number, at: number): ExprNode {
    if (at <= start || at >= end) throw new ExprError('syntax');
    const kind = this.tokens[at]!.type as '+' | '-' | '*' | '/' | '^';
    return { kind, left: this.range(start, at - 1), right: this.range(at + 1, end) };
  }

  /** exprInternalParseFunction: `name(…)` with its arguments and `&variable` references. */
  call(open: number, close: number): ExprNode {
    const t = this.tokens;
    const name = t[open - 1]!;
    if (name.type !== 'ident') throw new ExprError('syntax');
    const spec = FUNCTIONS.get(name.text);
    if (!spec) throw new ExprError('no such function');
    // the argument ranges, cut at the commas outside inner parentheses
    const parts: [number, number][] = [];
    if (close > open + 1) {
      let level = 0;
      let from = open + 1;
      for (let pos = open + 1; pos < close; pos++) {
        const type = t[pos]!.type;
        if (type === '(') level++;
        else if (type === ')') level--;
        else if (level === 0 && type === ',') {
          parts.push([from, pos - 1]);
          from = pos + 1;
        } else if (level === 0 && type === '&') {
          const before = t[pos - 1]!.type;
          if (before !== '(' && before !== ',') throw new ExprError('syntax');
        }
      }
      parts.push([from, close - 1]);
    }
    const isRef = ([from]: [number, number]) => t[from]?.type === '&';
    const refParts = parts.filter(isRef);
    const argParts = parts.filter((p) => !isRef(p));
    const [min, max, refs] = spec;
    if (argParts.length < min || (max >= 0 && argParts.length > max) || refParts.length !== refs) throw new ExprError('bad number of arguments');
    const refNames = refParts.map(([from, to]) => {
      const v = t[from + 1];
      if (to !== from + 1 || v?.type !== 'ident') throw new ExprError('syntax');
      if (CONSTANTS.has(v.text)) throw new ExprError('constant reference');
      return v.text;
    });
    return { kind: 'call', fn: name.text, args: argParts.map(([from, to]) => this.range(from, to)), refs: refNames };
  }
}

// -- the math, with the errors glibc reports through errno (EXPR_CHECK_ERR) --------------------------

const outOfRange = (): never => {
  throw new ExprError('out of range');
};

/** |y·ln x| at least 1024: glibc's exp/pow report an underflow to zero only from there on. */
const deepUnderflow = (lnMagnitude: number) => Math.abs(lnMagnitude) >= 1024;

function cPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === -1 && !Number.isFinite(y)) return 1;
  const finite = Number.isFinite(x) && Number.isFinite(y);
  if (finite && x < 0 && !Number.isInteger(y)) outOfRange();
  if (finite && x === 0 && y < 0) outOfRange();
  const r = x ** y;
  if (finite && (!Number.isFinite(r) || (r === 0 && x !== 0 && deepUnderflow(y * Math.log(Math.abs(x)))))) outOfRange();
  return r;
}

function cExp(x: number): number {
  const r = Math.exp(x);
  if (Number.isFinite(x) && (!Number.isFinite(r) || (x < 0 && deepUnderflow(x)))) outOfRange();
  return r;
}

function cLog(x: number, log: (v: number) => number): number {
  if (x <= 0) outOfRange();
  return log(x);
}

function cFmod(x: number, y: number): number {
  if (!Number.isNaN(x) && !Number.isNaN(y) && (!Number.isFinite(x) || y === 0)) outOfRange();
  return x % y;
}

/** sin / cos / tan of an infinity: EDOM. */
function trig(x: number, f: (v: number) => number): number {
  if (x === Infinity || x === -Infinity) outOfRange();
  return f(x);
}

/** sinh / cosh: ERANGE when a finite argument overflows. */
function hyperbolic(x: number, f: (v: number) => number): number {
  const r = f(x);
  if (Number.isFinite(x) && !Number.isFinite(r)) outOfRange();
  return r;
}

function inverseTrig(x: number, f: (v: number) => number): number {
  if (Math.abs(x) > 1) outOfRange();
  return f(x);
}

function cAtan2(y: number, x: number): number {
  const r = Math.atan2(y, x);
  if (r === 0 && y !== 0 && Number.isFinite(x)) outOfRange();
  return r;
}

/** C's conversion of a double to `long` (x86-64: out of range gives LONG_MIN). */
function toLong(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 63) return -(2n ** 63n);
  return BigInt(Math.trunc(x));
}

/** `(unsigned int)d`: the low 32 bits of the conversion to a 64-bit integer. */
const toUint = (x: number): number => Number(BigInt.asUintN(32, toLong(x)));

/** rand's and random's step: a = seed·214013 + 2531011 (as a 64-bit long); the seed becomes a. */
function nextRandom(vars: Map<string, number>, ref: string): number {
  const a = BigInt.asIntN(64, toLong(vars.get(ref) ?? 0) * 214013n + 2531011n);
  vars.set(ref, Number(a));
  return Number((a >> 16n) & 0x7fffn);
}

let randomizeState = 0;

/** ExprEval's break counter: exprEvalExprNode counts down from this before asking its breaker. */
const BREAK_COUNT = 100_000;

/**
 * One evaluation, as exprEvalExprNode runs it: every node evaluated counts down the break counter,
 * and at zero mod_expr's breaker stops the evaluation. `prev` is what the caller's result holds
 * before (a `for` that never loops leaves it; the C's uninitialised locals are taken as 0).
 */
class Evaluator {
  breakCur = 0;

  constructor(readonly vars: Map<string, number>) {}

  eval(n: ExprNode, prev: number): number {
    if (this.breakCur-- <= 0) {
      this.breakCur = BREAK_COUNT;
      throw new ExprError('break');
    }
    switch (n.kind) {
      case 'multi': {
        let v = prev;
        for (const item of n.items) v = this.eval(item, v);
        return v;
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '^': {
        const a = this.eval(n.left, 0);
        const b = this.eval(n.right, 0);
        if (n.kind === '+') return a + b;
        if (n.kind === '-') return a - b;
        if (n.kind === '*') return a * b;
        if (n.kind === '^') return cPow(a, b);
        if (b === 0) throw new ExprError('division by zero');
        return a / b;
      }
      case 'neg':
        return -this.eval(n.operand, 0);
      case 'value':
        return n.value;
      case 'var':
        return n.constant ? (CONSTANTS.get(n.name) ?? 0) : (this.vars.get(n.name) ?? 0);
      case 'assign': {
        const v = this.eval(n.operand, prev);
        this.vars.set(n.name, v);
        return v;
      }
      case 'call':
        return this.call(n.fn, n.args, n.refs, prev);
    }
  }

  call(fn: string, args: readonly ExprNode[], refs: readonly string[], prev: number): number {
    const arg = (i: number, cell = 0) => this.eval(args[i]!, cell);
    switch (fn) {
      case 'abs': {
        const d = arg(0);
        return d >= 0 ? d : -d;
      }
      case 'mod':
        return cFmod(arg(0), arg(1));
      case 'ipart':
        return Math.trunc(arg(0));
      case 'fpart': {
        const d = arg(0);
        if (!Number.isFinite(d)) return Number.isNaN(d) ? d : d < 0 ? -0 : 0;
        const f = d - Math.trunc(d);
        return f === 0 && (d < 0 || Object.is(d, -0)) ? -0 : f;
      }
      case 'min':
      case 'max': {
        let best = arg(0);
        let d = 0;
        for (let i = 1; i < args.length; i++) {
          d = arg(i, d);
          if (fn === 'min' ? d < best : d > best) best = d;
        }
        return best;
      }
      case 'pow':
        return cPow(arg(0), arg(1));
      case 'sqrt': {
        const d = arg(0);
        if (d < 0) outOfRange();
        return Math.sqrt(d);
      }
      case 'sin':
        return trig(arg(0), Math.sin);
      case 'cos':
        return trig(arg(0), Math.cos);
      case 'tan':
        return trig(arg(0), Math.tan);
      case 'sinh':
        return hyperbolic(arg(0), Math.sinh);
      case 'cosh':
        return hyperbolic(arg(0), Math.cosh);
      case 'tanh':
        return Math.tanh(arg(0));
      case 'asin':
        return inverseTrig(arg(0), Math.asin);
      case 'acos':
        return inverseTrig(arg(0), Math.acos);
      case 'atan':
        return Math.atan(arg(0));
      case 'atan2':
        return cAtan2(arg(0), arg(1));
      case 'log':
        return cLog(arg(0), Math.log10);
      case 'pow10':
        return cPow(10, arg(0));
      case 'ln':
        return cLog(arg(0), Math.log);
      case 'exp':
        return cExp(arg(0));
      case 'logn': {
        const l1 = cLog(arg(0), Math.log);
        const l2 = cLog(arg(1), Math.log);
        if (l2 === 0) outOfRange();
        return l1 / l2;
      }
      case 'ceil':
        return Math.ceil(arg(0));
      case 'floor':
        return Math.floor(arg(0));
      case 'rand':
        return nextRandom(this.vars, refs[0]!) / 32768;
      case 'random': {
        const lo = arg(0);
        const diff = arg(1) - lo;
        return (nextRandom(this.vars, refs[0]!) / 32767) * diff + lo;
      }
      case 'randomize': {
        // clock() + time(NULL), then the C's int arithmetic
        randomizeState = (randomizeState + Math.trunc(performance.now() * 1000) + Math.trunc(Date.now() / 1000)) | 0;
        randomizeState = (Math.imul(randomizeState, 31821) + 13849) | 0;
        this.vars.set(refs[0]!, randomizeState);
        return prev;
      }
      case 'deg':
        return (180 * arg(0)) / Math.PI;
      case 'rad':
        return (Math.PI * arg(0)) / 180;
      case 'recttopolr': {
        const x = arg(0);
        const y = arg(1);
        return Math.sqrt(x * x + y * y);
      }
      case 'recttopola': {
        const x = arg(0);
        const a = cAtan2(arg(1), x);
        // ExprEval writes `= 2π` where it means `+= 2π`
        return a < 0 ? 2 * Math.PI : a;
      }
      case 'poltorectx': {
        const r = arg(0);
        return r * trig(arg(1), Math.cos);
      }
      case 'poltorecty': {
        const r = arg(0);
        return r * trig(arg(1), Math.sin);
      }
      case 'if':
        return arg(0) !== 0 ? arg(1, prev) : arg(2, prev);
      case 'select': {
        const d = arg(0);
        if (d < 0) return arg(1, prev);
        if (d === 0 || args.length === 3) return arg(2, prev);
        return arg(3, prev);
      }
      case 'equal':
        return arg(0) === arg(1) ? 1 : 0;
      case 'above': {
        const a = arg(0);
        return a > arg(1) ? 1 : 0;
      }
      case 'below': {
        const a = arg(0);
        return a < arg(1) ? 1 : 0;
      }
      case 'avg': {
        let sum = 0;
        let d = 0;
        for (let i = 0; i < args.length; i++) {
          d = arg(i, d);
          sum += d;
        }
        return sum / args.length;
      }
      case 'clip': {
        // ExprEval reads the low bound twice: the high bound is never looked at
        const v = arg(0);
        const lo = arg(1);
        const hi = arg(1);
        // biome-ignore lint/complexity/useMathMinMax: the C's comparisons, through which NaN and -0 pass unchanged
        return v < lo ? lo : v > hi ? hi : v;
      }
      case 'clamp': {
        const v = arg(0);
        const lo = arg(1);
        const hi = arg(2);
        const r = cFmod(v - lo, hi - lo);
        return r < 0 ? r + hi : r + lo;
      }
      case 'pntchange': {
        const [o1, o2, n1, n2, pnt] = [arg(0), arg(1), arg(2), arg(3), arg(4)];
        const odiff = o2 - o1;
        if (odiff === 0) return o1;
        return n1 + ((pnt - o1) / odiff) * (n2 - n1);
      }
      case 'poly': {
        const x = arg(0);
        let power = args.length - 2;
        let total = 0;
        let d = 0;
        for (let i = 1; i < args.length; i++) {
          d = arg(i, d);
          total += d * cPow(x, power);
          power -= 1;
        }
        return total;
      }
      case 'and': {
        const a = arg(0);
        const b = arg(1);
        return a === 0 || b === 0 ? 0 : 1;
      }
      case 'or': {
        const a = arg(0);
        const b = arg(1);
        return a !== 0 || b !== 0 ? 1 : 0;
      }
      case 'not':
        return arg(0) !== 0 ? 0 : 1;
      case 'for': {
        let d = arg(0);
        let test = arg(1);
        let v = prev;
        while (test !== 0) {
          for (let i = 3; i < args.length; i++) v = arg(i, v);
          d = arg(2, d);
          test = arg(1, test);
        }
        return v;
      }
      case 'many': {
        let v = prev;
        for (let i = 0; i < args.length; i++) v = arg(i, v);
        return v;
      }
      case 'land': {
        const a = toUint(arg(0));
        return (a & toUint(arg(1))) >>> 0;
      }
      case 'lor': {
        const a = toUint(arg(0));
        return (a | toUint(arg(1))) >>> 0;
      }
      default:
        throw new ExprError('unknown function');
    }
  }
}

/** Parses `text` (its expressions each ending in `;`); throws ExprError. */
export function parseExpr(text: string): ExprNode {
  return new Parser(tokenize(text)).multi();
}

/**
 * mod_expr's evaluation: exprEval until it succeeds, at most three times, the variables kept
 * between tries. The break counter starts at zero, so the first try always breaks at once; the
 * others may each evaluate 100000 nodes.
 */
export function evaluate(tree: ExprNode): number {
  const ev = new Evaluator(new Map());
  for (let tries = 1; ; tries++) {
    try {
      return ev.eval(tree, 0);
    } catch (err) {
      if (!(err instanceof ExprError) || tries >= 3) throw err;
    }
  }
}
