/**
 * mod_dptools' `send_dtmf <digits[@ms]>[+…]`: switch_core_session_send_dtmf_string on the
 * channel itself (channel/dtmf_string.ts) — the digits go to its endpoint, `w` / `W` pause.
 */
import { sendDtmfString } from '../channel/dtmf_string.ts';
import type { Application } from './types.ts';

export const SEND_DTMF_APP: Application = {
  name: 'send_dtmf',
  run: async (ch, data, done) => {
    // The walk runs in the channel's own work: it starts inside this call, and each pause's timer
    // waits until the walk pauses again or ends (`reached`), so nothing it does comes between.
    let checkpoint: (() => void) | undefined;
    const reached = () => {
      const resumeCaller = checkpoint;
      checkpoint = undefined;
      resumeCaller?.();
    };
    let cancelPause = () => {};
    let over = false;
    const finish = async () => {
      if (over) return;
      over = true;
      cancelPause();
      await done();
    };
    const firstStop = new Promise<void>((r) => {
      checkpoint = r;
    });
    void sendDtmfString(
      {
        name: ch.name,
        down: async () => ch.hungUp,
        preAnswer: () => ch.send({ type: 'PRE_ANSWER' }),
        pause: (ms) =>
          new Promise<void>((resume) => {
            cancelPause = ch.after(
              ms,
              () =>
                new Promise<void>((r) => {
                  checkpoint = r;
                  resume();
                }),
            );
            reached();
          }),
        send: async (digit, duration) => ch.sendDtmf(digit, duration),
        setVariable: async (name, value) => ch.setVariable(name, value),
        log: (level, text) => ch.core.log(level, text, ch.uuid),
        durations: ch.core.control,
      },
      data,
    ).then(async () => {
      await finish();
      reached();
    });
    await firstStop;
    return over ? undefined : finish;
  },
};
