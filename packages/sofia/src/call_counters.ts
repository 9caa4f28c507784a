/**
 * A profile's call totals (sofia_profile_t's ib_calls, ib_failed_calls, ob_calls,
 * ob_failed_calls): they only go up while the profile runs, and `sofia status profile` prints them.
 *
 *   ibCalls        each new INVITE (sofia_handle_sip_i_invite)
 *   ibFailedCalls  each inbound call refused before a channel, or whose channel hangs up unanswered
 *   obCalls        each outgoing channel made (sofia_outgoing_channel's SUCCESS)
 *   obFailedCalls  each outgoing channel refused once its profile was known (a gateway down), and
 *                  each outbound channel that hangs up unanswered (sofia_on_hangup)
 *
 * So a call placed and then not answered counts in both obCalls and obFailedCalls, as in the C.
 * The call processes and the channels' endpoints tell the profile with a CallCounted message.
 */
export type CallCounter = 'ibCalls' | 'ibFailedCalls' | 'obCalls' | 'obFailedCalls';

export type CallCounts = Readonly<Record<CallCounter, number>>;

/** What a call process or an endpoint sends its profile (handleInfo). */
export interface CallCounted {
  readonly callCounted: CallCounter;
}

const COUNTERS: readonly CallCounter[] = ['ibCalls', 'ibFailedCalls', 'obCalls', 'obFailedCalls'];

export const callCounted = (counter: CallCounter): CallCounted => ({ callCounted: counter });

export function isCallCounted(m: unknown): m is CallCounted {
  return typeof m === 'object' && m !== null && COUNTERS.includes((m as { callCounted?: CallCounter }).callCounted as CallCounter);
}

export class CallCounters {
  readonly #counts: Record<CallCounter, number> = { ibCalls: 0, ibFailedCalls: 0, obCalls: 0, obFailedCalls: 0 };

  count(counter: CallCounter): void {
    this.#counts[counter]++;
  }

  get counts(): CallCounts {
    return { ...this.#counts };
  }
}
