/**
 * mod_dptools' `page` API (page_api_function, launch_call_monitor): `(name=value,…)<dial>[:_:<dial>…]`.
 * The `(…)` variables configure the page: `page_path` (a file that exists, required), `page_exten`
 * (default `playback:<path>`), `page_dp` (default `inline`), `page_context`, `page_chunk_size`
 * (calls in progress at once, default 10) and `page_data` (the dial strings, when none follow).
 * Each dial string is originated (60 s) from a process of its own, gets `page_file`, and is
 * transferred to the extension. `<…>` variables before the dial strings go to the first call only,
 * as launch_call hands them over and destroys them. The command writes nothing.
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import { causeName } from '../channel/causes.ts';
import { originateCall } from '../originate/originate.ts';
import { leadingBrackets } from '../fifo/members.ts';
import { existsSync } from 'node:fs';
import { atoi } from '../internal/strings.ts';
import type { ApiEnv } from './registry.ts';

const ORIGINATE_DELIMITER = ':_:';
/** launch_call_monitor's wait between two looks at the calls in progress. */
const POLL_MS = 100;

type Vars = [string, string][];

/**
 * switch_event_create_brackets on every leading `open … close` group, after leading spaces; undefined
 * for a group without its closing bracket (FreeSWITCH's Parse Error!).
 */
function allBrackets(text: string, open: string, close: string): { vars: Vars; groups: number; rest: string } | undefined {
  let rest = text.replace(/^ +/, '');
  const vars: Vars = [];
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

export function page(args: string, env: ApiEnv): string {
  if (args === '') return '-ERR no data';
  const parsed = allBrackets(args, '(', ')');
  if (!parsed || parsed.groups === 0) {
    env.core.log('ERR', 'Parse Error!');
    return '';
  }
  // a later pair wins: the brackets make a CHANNEL_DATA event, whose header names are unique
  const get = (name: string): string | undefined => {
    for (let i = parsed.vars.length - 1; i >= 0; i--) if (parsed.vars[i]![0] === name) return parsed.vars[i]![1];
    return undefined;
  };
  const data = parsed.rest || get('page_data');
  if (!data) {
    env.core.log('ERR', 'No channels specified.');
    return '';
  }
  const path = get('page_path');
  if (path === undefined) {
    env.core.log('ERR', 'No file specified.');
    return '';
  }
  if (!existsSync(path)) {
    env.core.log('ERR', `File ${path} does not exist`);
    return '';
  }
  const chunkSize = atoi(get('page_chunk_size') ?? '');
  const chunk = chunkSize > 0 ? chunkSize : 10;
  const target = { exten: get('page_exten') || `playback:${path}`, dialplan: get('page_dp') ?? 'inline', context: get('page_context') };
  env.ctx.spawn((ctx) => pageCalls(ctx, env, data, path, chunk, target));
  return '';
}

/** call_monitor_thread: the dial strings in turn, never more than `chunk` calls in progress. */
async function pageCalls(
  ctx: ProcessContext,
  env: ApiEnv,
  data: string,
  path: string,
  chunk: number,
  target: { exten: string; dialplan: string; context: string | undefined },
): Promise<void> {
  const parsed = allBrackets(data, '<', '>');
  if (!parsed) {
    env.core.log('ERR', 'Parse Error!');
    return;
  }
  const dials = parsed.rest.split(ORIGINATE_DELIMITER).filter((d) => d !== '');
  if (dials.length === 0) {
    env.core.log('ERR', 'No channels specified.');
    return;
  }
  const calls: string[] = [];
  for (const [i, dial] of dials.entries()) {
    // page_hanguphook counts a call down once it hangs up
    while (calls.filter((uuid) => env.core.sessions.has(uuid)).length >= Math.min(chunk, dials.length)) {
      await ctx.receive(() => false, POLL_MS);
    }
    const result = await originateCall(ctx, env.sw.services, {
      dial,
      timeoutSec: 60,
      api: { dialplan: 'XML', context: 'default' },
      ...(i === 0 && parsed.vars.length > 0 ? { baseVars: parsed.vars } : {}),
    });
    if (!result.ok) {
      env.core.log('WARNING', `originate failed: ${causeName(result.cause)} [${dial}]`);
      continue;
    }
    const { uuid, pid } = result.winner;
    calls.push(uuid);
    try {
      await GenServer.call(ctx, pid, { op: 'setvar', name: 'page_file', value: path });
      await GenServer.call(ctx, pid, { op: 'redirect', destination: target.exten, dialplan: target.dialplan, context: target.context });
    } catch {
      // the call ended before it could be transferred
    }
  }
}
