/**
 * The node's `net_kernel` process (spec §4.6). OTP 24+ `net_adm:ping(Node)` is
 * `gen:call({net_kernel, Node}, '$gen_call', {is_auth, node()}, infinity)`: it monitors the name
 * (so `net_kernel` must be registered), then expects `{Tag, yes}`. Anything else answers
 * `{Tag, {error, unsupported}}` so that no caller ever hangs.
 */
import { atom, t, type Term } from '@beamline/etf';
import type { ProcessBehaviour, ProcessContext } from '@beamline/core';
import { asGenCall, isTagged } from './gen_proto.ts';

const A_YES = atom('yes');
const A_ERROR = atom('error');
const A_UNSUPPORTED = atom('unsupported');

/** The reply net_kernel gives to a call request. */
export function netKernelReply(request: Term, info: { nodeName: string }): Term {
  if (isTagged(request, 'is_auth', 2)) return A_YES;
  if (request === atom('node')) return atom(info.nodeName);
  return t(A_ERROR, A_UNSUPPORTED);
}

export function netKernel(info: { nodeName: string }): ProcessBehaviour {
  return {
    behaviourName: 'net_kernel',
    init(_ctx: ProcessContext): void {},
    handleMessage(ctx: ProcessContext, msg: unknown): void {
      const call = asGenCall(ctx, msg);
      call?.from.reply(netKernelReply(call.request, info));
      // casts and stray messages are ignored, as a hidden node has no connection management to do
    },
  };
}
