/**
 * mod_commands' `cond <a> <op> <b> ? <true> : <false>` (cond_function), with its parser's quirks:
 * an unquoted operand ends at the next space (so `b` needs a space after it), a quoted one
 * (`'…'`, `\'` and `\\` skipped over but left in) must be followed by white space; the operator is
 * `==`, `!=`, `>`, `>=`, `<`, `<=` and the character right after it is skipped, whatever it is
 * (`1 >2 ? …` compares 1 with nothing); the values are cut at `:` as switch_separate_string cuts,
 * at most three parts. An operand is a number when it looks like one and is not quoted; else its
 * length in bytes is its number, and `==` / `!=` compare two non-numbers as text. A false
 * condition without a false value gives an empty reply; anything malformed gives `-ERR`.
 */
import { atof, byteLength, isNumber, separateString } from '../internal/strings.ts';

type Operator = '==' | '!=' | '>' | '>=' | '<' | '<=';

const ERR = '-ERR';
const isSpace = (c: string | undefined) => c !== undefined && ' \t\n\v\f\r'.includes(c);

interface Operand {
  readonly text: string;
  readonly quoted: boolean;
  /** Where the parse goes on after it. */
  readonly next: number;
}

/** An operand at `at`: quoted up to its closing quote (then white space), or up to the next space. */
function operand(s: string, at: number): Operand | undefined {
  if (s[at] === "'") {
    let i = at + 1;
    for (; i < s.length; i++) {
      if (s[i] === '\\') {
        if (s[i + 1] === '\\' || s[i + 1] === "'") i++;
      } else if (s[i] === "'") break;
    }
    if (i >= s.length || !isSpace(s[i + 1])) return undefined;
    return { text: s.slice(at + 1, i), quoted: true, next: i + 1 };
  }
  const space = s.indexOf(' ', at);
  return space < 0 ? undefined : { text: s.slice(at, space), quoted: false, next: space + 1 };
}

const skipSpace = (s: string, at: number) => {
  let i = at;
  while (isSpace(s[i])) i++;
  return i;
};

/** The operator at `at` (`!` and `=` alone are none) and where its skipped character ends. */
function operator(s: string, at: number): { op: Operator; next: number } | undefined {
  const first = s[at];
  if (first !== '!' && first !== '<' && first !== '>' && first !== '=') return undefined;
  const withEquals = s[at + 1] === '=';
  if (!withEquals && (first === '!' || first === '=')) return undefined;
  const op = (withEquals ? `${first}=` : first) as Operator;
  return { op, next: at + op.length + 1 };
}

function compare(op: Operator, a: Operand, b: Operand): boolean {
  const aIsNum = isNumber(a.text) && !a.quoted;
  const bIsNum = isNumber(b.text) && !b.quoted;
  const x = aIsNum ? atof(a.text) : byteLength(a.text);
  const y = bIsNum ? atof(b.text) : byteLength(b.text);
  const asText = !aIsNum && !bIsNum;
  switch (op) {
    case '==':
      return asText ? a.text === b.text : x === y;
    case '!=':
      return asText ? a.text !== b.text : x !== y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
  }
}

/** cond_function's reply for its argument. */
export function cond(args: string): string {
  const a = operand(args, 0);
  if (!a) return ERR;
  const o = operator(args, skipSpace(args, a.next));
  if (!o) return ERR;
  const b = operand(args, skipSpace(args, o.next));
  if (!b) return ERR;
  const question = skipSpace(args, b.next);
  if (args[question] !== '?') return ERR;
  const values = separateString(`:${args.slice(question + 1)}`, ':', 3);
  if (values.length < 2) return ERR;
  const [, whenTrue, whenFalse] = values;
  if (compare(o.op, a, b)) return whenTrue ?? '';
  return whenFalse ?? '';
}
