/**
 * FreeSWITCH's regular expressions (switch_regex.c) on JavaScript's engine.
 *
 * An expression is PCRE; three forms: plain (`^1\d{3}$`), `/pattern/flags` (flags `i`, `s`), and
 * `_pattern` (Asterisk style: N = [2-9], X = [0-9], Z = [1-9], `.` = anything, anchored).
 * The PCRE features JavaScript lacks are translated where there is an equivalent (pcre_translate.ts;
 * leading inline flags here); anything else JavaScript cannot compile is a compile error, which —
 * as in FreeSWITCH — is logged and counts as no match.
 */
import { execBounded, MATCH_LIMIT_MS, runsInLinearTime } from '../internal/bounded_regex.ts';
import { translatePattern } from './pcre_translate.ts';

export interface RegexResult {
  readonly matched: boolean;
  /** The match (group 0 and the groups; unset groups undefined) when matched. */
  readonly match?: RegExpExecArray;
  /** Why the expression could not be used (FreeSWITCH logs it; the result is no match). */
  readonly error?: string;
}

/** switch_ast2regex: `_NXXX` style patterns. */
export function asteriskToRegex(pattern: string): string {
  let out = '^';
  for (const ch of pattern) {
    if (ch === 'N') out += '[2-9]';
    else if (ch === 'X') out += '[0-9]';
    else if (ch === 'Z') out += '[1-9]';
    else if (ch === '.') out += '.*';
    else out += ch;
  }
  return `${out}$`;
}

/** A compiled expression: one RegExp per meaning of `$` (see TranslatedPattern). */
interface CompiledExpression {
  readonly plain: RegExp;
  readonly beforeFinalNewline: RegExp | undefined;
  /** Whether `plain` is safe on the main thread: V8's linear engine takes over if it backtracks too long. */
  readonly linear: boolean;
}

const cache = new Map<string, CompiledExpression | { error: string }>();

/** Compiles an expression in any of the three forms; cached. */
function compileExpression(expression: string): CompiledExpression | { error: string } {
  const hit = cache.get(expression);
  if (hit) return hit;
  const compiled = compile(expression);
  if (cache.size > 1000) cache.clear();
  cache.set(expression, compiled);
  return compiled;
}

function compile(expression: string): CompiledExpression | { error: string } {
  let pattern = expression;
  let caseless = false;
  let dotAll = false;
  let multiline = false;
  if (pattern.startsWith('_')) pattern = asteriskToRegex(pattern.slice(1));
  if (pattern.startsWith('/')) {
    const end = pattern.lastIndexOf('/');
    if (end <= 0) return { error: `Regular Expression Error expression[${expression}] missing ending '/' delimeter` };
    const opts = pattern.slice(end + 1);
    pattern = pattern.slice(1, end);
    caseless = opts.includes('i');
    dotAll = opts.includes('s');
  }
  const lead = /^\(\?([imsx]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1]!.includes('x')) return { error: `COMPILE ERROR: 0 [extended mode (?x) is not supported][${pattern}]` };
    caseless ||= lead[1]!.includes('i');
    dotAll ||= lead[1]!.includes('s');
    multiline = lead[1]!.includes('m');
    pattern = pattern.slice(lead[0].length);
  }
  const translated = translatePattern(pattern, { caseless, dotAll, multiline });
  try {
    const plain = new RegExp(translated.plain, translated.flags);
    const beforeFinalNewline = translated.beforeFinalNewline === undefined ? undefined : new RegExp(translated.beforeFinalNewline, translated.flags);
    return { plain, beforeFinalNewline, linear: runsInLinearTime(translated.plain, translated.flags) };
  } catch (e) {
    return { error: `COMPILE ERROR: 0 [${(e as Error).message}][${pattern}]` };
  }
}

/**
 * switch_regex_perform: match `field` against `expression` (unanchored search). A match that runs
 * past the match limit is no match, as PCRE's is; the error says so.
 */
export function regexPerform(field: string, expression: string): RegexResult {
  const re = compileExpression(expression);
  if ('error' in re) return { matched: false, error: re.error };
  const pcreDollar = re.beforeFinalNewline !== undefined && field.endsWith('\n');
  const match =
    re.linear && !pcreDollar ? re.plain.exec(field) : execBounded((pcreDollar ? re.beforeFinalNewline! : re.plain).source, re.plain.flags, field);
  if (match === 'limit') {
    return {
      matched: false,
      error: `MATCH LIMIT: [${expression}] gave up after ${MATCH_LIMIT_MS} ms on a ${field.length}-character subject`,
    };
  }
  return match ? { matched: true, match } : { matched: false };
}

/**
 * The groups switch_capture_regex hands out: group 0 and every group up to the last one that
 * took part, skipping groups that did not.
 */
export function captures(match: RegExpExecArray | undefined): string[] {
  if (!match) return [];
  let count = match.length;
  while (count > 0 && match[count - 1] === undefined) count--;
  const out: string[] = [];
  for (let i = 0; i < count; i++) if (match[i] !== undefined) out.push(match[i]!);
  return out;
}

/**
 * switch_perform_substitution: `$N` and `${N}` become group N of the match (nothing when the
 * group is unset or beyond 256); a `$` not followed by a digit stays; `${N` without its `}` leaves
 * the digits as text.
 */
export function substitute(match: RegExpExecArray | undefined, data: string): string {
  let out = '';
  let x = 0;
  while (x < data.length) {
    if (data[x] !== '$') {
      out += data[x];
      x++;
      continue;
    }
    x++;
    const brace = data[x] === '{';
    if (brace) x++;
    if (!isDigit(data[x])) {
      x -= brace ? 1 : 0;
      out += data[x - 1];
      continue;
    }
    let digits = '';
    while (isDigit(data[x]) && digits.length < 9) digits += data[x++];
    if (brace) {
      if (data[x] !== '}') {
        // FreeSWITCH backs up and copies the digits as text
        x -= digits.length;
        continue;
      }
      x++;
    }
    const num = Number.parseInt(digits, 10);
    if (num <= 256) out += match?.[num] ?? '';
  }
  return out;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
