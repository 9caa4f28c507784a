/**
 * `originate <url> <exten>|&app(args) …` (mod_commands + switch_ivr_originate): creates the leg,
 * waits for answer or early media (or its end, or the timeout), then gives it its extension
 * and replies `+OK <uuid>\n`, or `-ERR <CAUSE>\n`. One leg is dialled: the first of the first
 * `|` group (simultaneous and enterprise legs come later).
 */
import { randomUUID } from 'node:crypto';
import { CallTimeout, GenServer } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { Cause, causeName } from '../channel/causes.ts';
import { Channel, type ChannelSpec, type Endpoint, type OriginateOutcome } from '../channel/channel.ts';
import { DEFAULT_CLID_NAME, DEFAULT_CLID_NUMBER } from '../channel/profile.ts';
import { getVar, legVars, parseDialString } from '../endpoints/dial_string.ts';
import { errorEndpointCause } from '../endpoints/error.ts';
import { parseLoopbackTarget } from '../endpoints/loopback.ts';
import { loopbackA } from '../endpoints/loopback_channel.ts';
import { parseNullTarget } from '../endpoints/null.ts';
import { nullEndpoint } from '../endpoints/null_channel.ts';
import { parseOriginateArgs } from './originate_args.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

const L16 = { name: 'L16', rate: 8000, bitRate: 128000 };
const fail = (cause: number) => `-ERR ${causeName(cause)}\n`;

export async function originate(cmd: string, env: ApiEnv): Promise<string> {
  const parsed = parseOriginateArgs(cmd);
  if (!parsed.ok) return parsed.output;
  const args = parsed.args;
  const dial = parseDialString(args.url);
  if (!dial.ok) {
    env.core.log('ERR', dial.log);
    return fail(dial.cause);
  }
  const ds = 'dial' in dial ? dial.dial : dial.enterprise.branches[0];
  const leg = ds?.groups[0]?.[0];
  if (!ds || !leg) return fail(Cause.DESTINATION_OUT_OF_ORDER);
  const vars = legVars(ds, leg);
  const variable = (name: string) => getVar(vars, name);

  const uuid = variable('origination_uuid') ?? randomUUID();
  if (env.core.sessions.has(uuid)) return fail(Cause.DESTINATION_OUT_OF_ORDER);
  const makeSpec = (name: string, endpoint: Endpoint): ChannelSpec => ({
    uuid,
    name,
    direction: 'outbound',
    profile: {
      direction: 'outbound',
      logicalDirection: 'outbound',
      dialplan: args.dialplan,
      callerIdName: variable('origination_caller_id_name') ?? args.cidName ?? DEFAULT_CLID_NAME,
      callerIdNumber: variable('origination_caller_id_number') ?? args.cidNum ?? DEFAULT_CLID_NUMBER,
      destinationNumber: leg.destination,
      uuid,
      source: 'src/switch_ivr_originate.c',
      context: args.context,
      chanName: name,
      profileIndex: '1',
      screen: false,
      hideName: false,
      hideNumber: false,
    },
    variables: vars.filter(([n]) => n !== 'origination_uuid'),
    endpoint,
    originating: true,
    outgoing: true,
    codec: L16,
  });

  let spec: ChannelSpec;
  switch (leg.endpoint.toLowerCase()) {
    case 'error':
      return fail(errorEndpointCause(leg.destination));
    case 'null': {
      const t = parseNullTarget(leg.destination, variable);
      if (t.refuse) {
        // null_channel_outgoing_channel makes the session, then destroys it (DECISIONS.md #2)
        await new Channel(makeSpec(t.name, {}), env.sw.services, env.ctx).abandon();
        return fail(t.cause);
      }
      spec = makeSpec(t.name, nullEndpoint(t));
      break;
    }
    case 'loopback': {
      const t = parseLoopbackTarget(leg.destination);
      spec = makeSpec(t.nameA, loopbackA(t));
      break;
    }
    default:
      env.core.log('ERR', `Could not locate channel type ${leg.endpoint}`);
      return fail(Cause.CHAN_NOT_IMPLEMENTED);
  }

  let pid: Pid;
  try {
    pid = await env.sw.startChannel(env.ctx, spec);
  } catch (err) {
    env.core.log('ERR', `Cannot create outgoing channel of type [${leg.endpoint}]: ${String(err)}`);
    return fail(Cause.DESTINATION_OUT_OF_ORDER);
  }

  const timeoutSec = Number.parseInt(variable('originate_timeout') ?? '', 10) || args.timeoutSec;
  let outcome: OriginateOutcome;
  try {
    outcome = (await GenServer.call(env.ctx, pid, { op: 'waitAnswer' }, timeoutSec * 1000)) as OriginateOutcome;
  } catch (err) {
    if (err instanceof CallTimeout) {
      GenServer.cast(env.ctx, pid, { op: 'hangup', cause: Cause.NO_ANSWER });
      return fail(Cause.NO_ANSWER);
    }
    return fail(Cause.NORMAL_TEMPORARY_FAILURE);
  }
  if (!outcome.ok) return fail(outcome.cause);

  const target = args.target;
  try {
    if (target.kind === 'application') {
      const application = { application: target.application, data: target.arg ?? '' };
      await GenServer.call(env.ctx, pid, {
        op: 'setExtension',
        extension: { name: target.application, number: target.application, applications: [application] },
      });
    } else {
      await GenServer.call(env.ctx, pid, { op: 'transfer', destination: target.extension, dialplan: args.dialplan, context: args.context });
    }
  } catch {
    // the leg ended between answer and here; FreeSWITCH has replied +OK by then too
  }
  return `+OK ${uuid}\n`;
}

export const ORIGINATE_COMMAND: ApiCommand = { name: 'originate', run: originate };
