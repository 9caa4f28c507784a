/**
 * `{api, Cmd, Args}` and `{bgapi, Cmd, Args}` (spec §1.1–§1.2). `api` runs in the listener (it
 * holds the connection's later messages, as the original's blocking call does); `bgapi` answers
 * `{ok, JobUUID}` at once and runs the command in a process of its own, then sends
 * `{bgok|bgerror, JobUUID, Output}` to the same pid and fires BACKGROUND_JOB.
 */
import { Atom, type Pid, type Term, type Tuple, atom, t } from '@beamline/etf';
import type { ProcessContext } from '@beamline/core';
import type { ApiResult, CallingSite } from '@beamline/switch';
import { atomText } from '../byte_text.ts';
import { s } from '../encode.ts';
import { decodeSB } from './decode.ts';
import type { InboundContext, Reply } from './context.ts';
import { seedStatus } from './status_seed.ts';

const A_OK = atom('ok');
const A_ERROR = atom('error');
const A_BADARG = atom('badarg');
const BADARG = t(A_ERROR, A_BADARG);

/** The command atom is read as ei_decode_atom reads it: its Latin-1 bytes (`atomText`). */
function args(msg: Tuple): { cmd: string; args: string } | undefined {
  const [, cmd, arg] = msg.elements;
  if (msg.elements.length < 3 || !(cmd instanceof Atom)) return undefined;
  const name = atomText(cmd.name);
  const a = decodeSB(arg as Term);
  return a === undefined || name === undefined ? undefined : { cmd: name, args: a };
}

/**
 * switch_api_execute in the calling process (the listener for `api`, the job's own process for
 * `bgapi`): the command holds the connection's later commands, as the original's blocking call,
 * and no process is spawned per call.
 */
async function run(c: InboundContext, ctx: ProcessContext, cmd: string, a: string): Promise<ApiResult> {
  const r = await c.sw.registry.execute(cmd, a, { ctx, core: c.sw.core, sw: c.sw });
  if (r.found && c.config.statusFormat === 'seed' && cmd.toLowerCase() === 'status') return { found: true, output: seedStatus(r.output) };
  return r;
}

export async function api(msg: Tuple, c: InboundContext): Promise<Reply> {
  const p = args(msg);
  if (!p) return BADARG;
  const enc = c.config.encoding;
  const r = await run(c, c.ctx, p.cmd, p.args);
  if (!r.found) return t(A_ERROR, s(`${p.cmd}: Command not found!\n`, enc));
  if (r.output === '') return t(A_ERROR, s('Command returned no output!', enc));
  return t(r.output.startsWith('-') ? A_ERROR : A_OK, s(r.output, enc));
}

/** mod_erlang_event's own BACKGROUND_JOB comes from handle_msg.c, not mod_commands' bgapi. */
const API_EXEC: CallingSite = { file: 'handle_msg.c', func: 'api_exec', line: 84 };

export function bgapi(msg: Tuple, c: InboundContext, from: Pid | undefined): Reply {
  const p = args(msg);
  if (!p) return BADARG;
  const enc = c.config.encoding;
  const job = c.sw.core.newUuid();
  c.ctx.spawn(async (ctx) => {
    const r = await run(c, ctx, p.cmd, p.args);
    const output = r.found ? r.output : `${p.cmd}: Command not found!\n`;
    const ok = r.found && !output.startsWith('-');
    const event = c.sw.core.bus.create('BACKGROUND_JOB', undefined, API_EXEC);
    event.addHeader('Job-UUID', job);
    event.addHeader('Job-Command', p.cmd);
    if (p.args !== '') event.addHeader('Job-Command-Arg', p.args);
    event.addHeader('Job-Successful', ok ? 'true' : 'false');
    event.body = output;
    c.sw.core.fire(event);
    if (from) c.send(from, t(atom(ok ? 'bgok' : 'bgerror'), s(job, enc), s(output, enc)));
  });
  return t(A_OK, s(job, enc));
}
