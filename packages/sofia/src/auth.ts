/**
 * Digest authentication of a REGISTER (401 / WWW-Authenticate) or an INVITE (407 /
 * Proxy-Authenticate) against the directory, as sofia_reg_handle_register / sofia_reg_parse_auth
 * decide it: no credentials → a challenge; credentials it cannot read, or an expired or unknown
 * nonce → a challenge with `stale=true`; an unknown user or a wrong response → 403 and a WARNING
 * naming the user and the address. Each check fires mod_sofia's events about it (auth_events.ts).
 *
 * Nonces carry their own time and a MAC under the profile's secret, so any process of the
 * profile can check one without a shared table (FreeSWITCH keeps them in its database). They
 * live 60 s (DEFAULT_NONCE_TTL).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DirectoryUser, Switch } from '@beamline/switch';
import { type AuthOutcome, fireAuthEvents } from './auth_events.ts';
import type { ProfileConfig } from './config.ts';
import { parseNameAddr } from './sip/address.ts';
import { challenge, expectedResponse, parseAuthorization } from './sip/digest.ts';
import { type SipRequest, header } from './sip/message.ts';

export const NONCE_TTL_MS = 60_000;

export class NonceMaker {
  readonly #secret = randomBytes(32);
  constructor(private readonly now: () => number = Date.now) {}

  make(): string {
    const t = Math.floor(this.now()).toString(16);
    return `${t}${this.#mac(t)}`;
  }

  /** `fresh`, `stale` (ours, but too old) or `bad`. */
  check(nonce: string): 'fresh' | 'stale' | 'bad' {
    const t = nonce.slice(0, -32);
    const mac = Buffer.from(nonce.slice(-32));
    const want = Buffer.from(this.#mac(t));
    if (t === '' || mac.length !== want.length || !timingSafeEqual(mac, want)) return 'bad';
    return this.now() - Number.parseInt(t, 16) > NONCE_TTL_MS ? 'stale' : 'fresh';
  }

  #mac(t: string): string {
    return createHmac('sha256', this.#secret).update(t).digest('hex').slice(0, 32);
  }
}

export interface AuthEnv {
  readonly sw: Switch;
  readonly profile: ProfileConfig;
  readonly nonces: NonceMaker;
}

export type AuthResult =
  | { readonly ok: true; readonly user: DirectoryUser; readonly username: string; readonly realm: string }
  | { readonly ok: false; readonly status: 401 | 403 | 407; readonly headers: [string, string][] };

/** The realm to challenge with (challenge-realm: auto_to, auto_from or a fixed name). */
function realmFor(p: ProfileConfig, req: SipRequest): string {
  const from = (name: string) => {
    const v = header(req, name);
    try {
      return v ? parseNameAddr(v).uri.host : p.sipIp;
    } catch {
      return p.sipIp;
    }
  };
  const r = p.challengeRealm.toLowerCase();
  if (r === 'auto_to' || r === '') return from('to');
  if (r === 'auto_from') return from('from');
  return p.challengeRealm;
}

export async function authenticate(env: AuthEnv, req: SipRequest, source: { address: string; port: number }): Promise<AuthResult> {
  const { result, outcome } = await check(env, req, source);
  fireAuthEvents(env.sw, env.profile, req, source, outcome);
  return result;
}

async function check(
  env: AuthEnv,
  req: SipRequest,
  source: { address: string; port: number },
): Promise<{ result: AuthResult; outcome: AuthOutcome }> {
  const register = req.method === 'REGISTER';
  const askStatus = register ? 401 : 407;
  const askHeader = register ? 'WWW-Authenticate' : 'Proxy-Authenticate';
  const ask = (stale: boolean): { result: AuthResult; outcome: AuthOutcome } => ({
    result: { ok: false, status: askStatus, headers: [[askHeader, challenge(realmFor(env.profile, req), env.nonces.make(), stale)]] },
    outcome: stale ? { kind: 'challenged', stale, attempt: 'STALE' } : { kind: 'challenged', stale },
  });
  const text = header(req, register ? 'authorization' : 'proxy-authorization') ?? header(req, 'authorization');
  if (text === undefined) return ask(false);
  // sofia_reg_parse_auth: credentials it cannot read, or a nonce it does not have (or no longer), are AUTH_STALE
  const creds = parseAuthorization(text);
  if (!creds) {
    env.sw.core.log('ERR', 'Invalid Authorization header!');
    return ask(true);
  }
  if (env.nonces.check(creds.nonce) !== 'fresh') return ask(true);
  const forbidden = (why: string): { result: AuthResult; outcome: AuthOutcome } => {
    env.sw.core.log(
      'WARNING',
      `SIP auth failure (${req.method}) on sofia profile '${env.profile.name}' for [${creds.username}@${creds.realm}] from ip ${source.address}${why ? ` (${why})` : ''}`,
    );
    return { result: { ok: false, status: 403, headers: [] }, outcome: { kind: 'forbidden', username: creds.username, realm: creds.realm } };
  };
  const params: [string, string][] = [
    ['action', 'sip_auth'],
    ['sip_profile', env.profile.name],
    ['sip_user_agent', header(req, 'user-agent') ?? ''],
    ['sip_auth_username', creds.username],
    ['sip_auth_realm', creds.realm],
    ['sip_auth_nonce', creds.nonce],
    ['sip_auth_uri', creds.uri],
    ['sip_auth_qop', creds.qop ?? ''],
    ['sip_auth_cnonce', creds.cnonce ?? ''],
    ['sip_auth_nc', creds.nc ?? ''],
    ['sip_auth_response', creds.response],
    ['sip_auth_method', req.method],
    ['ip', source.address],
    ['client_port', String(source.port)],
  ];
  let user: DirectoryUser | undefined;
  try {
    user = await env.sw.services.locateUser?.(creds.username, creds.realm, params);
  } catch (e) {
    env.sw.core.log('ERR', `sofia: directory lookup for ${creds.username}@${creds.realm} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!user) return forbidden('no such user');
  const password = user.params.get('password');
  const a1Hash = user.params.get('a1-hash');
  if (password === undefined && a1Hash === undefined) return forbidden('the user has no password');
  const want = expectedResponse(creds, req.method, a1Hash !== undefined ? { a1Hash } : { password: password ?? '' });
  if (want !== creds.response) return forbidden('');
  return {
    result: { ok: true, user, username: creds.username, realm: creds.realm },
    outcome: { kind: 'ok', username: creds.username, realm: creds.realm },
  };
}
