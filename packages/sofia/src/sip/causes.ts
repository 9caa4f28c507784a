/**
 * Hangup causes and SIP status codes both ways, as mod_sofia maps them
 * (sofia_glue_sip_cause_to_freeswitch, hangup_cause_to_sip), and the reason phrases of the codes
 * (sofia-sip's sip_status_phrase).
 */
import { Cause, causeName } from '@beamline/switch';

const FROM_SIP: readonly (readonly [readonly number[], number])[] = [
  [[200], Cause.NORMAL_CLEARING],
  [[401, 402, 403, 407, 603, 608], Cause.CALL_REJECTED],
  [[607], Cause.UNWANTED],
  [[404], Cause.UNALLOCATED_NUMBER],
  [[485, 604], Cause.NO_ROUTE_DESTINATION],
  [[408, 504], Cause.RECOVERY_ON_TIMER_EXPIRE],
  [[410], Cause.NUMBER_CHANGED],
  [[413, 414, 416, 420, 421, 423, 505, 513], Cause.INTERWORKING],
  [[480], Cause.NO_USER_RESPONSE],
  [[400, 481, 500, 503], Cause.NORMAL_TEMPORARY_FAILURE],
  [[486, 600], Cause.USER_BUSY],
  [[484], Cause.INVALID_NUMBER_FORMAT],
  [[488, 606], Cause.INCOMPATIBLE_DESTINATION],
  [[502], Cause.NETWORK_OUT_OF_ORDER],
  [[405], Cause.SERVICE_UNAVAILABLE],
  [[406, 415, 501], Cause.SERVICE_NOT_IMPLEMENTED],
  [[482, 483], Cause.EXCHANGE_ROUTING_ERROR],
  [[487], Cause.ORIGINATOR_CANCEL],
  [[428], Cause.NO_IDENTITY],
  [[429], Cause.BAD_IDENTITY_INFO],
  [[437], Cause.UNSUPPORTED_CERTIFICATE],
  [[438], Cause.INVALID_IDENTITY],
];

const TO_SIP: readonly (readonly [readonly number[], number])[] = [
  [[Cause.UNALLOCATED_NUMBER, Cause.NO_ROUTE_TRANSIT_NET, Cause.NO_ROUTE_DESTINATION], 404],
  [[Cause.USER_BUSY], 486],
  [[Cause.NO_USER_RESPONSE], 408],
  [[Cause.NO_ANSWER, Cause.SUBSCRIBER_ABSENT, Cause.NORMAL_UNSPECIFIED], 480],
  [[Cause.CALL_REJECTED, Cause.DECLINE, Cause.REJECT_ALL], 603],
  [[Cause.NUMBER_CHANGED, Cause.REDIRECTION_TO_NEW_DESTINATION], 410],
  [[Cause.DESTINATION_OUT_OF_ORDER, Cause.INVALID_PROFILE], 502],
  [[Cause.INVALID_NUMBER_FORMAT, Cause.INVALID_URL, Cause.INVALID_GATEWAY], 484],
  [[Cause.FACILITY_REJECTED, Cause.FACILITY_NOT_IMPLEMENTED, Cause.SERVICE_NOT_IMPLEMENTED], 501],
  [
    [
      Cause.REQUESTED_CHAN_UNAVAIL,
      Cause.NORMAL_CIRCUIT_CONGESTION,
      Cause.NETWORK_OUT_OF_ORDER,
      Cause.NORMAL_TEMPORARY_FAILURE,
      Cause.SWITCH_CONGESTION,
      Cause.GATEWAY_DOWN,
      Cause.BEARERCAPABILITY_NOTAVAIL,
    ],
    503,
  ],
  [[Cause.OUTGOING_CALL_BARRED, Cause.INCOMING_CALL_BARRED, Cause.BEARERCAPABILITY_NOTAUTH, Cause.STALE_DATE], 403],
  [[Cause.BEARERCAPABILITY_NOTIMPL, Cause.INCOMPATIBLE_DESTINATION], 488],
  [[Cause.RECOVERY_ON_TIMER_EXPIRE], 504],
  [[Cause.ORIGINATOR_CANCEL], 487],
  [[Cause.EXCHANGE_ROUTING_ERROR], 483],
  [[Cause.BUSY_EVERYWHERE], 600],
  [[Cause.DOES_NOT_EXIST_ANYWHERE], 604],
  [[Cause.NOT_ACCEPTABLE], 606],
  [[Cause.UNWANTED], 607],
  [[Cause.NO_IDENTITY], 428],
  [[Cause.BAD_IDENTITY_INFO], 429],
  [[Cause.UNSUPPORTED_CERTIFICATE], 437],
  [[Cause.INVALID_IDENTITY], 438],
];

const fromSip = new Map<number, number>(FROM_SIP.flatMap(([codes, cause]) => codes.map((c) => [c, cause] as const)));
const toSip = new Map<number, number>(TO_SIP.flatMap(([causes, code]) => causes.map((c) => [c, code] as const)));

/** The hangup cause for a final response `status` (sofia_glue_sip_cause_to_freeswitch). */
export function sipStatusToCause(status: number): number {
  return fromSip.get(status) ?? Cause.NORMAL_UNSPECIFIED;
}

/** The final response refusing an inbound call that ends with `cause` (hangup_cause_to_sip). */
export function causeToSipStatus(cause: number): number {
  return toSip.get(cause) ?? 480;
}

/**
 * The cause a far end's Reason header gives (sofia_handle_sip_i_bye, sofia_handle_sip_i_state):
 * protocol `Q.850` or `FreeSWITCH` with a `cause` param; undefined for anything else (`SIP;cause=…`).
 */
export function reasonCause(reason: string | undefined): number | undefined {
  const m = /^\s*(Q\.850|FreeSWITCH)\s*;(.*)$/i.exec(reason ?? '');
  const cause = m && /(?:^|;)\s*cause\s*=\s*(\d+)/i.exec(m[2])?.[1];
  const n = cause ? Number.parseInt(cause, 10) : 0;
  return n > 0 ? n : undefined;
}

/** The Reason header of a BYE / CANCEL / refusal (sofia_on_hangup). */
export function reasonHeader(cause: number): string {
  const name = causeName(cause);
  if (cause === Cause.LOSE_RACE || cause === Cause.PICKED_OFF) return 'SIP;cause=200;text="Call completed elsewhere"';
  return cause > 0 && cause < 128 ? `Q.850;cause=${cause};text="${name}"` : `SIP;cause=${cause};text="${name}"`;
}

const PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
};

export function statusPhrase(status: number): string {
  return PHRASES[status] ?? (status < 200 ? 'Session Progress' : 'Unknown');
}
