/**
 * `${...}` expansion (switch_channel_expand_variables_check), FreeSWITCH's rules:
 *
 * - `${name}` is the variable's value (looked up through `ExpandEnv.variable`), itself expanded
 *   again; an unset variable expands to nothing. `$${name}` at run time is the same lookup.
 * - `${name:offset}` / `${name:offset:length}`: a substring (a negative offset counts from the
 *   end); `${name[i]}`: item i of an array variable. The name is expanded first, so
 *   `${${which}}` works.
 * - `${cmd args}` or `${cmd(args)}` (a blank or `(` in the braces) runs the API command `cmd`
 *   with `args` (both expanded first) and inserts its output: API commands are asynchronous, so
 *   `expansionSteps` / `expandWithApi` run them; `expandVariables` asks `ExpandEnv.api`.
 * - `\$` is a literal `$`, `\\` a literal `\`, `\'` disappears; a `$` not followed by `{` stays.
 * - braces nest (`${a{b}c}` names `a{b}c`); an unterminated `${name` runs to the end.
 * - the character right after a `}` is copied as is (so `${a}\${b}` keeps the backslash and
 *   expands `${b}`); strings without `${` or an escape come back unchanged; depth is capped at 100.
 */
import { hasVariableReference } from '../internal/strings.ts';

export interface ExpandEnv {
  /** The variable `name` (item `index` of an array when index ≥ 0), or undefined when unset. */
  variable(name: string, index: number): string | undefined;
  /** Runs an API command for `${cmd args}`; undefined when the command failed or is unknown. */
  api?(command: string, args: string): string | undefined;
}

const MAX_DEPTH = 100;

/** A `${cmd args}` reference's API command, asked of whoever drives an expansion. */
export interface ApiRequest {
  readonly kind: 'api';
  readonly command: string;
  readonly args: string;
}

/** Calls of API commands one expansion may make; references past it expand to nothing. */
const MAX_API_CALLS = 64;

/**
 * The expansion as steps: each `${cmd args}` reference yields its request and is given the output
 * back (undefined: the command failed or is unknown), in the order FreeSWITCH runs them, once per
 * reference. The synchronous expansion runs again with the outputs so far until a run asks for no
 * new one; a call's arguments are only final once every call before it has its output, so each
 * run asks for its first missing call alone. Text without such a reference takes one run.
 */
export function* expansionSteps(input: string, variable: ExpandEnv['variable']): Generator<ApiRequest, string, string | undefined> {
  const outputs: { command: string; args: string; output: string | undefined }[] = [];
  for (;;) {
    let missing: ApiRequest | undefined;
    let call = 0;
    const text = expandVariables(input, {
      variable,
      api: (command, args) => {
        const k = call++;
        if (missing !== undefined) return undefined;
        const known = outputs[k];
        if (known !== undefined && known.command === command && known.args === args) return known.output;
        outputs.length = k;
        missing = { kind: 'api', command, args };
        return undefined;
      },
    });
    if (missing === undefined || outputs.length >= MAX_API_CALLS) return text;
    const request: ApiRequest = missing;
    outputs.push({ command: request.command, args: request.args, output: yield request });
  }
}

/** The expansion of text that runs no API command; undefined when it does (then `expansionSteps` drives it). */
export function expandWithoutApi(input: string, variable: ExpandEnv['variable']): string | undefined {
  let calls = false;
  const text = expandVariables(input, {
    variable,
    api: () => {
      calls = true;
      return undefined;
    },
  });
  return calls ? undefined : text;
}

/** The expansion with `${cmd args}` run by `api`: a string at once when the text has no such reference. */
export function expandWithApi(
  input: string,
  variable: ExpandEnv['variable'],
  api: (command: string, args: string) => Promise<string | undefined>,
): string | Promise<string> {
  const plain = expandWithoutApi(input, variable);
  if (plain !== undefined) return plain;
  return (async () => {
    const steps = expansionSteps(input, variable);
    for (let step = steps.next(); ; ) {
      if (step.done) return step.value;
      step = steps.next(await api(step.value.command, step.value.args));
    }
  })();
}

/** switch_string_has_escaped_data: a backslash before `\`, `n`, `s`, `t` or `'`. */
function hasEscape(s: string): boolean {
  for (let i = s.indexOf('\\'); i >= 0 && i + 1 < s.length; i = s.indexOf('\\', i + 1)) {
    if ("\\nst'".includes(s[i + 1]!)) return true;
  }
  return false;
}

/** Expands `input`; strings with nothing to expand are returned as they are. */
export function expandVariables(input: string, env: ExpandEnv, depth = 0): string {
  if (depth > MAX_DEPTH || input === '' || !(hasVariableReference(input) || hasEscape(input))) return input;
  let out = '';
  let p = 0;
  const n = input.length;
  while (p < n) {
    let literal = false;
    let ch = input[p]!;
    if (ch === '\\') {
      const next = input[p + 1];
      if (next === '$') {
        literal = true;
        p++;
        if (input[p + 1] === '$') p++;
      } else if (next === "'") {
        p += 2;
        continue;
      } else if (next === '\\') {
        out += '\\';
        p += 2;
        continue;
      }
    }
    ch = input[p]!;
    let isVar = false;
    if (ch === '$' && !literal) {
      if (input[p + 1] === '$') p++;
      if (input[p + 1] === '{') isVar = true;
      else literal = true;
    }
    if (!isVar) {
      out += input[p];
      p++;
      continue;
    }

    // p is at the `$` before `{`
    const start = p + 2;
    let e = start;
    let depthBr = 1;
    let closed = false;
    while (e < n) {
      const c = input[e]!;
      if (depthBr === 1 && c === '}') {
        closed = true;
        break;
      }
      if (e !== start && c === '{') depthBr++;
      else if (depthBr > 1 && c === '}') depthBr--;
      e++;
    }
    const body = input.slice(start, e);
    p = closed ? e + 1 : n;
    out += expandBody(body, closed ? 0 : depthBr, env, depth);
    // the character after the closing brace is copied without a look (unless it starts another `$`)
    if (p < n && input[p] !== '$') {
      out += input[p];
      p++;
    }
  }
  return out;
}

/** `openBraces`: the braces still open when the body ran to the end (0 when it was closed). */
function expandBody(body: string, openBraces: number, env: ExpandEnv, depth: number): string {
  const blank = body.indexOf(' ');
  const paren = body.indexOf('(');
  const cut = blank < 0 ? paren : paren < 0 ? blank : Math.min(blank, paren);
  if (cut >= 0) {
    const command = body.slice(0, cut);
    let args = body.slice(cut + 1);
    let level = body[cut] === '(' ? 1 : openBraces;
    for (let i = 0; i < args.length; i++) {
      const c = args[i];
      if (c === '(') level++;
      else if (level > 1 && c === ')') level--;
      else if (level === 1 && c === ')') {
        args = args.slice(0, i);
        break;
      }
    }
    const out = env.api?.(expandVariables(command, env, depth + 1), expandVariables(args, env, depth + 1));
    return out ?? '';
  }

  let name = expandVariables(body, env, depth + 1);
  let offset = 0;
  let length = 0;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const rest = name.slice(colon + 1);
    name = name.slice(0, colon);
    offset = atoiPrefix(rest);
    const second = rest.indexOf(':');
    if (second >= 0) length = atoiPrefix(rest.slice(second + 1));
  }
  let index = -1;
  const bracket = name.indexOf('[');
  if (bracket >= 0 && name.indexOf(']', bracket) >= 0) {
    index = atoiPrefix(name.slice(bracket + 1));
    name = name.slice(0, bracket);
  }
  const raw = env.variable(name, index);
  if (raw === undefined) return '';
  let value = expandVariables(raw, env, depth + 1);
  if (offset >= 0) value = offset > value.length ? '' : value.slice(offset);
  else if (-offset <= value.length) value = value.slice(value.length + offset);
  if (length > 0 && length < value.length) value = value.slice(0, length);
  return value;
}

function atoiPrefix(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}
