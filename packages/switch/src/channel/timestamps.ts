/**
 * switch_channel_set_timestamps: the variables a channel gets when it hangs up — `*_stamp`
 * (local `%Y-%m-%d %T`), `*_epoch` / `*_uepoch`, `duration` / `billsec` / `answersec` / … in
 * seconds, milliseconds (`m…`) and microseconds (`u…`), `last_app`, `last_arg`, `caller_id` —
 * in FreeSWITCH's order. Seconds and milliseconds are differences of the truncated times, as C
 * computes them; a stamp with no time (answer, bridge, hold, resurrect, progress) is left out,
 * while its epoch variables say 0.
 */
import { formatLocalDate } from '../internal/time.ts';
import type { CallerProfile, ProfileTimes } from './profile.ts';

export interface TimestampInput {
  readonly times: ProfileTimes;
  readonly profile: CallerProfile;
  /** The last application the channel ran and its argument (the app log's tail). */
  readonly lastApp?: string;
  readonly lastArg?: string;
  readonly utcOffsetMinutes: (epochMs: number) => number;
}

/** [name, value] in the order set; an undefined value unsets the name. */
export function timestampVariables(input: TimestampInput): [string, string | undefined][] {
  const t = input.times;
  const out: [string, string | undefined][] = [];
  const set = (name: string, value: string | number | undefined) => out.push([name, value === undefined ? undefined : String(value)]);
  const stamp = (us: number) => formatLocalDate(us, input.utcOffsetMinutes(Math.floor(us / 1000)));
  const sec = (us: number) => Math.trunc(us / 1_000_000);
  const ms = (us: number) => Math.trunc(us / 1000);

  set('digits_dialed', 'none');
  set('start_stamp', stamp(t.created));
  set('profile_start_stamp', stamp(t.profileCreated));
  for (const [name, us] of [
    ['answer_stamp', t.answered],
    ['bridge_stamp', t.bridged],
    ['hold_stamp', t.lastHold],
    ['resurrect_stamp', t.resurrected],
    ['progress_stamp', t.progress],
    ['progress_media_stamp', t.progressMedia],
  ] as const) {
    if (us) set(name, stamp(us));
  }
  set('end_stamp', stamp(t.hungup));
  const epochs = (name: string, us: number) => {
    set(`${name}_epoch`, sec(us));
    set(`${name}_uepoch`, us);
  };
  epochs('start', t.created);
  epochs('profile_start', t.profileCreated);
  epochs('answer', t.answered);
  epochs('bridge', t.bridged);
  epochs('last_hold', t.lastHold);
  set('hold_accum_seconds', sec(t.holdAccum));
  set('hold_accum_usec', t.holdAccum);
  set('hold_accum_ms', ms(t.holdAccum));
  epochs('resurrect', t.resurrected);
  epochs('progress', t.progress);
  epochs('progress_media', t.progressMedia);
  epochs('end', t.hungup);

  const since = (from: number, to: number) => [sec(to) - sec(from), ms(to) - ms(from), to - from] as const;
  const duration = since(t.created, t.hungup);
  const wait = t.bridged > t.created ? since(t.created, t.bridged) : ([0, 0, 0] as const);
  const bill = t.answered ? since(t.answered, t.hungup) : ([0, 0, 0] as const);
  const flow = t.answered ? duration : ([0, 0, 0] as const);
  const answer = t.answered ? since(t.created, t.answered) : ([0, 0, 0] as const);
  const progress = t.progress ? since(t.created, t.progress) : ([0, 0, 0] as const);
  const media = t.progressMedia ? since(t.created, t.progressMedia) : ([0, 0, 0] as const);

  const p = input.profile;
  set('last_app', input.lastApp);
  set('last_arg', input.lastArg);
  set('caller_id', p.callerIdName ? `"${p.callerIdName}" <${p.callerIdNumber ?? ''}>` : p.callerIdNumber);
  const unit = (i: 0 | 1 | 2) => {
    const [d, b, pr, a, w, m, f] =
      i === 0
        ? ['duration', 'billsec', 'progresssec', 'answersec', 'waitsec', 'progress_mediasec', 'flow_billsec']
        : i === 1
          ? ['mduration', 'billmsec', 'progressmsec', 'answermsec', 'waitmsec', 'progress_mediamsec', 'flow_billmsec']
          : ['uduration', 'billusec', 'progressusec', 'answerusec', 'waitusec', 'progress_mediausec', 'flow_billusec'];
    set(d as string, duration[i]);
    set(b as string, bill[i]);
    set(pr as string, progress[i]);
    set(a as string, answer[i]);
    set(w as string, wait[i]);
    set(m as string, media[i]);
    set(f as string, flow[i]);
  };
  unit(0);
  unit(1);
  unit(2);
  return out;
}
