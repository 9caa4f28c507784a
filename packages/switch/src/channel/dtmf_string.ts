/**
 * switch_core_session_send_dtmf_string: a DTMF string sent to a channel's endpoint, one digit at a
 * time. The walk is the same whoever asks (uuid_send_dtmf from its own process, send_dtmf in the
 * channel's); what it does to the channel goes through `DtmfSender`.
 */

/** In samples at 8 kHz (SWITCH_DEFAULT/MIN/MAX_DTMF_DURATION); loopback and null legs run at 8 kHz. */
export const DTMF_DEFAULT = 2000;
export const DTMF_MIN = 400;
export const DTMF_MAX = 192000;
export const SAMPLES_PER_MS = 8;

/** The runtime's DTMF durations in samples (`fsctl default_dtmf_duration` etc.; core/control.ts holds them). */
export interface DtmfDurations {
  readonly defaultDtmfDuration: number;
  readonly minDtmfDuration: number;
  readonly maxDtmfDuration: number;
}

/** The durations FreeSWITCH starts with. */
export const BUILT_IN_DTMF: DtmfDurations = { defaultDtmfDuration: DTMF_DEFAULT, minDtmfDuration: DTMF_MIN, maxDtmfDuration: DTMF_MAX };

/** is_dtmf: the characters a DTMF string may hold (`w` / `W` are pauses). */
export const isDtmf = (c: string): boolean => /^[0-9A-Da-d#*WwFf]$/.test(c);

/** One `digits[@ms]` group of a DTMF string: an `@ms` above the minimum (50 ms at first) sets the duration (in samples). */
export function dtmfGroup(group: string, d: DtmfDurations = BUILT_IN_DTMF): { digits: string; duration: number; ms: number } {
  const at = group.indexOf('@');
  const defaultMs = d.defaultDtmfDuration / SAMPLES_PER_MS;
  if (at < 0) return { digits: group, duration: d.defaultDtmfDuration, ms: defaultMs };
  const ms = Number.parseInt(group.slice(at + 1), 10) || 0;
  // as the C: the log's `ms` is what was asked for, even when too short to be used
  return { digits: group.slice(0, at), duration: ms > d.minDtmfDuration / SAMPLES_PER_MS ? ms * SAMPLES_PER_MS : d.defaultDtmfDuration, ms };
}

/** What sending needs of the channel. */
export interface DtmfSender {
  /** The channel's name (the log lines start with it). */
  readonly name: string;
  /** switch_channel_down. */
  down(): Promise<boolean>;
  preAnswer(): Promise<void>;
  /** `w` / `W`: the sender waits this long. */
  pause(ms: number): Promise<void>;
  /** switch_core_session_send_dtmf to the endpoint; false when it was not sent. */
  send(digit: string, duration: number): Promise<boolean>;
  setVariable(name: string, value: string): Promise<void>;
  log(level: 'ERR' | 'WARNING' | 'DEBUG', text: string): void;
  /** The runtime's durations (default: BUILT_IN_DTMF). */
  readonly durations?: DtmfDurations;
}

/**
 * `+`-separated groups, each `digits[@ms]` (a leading `~` is dropped); `w` / `W` wait 0.5 s / 1 s;
 * the channel is pre-answered first and `last_dtmf_duration` set after each group (each digit
 * counted with a 250 ms pause). True when a digit was sent.
 */
export async function sendDtmfString(sender: DtmfSender, text: string): Promise<boolean> {
  const durations = sender.durations ?? BUILT_IN_DTMF;
  const string = text.startsWith('~') ? text.slice(1) : text;
  if (string === '' || (await sender.down())) return false;
  if (string.length > 99) {
    sender.log('ERR', 'Attempt to send very large dtmf string ignored!');
    return false;
  }
  const groups = string.split('+').filter((g) => g !== '');
  if (groups.length > 0) await sender.preAnswer();
  let sent = 0;
  let total = 0;
  for (const group of groups) {
    const { digits, duration, ms } = dtmfGroup(group, durations);
    for (const digit of digits) {
      if (!isDtmf(digit)) continue;
      let d = duration;
      if (digit === 'w' || digit === 'W') {
        await sender.pause(digit === 'w' ? 500 : 1000);
      } else {
        if (d > durations.maxDtmfDuration) {
          sender.log('WARNING', `${sender.name} EXCESSIVE DTMF DIGIT [${digit}] LEN [${d}]`);
          d = durations.maxDtmfDuration;
        } else if (d < durations.minDtmfDuration) {
          sender.log('WARNING', `${sender.name} SHORT DTMF DIGIT [${digit}] LEN [${d}]`);
          d = durations.minDtmfDuration;
        }
        if (!(await sender.send(digit, d))) continue;
      }
      sender.log('DEBUG', `${sender.name} send dtmf\ndigit=${digit} ms=${ms} samples=${d}`);
      sent++;
      total += d + 250 * SAMPLES_PER_MS;
    }
    if (total) await sender.setVariable('last_dtmf_duration', String(Math.trunc(total / SAMPLES_PER_MS)));
  }
  return sent > 0;
}
