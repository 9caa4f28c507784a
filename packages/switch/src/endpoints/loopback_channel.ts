/**
 * The loopback endpoint's two channels (mod_loopback): A (outbound, what originate sees) starts B
 * (inbound, routed through the dialplan) in its CS_INIT handler; B's answer, pre-answer and ring
 * are marked on A before B marks them itself; whichever leg reaches CS_HANGUP first hangs the
 * other up with the same cause; `loopback/app=` makes B pre-answer and run one application; the
 * audio written to one half is read on the other.
 */
import { GenServer } from '@beamline/core';
import { Cause } from '../channel/causes.ts';
import type { Endpoint, EndpointChannel } from '../channel/channel.ts';
import type { Indication } from '../channel/machine.ts';
import type { DtmfSource } from '../channel/dtmf_queue.ts';
import type { MediaPort } from '../media/media_table.ts';
import type { LoopbackTarget } from './loopback.ts';

const MARK: Record<Indication, 'MARK_ANSWERED' | 'MARK_PRE_ANSWERED' | 'MARK_RING_READY'> = {
  ANSWER: 'MARK_ANSWERED',
  PROGRESS: 'MARK_PRE_ANSWERED',
  RINGING: 'MARK_RING_READY',
};

function hangupPartner(ch: EndpointChannel): void {
  if (ch.partner) GenServer.cast(ch.ctx, ch.partner, { op: 'hangup', cause: ch.view.hangupCause });
}

/**
 * The halves' audio (mod_loopback's frame queues): what is written to one half is what the other
 * half's far end sends. A frame that comes back around to where it started in the same step (echo
 * on both halves) is dropped rather than circled for ever.
 */
function joinMedia(ch: EndpointChannel, uuidA: string, uuidB: string): void {
  const media = ch.core.media;
  const half = (other: string): MediaPort => {
    let busy = false;
    return {
      codec: 'PCMU',
      write: (frame) => {
        if (busy) return;
        busy = true;
        try {
          media.deliver(other, frame);
        } finally {
          busy = false;
        }
      },
    };
  };
  media.attach(uuidA, half(uuidB));
  media.attach(uuidB, half(uuidA));
}

/** channel_send_dtmf: a digit sent on one half is queued on the other. */
/** mod_loopback's channel_send_dtmf: the same digit (its source too) queued on the other half. */
function dtmfToPartner(ch: EndpointChannel, digit: string, duration: number, source: DtmfSource): void {
  if (ch.partner) GenServer.cast(ch.ctx, ch.partner, { op: 'dtmf', digit, duration, source });
}

export function loopbackA(target: LoopbackTarget): Endpoint {
  return {
    sendDtmf: dtmfToPartner,
    async onState(ch, state) {
      if (state === 'CS_HANGUP') hangupPartner(ch);
      if (state !== 'CS_INIT' || ch.partner) return true;
      const uuidB = ch.core.newUuid();
      ch.setVariable('loopback_leg', 'A');
      ch.setVariable('other_loopback_leg_uuid', uuidB);
      if (target.app !== undefined) {
        ch.setVariable('loopback_app', target.app);
        if (target.appArg !== undefined) ch.setVariable('loopback_app_arg', target.appArg);
      }
      const profile = ch.profile;
      try {
        ch.partner = await startB(ch, uuidB, profile, target);
        joinMedia(ch, ch.uuid, uuidB);
      } catch {
        // channel_on_init: B's session request refused (session limits): A goes down
        ch.core.log('CRIT', 'Failure.', ch.uuid);
        await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      }
      return true;
    },
  };
}

/** B: inbound, a copy of A's profile routed to the target's extension. */
function startB(ch: EndpointChannel, uuidB: string, profile: EndpointChannel['profile'], target: LoopbackTarget) {
  return ch.services.startChannel(ch.ctx, {
    uuid: uuidB,
    name: target.nameB,
    direction: 'inbound',
    profile: {
      ...profile,
      direction: 'inbound',
      logicalDirection: 'inbound',
      uuid: uuidB,
      chanName: target.nameB,
      source: 'mod_loopback',
      destinationNumber: target.exten,
      context: target.context,
      dialplan: target.dialplan,
    },
    variables: [
      ['loopback_leg', 'B'],
      ['other_loopback_leg_uuid', ch.uuid],
      ...(target.app !== undefined ? ([['loopback_app', target.app]] as const) : []),
      ...(target.appArg !== undefined ? ([['loopback_app_arg', target.appArg]] as const) : []),
    ],
    endpoint: loopbackB(target.app !== undefined),
    partner: ch.ctx.self,
    ...(ch.spec.codec ? { codec: ch.spec.codec } : {}),
  });
}

/**
 * B. With `loopback/app=<app>[:<arg>]` its routing handler (channel_on_routing) runs
 * `pre_answer` then the app instead of the dialplan.
 */
function loopbackB(runsApp: boolean): Endpoint {
  let appPending = runsApp;
  return {
    sendDtmf: dtmfToPartner,
    async indicate(ch, message) {
      if (ch.partner) {
        try {
          await GenServer.call(ch.ctx, ch.partner, { op: 'send', event: { type: MARK[message] } }, 5000);
        } catch {
          // the A leg is gone; its hangup reaches us
        }
      }
      return true;
    },
    async onState(ch, state) {
      if (state === 'CS_HANGUP') hangupPartner(ch);
      const app = appPending && state === 'CS_ROUTING' ? ch.variable('loopback_app') : undefined;
      if (app) {
        appPending = false;
        const applications = [
          { application: 'pre_answer', data: '' },
          { application: app, data: ch.variable('loopback_app_arg') ?? '' },
        ];
        await ch.setExtension({ name: app, number: app, applications });
        return false;
      }
      return true;
    },
  };
}
