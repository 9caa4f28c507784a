/**
 * The `user` endpoint (mod_dptools' user_outgoing_channel): `user/<id>[@<domain>]` looks the user
 * up in the directory (`action=user_call`, `as_channel=true`), expands the user's `dial-string`
 * with `dialed_user` / `dialed_domain` (so `${sofia_contact(${dialed_user}@${dialed_domain})}`
 * gives every registered phone of the user) and runs a whole originate of its own on it — `,`
 * legs at once, `|` groups in turn, `:_:` branches — in the process of the originate that dials
 * `user/`. The winner of that originate is this leg (OutgoingChannel `session`): the outer
 * originate takes it over already answered; the inner one hung its losers up. When nobody
 * answers, the leg fails with the inner originate's cause (an empty `sofia_contact` dials
 * `error/user_not_registered`: USER_NOT_REGISTERED).
 *
 * The leg's variables (unless `user_recurse_variables=false`), the user's `dial-var-<name>`
 * params, `dialed_user`, `dialed_domain` and `presence_id` are the inner originate's variables,
 * so every leg it dials has them; the user's directory variables are set on the winner once it
 * won. An unknown user is SUBSCRIBER_ABSENT, a user without a dial-string MANDATORY_IE_MISSING, a
 * dial-string that dials the user again INVALID_IE_CONTENTS.
 */
import { GenServer } from '@beamline/core';
import type { EndpointInterface, OutgoingRequest } from '../channel/channel.ts';
import { Cause } from '../channel/causes.ts';
import type { OriginateCancel } from '../channel/originate_types.ts';
import { expandWithApi } from '../dialplan/expand.ts';
import { atoi } from '../internal/strings.ts';
import { type VarList, getVar, setVar } from './dial_string.ts';

/** switch_false. */
const isFalse = (v: string) => /^(no|off|false|f|disabled)$/i.test(v) || (/^-?\d+(\.\d+)?$/.test(v) && atoi(v) === 0);

/** switch_ivr_originate's default timeout (SWITCH_DEFAULT_TIMEOUT). */
const DEFAULT_TIMEOUT_SEC = 60;

export const USER_ENDPOINT: EndpointInterface = {
  async outgoingChannel(req) {
    const { ctx, services } = req;
    const at = req.destination.indexOf('@');
    const id = at < 0 ? req.destination : req.destination.slice(0, at);
    const domain = at < 0 ? (services.core.globals.get('domain') ?? services.core.identity.hostname) : req.destination.slice(at + 1);
    if (!id || !domain) return { cause: Cause.NONE };
    const user = await services.locateUser?.(id, domain, [['as_channel', 'true'], ['action', 'user_call'], ...req.vars]);
    if (!user) {
      services.core.log('WARNING', `Can't find user [${id}@${domain}]`);
      return { cause: Cause.SUBSCRIBER_ABSENT };
    }
    const caller = req.from && 'caller' in req.from ? req.from.caller : undefined;
    // user_recurse_variables=false: the inner originate starts without the leg's variables
    const recurse = !isFalse(req.variable('user_recurse_variables') ?? 'true');
    let timeoutSec = DEFAULT_TIMEOUT_SEC;
    const timeoutVar = (caller ? undefined : req.variable('call_timeout')) ?? req.variable('leg_timeout');
    if (timeoutVar !== undefined) timeoutSec = atoi(timeoutVar);

    let vars: VarList | undefined = recurse ? req.vars : undefined;
    for (const [k, v] of user.params) if (k.toLowerCase().startsWith('dial-var-')) vars = setVar(vars ?? [], k.slice(9), v);
    const dialString = user.params.get('dial-string');
    if (vars) {
      vars = [...vars, ['dialed_user', user.id], ['dialed_domain', domain]];
      if (dialString && !dialString.includes('presence_id=')) vars = [...vars, ['presence_id', `${user.id}@${domain}`]];
    }
    if (!dialString) {
      services.core.log('ERR', 'No dial-string available, please check your user directory.');
      return { cause: Cause.MANDATORY_IE_MISSING };
    }
    const dest = await expandDialString(req, dialString, user.id, domain, vars);
    if (dest.toLowerCase().includes(`user/${user.id}`.toLowerCase())) {
      services.core.log('WARNING', `Waddya Daft? You almost called 'user/${user.id}' in an infinate loop!`);
      return { cause: Cause.INVALID_IE_CONTENTS };
    }
    if (!services.originate) return { cause: Cause.DESTINATION_OUT_OF_ORDER };
    const from = req.from ?? { api: { dialplan: 'XML', context: 'default' } };
    const result = await services.originate(ctx, { dial: dest, timeoutSec, baseVars: vars ?? [], ...from });
    if (!result.ok) {
      // the inner originate took the cancel meant for the one dialling user/: it is passed on
      if (result.cause === Cause.ORIGINATOR_CANCEL || result.cause === Cause.LOSE_RACE)
        ctx.send(ctx.self, { originateCancel: result.cause } satisfies OriginateCancel);
      return { cause: result.cause };
    }
    const winner = result.winner;
    for (const [name, value] of user.variables) {
      try {
        await GenServer.call(ctx, winner.pid, { op: 'setvar', name, value });
      } catch {
        return { cause: Cause.DESTINATION_OUT_OF_ORDER };
      }
    }
    return { session: { uuid: winner.uuid, pid: winner.pid } };
  },
};

/**
 * The dial-string expanded as user_outgoing_channel does: on the calling channel (which gets
 * `dialed_user` / `dialed_domain` itself), else on the inner originate's variables.
 */
async function expandDialString(
  req: OutgoingRequest,
  dialString: string,
  userId: string,
  domain: string,
  vars: VarList | undefined,
): Promise<string> {
  const { services } = req;
  const caller = req.from && 'caller' in req.from ? req.from.caller : undefined;
  const dialed: Record<string, string> = { dialed_user: userId, dialed_domain: domain };
  if (caller) {
    const pid = services.core.sessions.get(caller.uuid);
    if (pid) for (const [name, value] of Object.entries(dialed)) GenServer.cast(req.ctx, pid, { op: 'setvar', name, value });
  }
  const lookup = caller ? caller.variable : (name: string) => (vars ? getVar(vars, name) : undefined);
  return expandWithApi(
    dialString,
    (name) => dialed[name] ?? lookup(name) ?? services.core.globals.get(name),
    async (command, args) => services.api?.(command, args),
  );
}
