/**
 * The `user` endpoint (mod_dptools' user_outgoing_channel): `user/<id>[@<domain>]` looks the user
 * up in the directory (`action=user_call`, `as_channel=true`), expands the user's `dial-string`
 * with `dialed_user` / `dialed_domain` (so `${sofia_contact(${dialed_user}@${dialed_domain})}`
 * finds the registered phone) and dials that. An unknown user is SUBSCRIBER_ABSENT, a user without
 * a dial-string MANDATORY_IE_MISSING, a dial-string that dials the user again INVALID_IE_CONTENTS.
 *
 * FreeSWITCH runs a whole originate on the dial-string and hands back the leg that won. Here the
 * first leg of the dial-string is made through its own endpoint, so a dial-string of several legs
 * (`a,b` or `a|b`) dials only the first. The dial-string's `{…}`/`[…]` variables and the user's
 * directory variables are set on the new channel when it starts; `dial-var-<name>` params are
 * variables of the leg too.
 */
import type { Endpoint, EndpointInterface } from '../channel/channel.ts';
import { Cause } from '../channel/causes.ts';
import { expandWithApi } from '../dialplan/expand.ts';
import { getVar, legVars, parseDialString } from './dial_string.ts';

/** The leg's endpoint with `vars` set on its channel first, at CS_INIT. */
function withVariables(inner: Endpoint, vars: readonly (readonly [string, string])[]): Endpoint {
  let set = false;
  return {
    ...inner,
    onState(ch, state) {
      if (!set) {
        set = true;
        for (const [k, v] of vars) ch.setVariable(k, v);
      }
      return inner.onState ? inner.onState(ch, state) : true;
    },
  };
}

export const USER_ENDPOINT: EndpointInterface = {
  async outgoingChannel(req) {
    const { services } = req;
    const at = req.destination.indexOf('@');
    const id = at < 0 ? req.destination : req.destination.slice(0, at);
    const domain = at < 0 ? (services.core.globals.get('domain') ?? services.core.identity.hostname) : req.destination.slice(at + 1);
    if (!id || !domain) return { cause: Cause.NONE };
    const user = await services.locateUser?.(id, domain, [
      ['as_channel', 'true'],
      ['action', 'user_call'],
    ]);
    if (!user) {
      services.core.log('WARNING', `Can't find user [${id}@${domain}]`);
      return { cause: Cause.SUBSCRIBER_ABSENT };
    }
    const dialString = user.params.get('dial-string');
    if (!dialString) {
      services.core.log('ERR', 'No dial-string available, please check your user directory.');
      return { cause: Cause.MANDATORY_IE_MISSING };
    }
    const dialed: Record<string, string> = { dialed_user: user.id, dialed_domain: domain };
    const dest = await expandWithApi(
      dialString,
      (name) => dialed[name] ?? req.variable(name) ?? services.core.globals.get(name),
      async (command, args) => services.api?.(command, args),
    );
    if (dest.toLowerCase().includes(`user/${user.id}`.toLowerCase())) {
      services.core.log('WARNING', `Waddya Daft? You almost called 'user/${user.id}' in an infinate loop!`);
      return { cause: Cause.INVALID_IE_CONTENTS };
    }
    const parsed = parseDialString(dest);
    const dial = parsed.ok && 'dial' in parsed ? parsed.dial : undefined;
    const leg = dial?.groups[0]?.[0];
    if (!dial || !leg) return { cause: parsed.ok ? Cause.DESTINATION_OUT_OF_ORDER : parsed.cause };
    const vars = legVars(dial, leg);
    const dialVars = [...user.params].filter(([k]) => k.startsWith('dial-var-')).map(([k, v]) => [k.slice(9), v] as const);
    const variable = (name: string) => getVar(vars, name) ?? getVar(dialVars, name) ?? req.variable(name);
    const endpoint = services.endpoints.get(leg.endpoint.toLowerCase());
    if (!endpoint) return { cause: Cause.CHAN_NOT_IMPLEMENTED };
    const made = await endpoint.outgoingChannel({ ...req, destination: leg.destination, variable });
    if ('cause' in made) return made;
    const setOnChannel = [
      ['dialed_user', user.id],
      ['dialed_domain', domain],
      ...vars,
      ...dialVars,
      ...(dest.includes('presence_id=') ? [] : ([['presence_id', `${user.id}@${domain}`]] as const)),
      ...user.variables,
    ] as const;
    return { name: made.name, endpoint: withVariables(made.endpoint, setOnChannel) };
  },
};
