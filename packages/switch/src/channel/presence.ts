/**
 * A channel's own presence (switch_channel_perform_presence): a channel with a `presence_id`
 * tells the presence modules how its call goes — PRESENCE_IN with the channel data, then who it
 * is (`from`: the presence id), the status text, and the call-info state a shared-line phone
 * shows. The state machine asks for one at the moments FreeSWITCH does (machine.ts: after the
 * CS_ROUTING and CS_HANGUP handlers, check_presence; at answer), the channel when the far end
 * holds the call or takes it off hold (switch_core_media_toggle_hold); the channel fires it.
 */
import { switchTrue } from '../internal/strings.ts';
import type { LogSite } from '../log/sites.ts';
import { type CallDirection, type ChannelStateName, isDownState } from './states.ts';

/** What one presence update says: the status text, and the C function that sends it. */
export interface PresenceUpdate {
  readonly status: string;
  readonly rpid?: string;
  readonly site: LogSite;
  /** Whose presence (`from`): the `presence` application's id, else the channel's `presence_id`. */
  readonly id?: string | undefined;
  /** check_presence for a leg that lost the originate race: `presence_call_info` is cleared after. */
  readonly clearCallInfo?: boolean;
}

export const PRESENCE_SITES = {
  checkPresence: (cancelled: boolean): LogSite => ({
    file: 'src/switch_core_state_machine.c',
    func: 'check_presence',
    line: cancelled ? 518 : 521,
  }),
  answered: { file: 'src/switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3906 } as LogSite,
  toggleHold: (on: boolean): LogSite => ({ file: 'src/switch_core_media.c', func: 'switch_core_media_toggle_hold', line: on ? 6516 : 6626 }),
  application: { file: 'src/mod/applications/mod_dptools/mod_dptools.c', func: 'presence_function', line: 1462 } as LogSite,
};

/** switch_core_media_toggle_hold's presence: `hold` (`hold-private` on a private shared line), `unhold`. */
export function holdPresence(on: boolean, callInfo: string | undefined): PresenceUpdate {
  const status = !on ? 'unhold' : callInfo?.toLowerCase().includes('private') ? 'hold-private' : 'hold';
  return { status, rpid: 'unknown', site: PRESENCE_SITES.toggleHold(on) };
}

/** `login`: the file FreeSWITCH names (its __FILE__). */
const LOGIN = 'src/switch_channel.c';

export interface PresenceSource {
  /** The requested state and whether answered (the channel's view). */
  readonly view: { readonly state: ChannelStateName; readonly answered: boolean };
  readonly direction: CallDirection;
  variable(name: string): string | undefined;
}

/**
 * The headers after the channel data, or undefined when the channel has no presence id (then
 * nothing is fired). `eventCount` is the channel's running count (the caller increments it).
 */
export function presenceHeaders(ch: PresenceSource, u: PresenceUpdate, eventCount: number): [string, string][] | undefined {
  const id = u.id ?? ch.variable('presence_id');
  if (id === undefined || id === '') return undefined;
  const status = u.status;
  const h: [string, string][] = [
    ['proto', 'any'],
    ['login', LOGIN],
    ['from', id],
    ['rpid', u.rpid ?? 'unknown'],
    ['status', status],
    ['event_type', 'presence'],
    ['alt_event_type', 'dialog'],
    ['presence-call-info-state', callInfoState(ch, status)],
  ];
  const callInfo = ch.variable('presence_call_info');
  if (callInfo !== undefined) h.push(['presence-call-info', callInfo]);
  h.push(
    ['presence-call-direction', ch.direction],
    ['event_count', String(eventCount)],
    ['Presence-Calling-File', u.site.file],
    ['Presence-Calling-Function', u.site.func],
    ['Presence-Calling-Line', String(u.site.line)],
  );
  if (switchTrue(ch.variable('presence_privacy'))) h.push(['Presence-Privacy', 'true']);
  return h;
}

/** The shared-line state: idle once down, held, not yet answered (progressing out, alerting in), else active. */
function callInfoState(ch: PresenceSource, status: string): string {
  const s = status.toLowerCase();
  if (s === 'idle' || isDownState(ch.view.state)) return 'idle';
  if (s === 'hold-private') return 'held-private';
  if (s === 'hold') return 'held';
  if (!ch.view.answered) return ch.direction === 'outbound' ? 'progressing' : 'alerting';
  return 'active';
}
