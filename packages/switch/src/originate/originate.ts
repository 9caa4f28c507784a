/**
 * switch_ivr_originate, run in the process that asks (an API command's, or the process the
 * `bridge` application spawns): the `|` groups are tried in order, the `,` legs of a group are
 * dialled at once and the first leg to answer (or to have early media, unless
 * `ignore_early_media`; or to ring, with `return_ring_ready`) wins — after confirming, with
 * `group_confirm_key` (confirm.ts); the caller hears ringback meanwhile (caller_media.ts,
 * ringback.ts); the others are hung up with LOSE_RACE, NO_ANSWER on the timeout,
 * ORIGINATOR_CANCEL when the caller went away (group.ts).
 * `originate_retries` runs the groups again (originate_retry_* decide the pauses and the end);
 * `hangup_on_single_reject` hangs the caller up with the outcome. `:_:` branches run as
 * originates of their own in processes of their own; the first success wins and the others are
 * cancelled with LOSE_RACE.
 *
 * Each leg is started with the originate as its watcher and reports every status change by
 * message (and the originate monitors it, for a leg killed without a word), so one process waits
 * for all of them with one receive and one timer.
 */
import { GenServer, type ProcessContext, TIMEOUT } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause } from '../channel/causes.ts';
import type { ChannelServices } from '../channel/channel.ts';
import {
  CALLER_ORIGINATE_VARIABLES,
  type LegStatus,
  type OriginateCancel,
  type OriginateRequest,
  type OriginateResult,
} from '../channel/originate_types.ts';
import type { CallerProfile } from '../channel/profile.ts';
import type { Exports } from '../channel/exports.ts';
import { type DialString, type VarList, getVar, parseDialString, setVar } from '../endpoints/dial_string.ts';
import { type Dialler, type OriginateState, dialGroup, doneCause, isCancel, noteCancel, pollCancel } from './group.ts';
import { readOriginateOptions } from './options.ts';
import { callerLine, enterpriseRingback, ringbackData } from './ringback.ts';

let tags = 0;

/** switch_ivr_originate: dials `req.dial`; the caller of this owns the winner. */
export async function originateCall(ctx: ProcessContext, services: ChannelServices, req: OriginateRequest): Promise<OriginateResult> {
  const parsed = parseDialString(req.dial);
  if (!parsed.ok) {
    services.core.log('ERR', parsed.log);
    return { ok: false, cause: parsed.cause, causes: [] };
  }
  if ('enterprise' in parsed) {
    let base = req.baseVars ?? [];
    for (const [n, v] of parsed.enterprise.vars) base = setVar(base, n, v);
    return enterprise(ctx, services, req, parsed.enterprise.branches, base);
  }
  return dialGroups(ctx, services, req, parsed.dial, false);
}

/**
 * The attempts (`originate_retries`) over the `|` groups. `branch`: an enterprise branch, which
 * FreeSWITCH dials without the calling channel (its pauses do not end when the caller leaves; a
 * cancel is seen between groups and by the wait).
 */
async function dialGroups(
  ctx: ProcessContext,
  services: ChannelServices,
  req: OriginateRequest,
  dial: DialString,
  branch: boolean,
): Promise<OriginateResult> {
  const caller = branch ? undefined : req.caller;
  let globals: VarList = req.baseVars ?? [];
  for (const [n, v] of dial.vars) globals = setVar(globals, n, v);
  if (caller) {
    for (const n of CALLER_ORIGINATE_VARIABLES) {
      const v = getVar(globals, n) === undefined ? caller.variable(n) : undefined;
      if (v !== undefined) globals = setVar(globals, n, v);
    }
  }
  const log: Dialler['log'] = (level, text) => services.core.log(level, text, caller?.uuid);
  const callTimeout = req.caller?.variable('call_timeout');
  const baseTimeout = callTimeout !== undefined ? Number.parseInt(callTimeout, 10) || 0 : req.timeoutSec;
  const opts = readOriginateOptions((n) => getVar(globals, n), baseTimeout, log);
  const state: OriginateState = {
    force: Cause.NONE,
    idx: 'nada',
    reason: Cause.NONE,
    ringReady: opts.ringReady,
    callerGone: false,
    callerCause: Cause.NONE,
    cancel: Cause.NONE,
    earlyOk: opts.earlyOk,
    earlyMedia: opts.earlyMedia,
    bridgingEarly: false,
    ringCount: { count: 0, total: 0 },
    // ringback is read from the calling channel itself, not from the dial string
    ringback: caller ? ringbackData(caller) : undefined,
  };
  const d: Dialler = {
    ctx,
    services,
    opts,
    from: req.caller ? { caller: req.caller } : { api: req.api ?? { dialplan: 'XML', context: 'default' } },
    tag: ++tags,
    callerMode: caller !== undefined,
    log,
    state,
    caller: caller ? callerLine(ctx, services, caller) : undefined,
  };

  /** switch_ivr_sleep on the caller (ends when it hangs up: false) or switch_yield (cannot be cut short). */
  const pause = async (ms: number): Promise<boolean> => {
    if (!d.callerMode) {
      await ctx.receive(() => false, ms);
      return true;
    }
    if (state.callerGone) return false;
    const m = await ctx.receive(isCancel, ms);
    if (m === TIMEOUT) return true;
    noteCancel(d, m as OriginateCancel);
    return false;
  };

  const causes: string[] = [];
  let cause: number = Cause.NONE;
  let winner: { readonly uuid: string; readonly pid: Pid; readonly status: LegStatus } | undefined;
  const globalStart = ctx.now();
  let lastRetryStart = globalStart;
  attempts: for (let attempt = 0; attempt < opts.retries; attempt++) {
    if (attempt > 0) {
      if (!d.callerMode) await pollCancel(d);
      if (opts.retryTimeoutSec > 0) {
        const elapsed = ctx.now() - globalStart;
        const secs = Math.floor(elapsed / 1000);
        if (elapsed > opts.retryTimeoutSec * 1000) {
          log('NOTICE', `Elapsed = ${secs}, originate retry timeout.`);
          break;
        }
        if (!d.callerMode && state.cancel) {
          log('DEBUG', 'Originate cancelled');
          break;
        }
        log('DEBUG', `Elapsed = ${secs}, originate retry not timed out yet`);
      }
      // an attempt does not start sooner than originate_retry_min_period_ms after the last one began
      if (opts.retryMinPeriodMs > opts.retrySleepMs) {
        const wait = opts.retryMinPeriodMs - opts.retrySleepMs - (ctx.now() - lastRetryStart);
        if (wait > 0 && wait <= 300000) {
          log('INFO', `Minimum retry period has not elapsed yet, waiting ${wait} ms`);
          if (!(await pause(wait))) {
            // the caller left: this attempt's groups are skipped, the next attempt comes here again
            cause = doneCause(d, Cause.NONE);
            continue;
          }
        }
      }
    }
    for (let r = 0; r < dial.groups.length; r++) {
      if (!d.callerMode) {
        await pollCancel(d);
        if (state.cancel) break;
      }
      if (attempt > 0) {
        // FreeSWITCH pauses before every group of a retry, not once per attempt
        log('NOTICE', `Originate attempt ${attempt + 1}/${opts.retries} in ${opts.retrySleepMs} ms`);
        if (!(await pause(opts.retrySleepMs))) {
          state.reason = Cause.NONE;
          cause = doneCause(d, Cause.NONE);
          break attempts;
        }
      }
      if (r === 0) lastRetryStart = ctx.now();
      const g = await dialGroup(d, dial.groups[r] ?? [], globals);
      causes.push(...g.causes);
      if (g.won) {
        winner = g.winner;
        break attempts;
      }
      cause = g.cause;
      if (g.stop || (g.to && !opts.continueOnTimeout)) break attempts;
    }
  }

  let result: OriginateResult;
  if (winner) {
    // the winner's post_originate hooks; its profile is the caller's Other-Leg (originatee)
    let profile: CallerProfile | undefined;
    let bridgeExports: Exports = [];
    try {
      const won = (await GenServer.call(ctx, winner.pid, { op: 'won' })) as { profile: CallerProfile; bridgeExports: Exports };
      if (req.caller) ({ profile, bridgeExports } = won);
    } catch {
      profile = undefined;
    }
    result = { ok: true, winner: { ...winner, profile, bridgeExports }, causes };
  } else result = { ok: false, cause: state.force || cause || Cause.DESTINATION_OUT_OF_ORDER, causes };
  d.caller?.stopRingback();
  if (caller && opts.singleReject.hangupCaller) {
    // as FreeSWITCH, whatever the outcome: on success with the cause SUCCESS (or force_reason)
    await hangupCaller(ctx, services, caller.uuid, result.ok ? state.force || Cause.SUCCESS : result.cause);
  }
  return result;
}

/** `hangup_on_single_reject`: the calling channel hung up with the originate's cause. */
async function hangupCaller(ctx: ProcessContext, services: ChannelServices, uuid: string, cause: number): Promise<void> {
  const pid = services.core.sessions.get(uuid);
  if (!pid) return;
  try {
    await GenServer.call(ctx, pid, { op: 'hangup', cause });
  } catch {
    // gone already
  }
}

interface BranchDone {
  readonly branchDone: number;
  readonly index: number;
  readonly result: OriginateResult;
}

/**
 * switch_ivr_enterprise_originate: each branch an originate of its own (its own process), all at
 * once; the first success wins and the others are cancelled with LOSE_RACE (ORIGINATOR_CANCEL
 * when this originate itself is cancelled). All failed: the last branch's cause that is not
 * LOSE_RACE, else NO_ANSWER.
 */
async function enterprise(
  ctx: ProcessContext,
  services: ChannelServices,
  req: OriginateRequest,
  branches: readonly DialString[],
  base: VarList,
): Promise<OriginateResult> {
  const tag = ++tags;
  const self = ctx.self;
  const pids: Pid[] = [];
  branches.forEach((branch, index) => {
    pids.push(
      ctx.spawn(async (bctx) => {
        const result = await dialGroups(bctx, services, { ...req, baseVars: base }, branch, true);
        bctx.send(self, { branchDone: tag, index, result } satisfies BranchDone);
      }),
    );
  });
  // the caller's ringback starts once the branches are on their way
  const stopRingback = req.caller ? await enterpriseRingback(ctx, services, req.caller) : undefined;
  const results: (OriginateResult | undefined)[] = branches.map(() => undefined);
  let winner: OriginateResult | undefined;
  let cancelled: number | undefined;
  let pending = branches.length;
  while (pending > 0) {
    const msg = await ctx.receive((m) => isCancel(m) || (typeof m === 'object' && m !== null && (m as BranchDone).branchDone === tag));
    if (isCancel(msg)) {
      if (cancelled === undefined && !winner) {
        cancelled = msg.originateCancel;
        for (const pid of pids) ctx.send(pid, { originateCancel: cancelled } satisfies OriginateCancel);
      }
      continue;
    }
    const done = msg as BranchDone;
    pending--;
    results[done.index] = done.result;
    if (done.result.ok) {
      if (winner || cancelled !== undefined) {
        // a second success after the race was decided loses it
        try {
          await GenServer.call(ctx, done.result.winner.pid, { op: 'hangup', cause: cancelled ?? Cause.LOSE_RACE });
        } catch {}
        continue;
      }
      winner = done.result;
      pids.forEach((pid, i) => {
        if (i !== done.index && results[i] === undefined) ctx.send(pid, { originateCancel: Cause.LOSE_RACE } satisfies OriginateCancel);
      });
    }
  }
  stopRingback?.();
  const causes = results.flatMap((r) => r?.causes ?? []);
  if (winner?.ok) return { ok: true, winner: winner.winner, causes };
  let cause: number = Cause.SUCCESS;
  for (const r of results) if (r && !r.ok && r.cause !== cause && r.cause !== Cause.LOSE_RACE && r.cause !== Cause.NO_PICKUP) cause = r.cause;
  if (cancelled !== undefined) cause = cancelled;
  if (cause === Cause.SUCCESS) cause = Cause.NO_ANSWER;
  return { ok: false, cause, causes };
}
