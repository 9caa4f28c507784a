/**
 * Channel hooks set as variables (switch_channel_execute_on, switch_channel_api_on, the hangup
 * and reporting api hooks): which variables name them and how their values split. The channel
 * runs what these return (channel/channel.ts).
 */
import type { EventHeader } from '../events/event.ts';

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
  | 'blind_transfer';

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
