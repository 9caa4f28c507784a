/**
 * Originate dial strings (switch_ivr_originate.c), parsed as FreeSWITCH parses them:
 *
 *   [<ultra-global vars>][{global vars}]leg[,leg…][|leg[,leg…]…]      leg = [[leg vars]]endpoint/data
 *   branch:_:branch…                                                   (enterprise originate)
 *
 * `,` separates legs dialled at the same time, `|` groups tried one after the other. Variables
 * are `name=value` separated by `,` (or by X after a leading `^^X`); single quotes and `\`
 * escapes are handled as switch_separate_string does (quotes do *not* protect a comma inside
 * `[...]`: escape it as `\,` or use `[^^:a=x,y:b=2]`); a later name replaces an earlier one.
 * A syntax error is what FreeSWITCH reports for it: the originate fails with
 * DESTINATION_OUT_OF_ORDER (log `Parse Error!` / `No origination URL specified!`).
 */
import { Cause } from '../channel/causes.ts';
import { caseEqual, findEndParen, separateString } from '../internal/strings.ts';

/** Ordered `name → value`; a later assignment of a name replaces the earlier one (moved to the end). */
export type VarList = readonly (readonly [string, string])[];

export interface DialLeg {
  /** `[...]` variables of this leg. */
  readonly vars: VarList;
  /** The endpoint name as written (`loopback`, `null`, `error`, `sofia`…); lookups ignore case. */
  readonly endpoint: string;
  /** Everything after the first `/`, or undefined when there is no `/`. */
  readonly data: string | undefined;
  /** The new leg's destination number: the data, or `service` when it is empty. */
  readonly destination: string;
}

export interface DialString {
  /** `<...>` then `{...}` variables: set on every leg. */
  readonly vars: VarList;
  /** `|`-separated groups, tried in order; the legs of a group are dialled at once. */
  readonly groups: readonly (readonly DialLeg[])[];
}

export interface EnterpriseDialString {
  /** `<...>` variables of the whole call, plus `ignore_early_media=true`. */
  readonly vars: VarList;
  /** The `:_:`-separated branches, each a dial string of its own, dialled at once. */
  readonly branches: readonly DialString[];
}

export type DialStringResult =
  | { readonly ok: true; readonly dial: DialString }
  | { readonly ok: true; readonly enterprise: EnterpriseDialString }
  | { readonly ok: false; readonly cause: number; readonly log: string };

export const ENTERPRISE_DELIMITER = ':_:';
const MAX_PEERS = 128;
/** The marks switch_ivr_originate puts on commas inside `[...]` before cutting legs at `,`. */
const QUOTED_COMMA = '\x01';
const UNQUOTED_COMMA = '\x02';

class ParseError extends Error {}

function failure(log: string): DialStringResult {
  return { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER, log };
}

/** `vars` with `name = value` applied: an existing name (any case) is removed, the new pair appended. */
export function setVar(vars: VarList, name: string, value: string): VarList {
  return [...vars.filter(([n]) => !caseEqual(n, name)), [name, value]];
}

/** The variables a leg's channel gets: the dial string's, then the leg's own (which win). */
export function legVars(dial: DialString, leg: DialLeg): VarList {
  let vars = dial.vars;
  for (const [n, v] of leg.vars) vars = setVar(vars, n, v);
  return vars;
}

/** The first value of `name` (any case). */
export function getVar(vars: VarList, name: string): string | undefined {
  return vars.find(([n]) => caseEqual(n, name))?.[1];
}

/**
 * switch_event_create_brackets: reads the `open … close` group at the start of `data` into
 * `vars`; returns the text after it. Pairs are cut at `sep` (or at X after a leading `^^X`),
 * then at the first `=`; a pair without `=` is skipped.
 */
function readBrackets(data: string, open: string, close: string, sep: string, vars: VarList): { vars: VarList; rest: string } {
  const end = findEndParen(data, open, close);
  if (end < 0) throw new ParseError('Parse Error!');
  let inner = data.slice(data.indexOf(open) + 1, end);
  if (inner.startsWith('^^') && inner.length > 2) {
    sep = inner[2]!;
    inner = inner.slice(3);
  }
  for (const pair of separateString(inner, sep, 1024)) {
    const nv = separateString(pair, '=', 2);
    // an empty value unsets the name (switch_event_add_header)
    if (nv.length === 2) vars = nv[1] === '' ? vars.filter(([n]) => !caseEqual(n, nv[0]!)) : setVar(vars, nv[0]!, nv[1]!);
  }
  return { vars, rest: data.slice(end + 1) };
}

const trimLeadingBlanks = (s: string): string => s.replace(/^ +/, '');

/** Parses a dial string (the `<call url>` of originate, the data of bridge). */
export function parseDialString(text: string): DialStringResult {
  try {
    if (text.includes(ENTERPRISE_DELIMITER)) return parseEnterprise(text);
    return parseSimple(text, []);
  } catch (e) {
    if (e instanceof ParseError) return failure(e.message);
    throw e;
  }
}

function parseEnterprise(text: string): DialStringResult {
  let data = trimLeadingBlanks(text);
  let vars: VarList = [];
  while (data.startsWith('<')) ({ vars, rest: data } = readBrackets(data, '<', '>', ',', vars));
  data = trimLeadingBlanks(data);
  vars = setVar(vars, 'ignore_early_media', 'true');
  const branches: DialString[] = [];
  for (const part of data.split(ENTERPRISE_DELIMITER).slice(0, MAX_PEERS)) {
    const r = parseSimple(part, []);
    if (!r.ok) return r;
    if ('dial' in r) branches.push(r.dial);
  }
  return { ok: true, enterprise: { vars, branches } };
}

function parseSimple(text: string, base: VarList): DialStringResult {
  let data = trimLeadingBlanks(text);
  let vars = base;
  while (data.startsWith('<')) ({ vars, rest: data } = readBrackets(data, '<', '>', ',', vars));
  while (data.startsWith('{')) ({ vars, rest: data } = readBrackets(data, '{', '}', ',', vars));
  data = trimLeadingBlanks(data);
  if (data === '') return failure('No origination URL specified!');

  const groups: DialLeg[][] = [];
  for (const group of separateString(data, '|', MAX_PEERS)) {
    const legs: DialLeg[] = [];
    for (const legText of separateString(markBracketCommas(group), ',', MAX_PEERS)) legs.push(parseLeg(legText));
    groups.push(legs);
  }
  return { ok: true, dial: { vars, groups } };
}

/** Commas inside `[...]` must not cut legs: quoted (or `^^`) ones become literal, the others separators. */
function markBracketCommas(group: string): string {
  let out = '';
  let end = -1;
  let quoted = false;
  let alt = false;
  for (let i = 0; i < group.length; i++) {
    let ch = group[i]!;
    if (end < 0 && ch === '[') {
      end = findEndParen(group, '[', ']', i);
      alt = group[i + 1] === '^' && group[i + 2] === '^';
      quoted = false;
    }
    if (ch === "'") quoted = !quoted;
    if (end >= 0 && i < end && ch === ',' && group[i - 1] !== '\\') ch = quoted || alt ? QUOTED_COMMA : UNQUOTED_COMMA;
    if (i === end) end = -1;
    out += ch;
  }
  return out;
}

function parseLeg(text: string): DialLeg {
  let legText = trimLeadingBlanks(text);
  let vars: VarList = [];
  while (legText.startsWith('[')) {
    const close = findEndParen(legText, '[', ']');
    if (close >= 0) legText = legText.slice(0, close).replaceAll(QUOTED_COMMA, ',') + legText.slice(close);
    const r = readBrackets(legText, '[', ']', UNQUOTED_COMMA, vars);
    if (r.rest === legText) throw new ParseError('Parse Error!');
    ({ vars, rest: legText } = r);
  }
  legText = trimLeadingBlanks(legText);
  const slash = legText.indexOf('/');
  const endpoint = slash < 0 ? legText : legText.slice(0, slash);
  const data = slash < 0 ? undefined : legText.slice(slash + 1);
  return { vars, endpoint, data, destination: data ? data : 'service' };
}
