/**
 * A profile's external-address and registration-ping params (sofia.c's `ext-sip-ip`, `ext-rtp-ip`,
 * `nat-options-ping`, `all-reg-options-ping`, `unregister-on-options-fail`, `ping-mean-interval`,
 * `ping-thread-frequency`, `sip-user-ping-min` / `-max`, `timer-T1`), as sofia.c reads them.
 */
import { switchTrue } from '@beamline/switch';

/** What a profile advertises outside its network (ext_address.ts), resolved when it starts. */
export interface ExternalAddresses {
  readonly extSipIp: string | undefined;
  readonly extRtpIp: string | undefined;
  /** sofia's PFLAG_AUTO_NAT: the profile's own URL stays local; the external one is for peers outside. */
  readonly autoNat: boolean;
}

export interface ExtConfig {
  /** `ext-sip-ip` / `ext-rtp-ip` as written (ext_address.ts reads them when the profile starts). */
  readonly extSipIp: string | undefined;
  readonly extRtpIp: string | undefined;
  /** What those resolved to, set by the profile when it starts (none before). */
  readonly external?: ExternalAddresses;
  /** `nat-options-ping` (true, or `udp-only`: UDP NAT'd registrations only), `all-reg-options-ping`: which registrations are OPTIONS-pinged (reg_ping.ts). */
  readonly natOptionsPing: 'off' | 'on' | 'udp-only';
  readonly allRegOptionsPing: boolean;
  /** `unregister-on-options-fail`: a registration that goes Unreachable expires at once. */
  readonly unregisterOnOptionsFail: boolean;
  /** `ping-mean-interval` (30 s): how far off a registration's next ping is; `ping-thread-frequency` (1 s): how often due pings are looked for. */
  readonly pingMeanInterval: number;
  readonly pingThreadFrequency: number;
  /** `sip-user-ping-min` (1) / `sip-user-ping-max` (3): the ping count under which a user is Unreachable, and its ceiling. */
  readonly sipUserPingMin: number;
  readonly sipUserPingMax: number;
  /** `timer-T1` (500 ms): an unanswered ping is a 408 after 64·T1. */
  readonly timerT1: number;
}

export const EXT_DEFAULTS: ExtConfig = {
  extSipIp: undefined,
  extRtpIp: undefined,
  natOptionsPing: 'off',
  allRegOptionsPing: false,
  unregisterOnOptionsFail: false,
  pingMeanInterval: 30,
  pingThreadFrequency: 1,
  sipUserPingMin: 1,
  sipUserPingMax: 3,
  timerT1: 500,
};

/** The params from a profile's settings; an empty ext-sip-ip stops the profile (`Invalid ext-sip-ip`). */
export function extConfigOf(s: ReadonlyMap<string, string>, error: (why: string) => Error): ExtConfig {
  const d = EXT_DEFAULTS;
  if (s.get('ext-sip-ip') === '') throw error('Invalid ext-sip-ip');
  const nat = s.get('nat-options-ping');
  // atoi'd; an empty one is not read, a negative one is `negative`
  const int = (n: string, fallback: number, negative?: number) => {
    const v = s.get(n);
    if (!v) return fallback;
    const x = Number.parseInt(v, 10) || 0;
    return x < 0 && negative !== undefined ? negative : x;
  };
  const t1 = int('timer-t1', d.timerT1);
  return {
    extSipIp: s.get('ext-sip-ip'),
    extRtpIp: s.get('ext-rtp-ip'),
    natOptionsPing: nat?.toLowerCase() === 'udp-only' ? 'udp-only' : switchTrue(nat ?? '') ? 'on' : 'off',
    allRegOptionsPing: switchTrue(s.get('all-reg-options-ping') ?? ''),
    unregisterOnOptionsFail: switchTrue(s.get('unregister-on-options-fail') ?? ''),
    pingMeanInterval: int('ping-mean-interval', d.pingMeanInterval, d.pingMeanInterval),
    pingThreadFrequency: int('ping-thread-frequency', d.pingThreadFrequency, d.pingThreadFrequency),
    sipUserPingMin: int('sip-user-ping-min', d.sipUserPingMin),
    sipUserPingMax: int('sip-user-ping-max', d.sipUserPingMax),
    timerT1: t1 > 0 ? t1 : d.timerT1,
  };
}
