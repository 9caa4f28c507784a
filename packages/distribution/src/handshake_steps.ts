/**
 * The handshake as two step sequences (OTP dist_util's initiator and acceptor), each step with
 * the setup timer reset (net_setuptime). Pure protocol + I/O over a PacketChannel; the
 * bookkeeping decisions (is there a pending/live connection to this peer?) are asked of the
 * caller through `HandshakeHooks`.
 */
import { randomBytes } from 'node:crypto';
import {
  decodeChallenge,
  decodeChallengeAck,
  decodeChallengeReply,
  decodeComplement,
  decodeSendName,
  decodeStatus,
  digest,
  digestEqual,
  encodeChallenge,
  encodeChallengeAck,
  encodeChallengeReply,
  encodeNamedStatus,
  encodeSendName,
  encodeStatus,
  HandshakeDecodeError,
  type SendName,
} from './handshake.ts';
import { DFLAG, missingFlags, negotiate } from './flags.ts';
import { isAscii, isNodeName } from './node_name.ts';
import { ChannelClosed, type PacketChannel } from './packet_channel.ts';
import type { ConnectFailure } from './transport.ts';
import type { DistLogger } from './log.ts';

export interface HandshakeConfig {
  ourName: string;
  ourFlags: bigint;
  creation: number;
  cookie: string;
  setupTimeMs: number;
  requiredFlags: bigint;
  logger: DistLogger;
}

export interface HandshakeResult {
  peerName: string;
  peerFlags: bigint;
  peerCreation: number;
  flags: bigint; // negotiated
}

/** `kind` 'nok' means: the peer keeps its own (simultaneous) attempt; wait for it. 'evicted': an
 *  inbound handshake closed by the listener's admission control to make room (handshake_guard.ts). */
export class HandshakeFailure extends Error {
  constructor(
    readonly failure: ConnectFailure | 'nok' | 'refused' | 'evicted',
    detail: string,
  ) {
    super(`${failure}: ${detail}`);
    this.name = 'HandshakeFailure';
  }
}

export interface HandshakeHooks {
  /** Acceptor only: status to send for this peer (ok / ok_simultaneous / nok / alive / not_allowed). */
  arbitrate?(peerName: string): 'ok' | 'ok_simultaneous' | 'nok' | 'alive' | 'not_allowed';
  /** Acceptor only: the peer answered `strue` to `alive` and then proved it has the cookie (its
   *  challenge reply is right): drop the old connection. Never called for a peer that has not
   *  authenticated, so an unauthenticated socket that claims a connected node's name cannot take
   *  that node's live connection down. */
  replaceAlive?(peerName: string): void;
  /** Acceptor only: a peer asked for a dynamic name (NAME_ME) on `host`: pick `alive@host` and
   *  a creation. Without this hook such requests get not_allowed. */
  assignName?(host: string): { name: string; creation: number };
  /** Initiator only: answer to an `alive` status: true = we really are reconnecting. */
  answerAlive?(peerName: string): boolean;
}

function randomChallenge(): number {
  return randomBytes(4).readUInt32BE(0);
}

async function recv(ch: PacketChannel, cfg: HandshakeConfig, step: string): Promise<Uint8Array> {
  try {
    return await ch.next(cfg.setupTimeMs);
  } catch (e) {
    if (e instanceof ChannelClosed && e.why === 'timeout') throw new HandshakeFailure('setup_timeout', `no ${step} within ${cfg.setupTimeMs} ms`);
    if (e instanceof ChannelClosed && e.why === 'aborted' && e.cause instanceof HandshakeFailure) throw e.cause;
    if (e instanceof ChannelClosed && e.why === 'oversize') throw new HandshakeFailure('handshake_failed', `waiting for ${step}: ${e.message}`);
    if (e instanceof ChannelClosed) throw new HandshakeFailure('closed', `connection closed while waiting for ${step}`);
    throw e;
  }
}

function protocol<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof HandshakeDecodeError) throw new HandshakeFailure('handshake_failed', e.message);
    throw e;
  }
}

/** We dialled `peerName` (connection A side). */
export async function runInitiator(ch: PacketChannel, cfg: HandshakeConfig, peerName: string, hooks: HandshakeHooks = {}): Promise<HandshakeResult> {
  ch.send(encodeSendName(cfg.ourFlags, cfg.creation, cfg.ourName));

  const stBody = await recv(ch, cfg, 'status');
  const st = protocol(() => decodeStatus(stBody));
  switch (st.status) {
    case 'ok':
    case 'ok_simultaneous':
      break;
    case 'nok':
      throw new HandshakeFailure('nok', `${peerName} keeps its own simultaneous connection attempt`);
    case 'not_allowed':
      throw new HandshakeFailure('not_allowed', `${peerName} answered not_allowed (flags or name refused)`);
    case 'alive': {
      const really = hooks.answerAlive ? hooks.answerAlive(peerName) : true;
      ch.send(encodeStatus(really ? 'true' : 'false'));
      if (!really) throw new HandshakeFailure('handshake_failed', `${peerName} has a live connection to us`);
      break;
    }
    case 'named':
      throw new HandshakeFailure('handshake_failed', 'unexpected named: status (we never ask for a dynamic name)');
    default:
      throw new HandshakeFailure('handshake_failed', `unknown status ${JSON.stringify(st.text)}`);
  }

  const chBody = await recv(ch, cfg, 'challenge');
  const c = protocol(() => decodeChallenge(chBody));
  if (c.version !== 6) throw new HandshakeFailure('handshake_failed', 'peer sent an old v5 challenge');
  if (c.name !== peerName) {
    throw new HandshakeFailure('handshake_failed', `recv_challenge_failed, no_node: dialled ${peerName} but it calls itself ${c.name}`);
  }
  const missing = missingFlags(c.flags, cfg.requiredFlags);
  if (missing.length > 0) {
    cfg.logger.error(`Connection attempt to node ${peerName} aborted since it cannot handle ${JSON.stringify(missing)}.`, { peer: peerName });
    throw new HandshakeFailure('not_allowed', `${peerName} cannot handle ${missing.join(',')}`);
  }

  const ourChallenge = randomChallenge();
  ch.send(encodeChallengeReply(ourChallenge, digest(cfg.cookie, c.challenge)));

  let ackBody: Uint8Array;
  try {
    ackBody = await recv(ch, cfg, 'challenge ack');
  } catch (e) {
    if (e instanceof HandshakeFailure && e.failure === 'closed') {
      cfg.logger.error(`Connection attempt to node ${peerName} failed: the peer closed after our challenge reply (wrong cookie?)`, {
        peer: peerName,
      });
      throw new HandshakeFailure('bad_cookie', `${peerName} closed the connection after our challenge reply (cookie mismatch)`);
    }
    throw e;
  }
  const ack = protocol(() => decodeChallengeAck(ackBody));
  if (!digestEqual(ack, digest(cfg.cookie, ourChallenge))) {
    cfg.logger.error(`Connection attempt to node ${peerName} failed: Invalid challenge ack (wrong cookie)`, { peer: peerName });
    throw new HandshakeFailure('bad_cookie', `invalid challenge ack from ${peerName}`);
  }
  return { peerName, peerFlags: c.flags, peerCreation: c.creation, flags: negotiate(cfg.ourFlags, c.flags) };
}

/** A peer dialled us (connection B side). Throws HandshakeFailure('refused', ...) when we refuse. */
export async function runAcceptor(ch: PacketChannel, cfg: HandshakeConfig, hooks: HandshakeHooks = {}): Promise<HandshakeResult> {
  const nameBody = await recv(ch, cfg, 'name');
  let sn: SendName;
  try {
    sn = decodeSendName(nameBody);
  } catch (e) {
    throw new HandshakeFailure('refused', `bad send_name: ${(e as Error).message}`);
  }
  let peer = sn.name;
  let named: { name: string; creation: number } | undefined;
  if (sn.version === 6 && (sn.flags & DFLAG.NAME_ME) !== 0n) {
    // dynamic name (spec §2.8): the peer sent only its host; we pick the alive part
    const host = sn.name;
    if (!hooks.assignName || host.length === 0 || host.includes('@') || !isAscii(host)) {
      ch.send(encodeStatus('not_allowed'));
      throw new HandshakeFailure('refused', `dynamic name request from host ${JSON.stringify(host)} refused`);
    }
    named = hooks.assignName(host);
    peer = named.name;
  }
  if (!isNodeName(peer)) {
    // OTP closes without a status
    throw new HandshakeFailure('refused', `illegal node name ${JSON.stringify(peer)}`);
  }
  if (!isAscii(peer)) {
    // erts cannot hold a connection to a non-ASCII node name (OTP answers nok and logs
    // "Cannot get connection id for node"); we refuse with not_allowed.
    cfg.logger.error(`** Connection attempt from node ${JSON.stringify(peer)} refused: the node name is not ASCII **`, { peer });
    ch.send(encodeStatus('not_allowed'));
    throw new HandshakeFailure('refused', `non-ASCII node name ${JSON.stringify(peer)}`);
  }
  // For the old 'n' form only the low 32 bits can be checked now (spec §2.6).
  const required = sn.version === 5 ? cfg.requiredFlags & 0xffffffffn : cfg.requiredFlags;
  const missing = missingFlags(sn.flags, required);
  if (missing.length > 0) {
    cfg.logger.error(`** '${cfg.ourName}': Connection attempt from node '${peer}' rejected since it cannot handle ${JSON.stringify(missing)}.**`, {
      peer,
    });
    ch.send(encodeStatus('not_allowed'));
    throw new HandshakeFailure('refused', `${peer} cannot handle ${missing.join(',')}`);
  }

  const status = named ? 'ok' : hooks.arbitrate ? hooks.arbitrate(peer) : 'ok';
  if (named) {
    hooks.arbitrate?.(peer); // records the name on the connection; a fresh random name is never pending
    ch.send(encodeNamedStatus(named.name, named.creation));
  } else {
    ch.send(encodeStatus(status));
  }
  if (status === 'nok' || status === 'not_allowed') {
    throw new HandshakeFailure('refused', `status ${status} sent to ${peer}`);
  }
  if (status === 'alive') {
    const ansBody = await recv(ch, cfg, 'alive answer');
    const ans = protocol(() => decodeStatus(ansBody));
    const text = ans.status === 'other' ? ans.text : ans.status;
    if (text !== 'true') throw new HandshakeFailure('refused', `${peer} answered ${text} to alive: keeping the existing connection`);
  }

  const ourChallenge = randomChallenge();
  // After a named: reply OTP echoes NAME_ME in the challenge flags and its initiator relies on
  // it (verified against erl 25: without it connect_node/1 returns false); the spec's "never
  // set in an accept" is wrong here.
  const challengeFlags = named ? cfg.ourFlags | DFLAG.NAME_ME : cfg.ourFlags;
  ch.send(encodeChallenge(challengeFlags, ourChallenge, cfg.creation, cfg.ourName));

  let peerFlags = sn.flags & ~DFLAG.NAME_ME;
  let peerCreation = named ? named.creation : sn.creation;
  if (sn.version === 5) {
    const compBody = await recv(ch, cfg, 'complement');
    const comp = protocol(() => decodeComplement(compBody));
    peerFlags |= comp.flagsHigh;
    peerCreation = comp.creation;
    const missingHigh = missingFlags(peerFlags, cfg.requiredFlags);
    if (missingHigh.length > 0) {
      cfg.logger.error(
        `** '${cfg.ourName}': Connection attempt from node '${peer}' rejected since it cannot handle ${JSON.stringify(missingHigh)}.**`,
        { peer },
      );
      throw new HandshakeFailure('refused', `${peer} cannot handle ${missingHigh.join(',')}`);
    }
  }

  const replyBody = await recv(ch, cfg, 'challenge reply');
  const reply = protocol(() => decodeChallengeReply(replyBody));
  if (!digestEqual(reply.digest, digest(cfg.cookie, ourChallenge))) {
    cfg.logger.error(`** Connection attempt from node '${peer}' rejected. Invalid challenge reply. **`, { peer });
    throw new HandshakeFailure('bad_cookie', `invalid challenge reply from ${peer}`);
  }
  // the peer is authenticated: only now may it replace its old connection
  if (status === 'alive') hooks.replaceAlive?.(peer);

  ch.send(encodeChallengeAck(digest(cfg.cookie, reply.challenge)));
  return { peerName: peer, peerFlags, peerCreation, flags: negotiate(cfg.ourFlags, peerFlags) };
}
