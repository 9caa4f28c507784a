/**
 * mod_expr's `expr <expression>` (expr_function): `|` separates expressions as `;` does, a final
 * `;` is added when missing; the value is printed with ten decimals and then trimmed of trailing
 * zeros and a trailing point (`7`, `2.5`, `0.3333333333`), with no newline. Every error —
 * syntax, an unknown function, division by zero, a math error — prints `!err!` (and logs ERR).
 */
import { ExprError, type ExprNode, evaluate, parseExpr } from './expr_eval.ts';
import type { ApiCommand } from './registry.ts';

const ERROR = '!err!';

/** printf's `%.10f` (glibc: the exact value, a tie rounds to even; `inf`, `-nan`). */
export function fixed10(x: number): string {
  // x86's default NaN (0 / 0, ∞ - ∞) has its sign bit set
  if (Number.isNaN(x)) return '-nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) return `${sign}${BigInt(a)}.0000000000`;
  let s = a.toFixed(10);
  // exactly halfway between two 10-digit decimals (a·2¹¹ an odd integer): toFixed went up, glibc goes to even
  const half = a * 2048;
  if (Number.isInteger(half) && half % 2 === 1) {
    const down = a.toFixed(11).slice(0, -1);
    if (Number(down.at(-1)) % 2 === 0) s = down;
  }
  return sign + s;
}

/** The trimming after the snprintf: trailing zeros, then a trailing point. */
export function formatExprValue(x: number): string {
  const s = fixed10(x);
  let end = s.length;
  while (end > 1 && s[end - 1] === '0') end--;
  const t = s.slice(0, end);
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

/** The value of `text`, or `!err!` (logged as mod_expr logs it, at ERR, when `log` is given). */
export function expr(text: string, log: (text: string) => void = () => {}): string {
  if (text === '') return ERROR;
  let line = text.replaceAll('|', ';');
  if (!line.endsWith(';')) line += ';';
  let tree: ExprNode;
  try {
    tree = parseExpr(line);
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    log(`PARSE EXPR => ${text}`);
    return ERROR;
  }
  try {
    return formatExprValue(evaluate(tree));
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    log('EXPR VAL');
    return ERROR;
  }
}

export const EXPR_COMMAND: ApiCommand = {
  name: 'expr',
  syntax: '<expr>',
  description: 'Eval an expression',
  module: 'mod_expr',
  run: (args, { core }) => expr(args, (text) => core.log('ERR', text)),
};
