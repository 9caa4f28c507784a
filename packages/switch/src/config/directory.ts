/**
 * User lookups in the directory (switch_xml_locate_user): the `directory` section from an XML-fetch
 * binding (an Erlang node bound with `{bind, directory}`) or the static XML, then the user as
 * config/directory_search.ts walks it (the groups' users, then the domain's `<users>`, or with none
 * the `<user>`s right under `<domain>`). Params and variables of the domain, the group and the user are merged in that
 * order, so the user's win (switch_xml_locate_user_merged).
 */
import type { SwitchEvent } from '../events/event.ts';
import { domainIn, userInDomain } from './directory_search.ts';
import { type XmlElement, attr, children } from './xml.ts';

export interface DirectoryUser {
  readonly id: string;
  readonly domain: string;
  /** `<params>`: password, a1-hash, dial-string, … (names in lower case). */
  readonly params: ReadonlyMap<string, string>;
  /** `<variables>`: set on the channel of an authenticated call or a `user/` leg (user_context, …). */
  readonly variables: readonly (readonly [string, string])[];
  /** `<profile-variables>`, merged the same way (what set_user puts on the caller profile). */
  readonly profileVariables: readonly (readonly [string, string])[];
  /** The user's `number-alias` attribute. */
  readonly numberAlias?: string;
}

/** What a lookup needs: the section as switch_xml_locate finds it, and a REQUEST_PARAMS event. */
export interface DirectorySource {
  locate(section: 'directory', tag: string, key: string, value: string, params: SwitchEvent): Promise<XmlElement | undefined>;
  requestParams(): SwitchEvent;
}

function pairs(el: XmlElement, list: string, item: string): [string, string][] {
  const out: [string, string][] = [];
  for (const l of children(el, list))
    for (const p of children(l, item)) {
      const name = attr(p, 'name');
      if (name) out.push([name, attr(p, 'value') ?? '']);
    }
  return out;
}

/** The user `id` of `domain` in a `directory` section, with everything that applies to it. */
export function userIn(section: XmlElement, id: string, domain: string): DirectoryUser | undefined {
  const dom = domainIn(section, domain);
  const found = dom && userInDomain(dom, id);
  if (!dom || !found) return undefined;
  const { user, group } = found;
  const params = new Map<string, string>();
  const variables = new Map<string, string>();
  const profileVariables = new Map<string, string>();
  for (const scope of [dom, ...(group ? [group] : []), user]) {
    for (const [k, v] of pairs(scope, 'params', 'param')) params.set(k.toLowerCase(), v);
    for (const [k, v] of pairs(scope, 'variables', 'variable')) variables.set(k, v);
    for (const [k, v] of pairs(scope, 'profile-variables', 'variable')) profileVariables.set(k, v);
  }
  const numberAlias = attr(user, 'number-alias');
  return {
    id: attr(user, 'id') ?? id,
    domain: attr(dom, 'name') ?? domain,
    params,
    variables: [...variables],
    profileVariables: [...profileVariables],
    ...(numberAlias !== undefined ? { numberAlias } : {}),
  };
}

/** Looks `id@domain` up, the request carrying `key=id`, `user`, `domain` and `params`. */
export async function locateUser(
  source: DirectorySource,
  id: string,
  domain: string,
  params: readonly (readonly [string, string])[] = [],
): Promise<DirectoryUser | undefined> {
  const event = source.requestParams();
  for (const [k, v] of [['key', 'id'], ['user', id], ['domain', domain], ...params] as const) event.addHeader(k, v);
  const section = await source.locate('directory', 'domain', 'name', domain, event);
  return section ? userIn(section, id, domain) : undefined;
}
