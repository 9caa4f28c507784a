/** The null endpoint's channel (mod_loopback's null_channel): answers by itself in CS_CONSUME_MEDIA. */
import type { Endpoint } from '../channel/channel.ts';
import type { NullTarget } from './null.ts';

export function nullEndpoint(target: Extract<NullTarget, { refuse: false }>): Endpoint {
  let answering = false;
  return {
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
