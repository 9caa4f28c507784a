/**
 * The presence params of a sofia.conf profile, as sofia.c reads them: `manage-presence` (absent:
 * off, sofia.c's zeroed pres_type; vanilla's internal profile sets it true), `presence-hosts`,
 * `auth-subscriptions` (on unless a false value is given), `force-subscription-expires`,
 * `force-subscription-domain` and `send-presence-on-register`.
 */
import { switchTrue } from '@beamline/switch';

export interface PresenceConfig {
  /**
   * `manage-presence`: `full` (a true value) takes SUBSCRIBEs and NOTIFYs what the bus says;
   * `passive` (also `pnp` here) takes SUBSCRIBEs but sends nothing on events; `off` answers 405.
   */
  readonly managePresence: 'off' | 'full' | 'passive';
  /** `presence-hosts`: domains whose events reach subscriptions made to any host of the profile. */
  readonly presenceHosts: readonly string[];
  /** `auth-subscriptions`: SUBSCRIBE must authenticate (407) against the directory. */
  readonly authSubscriptions: boolean;
  /** `force-subscription-expires`: the most seconds a subscription is granted (0: what it asks). */
  readonly forceSubscriptionExpires: number;
  /** `force-subscription-domain`: every subscription is taken as made to this domain. */
  readonly forceSubscriptionDomain: string | undefined;
  /** `send-presence-on-register`: a REGISTER fires PRESENCE_IN `Registered` (`all`), only for the first contact (`first-only`), or not. */
  readonly sendPresenceOnRegister: 'off' | 'all' | 'first-only';
}

export const PRESENCE_DEFAULTS: PresenceConfig = {
  managePresence: 'off',
  presenceHosts: [],
  authSubscriptions: true,
  forceSubscriptionExpires: 0,
  forceSubscriptionDomain: undefined,
  sendPresenceOnRegister: 'off',
};

function managePresence(v: string | undefined): PresenceConfig['managePresence'] {
  const t = v?.toLowerCase();
  if (t === 'passive' || t === 'pnp') return 'passive';
  return v !== undefined && switchTrue(v) ? 'full' : 'off';
}

function sendPresenceOnRegister(v: string | undefined): PresenceConfig['sendPresenceOnRegister'] {
  if (v === undefined) return 'off';
  if (switchTrue(v) || v.toLowerCase() === 'all') return 'all';
  return v.toLowerCase() === 'first-only' ? 'first-only' : 'off';
}

/** The presence params of a profile's `<settings>` (names in lower case, as settingsOf gives them). */
export function presenceOf(s: ReadonlyMap<string, string>): PresenceConfig {
  const auth = s.get('auth-subscriptions');
  const disableAuth = s.get('disable-auth-subscriptions');
  const forced = Number.parseInt(s.get('force-subscription-expires') ?? '', 10);
  return {
    managePresence: managePresence(s.get('manage-presence')),
    presenceHosts: (s.get('presence-hosts') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    authSubscriptions: disableAuth !== undefined ? !switchTrue(disableAuth) : auth === undefined || switchTrue(auth),
    forceSubscriptionExpires: Number.isFinite(forced) ? Math.max(forced, 0) : 0,
    forceSubscriptionDomain: s.get('force-subscription-domain') || undefined,
    sendPresenceOnRegister: sendPresenceOnRegister(s.get('send-presence-on-register')),
  };
}
