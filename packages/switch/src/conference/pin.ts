/**
 * Asking a caller for the conference's pin (conference_function). A pin in the channel's
 * `supplied_pin` (or its `X-ConfPin=` param, up to a `;`) is tried first. Then, pin-retries times
 * (default 3): the pin sound (default conference/conf-pin.wav) after 400 ms, its first digit ending
 * it; more digits, up to the longer of the two pins' length, until `#` or 10 s without a digit
 * (switch_ivr_collect_digits_count); a right pin lets the caller in, the moderator pin as a
 * moderator; a wrong one is answered with the bad pin sound (default conference/conf-bad-pin.wav)
 * and the digits that came meanwhile are dropped. A prompt that cannot be played hangs the call up
 * (DESTINATION_OUT_OF_ORDER).
 */
import type { Interrupter } from '../applications/types.ts';
import type { Channel } from '../channel/channel.ts';
import { Cause } from '../channel/causes.ts';
import type { Conference } from './conference.ts';
import { LOCAL_LEADIN, type LocalPlayEnd, localPlay } from './local_play.ts';

/** `pin`: the pin; `moderator`: the moderator pin; `refused`: no try left; `gone`: the caller hung up. */
export type PinResult = 'pin' | 'moderator' | 'refused' | 'gone';

const DEFAULT_PIN_SOUND = 'conference/conf-pin.wav';
const DEFAULT_BAD_PIN_SOUND = 'conference/conf-bad-pin.wav';
/** switch_ivr_collect_digits_count's wait for each digit. */
const DIGIT_TIMEOUT_MS = 10_000;
const TERMINATORS = '#';
/** pin_buf holds 79 characters. */
const PIN_BUF = 79;
const PIN_PARAM = 'x-confpin=';

/** The pin `supplied_pin` carries, if any. */
function suppliedPin(ch: Channel): string | undefined {
  const value = ch.variable('supplied_pin');
  if (!value) return undefined;
  const at = value.toLowerCase().indexOf(PIN_PARAM);
  const rest = at >= 0 ? value.slice(at + PIN_PARAM.length) : value;
  const semi = rest.indexOf(';');
  return (semi >= 0 ? rest.slice(0, semi) : rest).slice(0, PIN_BUF);
}

/**
 * switch_ivr_collect_digits_count: up to `max` digits, ended by a terminator (not kept) or by
 * `timeoutMs` without a digit (`timeout`). Returns the interrupter (a hangup: `gone`).
 */
function collectDigits(ch: Channel, max: number, end: (status: 'success' | 'timeout' | 'gone', digits: string) => void | Promise<void>): Interrupter {
  let digits = '';
  let over = false;
  let stopReading = () => {};
  let cancelTimer = () => {};
  const stop = async (status: 'success' | 'timeout' | 'gone') => {
    if (over) return;
    over = true;
    cancelTimer();
    stopReading();
    await end(status, digits);
  };
  cancelTimer = ch.after(DIGIT_TIMEOUT_MS, () => stop('timeout'));
  stopReading = ch.readDtmf(async (digit) => {
    if (over) return;
    cancelTimer();
    cancelTimer = ch.after(DIGIT_TIMEOUT_MS, () => stop('timeout'));
    if (TERMINATORS.includes(digit)) return stop('success');
    digits += digit;
    if (digits.length >= max) return stop('success');
  });
  if (over) stopReading();
  return () => stop('gone');
}

/** Asks `ch` (in its process) for `pin` / `moderatorPin` (at least one given); `end` gets the result. Returns the interrupter. */
export async function askPin(
  conf: Conference,
  ch: Channel,
  pin: string | undefined,
  moderatorPin: string | undefined,
  end: (result: PinResult) => void | Promise<void>,
): Promise<Interrupter> {
  let over = false;
  // the interrupter of the step running now; a step that ended at once has already started the next (`step` numbers them)
  let current: Interrupter | undefined;
  let step = 0;
  const track = (mine: number, interrupt: Interrupter) => {
    if (mine === step) current = interrupt;
  };
  const finish = async (result: PinResult) => {
    if (over) return;
    over = true;
    await end(result);
  };
  const validate = (given: string): PinResult | undefined => {
    if (pin && given === pin) return 'pin';
    if (moderatorPin && given === moderatorPin) {
      conf.core.log('DEBUG', 'Moderator PIN found!', ch.uuid);
      return 'moderator';
    }
    return undefined;
  };

  const supplied = suppliedPin(ch);
  const early = supplied === undefined ? undefined : validate(supplied);
  if (early) {
    await finish(early);
    return () => {};
  }

  const { sounds } = conf.profile;
  const pinSound = sounds.pin ?? DEFAULT_PIN_SOUND;
  const badPinSound = sounds.badPin ?? DEFAULT_BAD_PIN_SOUND;
  const longest = Math.max(pin?.length ?? 0, moderatorPin?.length ?? 0);
  let retries = conf.profile.pinRetries;

  const attempt = async (): Promise<void> => {
    if (retries <= 0) return finish('refused');
    retries--;
    let buf = '';
    const wrong = async () => {
      const playing = ++step;
      track(
        playing,
        await localPlay(conf, ch, badPinSound, LOCAL_LEADIN, async (how) => {
          if (how === 'killed') return finish('gone');
          ch.flushDtmf();
          await attempt();
        }),
      );
    };
    const collected = async (status: 'success' | 'timeout' | 'gone', digits: string) => {
      if (status === 'gone') return finish('gone');
      buf += digits;
      const result = validate(buf);
      return result ? finish(result) : wrong();
    };
    const prompted = async (how: LocalPlayEnd) => {
      if (how === 'killed') return finish('gone');
      if (how === 'failed') {
        conf.core.log('WARNING', 'Cannot ask the user for a pin, ending call', ch.uuid);
        await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
        return finish('gone');
      }
      if (buf.length >= longest) return collected('success', '');
      const reading = ++step;
      track(reading, collectDigits(ch, longest - buf.length, collected));
    };
    const prompting = ++step;
    track(
      prompting,
      await localPlay(conf, ch, pinSound, LOCAL_LEADIN, prompted, (digit) => {
        buf = digit;
        return true;
      }),
    );
  };

  await attempt();
  return () => (over ? undefined : current?.());
}
