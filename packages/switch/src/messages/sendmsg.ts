/**
 * sendmsg (spec §4.1): the header list of a SEND_MESSAGE event → what the channel is asked to
 * do. Pure: header names match in any case (first one wins), the `call-command` value must be
 * one of the lowercase words exactly (switch_ivr_parse_event).
 */
import { Cause, parseCause } from '../channel/causes.ts';
import { atoi } from '../internal/strings.ts';

export type Header = readonly [string, string];

export type SendmsgCommand =
  | {
      readonly kind: 'execute';
      readonly app: string;
      readonly arg: string;
      readonly loops: number;
      readonly eventLock: boolean;
      readonly eventUuid?: string;
      readonly eventUuidName?: string;
    }
  | { readonly kind: 'hangup'; readonly cause: number }
  | { readonly kind: 'xferext'; readonly applications: readonly (readonly [string, string])[] }
  | { readonly kind: 'unsupported'; readonly command: 'unicast' | 'nomedia' }
  /** Nothing happens: `reason` is what is logged (ERR for a missing call-command). */
  | { readonly kind: 'ignored'; readonly reason: string };

/** True when `value` is a list of [string, string] pairs (MEE answers badarg otherwise). */
export function isHeaderList(value: unknown): value is readonly Header[] {
  return Array.isArray(value) && value.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string');
}

export function header(headers: readonly Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n && v !== '') return v;
  return undefined;
}

const isTrue = (v: string | undefined) => v !== undefined && /^(yes|on|true|t|enabled|active|allow|[1-9]\d*)$/i.test(v.trim());

export function parseSendmsg(headers: readonly Header[], body?: string): SendmsgCommand {
  const command = header(headers, 'call-command');
  if (command === undefined) return { kind: 'ignored', reason: 'Invalid Command!' };
  switch (command) {
    case 'execute': {
      const app = header(headers, 'execute-app-name');
      if (app === undefined) return { kind: 'ignored', reason: 'execute without execute-app-name' };
      let arg = header(headers, 'execute-app-arg');
      if (arg === undefined && body !== undefined && header(headers, 'content-type')?.toLowerCase() === 'text/plain') arg = body;
      const loopsText = header(headers, 'loops');
      // atoi: text that is not a number gives 0 passes
      const n = loopsText === undefined ? 1 : atoi(loopsText);
      const eventUuid = header(headers, 'event-uuid');
      const eventUuidName = header(headers, 'event-uuid-name');
      return {
        kind: 'execute',
        app,
        arg: arg ?? '',
        loops: n,
        eventLock: isTrue(header(headers, 'event-lock')),
        ...(eventUuid !== undefined ? { eventUuid } : {}),
        ...(eventUuidName !== undefined ? { eventUuidName } : {}),
      };
    }
    case 'hangup': {
      const cause = header(headers, 'hangup-cause');
      return { kind: 'hangup', cause: cause === undefined ? Cause.NORMAL_CLEARING : parseCause(cause) };
    }
    case 'xferext': {
      const applications: [string, string][] = [];
      for (const [k, v] of headers) {
        if (k.toLowerCase() !== 'application' || v === '') continue;
        const sp = v.indexOf(' ');
        applications.push(sp < 0 ? [v, ''] : [v.slice(0, sp), v.slice(sp + 1)]);
      }
      return { kind: 'xferext', applications };
    }
    case 'unicast':
    case 'nomedia':
      return { kind: 'unsupported', command };
    default:
      return { kind: 'ignored', reason: `unknown call-command ${command}` };
  }
}
