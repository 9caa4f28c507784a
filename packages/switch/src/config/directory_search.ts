/**
 * The directory searches mod_commands' user and group commands make (switch_xml.c), over a
 * `directory` section as switch_xml_locate hands it out: a domain by name (any case), a group
 * by name inside the domain's first `<groups>`, a user by any attribute (`id` also matches
 * `number-alias`). Each keeps FreeSWITCH's walk: only the first `<groups>` of a domain and the
 * first `<users>` of a group are looked in, and a user matches when any one of the attribute
 * tests does — `type="!pointer"` passes every user whose type is set to something else.
 */
import { type XmlElement, attr, child, children, findChild } from './xml.ts';
import { caseEqual } from '../internal/strings.ts';

/** switch_xml_find_child_multi: the first child named `name` for which one of the tests holds (`!v`: present and not v). */
function findChildMulti(el: XmlElement, name: string, tests: readonly (readonly [string, string])[]): XmlElement | undefined {
  return children(el, name).find((c) =>
    tests.some(([attrName, value]) => {
      const v = attr(c, attrName);
      if (v === undefined) return false;
      return value.startsWith('!') ? !caseEqual(v, value.slice(1)) : caseEqual(v, value);
    }),
  );
}

/** find_user_in_tag (no ip, no `user_type` parameter): a `<user>` of `tag` by `key`. */
export function findUserInTag(tag: XmlElement, user: string, key: string): XmlElement | undefined {
  const tests: [string, string][] = [[key, user]];
  if (caseEqual(key, 'id')) tests.push(['number-alias', user]);
  tests.push(['type', '!pointer']);
  return findChildMulti(tag, 'user', tests);
}

/** The domain element of a `directory` section (switch_xml_locate's find_child: any case). */
export function domainIn(section: XmlElement, domain: string): XmlElement | undefined {
  return findChild(section, 'domain', 'name', domain);
}

/** switch_xml_locate_group: the group of the domain's first `<groups>`. */
export function groupIn(domain: XmlElement, group: string): XmlElement | undefined {
  const groups = child(domain, 'groups');
  return groups ? findChild(groups, 'group', 'name', group) : undefined;
}

/** What a user lookup found: the user element and the group it was found in. */
export interface FoundUser {
  readonly user: XmlElement;
  readonly group?: XmlElement;
}

/** Each group's first `<users>`, in order: the first group that has the user. */
function userInGroups(groups: XmlElement, user: string, key: string): FoundUser | undefined {
  for (const group of children(groups, 'group')) {
    const users = child(group, 'users');
    const found = users ? findUserInTag(users, user, key) : undefined;
    if (found) return { user: found, group };
  }
  return undefined;
}

/** The domain's first `<users>`, else the domain itself. */
const directUser = (domain: XmlElement, user: string, key: string) => findUserInTag(child(domain, 'users') ?? domain, user, key);

/** switch_xml_locate_user inside the domain: its groups first, then its own users. */
export function userInDomain(domain: XmlElement, user: string, key = 'id'): FoundUser | undefined {
  const groups = child(domain, 'groups');
  const inGroup = groups ? userInGroups(groups, user, key) : undefined;
  if (inGroup) return inGroup;
  const found = directUser(domain, user, key);
  return found ? { user: found } : undefined;
}

/** switch_xml_locate_user_in_domain (what a `pointer` user leads to): the groups, or — only when there are none — the users. */
export function pointedUser(domain: XmlElement, user: string): XmlElement | undefined {
  const groups = child(domain, 'groups');
  return groups ? userInGroups(groups, user, 'id')?.user : directUser(domain, user, 'id');
}
