/**
 * A profile's registrations (mod_sofia's sip_registrations table): one row per REGISTER Call-ID,
 * found by user and domain for `sofia_contact` and `user/` dialing, swept when they expire.
 */
import type { RegistrationReport } from '@beamline/switch';
import { type SipUri, parseUri } from './sip/address.ts';

export interface Registration {
  readonly callId: string;
  /** The To user and host (the address of record). */
  readonly user: string;
  readonly host: string;
  /** The Contact as sent (`"1000" <sip:1000@10.0.0.5:5062>`) and its URI. */
  readonly contact: string;
  readonly contactUri: string;
  readonly expiresAtMs: number;
  readonly expires: number;
  readonly networkIp: string;
  readonly networkPort: number;
  readonly userAgent: string;
  readonly username: string;
  readonly realm: string;
  readonly fromUser: string;
  readonly fromHost: string;
  /** `Registered(UDP)`, `Registered(TCP)` or `Registered(TLS)`, by its Contact, `-NAT` inside the brackets when NAT'd (registrationStatus). */
  readonly status: string;
}

/**
 * sofia_reg_handle_register's reg_desc: `Registered(TLS)` for a Contact with `transport=tls` or a
 * `sips:` one, else `Registered(TCP)` for `transport=tcp`, else `Registered(UDP)` — what the
 * Contact says, not what the REGISTER came over; `Registered(UDP-NAT)` and so on when NAT'd.
 */
export function registrationStatus(contact: SipUri, nat = false): string {
  const params = contact.params ?? '';
  const kind = /transport=tls/i.test(params) || contact.scheme === 'sips' ? 'TLS' : /transport=tcp/i.test(params) ? 'TCP' : 'UDP';
  return `Registered(${kind}${nat ? '-NAT' : ''})`;
}

const STREAMS: Readonly<Record<string, string>> = { 'Registered(TCP)': 'tcp', 'Registered(TLS)': 'tls' };

/** The stream transport `r`'s Contact names (its status, `-NAT` or not), or undefined for UDP: sofia_reg's is_tcp / is_tls. */
export function registeredOver(r: Registration): 'tcp' | 'tls' | undefined {
  const m = /^Registered\((TCP|TLS)(?:-NAT)?\)$/.exec(r.status);
  return m ? (m[1] === 'TCP' ? 'tcp' : 'tls') : undefined;
}

/**
 * What sofia_reg_handle_register tells the core of `r` (switch_core_add_registration): the url
 * `sofia/<profile>/<sip|sips>:<contact URI>` (its NAT params kept), the expiry with the profile's
 * late margin (sip-expires-late-margin, 60 s), and network_proto by the Contact as reg_desc is.
 */
export function coreRegistration(profile: string, r: Registration): RegistrationReport {
  const proto = /^sips:/i.test(r.contactUri) ? 'sips' : 'sip';
  const kind = /\((TLS|TCP)/.exec(r.status)?.[1];
  return {
    user: r.user,
    realm: r.host,
    token: r.callId,
    url: `sofia/${profile}/${proto}:${r.contactUri.replace(/^sips?:/i, '')}`,
    expires: Math.floor(r.expiresAtMs / 1000) + EXPIRES_LATE_MARGIN_S,
    networkIp: r.networkIp,
    networkPort: r.networkPort,
    networkProto: kind === undefined ? 'udp' : kind.toLowerCase(),
  };
}

const EXPIRES_LATE_MARGIN_S = 60;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A registration of `user@domain` (any case; the domain is its host or its realm). */
export const registeredAs = (r: Registration, user: string, domain: string): boolean =>
  same(r.user, user) && (same(r.host, domain) || same(r.realm, domain));

/**
 * What `sofia_contact` dials for `r`: its Contact URI (a `sips:` one stays `sips:`), and for one
 * that came over a TCP or TLS connection whose far end is not the host and port its Contact names
 * (a phone connects from a port of its own), that connection's address as `fs_path`
 * (`sip:<network_ip>:<network_port>;transport=tcp` or `…=tls`, URL-encoded, as mod_sofia writes it
 * for NAT): the call goes over the phone's own connection, as sofia-sip reuses it.
 */
export function dialUri(r: Registration): string {
  const scheme = /^sips:/i.test(r.contactUri) ? 'sips' : 'sip';
  const uri = `${scheme}:${r.contactUri.replace(/^sips?:/i, '')}`;
  const transport = STREAMS[r.status];
  if (transport === undefined) return uri;
  try {
    const c = parseUri(r.contactUri);
    const port = c.port ?? (transport === 'tls' ? 5061 : 5060);
    if (c.host.replace(/^\[|\]$/g, '') === r.networkIp && port === r.networkPort) return uri;
  } catch {
    // a Contact we cannot read: the connection it came on is all there is
  }
  return `${uri};fs_path=${encodeURIComponent(`sip:${r.networkIp}:${r.networkPort};transport=${transport}`)}`;
}

export class Registrations {
  readonly #byCallId = new Map<string, Registration>();

  /**
   * Adds or renews `r`; true when its Call-ID was registered already. What else of the user goes
   * (sofia_reg_handle_register's delete): `off`, the user's other rows; `contact`, those with the
   * same contact; `call-id`, none.
   */
  set(r: Registration, multiple: 'off' | 'call-id' | 'contact' = 'off'): boolean {
    const update = this.#byCallId.has(r.callId);
    if (multiple !== 'call-id')
      for (const old of this.find(r.user, r.host))
        if (old.callId !== r.callId && (multiple === 'off' || old.contactUri === r.contactUri)) this.#byCallId.delete(old.callId);
    this.#byCallId.set(r.callId, r);
    return update;
  }

  delete(callId: string): Registration | undefined {
    const r = this.#byCallId.get(callId);
    this.#byCallId.delete(callId);
    return r;
  }

  /** The rows of `user@host` (any case), oldest first. */
  find(user: string, host: string): Registration[] {
    return [...this.#byCallId.values()].filter((r) => registeredAs(r, user, host));
  }

  /** Removes and returns the rows that expired at `nowMs`. */
  sweep(nowMs: number): Registration[] {
    const gone: Registration[] = [];
    for (const [id, r] of this.#byCallId)
      if (r.expiresAtMs <= nowMs) {
        gone.push(r);
        this.#byCallId.delete(id);
      }
    return gone;
  }

  all(): Registration[] {
    return [...this.#byCallId.values()];
  }

  get size(): number {
    return this.#byCallId.size;
  }
}
