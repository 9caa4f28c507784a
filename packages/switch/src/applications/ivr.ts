/**
 * mod_dptools' digit collection over the simulated media: `read` and `play_and_get_digits`
 * (switch_ivr_read, switch_play_and_get_digits, switch_ivr_collect_digits_count), and
 * `flush_dtmf`. Digits come from the channel's DTMF queue (`AppChannel.readDtmf`).
 */
import { regexPerform } from '../dialplan/regex.ts';
import { atoi, separateString } from '../internal/strings.ts';
import { playFile } from './media.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

export interface ReadSpec {
  readonly min: number;
  readonly max: number;
  /** Played first (not `silence`); the first digit ends it and starts the input. */
  readonly prompt: string | undefined;
  readonly variable: string | undefined;
  /** ms to the first digit; `digitTimeout` between digits (0: the same). */
  readonly timeout: number;
  /** Digits that end the input; a leading `=` makes one required, `+d` keeps `d`, `xd` keeps it and restarts. */
  readonly terminators: string;
  readonly digitTimeout: number;
}

/**
 * switch_ivr_read's outcome: `success`, `timeout`, `too_small` (fewer than `min`, or no required
 * terminator), `restart` (an `x` terminator), `failure` (hung up while collecting), `aborted`
 * (hung up during the prompt).
 */
export type ReadStatus = 'success' | 'timeout' | 'too_small' | 'restart' | 'failure' | 'aborted';

/**
 * switch_ivr_read: `read_result` and the variable cleared, the prompt, then digits until `max`, a
 * terminator or a timeout; sets `read_terminator_used`, `read_result` and the variable (when any
 * digit was kept). `end` gets the outcome and the digits. Returns the interrupter.
 */
export async function readDigits(ch: AppChannel, spec: ReadSpec, end: (status: ReadStatus, digits: string) => Promise<void>): Promise<Interrupter> {
  const { min, terminators, variable } = spec;
  const digitTimeout = spec.digitTimeout || spec.timeout;
  let max = spec.max;
  if (max < min) {
    ch.core.log('WARNING', `Max digits ${max} is less than Min ${min}, forcing Max to ${min}`, ch.uuid);
    max = min;
  }
  ch.setVariable('read_result', undefined);
  if (variable) ch.setVariable(variable, undefined);
  let buf = '';
  let over = false;
  let phase: Interrupter | undefined;

  /** The end of switch_ivr_read, from the status the prompt or the collection left. */
  const finish = async (status: 'success' | 'timeout' | 'failure' | 'aborted', terminator = '') => {
    if (over) return;
    over = true;
    let st: ReadStatus = status;
    if (status !== 'aborted') {
      if (terminator) {
        ch.setVariable('read_terminator_used', terminator);
        const p = terminators.indexOf(terminator);
        const mark = p >= 1 ? terminators[p - 1] : undefined;
        if (mark === '+' || mark === 'x') {
          buf += terminator;
          if (mark === 'x') st = 'restart';
        }
      } else if (terminators.startsWith('=')) {
        st = 'too_small';
      }
      if (min && buf.length < min) st = 'too_small';
      ch.setVariable('read_result', st === 'success' ? 'success' : st === 'timeout' ? 'timeout' : 'failure');
    }
    // a one-digit read that got only a terminator keeps nothing
    if (st !== 'restart' && max === 1 && buf.length === 1 && terminators.includes(buf)) buf = '';
    if (variable && buf) ch.setVariable(variable, buf);
    await end(st, buf);
  };

  /** switch_ivr_collect_digits_count. */
  const collect = async () => {
    for (let i = 0; i < buf.length; i++) {
      if (terminators.includes(buf[i] as string)) {
        const t = buf[i] as string;
        buf = buf.slice(0, i);
        await finish('success', t);
        return;
      }
    }
    let cancelTimer = ch.after(buf ? digitTimeout : spec.timeout, () => stop('timeout'));
    let stopReading = () => {};
    const stop = async (status: 'success' | 'timeout' | 'failure', terminator = '') => {
      cancelTimer();
      stopReading();
      await finish(status, terminator);
    };
    phase = () => stop('failure');
    stopReading = ch.readDtmf(async (digit) => {
      cancelTimer();
      cancelTimer = ch.after(digitTimeout, () => stop('timeout'));
      if (terminators.includes(digit)) return stop('success', digit);
      buf += digit;
      if (buf.length >= max) return stop('success');
    });
  };

  const afterPrompt = async () => ((min && buf.length < min) || buf.length < max ? collect() : finish('success'));

  if (!spec.prompt || spec.prompt.toLowerCase() === 'silence') {
    await afterPrompt();
  } else {
    let how = 'played';
    const onDigit = (digit: string) => {
      buf = digit;
      return true;
    };
    const prompt = await playFile(
      ch,
      spec.prompt,
      () => (how === 'killed' ? finish('aborted') : afterPrompt()),
      (h) => {
        how = h;
      },
      onDigit,
    );
    // a prompt that ended at once (a pending break) has already handed over to the collection
    phase ??= prompt;
  }
  return () => phase?.();
}

/**
 * `read <min> <max> <file> <variable> <timeout> <terminators> [<digit_timeout>]`: at least one
 * digit, the timeout at least 1000 ms, `#` when no terminators are given.
 */
export function parseReadArgs(data: string): ReadSpec {
  const argv = separateString(data, ' ', 7);
  const min = Math.max(1, atoi(argv[0] ?? ''));
  return {
    min,
    max: Math.max(min, atoi(argv[1] ?? '')),
    prompt: argv[2],
    variable: argv[3],
    timeout: Math.max(1000, argv.length > 4 ? atoi(argv[4] ?? '') : 1000),
    terminators: argv[5] || '#',
    digitTimeout: Math.max(0, atoi(argv[6] ?? '')),
  };
}

export interface PlayAndGetDigitsSpec extends ReadSpec {
  readonly tries: number;
  readonly invalidFile: string | undefined;
  readonly regex: string | undefined;
  /** `<exten> [<dialplan> [<context>]]` to transfer to when every try failed. */
  readonly transferOnFailure: string | undefined;
}

/**
 * `play_and_get_digits <min> <max> <tries> <timeout> <terminators> <file> <invalid_file> [<var>
 * [<regex> [<digit_timeout> ['<exten> [<dialplan> [<context>]]']]]]`.
 */
export function parsePlayAndGetDigitsArgs(data: string): PlayAndGetDigitsSpec {
  const argv = separateString(data, ' ', 11);
  const min = Math.max(0, atoi(argv[0] ?? ''));
  return {
    min,
    max: Math.max(min, atoi(argv[1] ?? '')),
    tries: atoi(argv[2] ?? ''),
    timeout: Math.max(1000, argv.length > 3 ? atoi(argv[3] ?? '') : 1000),
    terminators: argv[4] || '#',
    prompt: argv[5],
    invalidFile: argv[6],
    variable: argv[7],
    regex: argv[8],
    digitTimeout: Math.max(0, atoi(argv[9] ?? '')),
    transferOnFailure: argv[10],
  };
}

/**
 * switch_play_and_get_digits: `read` up to `tries` times; input that is long enough and matches
 * the regex ends it; otherwise the variable is cleared (`<var>_invalid` keeps input the regex
 * refused), the invalid file plays and the next try starts. When every try failed, the call is
 * transferred if a failure extension was given. `done` learns whether it ended in success.
 */
export function playAndGetDigits(ch: AppChannel, spec: PlayAndGetDigitsSpec, done: (success: boolean) => void | Promise<void>): Promise<Interrupter> {
  const invalidVar = spec.variable ? `${spec.variable}_invalid` : undefined;
  if (spec.regex && invalidVar) ch.setVariable(invalidVar, undefined);
  let tries = spec.tries;
  let over = false;
  // what a hangup ends: the read or the invalid file running now; a step that ended at once has
  // already started the next, whose interrupter must not be overwritten (`step` numbers them)
  let current: Interrupter | undefined;
  let step = 0;
  const track = (mine: number, interrupt: Interrupter | undefined) => {
    if (mine === step) current = interrupt;
  };
  const finish = async (success: boolean) => {
    if (over) return;
    over = true;
    await done(success);
  };

  const failed = async () => {
    const target = spec.transferOnFailure ? separateString(spec.transferOnFailure, ' ', 4) : [];
    if (target[0]) {
      const [ext, dp, ctx] = target;
      ch.core.log('WARNING', `PAGD failure! Transfer to: ${ext} / ${dp ?? '(null)'} / ${ctx ?? '(null)'}`, ch.uuid);
      await ch.redirect(ext, dp, ctx);
    }
    await finish(false);
  };

  const attempt = async (): Promise<void> => {
    if (ch.hungUp || tries <= 0) return failed();
    const reading = ++step;
    const interrupt = await readDigits(ch, spec, async (status, digits) => {
      if (status === 'restart') return finish(false);
      const st = status === 'timeout' && digits.length >= spec.min ? 'success' : status;
      if (spec.min === 0 && digits === '' && ch.variable('read_terminator_used') !== undefined) return finish(true);
      if (st === 'success' && digits !== '') {
        if (!spec.regex || regexPerform(digits, spec.regex).matched) return finish(true);
        if (spec.variable) ch.setVariable(spec.variable, undefined);
        if (invalidVar) ch.setVariable(invalidVar, digits);
      }
      if (ch.hungUp) return failed();
      const next = async () => {
        tries--;
        await attempt();
      };
      // the invalid file does not read digits: they stay queued for the next prompt
      if (!spec.invalidFile) return next();
      const playing = ++step;
      track(playing, await playFile(ch, spec.invalidFile, next));
    });
    track(reading, interrupt);
  };

  return attempt().then(() => () => (over ? undefined : current?.()));
}

/** An application that needs arguments: without any it logs ERR `No arguments specified.` and ends. */
const withArguments =
  (run: Application['run']): Application['run'] =>
  async (ch, data, done) => {
    if (data.trim() !== '') return run(ch, data, done);
    ch.core.log('ERR', 'No arguments specified.', ch.uuid);
    await done();
    return undefined;
  };

export const IVR_APPLICATIONS: readonly Application[] = [
  {
    name: 'read',
    needsMedia: true,
    run: withArguments((ch, data, done) =>
      readDigits(ch, parseReadArgs(data), async () => {
        await done();
      }),
    ),
  },
  {
    name: 'play_and_get_digits',
    needsMedia: true,
    run: withArguments((ch, data, done) => playAndGetDigits(ch, parsePlayAndGetDigitsArgs(data), () => done())),
  },
  { name: 'flush_dtmf', run: sync((ch: AppChannel) => ch.flushDtmf()) },
];
