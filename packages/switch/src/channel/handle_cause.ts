/**
 * What a failed originate or an unanswered bridge does to the caller (switch_channel_handle_cause)
 * and the `DIALSTATUS` names switch_ivr_originate gives causes.
 */
import { Cause, causeName } from './causes.ts';
import { caseEqual, separateString, switchTrue } from '../internal/strings.ts';

/** switch_ivr_originate's DIALSTATUS for a failure cause (any other cause: its own name). */
export const DIALSTATUS: Readonly<Record<string, string>> = {
  ORIGINATOR_CANCEL: 'CANCEL',
  USER_BUSY: 'BUSY',
  NO_ANSWER: 'NOANSWER',
  DESTINATION_OUT_OF_ORDER: 'INVALIDARGS',
  INVALID_PROFILE: 'INVALIDARGS',
  CALL_REJECTED: 'DONTCALL',
};

const listed = (list: string, cause: number): boolean => {
  const name = causeName(cause);
  return separateString(list, ',', 256).some((c) => caseEqual(c, name) || c === String(cause));
};

/** What switch_channel_handle_cause does to the caller. */
export type FailureOutcome =
  | { readonly action: 'continue' }
  | { readonly action: 'hangup' }
  /** switch_ivr_session_transfer; no dialplan or context: the channel's own. */
  | { readonly action: 'transfer'; readonly destination: string; readonly dialplan?: string | undefined; readonly context?: string | undefined };

const CONTINUE: FailureOutcome = { action: 'continue' };
const HANGUP: FailureOutcome = { action: 'hangup' };

/**
 * switch_channel_handle_cause. `failure_causes` set: only a listed cause fails; `continue_on_fail`:
 * `true` continues on every cause, a list on the listed ones; neither set: NO_ANSWER,
 * NO_USER_RESPONSE and ORIGINATOR_CANCEL continue. A cause that fails is then looked up in
 * `transfer_on_fail` (`<causes> [<exten>|auto_cause [<dialplan> [<context>]]]`: a listed cause
 * transfers, to the cause's name for `auto_cause` or no extension; `true` continues); otherwise the
 * caller is hung up with it. ATTENDED_TRANSFER always hangs up.
 */
export function handleCause(cause: number, variable: (name: string) => string | undefined): FailureOutcome {
  if (cause === Cause.ATTENDED_TRANSFER) return HANGUP;
  const continueOnFail = variable('continue_on_fail');
  const failureCauses = variable('failure_causes');
  if (continueOnFail !== undefined || failureCauses !== undefined) {
    if (failureCauses !== undefined && !listed(failureCauses, cause)) return CONTINUE;
    if (continueOnFail !== undefined && (switchTrue(continueOnFail) || listed(continueOnFail, cause))) return CONTINUE;
  } else if (cause === Cause.NO_ANSWER || cause === Cause.NO_USER_RESPONSE || cause === Cause.ORIGINATOR_CANCEL) {
    return CONTINUE;
  }
  const transferOnFail = variable('transfer_on_fail');
  if (transferOnFail === undefined) return HANGUP;
  const [causes = '', exten, dialplan, context] = separateString(transferOnFail, ' ', 4);
  if (switchTrue(causes)) return CONTINUE;
  if (!listed(causes, cause)) return HANGUP;
  const destination = !exten || caseEqual(exten, 'auto_cause') ? causeName(cause) : exten;
  return { action: 'transfer', destination, dialplan, context };
}
