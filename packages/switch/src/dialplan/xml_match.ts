/**
 * The XML dialplan's hunt (mod_dialplan_xml.c) over an already-parsed tree: pick the context,
 * walk its extensions in document order, evaluate conditions, collect actions (or anti-actions)
 * into one extension, run inline ones on the spot.
 *
 * What the channel contributes is behind `DialplanEnv`: profile fields, `${...}` expansion,
 * variables (DP_MATCH and friends are set through it), inline execution and the debug log.
 *
 * FreeSWITCH's rules, including the surprising ones:
 * - a condition's `field` is a caller-profile field name, or (if it has a `$`) expanded text;
 *   an unset field is the empty string; no `field` (and no time attributes) always matches;
 * - `break`: on-false (default; also for an unknown word), on-true, always, never;
 * - the extension's outcome is the *last* condition's result (`proceed`), so a failing
 *   condition with `break="never"` after a matching one can leave its actions in place and still
 *   let the hunt go on; a failing condition that has anti-actions counts as matched;
 * - nested `<condition>`s run only when their parent passed; `require-nested="false"` on the
 *   parent makes their failure not count;
 * - `continue="true"` on an extension keeps hunting after it matched; every extension that
 *   matches adds to the same extension, named after the first one that added an application;
 * - action data gets `$1`… from the condition's regex when the expression has a `(`;
 *   anti-action data does not.
 */
import { profileField, type CallerProfile } from '../channel/profile.ts';
import type { SwitchEvent } from '../events/event.ts';
import { type XmlElement, attr, child, children, findChild } from '../config/xml.ts';
import { atoi, caseEqual, switchTrue } from '../internal/strings.ts';
import { type ApiRequest, expandWithoutApi, expansionSteps } from './expand.ts';
import { captures, regexPerform, substitute } from './regex.ts';

export interface DialplanApplication {
  readonly application: string;
  readonly data: string;
}

/** switch_caller_extension_t: what routing hands to CS_EXECUTE. */
export interface Extension {
  readonly name: string;
  /** The destination number it was found for. */
  readonly number: string;
  readonly applications: readonly DialplanApplication[];
}

export interface DialplanEnv {
  readonly profile: CallerProfile;
  /** For the debug lines. */
  readonly channelName: string;
  /** What `${name}` expands to (item `index` of an array variable when ≥ 0; switch_channel_expand_variables). */
  expansionVariable(name: string, index: number): string | undefined;
  /**
   * Runs the API command of a `${cmd args}` in a condition: its output, or undefined. Only
   * `huntDialplanAsync` waits for a promise; without it such a reference expands to nothing.
   */
  api?(command: string, args: string): string | undefined | Promise<string | undefined>;
  variable(name: string): string | undefined;
  /** Sets (or, with undefined, unsets) a channel variable. */
  setVariable(name: string, value: string | undefined): void;
  /** Appends to an array variable (DP_MATCH captures). */
  pushVariable(name: string, value: string): void;
  /** Unsets every variable whose name starts with `prefix`. */
  deleteVariablesWithPrefix(prefix: string): void;
  /**
   * Runs an `inline="true"` application now (its CHANNEL_EXECUTE shows CS_ROUTING); the hunt goes
   * on once it is done (`huntDialplanAsync` waits for a returned promise, `huntDialplan` does not).
   */
  executeInline(application: string, data: string): void | Promise<void>;
  /**
   * Evaluates the time-of-day attributes of a condition or regex element: -1 when it has none,
   * 1 when they match now, 0 when not. Without it, elements with time attributes never match.
   */
  timeMatch?(element: XmlElement): -1 | 0 | 1;
  /** The params of an XML-fetch lookup: a REQUEST_PARAMS event with the channel's data and `Hunt-*` fields. */
  requestParams?(): SwitchEvent;
  log?(level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERR', text: string): void;
}

export interface HuntResult {
  /** undefined: no route (no context, or nothing matched). */
  readonly extension: Extension | undefined;
  /** The context element the hunt used (the caller's, or `global`), when one was found. */
  readonly context?: string;
}

const TIME_ATTRIBUTES = ['year', 'yday', 'mon', 'mday', 'week', 'mweek', 'wday', 'hour', 'minute', 'minute-of-day', 'time-of-day', 'date-time'];

/** What the hunt asks its driver before it goes on: run an inline application, or an API command of an expansion. */
type HuntRequest = { readonly kind: 'inline'; readonly application: string; readonly data: string } | ApiRequest;

/**
 * dialplan_hunt: `dialplan` is the element holding the `<context>`s (the `dialplan` section).
 * Inline applications run through `env.executeInline` without waiting for them, and a `${cmd args}`
 * gets what `env.api` returns at once (nothing when that is a promise).
 */
export function huntDialplan(dialplan: XmlElement, env: DialplanEnv): HuntResult {
  const hunt = huntSteps(dialplan, env);
  for (let step = hunt.next(); ; ) {
    if (step.done) return step.value;
    const r = step.value;
    if (r.kind === 'inline') {
      void env.executeInline(r.application, r.data);
      step = hunt.next();
    } else {
      const out = env.api?.(r.command, r.args);
      step = hunt.next(typeof out === 'string' ? out : undefined);
    }
  }
}

/** The hunt, waiting for each inline application and API command before it evaluates what follows. */
export async function huntDialplanAsync(dialplan: XmlElement, env: DialplanEnv): Promise<HuntResult> {
  const hunt = huntSteps(dialplan, env);
  for (let step = hunt.next(); ; ) {
    if (step.done) return step.value;
    const r = step.value;
    if (r.kind === 'inline') {
      await env.executeInline(r.application, r.data);
      step = hunt.next();
    } else step = hunt.next(await env.api?.(r.command, r.args));
  }
}

function* huntSteps(dialplan: XmlElement, env: DialplanEnv): Generator<HuntRequest, HuntResult, string | undefined> {
  const p = env.profile;
  const contextName = p.context || 'default';
  env.log?.('INFO', `Processing ${p.callerIdName ?? ''} <${p.callerIdNumber ?? ''}>->${p.destinationNumber ?? ''} in context ${contextName}`);
  const xcontext = findChild(dialplan, 'context', 'name', contextName) ?? findChild(dialplan, 'context', 'name', 'global');
  if (!xcontext) {
    env.log?.('WARNING', `Context ${contextName} not found`);
    return { extension: undefined };
  }

  const extensions = children(xcontext, 'extension');
  let start = 0;
  if (switchTrue(env.variable('auto_hunt'))) {
    const named = extensions.findIndex((x) => {
      const n = attr(x, 'name');
      return n !== undefined && caseEqual(n, p.destinationNumber ?? '');
    });
    if (named >= 0) start = named;
  }

  const hunt: Hunt = { env, extension: undefined };
  for (const xexten of extensions.slice(start)) {
    const cont = attr(xexten, 'continue');
    const name = attr(xexten, 'name') ?? 'UNKNOWN';
    env.log?.('DEBUG', `Dialplan: ${env.channelName} parsing [${contextName}->${name}] continue=${cont ?? 'false'}`);
    const proceed = yield* parseExtension(hunt, xexten, name, 0);
    if (proceed && !switchTrue(cont)) break;
  }
  return { extension: hunt.extension && freeze(hunt.extension), context: attr(xcontext, 'name') };
}

interface Hunt {
  readonly env: DialplanEnv;
  extension: { name: string; number: string; applications: DialplanApplication[] } | undefined;
}

function freeze(x: NonNullable<Hunt['extension']>): Extension {
  return { name: x.name, number: x.number, applications: [...x.applications] };
}

type BreakRule = 'on-true' | 'on-false' | 'always' | 'never';

/** Where `$1`… come from for a condition's actions. */
interface CaptureSource {
  readonly expression: string;
  readonly match: RegExpExecArray | undefined;
  readonly proceed: boolean;
}

const MAX_RECURSION = 100;

/** parse_exten: the conditions of an extension (or, nested, of a condition). */
function* parseExtension(
  hunt: Hunt,
  xexten: XmlElement,
  name: string | undefined,
  recur: number,
): Generator<HuntRequest, boolean, string | undefined> {
  const { env } = hunt;
  const chan = env.channelName;
  const origName = name ?? '_anon_';
  let extenName = origName;
  let requireNested = true;
  let space = '';
  if (recur) {
    if (recur > MAX_RECURSION) {
      env.log?.('ERR', 'Recursion LIMIT!');
      return false;
    }
    extenName = `${extenName}_recur_${recur}`;
    space = `|${'----'.repeat(recur).slice(0, -1)} `;
    const rn = attr(xexten, 'require-nested');
    if (rn !== undefined) requireNested = switchTrue(rn);
    env.log?.(
      'DEBUG',
      `${space}Dialplan: Processing recursive conditions level:${recur} [${extenName}] require-nested=${requireNested ? 'TRUE' : 'FALSE'}`,
    );
  } else {
    extenName = attr(xexten, 'name') ?? extenName;
  }

  let proceed = false;
  for (const xcond of children(xexten, 'condition')) {
    let anti = true;
    const breakAttr = attr(xcond, 'break');
    const breakRule: BreakRule = breakAttr !== undefined ? (parseBreak(breakAttr) ?? 'on-false') : 'on-false';
    const breakWord = breakAttr !== undefined && parseBreak(breakAttr) ? breakAttr : 'on-false';
    const time = timeMatch(env, xcond);
    if (time === 1) {
      env.log?.('DEBUG', `${space}Dialplan: ${chan} Date/Time Match (PASS) [${extenName}] break=${breakWord}`);
      anti = false;
      proceed = true;
    } else if (time === 0) {
      env.log?.('DEBUG', `${space}Dialplan: ${chan} Date/TimeMatch (FAIL) [${extenName}] break=${breakWord}`);
      proceed = false;
    }

    // what `$1`… refer to, and whether the actions substitute at all
    let source: CaptureSource | undefined;
    let substitutes = false;
    const regexRule = attr(xcond, 'regex');

    if (regexRule !== undefined) {
      const all = caseEqual(regexRule, 'all');
      const xor = caseEqual(regexRule, 'xor');
      const mode = all ? 'all' : 'any';
      let pass = 0;
      let fail = 0;
      let total = 0;
      let saved: CaptureSource | undefined;
      let live: CaptureSource | undefined;
      env.deleteVariablesWithPrefix('DP_REGEX_MATCH');
      for (const xregex of children(xcond, 'regex')) {
        const rtime = timeMatch(env, xregex);
        if (rtime === 1) env.log?.('DEBUG', `${space}Dialplan: ${chan} Date/Time Match (PASS) [${extenName}]`);
        else if (rtime === 0) env.log?.('DEBUG', `${space}Dialplan: ${chan} Date/TimeMatch (FAIL) [${extenName}]`);
        const rawExpression = expressionOf(xregex);
        const expression = expandedAtOnce(env, rawExpression) ?? (yield* expansionSteps(rawExpression, env.expansionVariable));
        total++;
        const field = attr(xregex, 'field');
        let stop = false;
        let result: ReturnType<typeof regexPerform> | undefined;
        if (field !== undefined) {
          const data = yield* fieldData(env, field);
          result = regexPerform(data, expression);
          if (result.error) env.log?.('ERR', result.error);
          proceed = result.matched;
          env.log?.(
            'DEBUG',
            `${space}Dialplan: ${chan} Regex (${result.matched ? 'PASS' : 'FAIL'}) [${extenName}] ${field}(${data}) =~ /${expression}/ match=${mode}`,
          );
          if (result.matched) {
            pass++;
            stop = !all && !xor;
          } else {
            fail++;
            stop = all && !xor;
          }
        } else if (rtime === -1) {
          env.log?.('DEBUG', `${space}Dialplan: ${chan} Absolute Condition [${extenName}] match=${mode}`);
          pass++;
          proceed = true;
          stop = !all && !xor;
        } else if (rtime === 1) {
          pass++;
          proceed = true;
          stop = !all && !xor;
        } else {
          fail++;
          stop = all;
        }
        if (stop) {
          // the regex that ended the loop keeps its match for the actions (unless its expression was expanded)
          if (result && expression === rawExpression && expression.includes('(')) live = { expression, match: result.match, proceed };
          break;
        }
        if (result && expression.includes('(')) {
          const name = `DP_REGEX_MATCH_${total}`;
          env.setVariable(name, undefined);
          if (result.matched) for (const c of captures(result.match)) env.pushVariable(name, c);
          saved = { expression, match: result.match, proceed };
        }
      }
      if (xor ? pass === 1 : (all && fail === 0) || (!all && pass > 0)) anti = false;
      source = saved ?? live;
      if (saved) proceed = saved.proceed;
      substitutes = source !== undefined;
    } else {
      const rawExpression = expressionOf(xcond);
      const expression = expandedAtOnce(env, rawExpression) ?? (yield* expansionSteps(rawExpression, env.expansionVariable));
      const field = attr(xcond, 'field');
      if (field !== undefined) {
        const data = yield* fieldData(env, field);
        const r = regexPerform(data, expression);
        if (r.error) env.log?.('ERR', r.error);
        proceed = r.matched;
        env.log?.(
          'DEBUG',
          `${space}Dialplan: ${chan} Regex (${r.matched ? 'PASS' : 'FAIL'}) [${extenName}] ${field}(${data}) =~ /${expression}/ break=${breakWord}`,
        );
        if (r.matched) anti = false;
        source = { expression, match: r.match, proceed };
        substitutes = expression.includes('(');
      } else if (time === -1) {
        env.log?.('DEBUG', `${space}Dialplan: ${chan} Absolute Condition [${extenName}]`);
        anti = false;
        proceed = true;
      }
    }

    if (anti) {
      for (const xaction of children(xcond, 'anti-action')) {
        const application = attr(xaction, 'application') ?? '';
        const data = xaction.text !== '' ? xaction.text : (attr(xaction, 'data') ?? '');
        const inline = switchTrue(attr(xaction, 'inline') ?? '');
        yield* addApplications(hunt, extenName, xaction, application, data, inline, `${space}Dialplan: ${chan} ANTI-Action`);
        proceed = true;
      }
    } else {
      if (substitutes && source) {
        env.setVariable('DP_MATCH', undefined);
        if (source.proceed) for (const c of captures(source.match)) env.pushVariable('DP_MATCH', c);
      }
      for (const xaction of children(xcond, 'action')) {
        const application = attr(xaction, 'application') ?? '';
        const raw = xaction.text !== '' ? xaction.text : (attr(xaction, 'data') ?? '');
        const data = substitutes && source ? substitute(source.proceed ? source.match : undefined, raw) : raw;
        const inline = switchTrue(attr(xaction, 'inline') ?? '');
        yield* addApplications(hunt, extenName, xaction, application, data, inline, `${space}Dialplan: ${chan} Action`);
      }
    }

    if ((!anti && breakRule === 'on-true') || (anti && breakRule === 'on-false') || breakRule === 'always') break;

    if (proceed && child(xcond, 'condition')) {
      proceed = yield* parseExtension(hunt, xcond, origName, recur + 1);
      if (!proceed) {
        if (breakRule === 'never') continue;
        break;
      }
    }
  }
  return requireNested ? proceed : true;
}

function parseBreak(word: string): BreakRule | undefined {
  for (const rule of ['on-true', 'on-false', 'always', 'never'] as const) if (caseEqual(word, rule)) return rule;
  return undefined;
}

/** The `<expression>` child's text, else the `expression` attribute, else empty. */
function expressionOf(el: XmlElement): string {
  const x = child(el, 'expression');
  return x ? x.text : (attr(el, 'expression') ?? '');
}

function* fieldData(env: DialplanEnv, field: string): Generator<HuntRequest, string, string | undefined> {
  if (!field.includes('$')) return profileField(env.profile, field) ?? '';
  return expandedAtOnce(env, field) ?? (yield* expansionSteps(field, env.expansionVariable));
}

/**
 * switch_channel_expand_variables when the text runs no API command (text without a `$` as it is);
 * undefined when it does: then `expansionSteps` asks the driver for the commands.
 */
function expandedAtOnce(env: DialplanEnv, text: string): string | undefined {
  return text.includes('$') ? expandWithoutApi(text, env.expansionVariable) : text;
}

function timeMatch(env: DialplanEnv, el: XmlElement): -1 | 0 | 1 {
  if (env.timeMatch) return env.timeMatch(el);
  return TIME_ATTRIBUTES.some((a) => attr(el, a) !== undefined) ? 0 : -1;
}

function* addApplications(
  hunt: Hunt,
  extenName: string,
  xaction: XmlElement,
  application: string,
  data: string,
  inline: boolean,
  what: string,
): Generator<HuntRequest, void, string | undefined> {
  hunt.extension ??= { name: extenName, number: hunt.env.profile.destinationNumber ?? '', applications: [] };
  const loop = attr(xaction, 'loop');
  for (let n = loop !== undefined ? atoi(loop) : 1; n > 0; n--) {
    hunt.env.log?.('DEBUG', `${what} ${application}(${data}) ${inline ? 'INLINE' : ''}`);
    if (inline) yield { kind: 'inline', application, data };
    else hunt.extension.applications.push({ application, data });
  }
}
