/**
 * The endpoint side of SWITCH_MESSAGE_INDICATE_DEFLECT / _REDIRECT (deflect.ts has the SIP side):
 * it runs in the channel's process, asks the call process, and hangs the channel up as mod_sofia
 * does — BLIND_TRANSFER once a DEFLECT's wait is over, the REDIRECT's cause at once.
 */
import { GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, type DeflectMessage, type EndpointChannel, switchTrue } from '@beamline/switch';
import { DEFLECT_WAIT_MS, type DeflectReply, type DeflectRequest, type RedirectReply, type RedirectRequest } from './deflect.ts';

/** A little longer than the call's own wait, so its answer (`no reply` at worst) always comes first. */
const CALL_TIMEOUT_MS = DEFLECT_WAIT_MS + 2_000;

async function ask<R>(ch: EndpointChannel, call: Pid, req: DeflectRequest | RedirectRequest, timeout: number): Promise<R | undefined> {
  try {
    return await GenServer.call<R>(ch.ctx, call, req, timeout);
  } catch {
    return undefined; // the call's process is gone: the phone hung up
  }
}

/** The message's string_reply: a DEFLECT's sipfrag (or `no reply`); nothing for a REDIRECT. */
export async function deflectCall(ch: EndpointChannel, call: Pid | undefined, message: DeflectMessage): Promise<string | undefined> {
  if (!call) return undefined;
  if (message.id === 'REDIRECT') {
    if (message.uri === '') return undefined;
    const r = await ask<RedirectReply>(ch, call, { op: 'redirect', uri: message.uri }, 5_000);
    if (r?.cause !== undefined) await ch.send({ type: 'HANGUP', cause: r.cause });
    return undefined;
  }
  const continueAfterReply = switchTrue(ch.variable('sip_refer_continue_after_reply') ?? '');
  const r = await ask<DeflectReply>(ch, call, { op: 'deflect', uri: message.uri, continueAfterReply }, CALL_TIMEOUT_MS);
  for (const [name, value] of r?.variables ?? []) ch.setVariable(name, value);
  if (r?.hangup && !ch.hungUp) await ch.send({ type: 'HANGUP', cause: Cause.BLIND_TRANSFER });
  return r?.reply;
}
