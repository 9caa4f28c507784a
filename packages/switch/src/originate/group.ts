/**
 * One `|` group of switch_ivr_originate: its `,` legs made in order (a refusal may end the whole
 * originate under `fail_on_single_reject`), then one wait for all of them — the legs report each
 * status change by message and are monitored, and one timer wakes the wait for the nearest of the
 * group timeout, the group's progress timeout and the legs' own timers (`leg_timeout`,
 * `leg_progress_timeout`, `leg_delay_start`) — then the losers hung up and the group's cause.
 * Each look also does what a leg's ringing or early media means for the caller (caller_media.ts),
 * and a leg that would win with a confirm key is tagged and confirms first (confirm.ts).
 *
 * FreeSWITCH polls every 20 ms and compares whole seconds; here each message or timer runs the
 * poll's checks in its order. Times are kept in ms from the group's start: a check FreeSWITCH
 * makes with `>=` is due at N s, one made with `>` just after it (the same instant, after the
 * `>=` checks) — so the group timeout at N s wins over a `leg_timeout` or `progress_timeout` of
 * N s, as in FreeSWITCH.
 */
import { DOWN, GenServer, type ProcessContext, TIMEOUT, refEquals } from '@beamline/core';
import { type Pid, type Ref, Tuple } from '@beamline/etf';
import { Cause, causeName } from '../channel/causes.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { LegReport, LegStatus, OriginateApiProfile, OriginateCaller, OriginateCancel } from '../channel/originate_types.ts';
import { swapOf } from '../core/channel_swap.ts';
import type { SwitchLogLevel } from '../core/core.ts';
import { type DialLeg, type VarList, getVar, legVars, setVar } from '../endpoints/dial_string.ts';
import { atoi } from '../internal/strings.ts';
import { type EarlyMediaState, GroupMedia } from './caller_media.ts';
import { swapLeg } from './channel_swap.ts';
import { isConfirmed, startConfirm } from './confirm.ts';
import { type RingCount, isMonitoredRing, unwatchEarlyMedia, watchEarlyMedia } from './early_monitor.ts';
import { type LegResult, prepareLeg } from './legs.ts';
import type { OriginateOptions } from './options.ts';
import { rejectMatches } from './reject.ts';
import type { CallerLine } from './ringback.ts';

export const isCancel = (m: unknown): m is OriginateCancel => typeof m === 'object' && m !== null && 'originateCancel' in m;
const isDown = (m: unknown): m is Tuple => m instanceof Tuple && m.elements.length === 5 && m.elements[0] === DOWN;

/** What one originate carries from group to group and attempt to attempt (switch_ivr_originate's locals). */
export interface OriginateState extends EarlyMediaState {
  /** force_reason: once set, the originate's cause and what every later loser is hung up with. */
  force: number;
  /** oglobals.idx as the last group's wait left it (a group whose legs were all refused keeps it). */
  idx: 'nada' | 'timeout' | 'cancel';
  /** reason: the last leg creation's result or loser cause. */
  reason: number;
  /** The calling channel is gone (a cancel while dialling for it). */
  callerGone: boolean;
  /** The calling channel's cause once gone: the cancel's, as its own is not known here. */
  callerCause: number;
  /** cancel_cause: an originate without a calling channel (an enterprise branch) was cancelled. */
  cancel: number;
  /** oglobals.monitor_early_media_ring_count / _total. */
  ringCount: RingCount;
}

/** An originate's fixed parts, as its groups see them. */
export interface Dialler {
  readonly ctx: ProcessContext;
  readonly services: ChannelServices;
  readonly opts: OriginateOptions;
  readonly from: { readonly caller: OriginateCaller } | { readonly api: OriginateApiProfile };
  /** The legs' reports carry it. */
  readonly tag: number;
  /** Dialling for a calling channel (the bridge application): its hangup cancels, its sleeps end with it. */
  readonly callerMode: boolean;
  readonly log: (level: SwitchLogLevel, text: string) => void;
  readonly state: OriginateState;
  /** The calling channel, signalled while its legs are dialled (not for an enterprise branch). */
  readonly caller: CallerLine | undefined;
}

/** One `,` leg (oglobals.originate_status[i]). `pending` waits out `leg_delay_start`; `dropped` never started. */
interface Slot {
  /** The leg's; a swap (channel_swap.ts) puts another channel in the slot. */
  uuid: string;
  readonly endpoint: string;
  /** CF_PICKUP: a `pickup/` leg (until swapped). */
  pickup: boolean;
  readonly start: () => Promise<LegResult>;
  pid?: Pid;
  monitor?: Ref;
  status: LegStatus | 'pending' | 'dropped' | 'refused';
  cause: number;
  rang: boolean;
  early: boolean;
  /** Rang, had early media (not under the ring monitor) or answered (what `leg_progress_timeout` waits for). */
  progressed: boolean;
  /** Its first early media was seen (the early media monitors were put on it). */
  earlySeen: boolean;
  /** CF_TAGGED: it must confirm before it wins (group_confirm); CF_WINNER: it has. */
  tagged: boolean;
  confirmed: boolean;
  /** ms from the group's start; 0 for none. */
  timeoutMs: number;
  progressMs: number;
  delayMs: number;
}

export type GroupResult =
  | { readonly won: true; readonly winner: { readonly uuid: string; readonly pid: Pid; readonly status: LegStatus }; readonly causes: string[] }
  | {
      readonly won: false;
      readonly cause: number;
      readonly causes: string[];
      /** The group timeout ran out (`to`): later groups and attempts only with `originate_continue_on_timeout`. */
      readonly to: boolean;
      /** The originate ends here (a refusal or a leg's cause in the `fail_on_single_reject` list). */
      readonly stop: boolean;
    };

const isUp = (s: Slot) => s.status === 'none' || s.status === 'ring' || s.status === 'early' || s.status === 'answered';
const isMade = (s: Slot) => s.status !== 'refused';
const secToMs = (v: string | undefined) => Math.max(0, atoi(v ?? '')) * 1000;

/** A cancel seen by the originate: the caller went away, or (no caller) cancel_cause is set. */
export function noteCancel(d: Dialler, m: OriginateCancel): void {
  if (d.callerMode) {
    d.state.callerGone = true;
    d.state.callerCause ||= m.originateCancel;
  } else d.state.cancel ||= m.originateCancel;
}

/** Takes a cancel already waiting, without waiting for one. */
export async function pollCancel(d: Dialler): Promise<void> {
  const m = await d.ctx.receive(isCancel, 0);
  if (m !== TIMEOUT) noteCancel(d, m as OriginateCancel);
}

/**
 * The failure cause at switch_ivr_originate's `done:` — the first made leg's cause, else the last
 * creation's result (or the caller's cause), SUCCESS/NONE → ORIGINATOR_CANCEL, then the wait's
 * outcome: cancelled → ORIGINATOR_CANCEL, timed out (or ended by a single reject) → NO_ANSWER.
 */
export function doneCause(d: Dialler, firstLegCause: number): number {
  const s = d.state;
  let cause = firstLegCause || s.reason || (d.callerMode ? s.callerCause : Cause.DESTINATION_OUT_OF_ORDER);
  if (cause === Cause.SUCCESS || cause === Cause.NONE) cause = Cause.ORIGINATOR_CANCEL;
  if (s.idx === 'cancel') cause = Cause.ORIGINATOR_CANCEL;
  else if (s.idx === 'timeout') cause = Cause.NO_ANSWER;
  return cause;
}

/** A leg hung up by the originate; a leg already down keeps its cause. */
async function hangupLeg(ctx: ProcessContext, slot: Slot, cause: number, loser = false): Promise<void> {
  if (!isUp(slot) || !slot.pid) return;
  slot.status = 'down';
  slot.cause = cause;
  try {
    if (loser) await GenServer.call(ctx, slot.pid, { op: 'setvar', name: 'group_dial_status', value: 'loser' });
    await GenServer.call(ctx, slot.pid, { op: 'hangup', cause });
  } catch {
    // already gone: its hangup was on its way
  }
}

/** The confirmed winner's `group_confirm_*` variables are unset (not `group_confirm_timeout`). */
async function clearConfirmVariables(ctx: ProcessContext, slot: Slot): Promise<void> {
  if (!slot.pid) return;
  for (const name of [
    'group_confirm_key',
    'group_confirm_file',
    'group_confirm_error_file',
    'group_confirm_cancel_timeout',
    'group_confirm_read_timeout',
  ]) {
    try {
      await GenServer.call(ctx, slot.pid, { op: 'setvar', name, value: undefined });
    } catch {
      return;
    }
  }
}

/** Dials one `|` group; `state` is shared with the originate's other groups and attempts. */
export async function dialGroup(d: Dialler, group: readonly DialLeg[], globals: VarList): Promise<GroupResult> {
  const { ctx, opts, state } = d;
  const sr = opts.singleReject;
  const len = group.length;
  const slots: Slot[] = [];
  let checkReject = true;
  state.reason = Cause.NONE;

  /** A leg the endpoint refused (or that could not start): counted as hung up from the start. */
  const refused = (endpoint: string, cause: number) => {
    d.log('NOTICE', `Cannot create outgoing channel of type [${endpoint}] cause: [${causeName(cause)}]`);
    state.reason = cause;
  };
  const startSlot = async (slot: Slot): Promise<boolean> => {
    const r = await slot.start();
    if (!r.ok) {
      slot.status = 'refused';
      refused(slot.endpoint, r.cause);
      return false;
    }
    slot.pid = r.pid;
    slot.monitor = ctx.monitor(r.pid);
    slot.status = 'none';
    return true;
  };

  let creationStopped = false;
  for (const dl of group) {
    if (d.callerMode) {
      await pollCancel(d);
      // switch_ivr_originate stops making legs once the caller is not ready and goes to `done:`
      if (state.callerGone) return finish(d, slots, undefined, false, checkReject);
    }
    // every leg gets originate_early_media: whether early media wins as the originate stands now
    const withEarly = setVar(globals, 'originate_early_media', state.earlyOk ? 'true' : 'false');
    const vars = legVars({ vars: withEarly, groups: [] }, dl);
    const p = await prepareLeg(ctx, d.services, dl, vars, d.from, { pid: ctx.self, tag: d.tag });
    if (p.ok) {
      const lt = secToMs(getVar(vars, 'leg_timeout'));
      const lp = secToMs(getVar(vars, 'leg_progress_timeout'));
      const delay = secToMs(getVar(vars, 'leg_delay_start'));
      const slot: Slot = {
        uuid: p.uuid,
        endpoint: dl.endpoint,
        pickup: dl.endpoint.toLowerCase() === 'pickup',
        start: p.start,
        status: 'pending',
        cause: Cause.NONE,
        rang: false,
        early: false,
        progressed: false,
        earlySeen: false,
        tagged: false,
        confirmed: false,
        // a delayed leg's timers count from the group's start too, so they are moved on by the delay
        timeoutMs: lt && delay ? lt + delay : lt,
        progressMs: lp && delay ? lp + delay : lp,
        delayMs: delay,
      };
      if (delay > 0 || (await startSlot(slot))) {
        state.reason = Cause.SUCCESS;
        slots.push(slot);
        continue;
      }
    } else refused(dl.endpoint, p.cause);
    // a refusal (state.reason) under fail_on_single_reject: the list check is off for this group,
    // and a match ends the whole originate with that cause
    const cause = state.reason;
    if (sr.list !== undefined) {
      checkReject = false;
      if (sr.any || rejectMatches(sr.list, cause)) {
        state.force = cause;
        creationStopped = true;
        break;
      }
    }
  }
  if (creationStopped) {
    // FreeSWITCH leaves the group's other legs as they are here (it jumps past their clean-up);
    // they are hung up with the originate's cause instead, and not reported in originate_causes
    for (const s of slots) await hangupLeg(ctx, s, state.force);
    for (const s of slots) if (s.monitor) ctx.demonitor(s.monitor, { flush: true });
    return { won: false, cause: state.force, causes: [], to: false, stop: true };
  }
  if (slots.length === 0) return finish(d, slots, undefined, false, checkReject);

  const start = ctx.now();
  let to = false;
  let winner: Slot | undefined;
  const refusedCount = len - slots.length;
  const media = new GroupMedia(d, len, () => slots[0]);

  const won = (s: Slot) =>
    s.status === 'answered' || (state.earlyOk && s.status === 'early') || (state.ringReady && opts.returnRingReady && len === 1 && s.rang);

  /**
   * A leg that would win, not yet tagged: with a confirm key (the originate's or its own) it is
   * tagged, its timers moved or cleared, and its confirm started on it; true when it must confirm.
   */
  const mustConfirm = async (s: Slot, elapsed: number): Promise<boolean> => {
    if (!s.pid) return false;
    const started = await startConfirm(ctx, s.pid, opts.confirm, elapsed, d.tag, (text) => d.services.core.log('DEBUG', text));
    if (!started) return false;
    s.tagged = true;
    if (started.timersMs !== undefined) {
      s.timeoutMs = started.timersMs;
      s.progressMs = started.timersMs;
    }
    return true;
  };

  /** check_per_channel_timeouts: delayed legs started, `leg_progress_timeout` and `leg_timeout` applied. */
  const perChannel = async (elapsed: number, after: (due: number) => boolean): Promise<boolean> => {
    let acted = false;
    const active = slots.filter(isUp).length;
    const pending = slots.filter((s) => s.status === 'pending');
    let delayedMin = 0;
    let earlyExit = 0;
    if (active === 0 && pending.length > 0) {
      // nothing else rings: the first delayed legs start now, the others keep their distance
      delayedMin = Math.min(...pending.map((s) => s.delayMs));
      earlyExit = delayedMin - elapsed;
    }
    for (const s of slots) {
      if (s.status === 'pending' && (after(s.delayMs) || active === 0)) {
        if (active === 0) {
          if (s.timeoutMs) s.timeoutMs = s.timeoutMs > earlyExit ? s.timeoutMs - earlyExit : 1000;
          if (s.progressMs) s.progressMs = s.progressMs > earlyExit ? s.progressMs - earlyExit : 1000;
          s.delayMs -= delayedMin;
        } else s.delayMs = 0;
        if (s.delayMs === 0) {
          await startSlot(s);
          acted = true;
        }
      }
      if (isUp(s)) {
        if (s.progressMs && after(s.progressMs) && !s.progressed) {
          await hangupLeg(ctx, s, Cause.PROGRESS_TIMEOUT);
          state.force = Cause.PROGRESS_TIMEOUT;
          acted = true;
        }
        if (s.timeoutMs && after(s.timeoutMs)) {
          await hangupLeg(ctx, s, Cause.ALLOTTED_TIMEOUT);
          acted = true;
        }
      }
    }
    return acted;
  };

  /**
   * One pass of the wait (the loop's condition, check_channel_status, then its body); `inclusive`
   * makes the `>` checks due at this very instant. Returns 'end', 'acted' (look again at once) or 'wait'.
   */
  const pass = async (inclusive: boolean): Promise<'end' | 'acted' | 'wait'> => {
    if (d.callerMode && state.callerGone) return 'end';
    state.idx = 'nada';
    media.relayCheck();
    const elapsed = ctx.now() - start;
    await swapOne();
    let hups = refusedCount;
    let acted = false;
    /** pickups_without_timelimit: the `pickup/` legs up without a `leg_timeout`, up to the leg looked at. */
    let pickups = 0;
    for (const s of slots) {
      await media.look(s);
      if (s.early && !s.earlySeen) {
        s.earlySeen = true;
        if (s.pid && (opts.monitorFail || opts.monitorRing)) await watchEarlyMedia(ctx, s.pid, opts, state.ringCount, d.tag);
      }
      if (s.pickup && !s.timeoutMs && isUp(s)) pickups++;
      if (s.status === 'down' || s.status === 'refused') hups++;
      else if (isUp(s) && won(s) && !s.tagged) {
        if (await mustConfirm(s, elapsed)) {
          acted = true;
          continue;
        }
        winner = s;
        break;
      } else if (isUp(s) && s.confirmed) {
        await clearConfirmVariables(ctx, s);
        winner = s;
        break;
      }
    }
    media.lookDone();
    // a look that ends the wait with pickup legs counted hangs every pickup leg up NO_PICKUP
    // (only they are left, or a leg after one of them won)
    if (winner || (hups > 0 && hups + pickups === len)) {
      if (pickups > 0) for (const s of slots) if (s.pickup) await hangupLeg(ctx, s, Cause.NO_PICKUP);
      return 'end';
    }
    if (!d.callerMode && state.cancel) {
      state.force ||= state.cancel;
      state.idx = 'cancel';
      return 'end';
    }
    const after = (due: number) => (inclusive ? elapsed >= due : elapsed > due);
    if (await perChannel(elapsed, after)) acted = true;
    // FreeSWITCH counts whole seconds: `elapsed > progress` first holds at progress + 1, and
    // `elapsed >= timeout` at timeout. So a progress timeout not below the timeout (by default they
    // are equal) can end the wait only once the timeout was checked and let it go on (a cause
    // list), never before it, whatever the clock's jitter.
    const progressDue = opts.progressTimeoutSec < opts.timeoutSec || to;
    if (progressDue && !media.sentRing && !media.progress && after(opts.progressTimeoutSec * 1000)) {
      state.idx = 'timeout';
      state.force ||= Cause.PROGRESS_TIMEOUT;
      return 'end';
    }
    to = elapsed >= opts.timeoutSec * 1000;
    if (to || (sr.on && hups > 0)) {
      // a cause list lets the group go on (even past its timeout) until a leg ends with a listed cause
      const listed = sr.list !== undefined && !sr.any ? slots.some((s) => s.status === 'down' && rejectMatches(sr.list as string, s.cause)) : true;
      if (listed) {
        state.idx = 'timeout';
        return 'end';
      }
    }
    const ringback = await media.ringback(slots);
    if (ringback === 'gone') {
      // the caller could not be pre-answered: it is down (FreeSWITCH goes to `done:`)
      state.callerGone = true;
      return 'end';
    }
    return acted || ringback === 'acted' ? 'acted' : 'wait';
  };

  /** The first marked leg swapped for the channel its mark names (channel_swap.ts). */
  const swapOne = async (): Promise<void> => {
    for (const s of slots) {
      if (!isUp(s) || !s.pid || swapOf(d.services.core, s.uuid) === undefined) continue;
      const swap = await swapLeg(ctx, d.services.core, s.uuid, s.pid);
      if (!swap) continue;
      if (swap === 'gone') {
        s.status = 'down';
        s.cause = Cause.PICKED_OFF;
        return;
      }
      if (s.monitor) ctx.demonitor(s.monitor, { flush: true });
      s.uuid = swap.uuid;
      s.pid = swap.pid;
      s.monitor = ctx.monitor(swap.pid);
      s.status = swap.status;
      s.pickup = false;
      s.progressed = true;
      return;
    }
  };

  /** The next instant something is due, in ms from now; undefined for none. */
  const nextDue = (): number | undefined => {
    const elapsed = ctx.now() - start;
    const dues: number[] = [];
    if (!to) dues.push(opts.timeoutSec * 1000);
    if (!media.sentRing && !media.progress) dues.push(opts.progressTimeoutSec * 1000);
    for (const s of slots) {
      if (s.status === 'pending') dues.push(s.delayMs);
      else if (isUp(s)) {
        if (s.timeoutMs) dues.push(s.timeoutMs);
        if (s.progressMs && !s.progressed) dues.push(s.progressMs);
      }
    }
    const future = dues.filter((t) => t > elapsed);
    return future.length ? Math.min(...future) - elapsed : undefined;
  };

  const slotOfDown = (m: Tuple) => slots.find((s) => s.monitor !== undefined && refEquals(s.monitor, m.elements[1] as Ref));
  let wait: number | undefined;
  for (;;) {
    const strict = await pass(false);
    const r = strict === 'end' ? 'end' : await pass(true);
    if (r === 'end') break;
    wait = r === 'acted' || strict === 'acted' ? 0 : nextDue();
    const msg = await ctx.receive(
      (m) =>
        isCancel(m) ||
        (isDown(m) && slotOfDown(m) !== undefined) ||
        isConfirmed(m, d.tag) ||
        isMonitoredRing(m, d.tag) ||
        (typeof m === 'object' && m !== null && (m as LegReport).originateLeg === d.tag),
      wait,
    );
    if (msg === TIMEOUT) continue;
    if (isCancel(msg)) noteCancel(d, msg);
    else if (isMonitoredRing(msg, d.tag)) media.monitoredRing();
    else if (isConfirmed(msg, d.tag)) {
      const s = slots.find((x) => x.uuid === msg.uuid);
      if (s && isUp(s)) s.confirmed = true;
    } else if (isDown(msg)) {
      // a leg reports its end before it exits; one that exits without a word was killed
      const gone = slotOfDown(msg);
      if (gone && isUp(gone)) {
        gone.status = 'down';
        gone.cause = Cause.CRASH;
      }
    } else {
      const report = msg as LegReport;
      if (report.earlyOk) state.earlyOk = true;
      const s = slots.find((x) => x.uuid === report.uuid);
      if (s && isUp(s)) {
        s.status = report.status;
        s.cause = report.cause;
        if (report.status === 'ring') s.rang = true;
        if (report.status === 'early') s.early = true;
        if (report.status === 'ring' || report.status === 'answered' || (report.status === 'early' && !opts.monitorRing)) s.progressed = true;
      }
    }
  }

  // notready: a caller gone cancels, even a winner found in the same look
  if (d.callerMode && state.callerGone) {
    state.idx = 'cancel';
    winner = undefined;
  }
  for (const s of slots) {
    if (s === winner || !isMade(s)) continue;
    let reason: number;
    if (state.idx === 'timeout' || to) reason = Cause.NO_ANSWER;
    else if (state.idx === 'cancel') reason = Cause.ORIGINATOR_CANCEL;
    else if (len > 1) reason = Cause.LOSE_RACE;
    else reason = s.status === 'down' ? s.cause : Cause.NO_ANSWER;
    state.reason = reason;
    const cause = state.force || reason;
    if (s.status === 'pending') {
      // FreeSWITCH hangs the held session up; here it was never started
      s.status = 'dropped';
      s.cause = cause;
    } else await hangupLeg(ctx, s, cause, state.force === Cause.LOSE_RACE || reason === Cause.LOSE_RACE);
  }
  media.done();
  if (winner?.pid && (opts.monitorFail || opts.monitorRing)) await unwatchEarlyMedia(ctx, winner.pid);
  return finish(d, slots, winner, to, checkReject);
}

/** switch_ivr_originate's `done:` for one group: the causes, the cause, the last hangups. */
async function finish(d: Dialler, slots: Slot[], winner: Slot | undefined, to: boolean, checkReject: boolean): Promise<GroupResult> {
  const { ctx, opts } = d;
  // originate_causes is read before the last hangups: a leg still up there is NONE
  const causes = slots
    .filter((s) => s.pid !== undefined && s.status !== 'refused')
    .map((s) => `${s.uuid};${causeName(s === winner ? Cause.NONE : s.cause)}`);
  if (winner?.pid) {
    for (const s of slots) if (s.monitor) ctx.demonitor(s.monitor, { flush: true });
    return { won: true, winner: { uuid: winner.uuid, pid: winner.pid, status: winner.status as LegStatus }, causes };
  }
  const first = slots.find(isMade);
  const cause = doneCause(d, first && isUp(first) ? Cause.NONE : (first?.cause ?? Cause.NONE));
  for (const s of slots) {
    if (s.status === 'pending') {
      s.status = 'dropped';
      s.cause = cause;
    } else await hangupLeg(ctx, s, cause);
  }
  for (const s of slots) if (s.monitor) ctx.demonitor(s.monitor, { flush: true });
  const sr = opts.singleReject;
  // a leg that ended with a listed cause ends the originate (not with `true`: the next group is tried)
  const stop =
    sr.on && checkReject && !sr.any && sr.list !== undefined && slots.some((s) => s.status === 'down' && rejectMatches(sr.list as string, s.cause));
  return { won: false, cause, causes, to, stop };
}
