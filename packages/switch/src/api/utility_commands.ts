/**
 * mod_commands' text utilities: `cond` (api/cond.ts), `regex`, `url_encode`, `url_decode`, `md5`,
 * `toupper`, `tolower`, with mod_commands' replies (none with a final newline).
 */
import { createHash } from 'node:crypto';
import { regexPerform, substitute } from '../dialplan/regex.ts';
import { textBytes } from '../internal/byte_text.ts';
import { copyString } from '../internal/c_buffer.ts';
import { asciiUpper, byteLength, separateString, urlDecode, urlEncode } from '../internal/strings.ts';
import { cond } from './cond.ts';
import type { ApiCommand } from './registry.ts';

/** The highest group that took part, plus one: what pcre2_match returns for a match. */
function matchCount(match: RegExpExecArray): number {
  let n = match.length;
  while (n > 1 && match[n - 1] === undefined) n--;
  return n;
}

/**
 * regex_function: `[m:<d>]<data><d><pattern>[<d><subst>[<d><flags>]]`, `<d>` `|` unless `m:` names
 * `|`, `~` or `/`. Without a substitution: `true` / `false`. With one: the substitution (`%N` as
 * `$N`) in a buffer of (data + subst + 10 bytes) × the match count; no match gives the data, or
 * nothing with flag `n`, or `false` with flag `b`.
 */
function regex(args: string, log: (text: string) => void): string {
  const m = /^m:([|~/])/.exec(args);
  const delim = m?.[1] ?? '|';
  const rest = m ? args.slice(3) : args;
  const [data, pattern, subst, flags = ''] = rest === '' ? [] : separateString(rest, delim, 4);
  if (data === undefined || pattern === undefined) return '-ERR';
  const result = regexPerform(data, pattern);
  if (result.error) log(result.error);
  const count = result.match ? matchCount(result.match) : 0;
  if (subst === undefined) return count ? 'true' : 'false';
  if (result.match) {
    const size = (byteLength(data) + byteLength(subst) + 10) * count;
    return copyString(substitute(result.match, subst.replaceAll('%', '$')), size);
  }
  if (flags.includes('n')) return '';
  if (flags.includes('b')) return 'false';
  return data;
}

/** A mod_commands API command, with the syntax and description `help` shows. */
export const modCommandsApi = (name: string, syntax: string, description: string, run: ApiCommand['run']): ApiCommand => ({
  name,
  syntax,
  description,
  module: 'mod_commands',
  run,
});

export const UTILITY_TEXT_COMMANDS: readonly ApiCommand[] = [
  modCommandsApi('cond', '<expr> ? <true val> : <false val>', 'Evaluate a conditional', (args) => cond(args)),
  modCommandsApi('regex', '<data>|<pattern>[|<subst string>][n|b]', 'Evaluate a regex', (args, env) =>
    regex(args, (text) => env.core.log('ERR', text)),
  ),
  modCommandsApi('url_encode', '<string>', 'Url encode a string', (args) => urlEncode(args)),
  modCommandsApi('url_decode', '<string>', 'Url decode a string', (args) => urlDecode(args)),
  modCommandsApi('md5', '<data>', 'Return md5 hash', (args) => (args === '' ? '!err!' : createHash('md5').update(textBytes(args)).digest('hex'))),
  modCommandsApi('toupper', '<string>', 'Upper Case a string', (args) => asciiUpper(args)),
  modCommandsApi('tolower', '<string>', 'Lower Case a string', (args) => args.replace(/[A-Z]+/g, (m) => m.toLowerCase())),
];
