/**
 * Channel hooks set as variables (switch_channel_execute_on, switch_channel_api_on, the hangup
 * and reporting api hooks): which variables name them, how their values split, and running them
 * on a channel (which calls these at the points of the call, channel/channel.ts).
 */
import type { SwitchCore } from '../core/core.ts';
import type { EventHeader, SwitchEvent } from '../events/event.ts';
import { switchTrue } from '../internal/strings.ts';
import { newVariables } from './variables.ts';

/** The points of a call where `execute_on_<point>` / `api_on_<point>` variables run. */
export type HookPoint =
  | 'ring'
  | 'pre_answer'
  | 'media'
  | 'answer'
  | 'pre_originate'
  | 'originate'
  | 'post_originate'
  | 'pre_bridge'
  | 'post_bridge'
  /** A peer whose caller left before it answered (audio_bridge_on_exchange_media). */
  | 'orphaned_bleg'
  /** switch_ivr_session_transfer: applications only. */
  | 'blind_transfer'
  /** A tone detector's hit (switch_ivr_async.c tone_detect_callback): applications only. */
  | 'tone_detect'
  /** The channel that picked up a `pickup/` leg takes its place in the originate. */
  | 'pickup';

/** The variable prefix of a point's execute hooks. */
export const executeOnPrefix = (point: HookPoint): string => `execute_on_${point}`;

/** The variable prefix of a point's API hooks; the bridge's are `api_before_bridge` / `api_after_bridge`. */
export function apiOnPrefix(point: HookPoint): string {
  if (point === 'pre_bridge') return 'api_before_bridge';
  if (point === 'post_bridge') return 'api_after_bridge';
  return `api_on_${point}`;
}

// every channel looks at its variables at each hook point: the first letter rules most names out
// before anything is allocated (the prefixes are all ASCII letters and `_`)
const startsWithIgnoringCase = (name: string, lowerPrefix: string) =>
  name.length >= lowerPrefix.length &&
  (name.charCodeAt(0) | 32) === lowerPrefix.charCodeAt(0) &&
  name.slice(0, lowerPrefix.length).toLowerCase() === lowerPrefix;

/** Whether one of the names starts with `prefix`, in any case. */
export function namesHook(names: Iterable<string>, prefix: string): boolean {
  const p = prefix.toLowerCase();
  for (const name of names) if (startsWithIgnoringCase(name, p)) return true;
  return false;
}

/**
 * The values of every header whose name starts with `prefix` (any case: `execute_on_answer`,
 * `execute_on_answer_1`, …), array items one by one, in header order.
 */
export function hookValues(headers: readonly EventHeader[], prefix: string): readonly string[] {
  const p = prefix.toLowerCase();
  let values: string[] | undefined;
  for (const h of headers) {
    if (!startsWithIgnoringCase(h.name, p)) continue;
    values ??= [];
    if (h.array) values.push(...h.array);
    else values.push(h.value);
  }
  return values ?? NONE;
}

const NONE: readonly string[] = [];

export interface ExecuteOn {
  readonly app: string;
  /** Undefined when the value names no argument. */
  readonly arg: string | undefined;
  /** Queued (event-locked) rather than run inline: `app::arg`, or an application named perl…. */
  readonly queued: boolean;
}

/**
 * switch_channel_execute_on_value: the application ends at the first space or single `:`; a `::`
 * before either makes it queued, split at that `::` (switch_core_session_execute_application_async).
 */
export function parseExecuteOn(value: string): ExecuteOn {
  let app = value;
  let arg: string | undefined;
  let queued = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === ' ' || (c === ':' && value[i + 1] !== ':')) {
      app = value.slice(0, i);
      arg = value.slice(i + 1);
      break;
    }
    if (c === ':') {
      queued = true;
      break;
    }
  }
  if (app.slice(0, 4).toLowerCase() === 'perl') queued = true;
  if (queued && arg === undefined) {
    const at = app.indexOf('::');
    if (at >= 0) {
      arg = app.slice(at + 2);
      app = app.slice(0, at);
    }
  }
  return { app, arg: arg === '' ? undefined : arg, queued };
}

/** do_api_on: the command ends at the first space. */
export function parseApiOn(value: string): { command: string; args: string | undefined } {
  const at = value.indexOf(' ');
  if (at < 0) return { command: value, args: undefined };
  const args = value.slice(at + 1);
  return { command: value.slice(0, at), args: args === '' ? undefined : args };
}

/** api_hook (api_hangup_hook, api_reporting_hook): `cmd::args` when the first `:` is doubled, else `cmd args`. */
export function parseApiHook(value: string): { command: string; args: string | undefined } {
  const colon = value.indexOf(':');
  if (colon >= 0 && value[colon + 1] === ':') {
    const args = value.slice(colon + 2);
    return { command: value.slice(0, colon), args };
  }
  return parseApiOn(value);
}

/** What running hooks needs of the channel. */
export interface HookChannel {
  readonly uuid: string;
  readonly name: string;
  readonly core: SwitchCore;
  /** The channel's variables, in order. */
  readonly variableHeaders: readonly EventHeader[];
  variable(name: string): string | undefined;
  addChannelData(event: SwitchEvent): void;
  /** switch_channel_expand_variables (`variable` replaces the channel's lookup). */
  expand(text: string, variable?: (name: string, index: number) => string | undefined): Promise<string>;
  /** switch_core_session_execute_application; false when it waits (`then` runs when it ends). */
  execute(app: string, data: string, then: () => Promise<void>): Promise<boolean>;
  /** switch_core_session_execute_application_async. */
  queueExecute(app: string, data: string, opts: { lock: boolean }): Promise<void>;
  /** An API command in a process of its own: its output. */
  api(command: string, args: string): Promise<string | undefined> | undefined;
}

/**
 * switch_channel_execute_on: the value of each global and channel variable named
 * `execute_on_<point>…`, in order. `app arg` (or `app:arg`) runs here and now; `app::arg` is
 * queued, event-locked. An inline application that waits (playback) goes on while the channel
 * does, and the values after it run when it ends (DECISIONS row 92). True when there was one.
 */
export async function executeOn(ch: HookChannel, point: HookPoint): Promise<boolean> {
  const prefix = executeOnPrefix(point);
  // most channels set no hook: look before merging
  if (hookValues(ch.variableHeaders, prefix).length === 0 && !namesHook(ch.core.globals.names(), prefix)) return false;
  const merged = newVariables();
  for (const [n, v] of ch.core.globals.entries()) merged.addHeader(n, v);
  for (const h of ch.variableHeaders) {
    if (h.array) for (const item of h.array) merged.addHeader(h.name, item, 'push');
    else merged.addHeader(h.name, h.value);
  }
  await runExecuteOn(ch, hookValues(merged.headers, prefix));
  return true;
}

async function runExecuteOn(ch: HookChannel, values: readonly string[]): Promise<void> {
  for (let i = 0; i < values.length; i++) {
    const { app, arg, queued } = parseExecuteOn(values[i] as string);
    if (queued) {
      await ch.queueExecute(app, arg ?? '', { lock: true });
      continue;
    }
    const rest = values.slice(i + 1);
    if (!(await ch.execute(app, arg ?? '', () => runExecuteOn(ch, rest)))) return;
  }
}

/**
 * switch_channel_api_on: the command in each channel variable named `api_on_<point>…`
 * (`api_before_bridge…` / `api_after_bridge…` for the bridge), its arguments expanded here. It
 * runs in a process of its own and the channel does not wait for it, so a command on this
 * channel (`uuid_setvar ${uuid} …`) works; its output is logged at DEBUG (DECISIONS row 92).
 * True when there was one.
 */
export async function apiOn(ch: HookChannel, point: HookPoint): Promise<boolean> {
  const values = hookValues(ch.variableHeaders, apiOnPrefix(point));
  for (const value of values) {
    const { command, args } = parseApiOn(value);
    const expanded = args === undefined ? '' : await ch.expand(args);
    runApi(ch, command, expanded, (out) => `${ch.name} process ${value}: ${command}(${expanded})\n${out}`);
  }
  return values.length > 0;
}

/**
 * api_hangup_hook / api_reporting_hook: `cmd args` or `cmd::args`, the arguments expanded with
 * the channel's variables and data headers (`${Caller-Caller-ID-Number}`); run as `apiOn` runs
 * its commands.
 */
export async function apiHook(ch: HookChannel, name: 'api_hangup_hook' | 'api_reporting_hook'): Promise<void> {
  const value = ch.variable(name);
  if (!value) return;
  const { command, args } = parseApiHook(value);
  const params = newVariables();
  for (const h of ch.variableHeaders) params.addHeader(h.name, h.value);
  ch.addChannelData(params);
  const lookup = (n: string, i: number) => (i > -1 ? params.getHeaderItem(n, i) : params.getHeader(n)) ?? ch.core.globals.get(n);
  const expanded = args === undefined ? '' : await ch.expand(args, lookup);
  const how = switchTrue(ch.variable('session_in_hangup_hook')) ? 'with Session' : 'with no Session';
  runApi(ch, command, expanded, (out) => `Hangup Command ${how} ${command}(${expanded}):\n${out}`);
}

/** An API command in a process of its own; `logLine` makes the DEBUG line from its output. */
function runApi(ch: HookChannel, command: string, args: string, logLine: (output: string) => string): void {
  ch.api(command, args)?.then(
    (out) => ch.core.log('DEBUG', logLine(out ?? ''), ch.uuid),
    (err) => ch.core.log('ERR', `${command}(${args}) failed: ${String(err)}`, ch.uuid),
  );
}
