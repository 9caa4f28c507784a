/** The null endpoint's channel (mod_loopback's null_channel): answers by itself in CS_CONSUME_MEDIA. */
import type { Endpoint } from '../channel/channel.ts';
import type { NullTarget } from './null.ts';

export function nullEndpoint(target: Extract<NullTarget, { refuse: false }>): Endpoint {
  let answering = false;
  return {
    // null_channel_send_dtmf: the digits are only kept
    sendDtmf(ch, digit) {
      ch.setVariable('null_channel_dtmf_queued', `${ch.variable('null_channel_dtmf_queued') ?? ''}${digit}`);
    },
    async onState(ch, state) {
      if (state !== 'CS_CONSUME_MEDIA' || answering) return true;
      answering = true;
      if (target.preAnswer) await ch.send({ type: 'MARK_PRE_ANSWERED' });
      if (!target.autoAnswer) return true;
      if (target.autoAnswerDelayMs > 0) ch.after(target.autoAnswerDelayMs, () => ch.send({ type: 'MARK_ANSWERED' }));
      else await ch.send({ type: 'MARK_ANSWERED' });
      return true;
    },
  };
}
