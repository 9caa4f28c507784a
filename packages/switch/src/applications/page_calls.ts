/**
 * What mod_dptools' `page` API and application share once the file is there (launch_call_monitor,
 * call_monitor_thread, launch_call, page_thread): a process that reads the leading `<…>` variables
 * and the `:_:`-separated dial strings, then originates each (60 s) from a process of its own,
 * never more than the chunk size in progress at once. A paged call gets `page_file` and is
 * transferred to the extension; it stays in progress until it hangs up (page_hanguphook), a failed
 * originate (a WARNING) until it fails. The `<…>` variables go to the first call only, as
 * launch_call hands them over and destroys them. Once every call is over, a file the application
 * recorded is deleted.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DOWN, GenServer, type ProcessContext, refEquals } from '@beamline/core';
import { type Ref, Tuple } from '@beamline/etf';
import { causeName } from '../channel/causes.ts';
import type { ChannelServices } from '../channel/channel.ts';
import { leadingBrackets } from '../fifo/members.ts';
import { originateCall } from '../originate/originate.ts';

/** SWITCH_ENT_ORIGINATE_DELIM. */
const ORIGINATE_DELIMITER = ':_:';

/** page_chunk_size's default. */
export const PAGE_CHUNK_SIZE = 10;

export type PageVars = [string, string][];

export interface PageJob {
  /** The file the calls play (what `page_file` says). */
  readonly path: string;
  /** Delete the file once the calls are over (the application's own recording). */
  readonly deleteAfter: boolean;
  /** `[<var=value,…>]<dial>[:_:<dial>…]`. */
  readonly data: string;
  /** Calls in progress at once. */
  readonly chunk: number;
  /** Where each answered call is transferred. */
  readonly exten: string;
  readonly dialplan: string;
  readonly context: string | undefined;
}

/**
 * switch_event_create_brackets on every leading `open … close` group, after leading spaces; undefined
 * for a group without its closing bracket (FreeSWITCH's Parse Error!).
 */
export function allBrackets(text: string, open: string, close: string): { vars: PageVars; groups: number; rest: string } | undefined {
  let rest = text.replace(/^ +/, '');
  const vars: PageVars = [];
  let groups = 0;
  while (rest.startsWith(open)) {
    const r = leadingBrackets(rest, open, close);
    if (r.rest === rest) return undefined;
    vars.push(...r.vars);
    rest = r.rest;
    groups++;
  }
  return { vars, groups, rest: rest.replace(/^ +/, '') };
}

/** launch_call_monitor: the calls are made from a process spawned from `ctx`'s. */
export function launchCallMonitor(ctx: ProcessContext, services: ChannelServices, job: PageJob): void {
  ctx.spawn((mctx) => callMonitor(mctx, services, job));
}

const CALL_OVER = Symbol('page call over');

async function callMonitor(ctx: ProcessContext, services: ChannelServices, job: PageJob): Promise<void> {
  const log = services.core.log.bind(services.core);
  try {
    if (!existsSync(job.path)) {
      log('ERR', `File ${job.path} does not exist!`);
      return;
    }
    const parsed = allBrackets(job.data, '<', '>');
    if (!parsed) {
      log('ERR', 'Parse Error!');
      return;
    }
    const dials = parsed.rest.split(ORIGINATE_DELIMITER).filter((d) => d !== '');
    if (dials.length === 0) {
      log('ERR', 'No channels specified.');
      return;
    }
    const chunk = Math.min(job.chunk, dials.length);
    const self = ctx.self;
    let inProgress = 0;
    let vars: PageVars | undefined = parsed.vars.length > 0 ? parsed.vars : undefined;
    for (const dial of dials) {
      for (; inProgress >= chunk; inProgress--) await ctx.receive((m) => m === CALL_OVER);
      inProgress++;
      const baseVars = vars;
      vars = undefined;
      ctx.spawn(async (cctx) => {
        try {
          await pageCall(cctx, services, job, dial, baseVars);
        } finally {
          cctx.send(self, CALL_OVER);
        }
      });
    }
    for (; inProgress > 0; inProgress--) await ctx.receive((m) => m === CALL_OVER);
  } finally {
    if (job.deleteAfter) await rm(job.path, { force: true }).catch(() => undefined);
  }
}

const isDown = (ref: Ref) => (m: unknown) => m instanceof Tuple && m.elements[0] === DOWN && refEquals(m.elements[1], ref);

/** page_thread: one call, over once it failed or hung up. */
async function pageCall(ctx: ProcessContext, services: ChannelServices, job: PageJob, dial: string, baseVars: PageVars | undefined): Promise<void> {
  const result = await originateCall(ctx, services, {
    dial,
    timeoutSec: 60,
    api: { dialplan: 'XML', context: 'default' },
    ...(baseVars ? { baseVars } : {}),
  });
  if (!result.ok) {
    services.core.log('WARNING', `originate failed: ${causeName(result.cause)} [${dial}]`);
    return;
  }
  const { pid } = result.winner;
  const ref = ctx.monitor(pid);
  try {
    await GenServer.call(ctx, pid, { op: 'setvar', name: 'page_file', value: job.path });
    await GenServer.call(ctx, pid, { op: 'redirect', destination: job.exten, dialplan: job.dialplan, context: job.context });
  } catch {
    // the call ended before it could be transferred
  }
  await ctx.receive(isDown(ref));
}
