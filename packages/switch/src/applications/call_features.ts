/** The call-feature applications of mod_dptools, registered together by the switch. */
import { ATT_XFER_APP } from './att_xfer.ts';
import { DIGIT_ACTION_APPLICATIONS } from './digit_action.ts';
import { EAVESDROP_APP } from './eavesdrop.ts';
import { HOLD_APPLICATIONS } from './hold.ts';
import { INTERCEPT_APP } from './intercept.ts';
import { META_APPLICATIONS } from './meta_app.ts';
import { PICKUP_APP } from './pickup.ts';
import { PRESENCE_APP } from './presence_app.ts';
import { SEND_DTMF_APP } from './send_dtmf.ts';
import { THREE_WAY_APP } from './three_way.ts';
import type { Application } from './types.ts';

export const CALL_FEATURE_APPLICATIONS: readonly Application[] = [
  SEND_DTMF_APP,
  ...META_APPLICATIONS,
  ...DIGIT_ACTION_APPLICATIONS,
  ...HOLD_APPLICATIONS,
  INTERCEPT_APP,
  EAVESDROP_APP,
  PICKUP_APP,
  THREE_WAY_APP,
  ATT_XFER_APP,
  PRESENCE_APP,
];
