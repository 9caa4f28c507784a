/**
 * `fifo <name> in`: the caller (answered unless `noans`/`early`) joins its priority slot
 * (`fifo_priority`, 0–9) and waits hearing its music (the `<music>` argument, else `fifo_music`; none
 * or `silence`: silence) until a consumer takes it, it presses one of `fifo_caller_exit_key`, it
 * hangs up, or its music cannot be played; every `fifo_chime_freq` seconds (30) the music stops for
 * the next of `fifo_chime_list`. Taken: `fifo_serviced_by` / `fifo_serviced_uuid` are
 * set, the announcement plays, and the channel hibernates for the consumer's bridge (its dialplan
 * stops). Otherwise it leaves the queue: `fifo_status` ABORTED, an `abort` event, and its dialplan
 * goes on.
 */
import { callChannel } from '../api/uuid_commands.ts';
import { type MediaEnd, playFile } from '../applications/media.ts';
import type { AppChannel, Interrupter } from '../applications/types.ts';
import { separateString, switchTrue } from '../internal/strings.ts';
import { fifoDate, fireFifo } from './events.ts';
import { Cause } from '../channel/causes.ts';
import { type FifoCaller, type FifoNode, MAX_PRI, cancelCallerOutbound, destroyIfUnused } from './nodes.ts';
import { checkCancel } from './outbound.ts';
import { wakeConsumers } from './wake.ts';

export interface CallerArgs {
  /** The name as the application got it (FIFO-Name: `<name>[!<importance>]`). */
  readonly fifoName: string;
  readonly node: FifoNode;
  readonly announce: string | undefined;
  readonly moh: string | undefined;
  /** `noans`: not answered; `early`: not answered either (the consumer's answer does it). */
  readonly answer: 'answer' | 'noans' | 'early';
}

/** MAX_CHIME. */
const MAX_CHIME = 25;

type Phase = 'waiting' | 'aborting' | 'leaving' | 'over';

/** The new `fifo_position` of callers that moved up in their slot (change_pos), set in their own processes. */
export function updatePositions(ch: AppChannel, moved: readonly [string, number][]): void {
  if (moved.length === 0) return;
  ch.aside(async (ctx) => {
    for (const [uuid, pos] of moved) await callChannel({ ctx, core: ch.core }, uuid, { op: 'setvar', name: 'fifo_position', value: String(pos) });
  });
}

export async function runCaller(ch: AppChannel, a: CallerArgs, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  const { node, fifoName } = a;
  const core = ch.core;
  if (a.answer === 'answer') await ch.send({ type: 'ANSWER' });
  const given = ch.variable('fifo_priority');
  const slot = Math.max(0, Math.min(MAX_PRI - 1, given === undefined ? 0 : Number.parseInt(given, 10) || 0));
  const exitKey = ch.variable('fifo_caller_exit_key');
  // fifo_chime_list: played in turn every fifo_chime_freq seconds (default 30) of the wait
  const chimes = separateString(ch.variable('fifo_chime_list') ?? '', ',', MAX_CHIME).filter((c) => c !== '');
  const freq = Number.parseInt(ch.variable('fifo_chime_freq') ?? '', 10);
  const chimeMs = (freq > 0 ? freq : 30) * 1000;
  let chimeIndex = 0;
  let chimePending = false;
  let cancelChime = () => {};

  let phase: Phase = 'waiting';
  /** The music or announcement playing now: its interrupter. */
  let playing: Interrupter | undefined;
  let lastEnd: MediaEnd = 'played';
  let resolveLeft: (ok: boolean) => void = () => {};
  const left = new Promise<boolean>((r) => {
    resolveLeft = r;
  });

  const finish = async () => {
    if (phase === 'over') return;
    phase = 'over';
    cancelChime();
    resolveLeft(false);
    // not handed to a consumer: a ringall dial for this caller ends
    cancelCallerOutbound(core, ch.uuid, Cause.ORIGINATOR_CANCEL);
    if (switchTrue(ch.variable('fifo_destroy_after_use'))) destroyIfUnused(core, node);
    await done();
  };

  /** The wait is over without a consumer: out of the queue, ABORTED, the `abort` event. */
  const abort = async () => {
    ch.setVariable('fifo_status', 'ABORTED');
    ch.setVariable('fifo_timestamp', fifoDate(core));
    fireFifo(ch, fifoName, 'abort');
    updatePositions(ch, node.remove(ch.uuid));
    ch.aside((ctx) => checkCancel(ctx, core, node));
    await finish();
  };

  /** Taken by a consumer: the announcement, then the channel hibernates for the consumer's bridge. */
  const leave = async () => {
    if (ch.hungUp) return finish();
    if (a.announce && !playing) {
      playing = await playFile(ch, a.announce, async () => {
        playing = undefined;
        await hibernate();
      });
      return;
    }
    await hibernate();
  };
  const hibernate = async () => {
    if (phase === 'over') return;
    if (ch.hungUp) return finish();
    await ch.send({ type: 'SET_STATE', state: 'CS_HIBERNATE' });
    phase = 'over';
    cancelChime();
    resolveLeft(true);
    if (switchTrue(ch.variable('fifo_destroy_after_use'))) destroyIfUnused(core, node);
    // run from sendmsg inside park, park ends too (the pending state change ends its loop in the C)
    ch.interruptAll();
    await done();
  };

  const onDigit = (digit: string): boolean => {
    if (!exitKey?.includes(digit)) return false;
    ch.setVariable('fifo_caller_exit_key', digit);
    phase = 'aborting';
    return true;
  };

  /** One round of the wait: the music once (or silence until something happens). */
  const waitRound = async (): Promise<void> => {
    if (phase !== 'waiting') return;
    if (!a.moh) {
      if (exitKey) {
        const stop = ch.readDtmf((d) => {
          if (!onDigit(d)) return;
          stop();
          return abort();
        });
        playing = async () => {
          stop();
          playing = undefined;
          await afterRound();
        };
      }
      return;
    }
    const started = core.nowUs();
    playing = await playFile(
      ch,
      a.moh,
      async () => {
        playing = undefined;
        // music that lasts no time is not played again at once (it would spin): a frame's wait first
        if (lastEnd === 'played' && phase === 'waiting' && core.nowUs() === started) {
          const cancel = ch.after(20, afterRound);
          playing = async () => {
            cancel();
            playing = undefined;
            await afterRound();
          };
          return;
        }
        await afterRound();
      },
      (how) => {
        lastEnd = how;
      },
      exitKey ? onDigit : undefined,
    );
  };
  /** The chime is due: the music stops for it (the C plays it from the music's frame callback). */
  const chimeDue = async () => {
    if (phase !== 'waiting') return;
    chimePending = true;
    if (playing) await playing();
    else await playChime();
  };
  const playChime = async () => {
    chimePending = false;
    const file = chimes[chimeIndex++ % chimes.length] ?? '';
    playing = await playFile(
      ch,
      file,
      async () => {
        playing = undefined;
        // a chime that cannot be played only ends the round (the C's BREAK), not the wait
        if (lastEnd === 'notfound' || (lastEnd === 'killed' && !ch.hungUp && phase === 'waiting')) lastEnd = 'played';
        if (phase === 'waiting') cancelChime = ch.after(chimeMs, chimeDue);
        await afterRound();
      },
      (how) => {
        lastEnd = how;
      },
      exitKey ? onDigit : undefined,
    );
  };
  const afterRound = async (): Promise<void> => {
    if (phase === 'leaving') return leave();
    if (phase === 'waiting' && !ch.hungUp && chimePending) return playChime();
    if (phase !== 'waiting' || ch.hungUp || lastEnd === 'notfound' || lastEnd === 'killed') return abort();
    await waitRound();
  };

  const serve = (consumerUuid: string, consumerId: string, breakMedia: () => void): boolean => {
    if (phase !== 'waiting' || ch.hungUp) return false;
    phase = 'leaving';
    ch.setVariable('fifo_serviced_by', consumerId);
    ch.setVariable('fifo_serviced_uuid', consumerUuid);
    if (playing) {
      breakMedia();
      void playing();
    } else void leave();
    return true;
  };

  fireFifo(ch, fifoName, 'push', [['FIFO-Slot', String(slot)]]);
  const caller: FifoCaller = { uuid: ch.uuid, slot, vip: switchTrue(ch.variable('fifo_vip')), serve, left };
  if (!node.push(slot, caller, core.nowUs())) core.log('ERR', `fifo ${node.name}: priority slot ${slot} is full`, ch.uuid);
  ch.setVariable('fifo_position', String(node.slots[slot]?.length ?? 0));
  if (given === undefined) ch.setVariable('fifo_priority', String(slot));
  const date = fifoDate(core);
  ch.setVariable('fifo_status', 'WAITING');
  ch.setVariable('fifo_timestamp', date);
  ch.setVariable('fifo_push_timestamp', date);
  ch.setVariable('fifo_serviced_uuid', undefined);
  wakeConsumers(ch, node);
  if (chimes.length > 0) cancelChime = ch.after(chimeMs, chimeDue);
  await waitRound();

  return async () => {
    // the channel hung up (or was moved): out of the queue, unless a consumer has it already
    if (phase === 'waiting') {
      phase = 'aborting';
      if (playing) await playing();
      else await abort();
    } else if (playing) await playing();
    else await finish();
  };
}
