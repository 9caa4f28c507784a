/**
 * mod_sofia's events about a request's credentials (sofia_reg_handle_register_token, for REGISTER
 * and — as registration type INVITE — for the INVITE, SUBSCRIBE and MESSAGE it authenticates):
 * `sofia::register_attempt` when the request carries credentials, with `auth-result` SUCCESS,
 * STALE or FORBIDDEN; `sofia::register_failure` when they are refused (403); `sofia::pre_register`
 * when the request is challenged (no credentials, or stale ones). The names are FreeSWITCH's:
 * `from-user` / `from-host` are the To header's, `to-user` / `to-host` the From header's.
 */
import type { Switch } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import { fireSofiaEvent } from './events.ts';
import { registerNat } from './nat.ts';
import { registrationStatus } from './registrations.ts';
import { parseNameAddr } from './sip/address.ts';
import { type SipRequest, header } from './sip/message.ts';

export type AuthOutcome =
  | { readonly kind: 'challenged'; readonly stale: boolean; readonly attempt?: 'STALE' }
  | { readonly kind: 'forbidden'; readonly username: string; readonly realm: string }
  | { readonly kind: 'ok'; readonly username: string; readonly realm: string };

interface Parties {
  readonly toUser: string;
  readonly toHost: string;
  readonly fromUser: string;
  readonly fromHost: string;
}

/** The To and From users and hosts, each side standing in for the other when it has none. */
function parties(req: SipRequest): Parties | undefined {
  const read = (name: string) => {
    try {
      const v = header(req, name);
      return v === undefined ? undefined : parseNameAddr(v).uri;
    } catch {
      return undefined;
    }
  };
  const to = read('to');
  const from = read('from');
  const fromUser = from?.user ?? '';
  const fromHost = from?.host ?? '';
  const toUser = to?.user || fromUser;
  const toHost = to?.host || fromHost;
  return toUser && toHost ? { toUser, toHost, fromUser, fromHost } : undefined;
}

/** The first Contact as the events show it, its status word and its expiry (the Expires header, else the Contact's, else 300). */
function contactOf(sw: Switch, config: ProfileConfig, req: SipRequest, source: { address: string; port: number }) {
  const first = header(req, 'contact');
  if (first === undefined || first === '*') return undefined;
  try {
    const c = parseNameAddr(first);
    const asked = Number(header(req, 'expires') ?? c.params.get('expires') ?? 300);
    return {
      contact: first.replace(/;\s*expires=\d+/i, ''),
      status: registrationStatus(c.uri, registerNat(sw, config, req, source) !== undefined),
      expires: Number.isFinite(asked) ? Math.floor(asked) : 300,
    };
  } catch {
    return undefined;
  }
}

export function fireAuthEvents(
  sw: Switch,
  config: ProfileConfig,
  req: SipRequest,
  source: { address: string; port: number },
  outcome: AuthOutcome,
): void {
  const who = parties(req);
  if (!who) return;
  const contact = contactOf(sw, config, req, source);
  const agent = header(req, 'user-agent') ?? '';
  const head = (): [string, string][] => [
    ['profile-name', config.name],
    ['from-user', who.toUser],
    ['from-host', who.toHost],
    ...(contact ? ([['contact', contact.contact]] as [string, string][]) : []),
    ['call-id', header(req, 'call-id') ?? ''],
    ['rpid', 'unknown'],
    ['status', contact?.status ?? 'Registered'],
    ...(contact ? ([['expires', String(contact.expires)]] as [string, string][]) : []),
    ['to-user', who.fromUser],
    ['to-host', who.fromHost],
    ['network-ip', source.address],
    ['network-port', String(source.port)],
  ];
  const attempt = outcome.kind === 'challenged' ? outcome.attempt : outcome.kind === 'ok' ? 'SUCCESS' : 'FORBIDDEN';
  if (attempt) {
    // credentials the nonce check refused are not read: FreeSWITCH names no user then
    const [username, realm] = outcome.kind === 'challenged' ? ['unknown', who.toHost] : [outcome.username, outcome.realm];
    fireSofiaEvent(sw, 'sofia::register_attempt', [
      ...head(),
      ['username', username],
      ['realm', realm],
      ['user-agent', agent],
      ['auth-result', attempt],
    ]);
  }
  if (outcome.kind === 'forbidden')
    fireSofiaEvent(sw, 'sofia::register_failure', [
      ['profile-name', config.name],
      ['to-user', who.toUser],
      ['to-host', who.toHost],
      ['network-ip', source.address],
      ['user-agent', agent],
      // added twice, as the source does
      ['profile-name', config.name],
      ['network-port', String(source.port)],
      ['registration-type', req.method === 'REGISTER' ? 'REGISTER' : 'INVITE'],
    ]);
  if (outcome.kind === 'challenged') fireSofiaEvent(sw, 'sofia::pre_register', [...head(), ['user-agent', agent]]);
}
