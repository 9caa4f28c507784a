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

/**
 * switch_channel_handle_cause without `transfer_on_fail`: true when the caller is to be hung up
 * with the cause. `failure_causes` set: only a listed cause fails; `continue_on_fail`: `true`
 * continues on every cause, a list on the listed ones; neither set: NO_ANSWER, NO_USER_RESPONSE
 * and ORIGINATOR_CANCEL continue. ATTENDED_TRANSFER always fails.
 */
export function shouldHangUpOnFailure(cause: number, variable: (name: string) => string | undefined): boolean {
  if (cause === Cause.ATTENDED_TRANSFER) return true;
  const continueOnFail = variable('continue_on_fail');
  const failureCauses = variable('failure_causes');
  if (continueOnFail !== undefined || failureCauses !== undefined) {
    if (failureCauses !== undefined && !listed(failureCauses, cause)) return false;
    if (continueOnFail !== undefined && (switchTrue(continueOnFail) || listed(continueOnFail, cause))) return false;
    return true;
  }
  return !(cause === Cause.NO_ANSWER || cause === Cause.NO_USER_RESPONSE || cause === Cause.ORIGINATOR_CANCEL);
}
