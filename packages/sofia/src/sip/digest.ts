/**
 * HTTP digest authentication as SIP uses it (RFC 2617 with MD5, `qop=auth` or none): the
 * challenge mod_sofia sends (sofia_reg_auth_challenge: `Digest realm="…", nonce="<uuid>",
 * algorithm=MD5, qop="auth"`), checking the answer to it, and answering a far server's challenge
 * as a client.
 */
import { createHash, randomBytes } from 'node:crypto';
import { splitCommas } from './message.ts';

export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: string | undefined;
  readonly qop: string | undefined;
  readonly nc: string | undefined;
  readonly cnonce: string | undefined;
}

export function challenge(realm: string, nonce: string, stale = false): string {
  return `Digest realm="${realm}", nonce="${nonce}",${stale ? ' stale=true,' : ''} algorithm=MD5, qop="auth"`;
}

/** An Authorization / Proxy-Authorization value, or undefined when it is not a usable Digest one. */
/** The `name=value` fields of a Digest header value (quotes taken off), or undefined when it is not Digest. */
function digestFields(value: string): Map<string, string> | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const part of splitCommas(m[1])) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    fields.set(part.slice(0, eq).trim().toLowerCase(), v);
  }
  return fields;
}

export function parseAuthorization(value: string): DigestCredentials | undefined {
  const fields = digestFields(value);
  if (!fields) return undefined;
  const username = fields.get('username');
  const realm = fields.get('realm');
  const nonce = fields.get('nonce');
  const uri = fields.get('uri');
  const response = fields.get('response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) return undefined;
  return {
    username,
    realm,
    nonce,
    uri,
    response: response.toLowerCase(),
    algorithm: fields.get('algorithm'),
    qop: fields.get('qop'),
    nc: fields.get('nc'),
    cnonce: fields.get('cnonce'),
  };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The response the client should have computed, from the password or the stored `a1-hash`. */
export function expectedResponse(c: DigestCredentials, method: string, secret: { password: string } | { a1Hash: string }): string {
  const ha1 = 'a1Hash' in secret ? secret.a1Hash.toLowerCase() : md5(`${c.username}:${c.realm}:${secret.password}`);
  const ha2 = md5(`${method}:${c.uri}`);
  return c.qop ? md5(`${ha1}:${c.nonce}:${c.nc ?? ''}:${c.cnonce ?? ''}:${c.qop}:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
}

/**
 * The Authorization (or Proxy-Authorization) value that answers a WWW-Authenticate (or
 * Proxy-Authenticate) challenge for `method` on `uri`; undefined for a challenge that is not MD5
 * Digest with a realm and a nonce.
 */
export function answerChallenge(value: string, method: string, uri: string, user: { username: string; password: string }): string | undefined {
  const f = digestFields(value);
  const realm = f?.get('realm');
  const nonce = f?.get('nonce');
  const algorithm = f?.get('algorithm');
  if (!f || realm === undefined || nonce === undefined || (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5')) return undefined;
  const qop = f.get('qop') ? 'auth' : undefined;
  const cnonce = qop ? randomBytes(8).toString('hex') : undefined;
  const nc = qop ? '00000001' : undefined;
  const response = expectedResponse({ username: user.username, realm, nonce, uri, response: '', algorithm: 'MD5', qop, nc, cnonce }, method, user);
  const opaque = f.get('opaque');
  return [
    `Digest username="${user.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ...(opaque !== undefined ? [`opaque="${opaque}"`] : []),
  ].join(', ');
}
