/**
 * `group_confirm_*` (switch_ivr_originate): a leg that would win (answered, early media while
 * early media counts, ringing with `return_ring_ready`) must first confirm. The originate tags it
 * and starts, on the leg, what FreeSWITCH's collect thread does — play `group_confirm_file` and
 * read as many digits as `group_confirm_key` has (switch_ivr_read, `group_confirm_read_timeout`
 * ms, 5000 by default) until they are the key, playing `group_confirm_error_file` after each
 * wrong or missing answer; or, with the key `exec`, run the application `group_confirm_file`
 * names (`app arg`) — and the leg wins once it has (CF_WINNER, `group_dial_status=winner`). The
 * other legs go on ringing meanwhile. `group_confirm_timeout` gives the confirming leg that many
 * seconds more (then ALLOTTED_TIMEOUT); 0, or `group_confirm_cancel_timeout`, clears its own
 * timers — the group timeout still counts.
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { readDigits } from '../applications/ivr.ts';
import { playFile } from '../applications/media.ts';
import type { Interrupter } from '../applications/types.ts';
import { Cause } from '../channel/causes.ts';
import type { OriginateLeg, OriginateLegTask } from '../channel/originate_types.ts';
import { atoi, isNumber, switchTrue } from '../internal/strings.ts';
import { legVariable } from './legs.ts';

/** The originate-wide confirm settings (oglobals.key, file, error_file, confirm_*), from the `{…}` variables. */
export interface ConfirmOptions {
  /** `group_confirm_key`, at most 79 characters (oglobals.key); '' for none. */
  readonly key: string;
  /** `group_confirm_file` (`undef`: none); read only with a key. */
  readonly file: string | undefined;
  /** `group_confirm_error_file` (`undef`: none); read only with a key, and only here: a leg's own is not looked at. */
  readonly errorFile: string | undefined;
  /** `group_confirm_read_timeout` in ms (0: the default, 5000); read only with a key. */
  readonly readTimeoutMs: number;
  /** `group_confirm_timeout` when it is a number (oglobals.confirm_timeout), else 0. */
  readonly timeoutSec: number;
  /** `group_confirm_timeout=0`, or (without a `group_confirm_timeout`) `group_confirm_cancel_timeout` true. */
  readonly cancelTimeout: boolean;
}

const KEY_MAX = 79;
/** switch_ivr_read's buffer in the collect thread (`char buf[10]`). */
const DIGIT_BUFFER = 10;
const DEFAULT_READ_TIMEOUT_MS = 5000;

export function readConfirmOptions(get: (name: string) => string | undefined): ConfirmOptions {
  let timeoutSec = 0;
  let cancelTimeout = false;
  const timeout = get('group_confirm_timeout');
  if (timeout !== undefined) {
    // it has precedence over group_confirm_cancel_timeout, even when it is not a number
    if (isNumber(timeout)) {
      timeoutSec = atoi(timeout);
      cancelTimeout = timeoutSec === 0;
    }
  } else cancelTimeout = switchTrue(get('group_confirm_cancel_timeout'));
  const key = get('group_confirm_key');
  if (key === undefined) return { key: '', file: undefined, errorFile: undefined, readTimeoutMs: 0, timeoutSec, cancelTimeout };
  const defined = (v: string | undefined) => (v === 'undef' ? undefined : v);
  // a negative read timeout is ignored: the default
  const readTimeout = Math.max(0, atoi(get('group_confirm_read_timeout') ?? ''));
  return {
    key: key.slice(0, KEY_MAX),
    file: defined(get('group_confirm_file')),
    errorFile: defined(get('group_confirm_error_file')),
    readTimeoutMs: readTimeout,
    timeoutSec,
    cancelTimeout,
  };
}

/** What one leg is asked to confirm with: its own variables over the originate's. */
export interface ConfirmSpec {
  readonly key: string;
  readonly file: string | undefined;
  readonly errorFile: string | undefined;
  readonly readTimeoutMs: number;
}

/** The leg's own `group_confirm_*` variables, as check_channel_status reads them from the leg. */
export interface LegConfirmVars {
  readonly key: string | undefined;
  readonly file: string | undefined;
  readonly timeout: string | undefined;
}

/**
 * Whether a winning leg must confirm, with what, and its timers then: `extendSec` more seconds,
 * or `cancel` them, or neither. Undefined: no key anywhere, the leg wins at once.
 */
export function confirmFor(
  opts: ConfirmOptions,
  leg: LegConfirmVars,
): { readonly spec: ConfirmSpec; readonly extendSec: number; readonly cancel: boolean } | undefined {
  if (!opts.key && !leg.key) return undefined;
  let extendSec = opts.timeoutSec;
  let legCancel = false;
  if (leg.timeout !== undefined && isNumber(leg.timeout)) {
    extendSec = atoi(leg.timeout);
    legCancel = extendSec === 0;
  }
  return {
    spec: {
      key: leg.key || opts.key,
      file: leg.file || opts.file,
      errorFile: opts.errorFile || undefined,
      readTimeoutMs: opts.readTimeoutMs || DEFAULT_READ_TIMEOUT_MS,
    },
    extendSec,
    cancel: extendSec <= 0 && (opts.cancelTimeout || legCancel),
  };
}

/**
 * check_channel_status for a leg that would win, from the originate's process: with a key it is
 * to confirm, its confirm is started on it (ChannelCast `originateTask`) and the answer says what
 * becomes of its own timers — `timersMs` from the group's start (`elapsedMs` now), 0 cleared,
 * undefined kept. Undefined: no key anywhere, the leg wins.
 */
export async function startConfirm(
  ctx: ProcessContext,
  leg: Pid,
  opts: ConfirmOptions,
  elapsedMs: number,
  tag: number,
  debug: (text: string) => void,
): Promise<{ readonly timersMs: number | undefined } | undefined> {
  const c = confirmFor(opts, {
    key: await legVariable(ctx, leg, 'group_confirm_key'),
    file: await legVariable(ctx, leg, 'group_confirm_file'),
    timeout: await legVariable(ctx, leg, 'group_confirm_timeout'),
  });
  if (!c) return undefined;
  let timersMs: number | undefined;
  if (c.extendSec > 0) {
    // this leg only: its timers end that many seconds from now (whole seconds, as the source counts)
    const elapsed = Math.floor(elapsedMs / 1000);
    timersMs = (elapsed + c.extendSec) * 1000;
    debug(`elapsed ${elapsed}, timelimit extended to ${elapsed + c.extendSec}`);
  } else if (c.cancel) timersMs = 0;
  GenServer.cast(ctx, leg, { op: 'originateTask', run: confirmTask(c.spec, { pid: ctx.self, tag }) });
  return { timersMs };
}

/** A confirmed leg tells its originate (it wins at the originate's next look). */
export interface LegConfirmed {
  readonly originateConfirmed: number;
  readonly uuid: string;
}

export const isConfirmed = (m: unknown, tag: number): m is LegConfirmed =>
  typeof m === 'object' && m !== null && (m as LegConfirmed).originateConfirmed === tag;

/**
 * collect_thread_run, as work for the leg's process: on success the leg is marked the winner
 * (`group_dial_status=winner`) and `originate` (the asking process, with its tag) is told.
 */
export function confirmTask(spec: ConfirmSpec, originate: { readonly pid: Pid; readonly tag: number }): OriginateLegTask {
  return async (leg) => {
    const won = () => {
      leg.setVariable('group_dial_status', 'winner');
      leg.ctx.send(originate.pid, { originateConfirmed: originate.tag, uuid: leg.uuid } satisfies LegConfirmed);
    };
    if (spec.key.toLowerCase() === 'exec') {
      await execConfirm(leg, spec.file, won);
      return;
    }
    // a leg already down: nothing to confirm (its hangup is on its way to the originate)
    if (leg.hungUp) return;
    await keyConfirm(leg, spec, won);
  };
}

/** `exec`: the application `file` names (`app arg`) runs on the leg; the leg wins if it is still up after it. */
async function execConfirm(leg: OriginateLeg, file: string | undefined, won: () => void): Promise<void> {
  // no application: the leg never confirms (and waits for the originate to end it)
  if (!file) return;
  const space = file.indexOf(' ');
  const app = space < 0 ? file : file.slice(0, space);
  const arg = space < 0 ? '' : file.slice(space + 1);
  const after = async () => {
    if (!leg.hungUp) won();
  };
  // an unknown application: `Invalid Application <app>` and DESTINATION_OUT_OF_ORDER (Channel.execute)
  if (await leg.execute(app, arg, after)) await after();
}

/**
 * The key loop: switch_ivr_read of the key's length (the prompt first, no terminators) while the
 * leg is up; the key → winner; anything else → the error file, then again. A prompt the hangup
 * cut short is switch_ivr_read's failure: ERR `<leg> Error Playing File!` (and a hangup, which
 * then changes nothing).
 */
async function keyConfirm(leg: OriginateLeg, spec: ConfirmSpec, won: () => void): Promise<void> {
  const len = spec.key.length;
  // what a hangup ends: the read or the error file running now (`step` numbers them, so one that
  // ended at once and started the next does not overwrite the next's interrupter)
  let current: Interrupter | undefined;
  let step = 0;
  let over = false;
  const track = (mine: number, interrupt: Interrupter | undefined) => {
    if (mine === step) current = interrupt;
  };
  const off = leg.beside(() => {
    over = true;
    return current?.();
  });
  const end = () => {
    over = true;
    off();
  };
  const failed = async () => {
    leg.core.log('ERR', `${leg.name} Error Playing File!`, leg.uuid);
    if (!leg.hungUp) await leg.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
  };
  const again = async (): Promise<void> => {
    if (over || leg.hungUp) return end();
    if (len > DIGIT_BUFFER) {
      leg.setVariable('read_result', undefined);
      leg.core.log('ERR', 'Buffer too small!', leg.uuid);
      await failed();
      return end();
    }
    const reading = ++step;
    const read = {
      min: len,
      max: len,
      prompt: spec.file || 'silence',
      variable: undefined,
      timeout: spec.readTimeoutMs,
      terminators: '',
      digitTimeout: 0,
    };
    const interrupt = await readDigits(leg, read, async (status, digits) => {
      if (status === 'aborted') await failed();
      if (digits === spec.key && !leg.hungUp) {
        end();
        won();
        return;
      }
      if (over || leg.hungUp) return end();
      if (!spec.errorFile) return again();
      const playing = ++step;
      track(playing, await playFile(leg, spec.errorFile, again));
    });
    track(reading, interrupt);
  };
  await again();
}
