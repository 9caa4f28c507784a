/**
 * switch_ivr_originate, run in the process that asks (an API command's, or the process the
 * `bridge` application spawns): the `|` groups are tried in order, the `,` legs of a group are
 * dialled at once and the first leg to answer (or to have early media, unless
 * `ignore_early_media`; or to ring, with `return_ring_ready`) wins; the others are hung up with
 * LOSE_RACE, NO_ANSWER on the timeout, ORIGINATOR_CANCEL when the caller went away. `:_:`
 * branches run as originates of their own in processes of their own; the first success wins and
 * the others are cancelled with LOSE_RACE.
 *
 * Each leg is started with the originate as its watcher and reports every status change by
 * message (and the originate monitors it, for a leg killed without a word), so one process waits
 * for all of them with one receive and one timer: the group's timeout or the nearest
 * `leg_timeout`, whichever is first.
 */
import { DOWN, GenServer, type ProcessContext, TIMEOUT, refEquals } from '@beamline/core';
import { type Pid, type Ref, Tuple } from '@beamline/etf';
import { Cause, causeName } from '../channel/causes.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { LegReport, LegStatus, OriginateCancel, OriginateRequest, OriginateResult } from '../channel/originate_types.ts';
import type { CallerProfile } from '../channel/profile.ts';
import { type DialString, type VarList, getVar, legVars, parseDialString, setVar } from '../endpoints/dial_string.ts';
import { switchTrue } from '../internal/strings.ts';
import { createLeg } from './legs.ts';

interface Leg {
  readonly uuid: string;
  readonly pid: Pid;
  status: LegStatus;
  cause: number;
  /** Runtime ms when `leg_timeout` hangs it up (ALLOTTED_TIMEOUT); Infinity for none. */
  deadline: number;
  readonly monitor: Ref | undefined;
}

const DEFAULT_TIMEOUT_SEC = 60;
let tags = 0;

const isCancel = (m: unknown): m is OriginateCancel => typeof m === 'object' && m !== null && 'originateCancel' in m;
const isDown = (m: unknown): m is Tuple => m instanceof Tuple && m.elements.length === 5 && m.elements[0] === DOWN;

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
  return dialGroups(ctx, services, req, parsed.dial);
}

async function dialGroups(ctx: ProcessContext, services: ChannelServices, req: OriginateRequest, dial: DialString): Promise<OriginateResult> {
  let globals = req.baseVars ?? [];
  for (const [n, v] of dial.vars) globals = setVar(globals, n, v);
  const g = (name: string) => getVar(globals, name);
  let timeoutSec = req.timeoutSec;
  const callTimeout = req.caller?.variable('call_timeout');
  if (callTimeout !== undefined) timeoutSec = Number.parseInt(callTimeout, 10) || 0;
  const ot = Number.parseInt(g('originate_timeout') ?? '', 10);
  if (ot > 0) timeoutSec = ot;
  if (!(timeoutSec > 0)) timeoutSec = DEFAULT_TIMEOUT_SEC;
  const iem = g('ignore_early_media');
  const earlyOk = !(switchTrue(iem) || iem === 'consume' || iem === 'ring_ready' || switchTrue(g('bridge_early_media')));
  const returnRing = switchTrue(g('return_ring_ready'));
  const continueOnTimeout = switchTrue(g('originate_continue_on_timeout'));
  const from = req.caller ? { caller: req.caller } : { api: req.api ?? { dialplan: 'XML', context: 'default' } };
  const tag = ++tags;
  const causes: string[] = [];
  let cause: number = Cause.NONE;

  for (const group of dial.groups) {
    const legs: Leg[] = [];
    let reason: number = Cause.NONE;
    for (const dl of group) {
      const vars = legVars({ vars: globals, groups: [] }, dl);
      const r = await createLeg(ctx, services, dl, vars, from, { pid: ctx.self, tag });
      if (!r.ok) {
        services.core.log('NOTICE', `Cannot create outgoing channel of type [${dl.endpoint}] cause: [${causeName(r.cause)}]`);
        reason = r.cause;
        continue;
      }
      const lt = Number.parseInt(getVar(vars, 'leg_timeout') ?? '', 10);
      legs.push({
        uuid: r.uuid,
        pid: r.pid,
        status: 'none',
        cause: 0,
        deadline: lt > 0 ? ctx.now() + lt * 1000 : Number.POSITIVE_INFINITY,
        monitor: ctx.monitor(r.pid),
      });
    }
    if (legs.length === 0) {
      cause = reason || Cause.DESTINATION_OUT_OF_ORDER;
      continue;
    }

    const legOf = (down: Tuple) => legs.find((l) => l.monitor !== undefined && refEquals(l.monitor, down.elements[1] as Ref));
    const won = (l: Leg) => l.status === 'answered' || (earlyOk && l.status === 'early') || (returnRing && l.status === 'ring');
    const groupDeadline = ctx.now() + timeoutSec * 1000;
    let winner: Leg | undefined;
    let timedOut = false;
    let cancel: number | undefined;
    for (;;) {
      winner = legs.find(won);
      if (winner || legs.every((l) => l.status === 'down')) break;
      const now = ctx.now();
      let next = groupDeadline;
      for (const l of legs) if (l.status !== 'down' && l.deadline < next) next = l.deadline;
      const msg = await ctx.receive(
        (m) => isCancel(m) || (isDown(m) && legOf(m) !== undefined) || (typeof m === 'object' && m !== null && (m as LegReport).originateLeg === tag),
        Math.max(0, Math.ceil(next - now)),
      );
      if (isDown(msg)) {
        // a leg reports its end before it exits; one that exits without a word was killed
        const gone = legOf(msg);
        if (gone && gone.status !== 'down') {
          gone.status = 'down';
          gone.cause = Cause.CRASH;
        }
        continue;
      }
      if (msg === TIMEOUT) {
        if (ctx.now() >= groupDeadline) {
          timedOut = true;
          break;
        }
        for (const l of legs) {
          if (l.status !== 'down' && l.deadline <= ctx.now()) {
            l.deadline = Number.POSITIVE_INFINITY;
            await hangupLeg(ctx, l, Cause.ALLOTTED_TIMEOUT);
          }
        }
        continue;
      }
      if (isCancel(msg)) {
        cancel = msg.originateCancel;
        break;
      }
      const report = msg as LegReport;
      const leg = legs.find((l) => l.uuid === report.uuid);
      if (leg && leg.status !== 'down') {
        leg.status = report.status;
        leg.cause = report.cause;
      }
    }

    for (const l of legs) {
      if (l === winner || l.status === 'down') continue;
      const why = timedOut ? Cause.NO_ANSWER : cancel !== undefined ? cancel : legs.length > 1 ? Cause.LOSE_RACE : Cause.NO_ANSWER;
      await hangupLeg(ctx, l, why);
    }
    for (const l of legs) causes.push(`${l.uuid};${causeName(l === winner ? Cause.NONE : l.cause)}`);
    // losers are down (their reports stop); the winner stops reporting once it gets its extension or is bridged
    for (const l of legs) if (l.monitor) ctx.demonitor(l.monitor, { flush: true });

    if (winner) {
      // the winner's post_originate hooks; its profile is the caller's Other-Leg (originatee)
      let profile: CallerProfile | undefined;
      try {
        const won = (await GenServer.call(ctx, winner.pid, { op: 'won' })) as CallerProfile;
        if (req.caller) profile = won;
      } catch {
        profile = undefined;
      }
      return { ok: true, winner: { uuid: winner.uuid, pid: winner.pid, status: winner.status, profile }, causes };
    }
    cause = legs[0]?.cause || reason;
    if (cause === Cause.NONE || cause === Cause.SUCCESS) cause = Cause.ORIGINATOR_CANCEL;
    if (cancel !== undefined) cause = Cause.ORIGINATOR_CANCEL;
    else if (timedOut) cause = Cause.NO_ANSWER;
    if (cancel !== undefined || (timedOut && !continueOnTimeout)) break;
  }
  return { ok: false, cause: cause || Cause.DESTINATION_OUT_OF_ORDER, causes };
}

/** A leg hung up by the originate; its cause is the one given unless it was already down. */
async function hangupLeg(ctx: ProcessContext, leg: Leg, cause: number): Promise<void> {
  if (leg.status === 'down') return;
  leg.status = 'down';
  leg.cause = cause;
  try {
    if (cause === Cause.LOSE_RACE) await GenServer.call(ctx, leg.pid, { op: 'setvar', name: 'group_dial_status', value: 'loser' });
    await GenServer.call(ctx, leg.pid, { op: 'hangup', cause });
  } catch {
    // already gone: its hangup was on its way
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
        const result = await dialGroups(bctx, services, { ...req, baseVars: base }, branch);
        bctx.send(self, { branchDone: tag, index, result } satisfies BranchDone);
      }),
    );
  });
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
  const causes = results.flatMap((r) => r?.causes ?? []);
  if (winner?.ok) return { ok: true, winner: winner.winner, causes };
  let cause: number = Cause.SUCCESS;
  for (const r of results) if (r && !r.ok && r.cause !== cause && r.cause !== Cause.LOSE_RACE && r.cause !== Cause.NO_PICKUP) cause = r.cause;
  if (cancelled !== undefined) cause = cancelled;
  if (cause === Cause.SUCCESS) cause = Cause.NO_ANSWER;
  return { ok: false, cause, causes };
}
