/**
 * SIP over TLS (sofia-sip's tport_type_tls and tport_tls.c): the profile's certificate and the
 * sockets tcp_transport.ts's connections run over. tport_tls_init_master's files in the profile's
 * `tls-cert-dir`: the key and certificate from `agent.pem` if it can be read, else `tls.pem`; the CA
 * list from `cafile.pem`, else `tls.pem`. A certificate that does not load is sofia-sip's
 * tls_create_ctx line, and there is no TLS listener (the profile's UDP and TCP go on).
 *
 * `tls-verify-policy` as tls_post_connection_check applies it once a handshake is done: `in`
 * checks the certificates of accepted connections (one is asked for), `out` those of opened ones,
 * `subjects_in` / `subjects_out` also their names (`tls-verify-in-subjects`; the host connected
 * to). A peer that fails is closed with a WARNING. `tls-verify-date` off forgives an expired or
 * not yet valid certificate, `tls-verify-depth` bounds the CA levels above it.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { type DetailedPeerCertificate, type SecureContextOptions, type TLSSocket, connect, createSecureContext, createServer } from 'node:tls';
import type { ProfileConfig } from './config.ts';
import type { StreamSockets } from './tcp_transport.ts';

/** Where FreeSWITCH's packages keep certificates, SWITCH_GLOBAL_dirs.certs_dir, with no conf dir to go by. */
export const DEFAULT_CERTS_DIR = '/usr/local/freeswitch/certs';

/**
 * The switch's certs dir, a profile's `tls-cert-dir` when it names none: the `certs_dir` global
 * variable, else `tls/` in the conf dir (the FHS layout's `/etc/freeswitch/tls`), else DEFAULT_CERTS_DIR.
 */
export function switchCertsDir(certsDirVariable: string | undefined, confDir: string | undefined): string {
  return certsDirVariable || (confDir ? join(confDir, 'tls') : DEFAULT_CERTS_DIR);
}

/** tport_tls_verify_policy's bits. */
export interface TlsVerifyPolicy {
  readonly in: boolean;
  readonly out: boolean;
  readonly subjectsIn: boolean;
  readonly subjectsOut: boolean;
}

const POLICY_WORDS: readonly (readonly [string, Partial<TlsVerifyPolicy>])[] = [
  ['in', { in: true }],
  ['none', {}],
  ['out', { out: true }],
  ['all', { in: true, out: true }],
  ['subjects_in', { subjectsIn: true }],
  ['subjects_out', { subjectsOut: true }],
  ['subjects_all', { subjectsIn: true, subjectsOut: true }],
];

const NO_VERIFY: TlsVerifyPolicy = { in: false, out: false, subjectsIn: false, subjectsOut: false };

/**
 * sofia_glue_str2tls_verify_policy: `|`-separated words, each matching the first word it begins
 * (so `a` is `all`); `none` clears what came before and ends the list; an unknown word is an ERROR
 * and is skipped.
 */
export function parseVerifyPolicy(text: string, error: (text: string) => void): TlsVerifyPolicy {
  let policy = NO_VERIFY;
  for (const element of text.split('|')) {
    const word = element.toLowerCase();
    const found = POLICY_WORDS.find(([name]) => name.startsWith(word));
    if (!found) {
      error(`Invalid tls-verify-policy value: ${element.slice(0, 31)}`);
      continue;
    }
    if (found[0] === 'none') return NO_VERIFY;
    policy = { ...policy, ...found[1] };
  }
  return policy;
}

/** What a handshake showed of the peer (peerFacts). */
export interface PeerFacts {
  readonly certificate: boolean;
  /** OpenSSL's verification error (Node's authorizationError), undefined when the chain verified. */
  readonly error: string | undefined;
  /** The certificates from the peer's own up to its trust anchor. */
  readonly chainLength: number;
  /** Its subjectAltName DNS, IP and URI entries, and its CN. */
  readonly subjects: readonly string[];
}

const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CRL_HAS_EXPIRED', 'CRL_NOT_YET_VALID']);

/** tport_subject_search: a `sip:` / `sips:` subject is compared by what follows the scheme; hosts in any case. */
export function subjectFound(subject: string, subjects: readonly string[]): boolean {
  const bare = (s: string) => s.replace(/^sips?:/i, '').toLowerCase();
  return subjects.some((s) => bare(s) === bare(subject));
}

export interface VerifySettings {
  readonly policy: TlsVerifyPolicy;
  readonly verifyDate: boolean;
  readonly verifyDepth: number;
  readonly inSubjects: readonly string[];
}

/**
 * tls_post_connection_check's verdict on a peer: undefined to keep it, else why not. `accepted`: it
 * connected to us; else `host` is what we connected to.
 */
export function peerVerdict(v: VerifySettings, peer: PeerFacts, accepted: boolean, host: string): string | undefined {
  if (!(accepted ? v.policy.in : v.policy.out)) return undefined;
  if (!peer.certificate) return 'the peer showed no certificate';
  if (peer.error !== undefined && !(DATE_ERRORS.has(peer.error) && !v.verifyDate)) return `its certificate did not verify (${peer.error})`;
  // SSL_CTX_set_verify_depth: levels 0 (the peer's) to depth + 1 (the trust anchor)
  if (peer.chainLength > v.verifyDepth + 2) return `its certificate did not verify (CERT_CHAIN_TOO_LONG)`;
  if (accepted) {
    if (!v.policy.subjectsIn || v.inSubjects.length === 0 || v.inSubjects.some((s) => subjectFound(s, peer.subjects))) return undefined;
    return 'Peer Subject Mismatch (incoming connection)';
  }
  if (!v.policy.subjectsOut || subjectFound(host, peer.subjects)) return undefined;
  return `Peer Subject Mismatch (${host})`;
}

/** What a finished handshake shows of the peer. */
export function peerFacts(socket: TLSSocket): PeerFacts {
  const cert = socket.getPeerCertificate(true) as DetailedPeerCertificate | Record<string, never>;
  if (!cert || Object.keys(cert).length === 0) return { certificate: false, error: undefined, chainLength: 0, subjects: [] };
  let chainLength = 1;
  for (let c = cert as DetailedPeerCertificate; c.issuerCertificate && c.issuerCertificate !== c; c = c.issuerCertificate) chainLength++;
  const subjects: string[] = [];
  for (const entry of (cert.subjectaltname ?? '').split(', ')) {
    const m = /^(DNS|IP Address|URI):(.*)$/.exec(entry);
    if (m) subjects.push(m[2]);
  }
  for (const cn of [cert.subject?.CN ?? []].flat()) if (!subjects.some((s) => s.toLowerCase() === cn.toLowerCase())) subjects.push(cn);
  const error = socket.authorizationError;
  return { certificate: true, error: error === null || error === undefined ? undefined : String(error), chainLength, subjects };
}

const NODE_VERSIONS: Readonly<Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'>> = {
  tlsv1: 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
};

/**
 * tls_create_ctx's protocol range: from the lowest TLS version listed; sofia-sip turns off only
 * SSLv2 to TLSv1.2, so TLSv1.3 is always allowed (and is all there is when nothing else is listed).
 */
export function versionRange(versions: readonly string[]): Pick<SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const listed = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'].find((v) => versions.includes(v));
  return { minVersion: NODE_VERSIONS[listed ?? 'tlsv1.3'], maxVersion: 'TLSv1.3' };
}

/** tport_tls_init_master's choice of files in `dir`: `agent.pem` else `tls.pem`; `cafile.pem` else `tls.pem` (none when neither can be read). */
export function certificateFiles(dir: string): { readonly key: string; readonly ca: string | undefined } {
  const readable = (file: string) => {
    try {
      accessSync(file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  const agent = join(dir, 'agent.pem');
  const tls = join(dir, 'tls.pem');
  const cafile = join(dir, 'cafile.pem');
  return { key: readable(agent) ? agent : tls, ca: readable(cafile) ? cafile : readable(tls) ? tls : undefined };
}

const loads = (o: SecureContextOptions) => {
  try {
    createSecureContext(o);
    return true;
  } catch {
    return false;
  }
};

const readOrEmpty = (file: string) => {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
};

/**
 * The TLS context's options from the profile's certificate files, or tls_create_ctx's line for
 * what did not load. Without a CA file no peer can be verified (the dir itself, sofia-sip's
 * CApath, is not read).
 */
export function tlsContext(c: ProfileConfig, dir: string): { readonly options: SecureContextOptions } | { readonly error: string } {
  const files = certificateFiles(dir);
  const pem = readOrEmpty(files.key);
  const passphrase = c.tlsPassphrase;
  if (!loads({ cert: pem })) return { error: `tls_create_ctx: invalid local certificate: ${files.key}` };
  if (!loads({ key: pem, passphrase })) return { error: `tls_create_ctx: invalid private key: ${files.key}` };
  if (!loads({ key: pem, cert: pem, passphrase })) return { error: 'tls_create_ctx: private key does not match the certificate public key' };
  const ca = files.ca === undefined ? [] : [readOrEmpty(files.ca)];
  if (files.ca !== undefined && !loads({ ca })) return { error: `tls_create_ctx: error loading CA list: ${files.ca}` };
  const options: SecureContextOptions = { key: pem, cert: pem, passphrase, ca, ciphers: c.tlsCiphers, ...versionRange(c.tlsVersions) };
  if (!loads(options)) return { error: 'tls_create_ctx: error setting cipher list' };
  return { options };
}

/**
 * TLS's StreamSockets: the server asks accepted peers for a certificate when `in` is on and hands
 * over those that pass; an opened connection is ready at `secureConnect` and checked by `check`.
 */
export function tlsSockets(options: SecureContextOptions, c: ProfileConfig, verify: VerifySettings, warn: (text: string) => void): StreamSockets {
  return {
    transport: 'tls',
    createServer(onReady) {
      const server = createServer(
        { ...options, requestCert: verify.policy.in, rejectUnauthorized: false, sessionTimeout: c.tlsTimeout },
        (socket) => {
          const refused = peerVerdict(verify, peerFacts(socket), true, '');
          if (refused === undefined) onReady(socket);
          else {
            warn(`refused the tls connection from ${socket.remoteAddress}:${socket.remotePort}: ${refused}`);
            socket.destroy();
          }
        },
      );
      server.on('tlsClientError', (e: Error, socket: TLSSocket) =>
        warn(`tls handshake with ${socket.remoteAddress}:${socket.remotePort} failed: ${e.message}`),
      );
      return server;
    },
    connect: (to) =>
      connect({
        ...options,
        host: to.address,
        port: to.port,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      }),
    readyEvent: 'secureConnect',
    check: (socket: Socket, to) => peerVerdict(verify, peerFacts(socket as TLSSocket), false, to.address),
  };
}
