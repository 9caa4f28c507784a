/**
 * Hangup causes (switch_call_cause_t): Q.850 numbers up to 127, FreeSWITCH's own above.
 * Names and numbers as switch_channel.c's cause chart, in its order.
 */
import { atoi, caseEqual } from '../internal/strings.ts';

export const CAUSES = [
  ['NONE', 0],
  ['UNALLOCATED_NUMBER', 1],
  ['NO_ROUTE_TRANSIT_NET', 2],
  ['NO_ROUTE_DESTINATION', 3],
  ['CHANNEL_UNACCEPTABLE', 6],
  ['CALL_AWARDED_DELIVERED', 7],
  ['NORMAL_CLEARING', 16],
  ['USER_BUSY', 17],
  ['NO_USER_RESPONSE', 18],
  ['NO_ANSWER', 19],
  ['SUBSCRIBER_ABSENT', 20],
  ['CALL_REJECTED', 21],
  ['NUMBER_CHANGED', 22],
  ['REDIRECTION_TO_NEW_DESTINATION', 23],
  ['EXCHANGE_ROUTING_ERROR', 25],
  ['DESTINATION_OUT_OF_ORDER', 27],
  ['INVALID_NUMBER_FORMAT', 28],
  ['FACILITY_REJECTED', 29],
  ['RESPONSE_TO_STATUS_ENQUIRY', 30],
  ['NORMAL_UNSPECIFIED', 31],
  ['NORMAL_CIRCUIT_CONGESTION', 34],
  ['NETWORK_OUT_OF_ORDER', 38],
  ['NORMAL_TEMPORARY_FAILURE', 41],
  ['SWITCH_CONGESTION', 42],
  ['ACCESS_INFO_DISCARDED', 43],
  ['REQUESTED_CHAN_UNAVAIL', 44],
  ['PRE_EMPTED', 45],
  ['FACILITY_NOT_SUBSCRIBED', 50],
  ['OUTGOING_CALL_BARRED', 52],
  ['INCOMING_CALL_BARRED', 54],
  ['BEARERCAPABILITY_NOTAUTH', 57],
  ['BEARERCAPABILITY_NOTAVAIL', 58],
  ['SERVICE_UNAVAILABLE', 63],
  ['BEARERCAPABILITY_NOTIMPL', 65],
  ['CHAN_NOT_IMPLEMENTED', 66],
  ['FACILITY_NOT_IMPLEMENTED', 69],
  ['SERVICE_NOT_IMPLEMENTED', 79],
  ['INVALID_CALL_REFERENCE', 81],
  ['INCOMPATIBLE_DESTINATION', 88],
  ['INVALID_MSG_UNSPECIFIED', 95],
  ['MANDATORY_IE_MISSING', 96],
  ['MESSAGE_TYPE_NONEXIST', 97],
  ['WRONG_MESSAGE', 98],
  ['IE_NONEXIST', 99],
  ['INVALID_IE_CONTENTS', 100],
  ['WRONG_CALL_STATE', 101],
  ['RECOVERY_ON_TIMER_EXPIRE', 102],
  ['MANDATORY_IE_LENGTH_ERROR', 103],
  ['PROTOCOL_ERROR', 111],
  ['INTERWORKING', 127],
  ['SUCCESS', 142],
  ['ORIGINATOR_CANCEL', 487],
  ['CRASH', 700],
  ['SYSTEM_SHUTDOWN', 701],
  ['LOSE_RACE', 702],
  ['MANAGER_REQUEST', 703],
  ['BLIND_TRANSFER', 800],
  ['ATTENDED_TRANSFER', 801],
  ['ALLOTTED_TIMEOUT', 802],
  ['USER_CHALLENGE', 803],
  ['MEDIA_TIMEOUT', 804],
  ['PICKED_OFF', 805],
  ['USER_NOT_REGISTERED', 806],
  ['PROGRESS_TIMEOUT', 807],
  ['INVALID_GATEWAY', 808],
  ['GATEWAY_DOWN', 809],
  ['INVALID_URL', 810],
  ['INVALID_PROFILE', 811],
  ['NO_PICKUP', 812],
  ['SRTP_READ_ERROR', 813],
  ['BOWOUT', 814],
  ['BUSY_EVERYWHERE', 815],
  ['DECLINE', 816],
  ['DOES_NOT_EXIST_ANYWHERE', 817],
  ['NOT_ACCEPTABLE', 818],
  ['UNWANTED', 819],
  ['NO_IDENTITY', 820],
  ['BAD_IDENTITY_INFO', 821],
  ['UNSUPPORTED_CERTIFICATE', 822],
  ['INVALID_IDENTITY', 823],
  ['STALE_DATE', 824],
  ['REJECT_ALL', 825],
] as const;

export type CauseName = (typeof CAUSES)[number][0];

/** Cause numbers by name, e.g. `Cause.NORMAL_CLEARING === 16`. */
export const Cause: { readonly [K in CauseName]: number } = Object.freeze(Object.fromEntries(CAUSES)) as never;

const NAMES: ReadonlyMap<number, CauseName> = new Map(CAUSES.map(([name, n]) => [n, name]));

/** switch_channel_cause2str: the name of a number; a number not in the table is `UNKNOWN`. */
export function causeName(cause: number): CauseName | 'UNKNOWN' {
  return NAMES.get(cause) ?? 'UNKNOWN';
}

/** The number of an exact (upper-case) name, or undefined. */
export function causeNumber(name: string): number | undefined {
  return (Cause as Record<string, number>)[name];
}

/**
 * switch_channel_str2cause, the rule every command that takes a cause uses: a string starting
 * with a digit is read as a number (C `atoi`, so `17abc` is 17 and any number is accepted);
 * otherwise a name, compared without regard to ASCII case; an empty, missing or unknown name is
 * NORMAL_CLEARING.
 */
export function parseCause(text: string | undefined | null): number {
  if (!text) return Cause.NORMAL_CLEARING;
  const c = text.charCodeAt(0);
  if (c > 47 && c < 58) return atoi(text);
  for (const [name, n] of CAUSES) if (caseEqual(name, text)) return n;
  return Cause.NORMAL_CLEARING;
}

/** switch_channel_cause_q850: the cause itself up to 127 (INTERWORKING), above that 16. */
export function causeQ850(cause: number): number {
  return cause <= Cause.INTERWORKING ? cause : Cause.NORMAL_CLEARING;
}
