/**
 * `originate <url> <exten>|&app(args) …` (mod_commands): dials the url (originate/originate.ts:
 * `,` legs at once, `|` groups in turn, `:_:` branches), then gives the winning leg its extension
 * and replies `+OK <uuid>\n`, or `-ERR <CAUSE>\n`.
 */
import { GenServer } from '@beamline/core';
import { causeName } from '../channel/causes.ts';
import { originateCall } from '../originate/originate.ts';
import { parseOriginateArgs } from './originate_args.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

export async function originate(cmd: string, env: ApiEnv): Promise<string> {
  const parsed = parseOriginateArgs(cmd);
  if (!parsed.ok) return parsed.output;
  const args = parsed.args;
  const result = await originateCall(env.ctx, env.sw.services, {
    dial: args.url,
    timeoutSec: args.timeoutSec,
    api: {
      dialplan: args.dialplan,
      context: args.context,
      ...(args.cidName !== undefined ? { cidName: args.cidName } : {}),
      ...(args.cidNum !== undefined ? { cidNum: args.cidNum } : {}),
    },
  });
  if (!result.ok) return `-ERR ${causeName(result.cause)}\n`;
  const { uuid, pid } = result.winner;
  const target = args.target;
  try {
    if (target.kind === 'application') {
      const application = { application: target.application, data: target.arg ?? '' };
      await GenServer.call(env.ctx, pid, {
        op: 'setExtension',
        extension: { name: target.application, number: target.application, applications: [application] },
      });
    } else {
      // originate_function: switch_ivr_session_transfer, as uuid_transfer
      await GenServer.call(env.ctx, pid, { op: 'redirect', destination: target.extension, dialplan: args.dialplan, context: args.context });
    }
  } catch {
    // the leg ended between answer and here; FreeSWITCH has replied +OK by then too
  }
  return `+OK ${uuid}\n`;
}

export const ORIGINATE_COMMAND: ApiCommand = { name: 'originate', run: originate };
