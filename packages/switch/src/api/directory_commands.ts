/**
 * mod_commands' directory commands, on the directory as switch_xml_locate finds it (XML-fetch
 * bindings, then the static XML; config/directory_search.ts walks it): `user_exists`,
 * `domain_exists`, `in_group`, `group_call` (a dial string for a group's members) and
 * `list_users`, with mod_commands' replies.
 */
import type { XmlElement } from '../config/xml.ts';
import { attr, child, children } from '../config/xml.ts';
import { domainIn, groupIn, pointedUser, userInDomain } from '../config/directory_search.ts';
import { expandWithApi } from '../dialplan/expand.ts';
import type { SwitchEvent } from '../events/event.ts';
import { caseEqual, separateString } from '../internal/strings.ts';
import { flattenDialString } from './group_dial_string.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';
import { modCommandsApi } from './utility_commands.ts';

const LIST_USERS_SYNTAX = '[group <group>] [domain <domain>] [user <user>] [context <context>]';
const LIST_USERS_HEADER = 'userid|context|domain|group|contact|callgroup|effective_caller_id_name|effective_caller_id_number\n';

/** switch_core_get_domain: the global `domain`, else `freeswitch.local`. */
export const defaultDomain = (env: ApiEnv): string => env.core.globals.get('domain') ?? 'freeswitch.local';

function requestParams(env: ApiEnv, headers: readonly (readonly [string, string])[]): SwitchEvent {
  const params = env.core.bus.create('REQUEST_PARAMS');
  for (const [name, value] of headers) params.addHeader(name, value);
  return params;
}

/** switch_xml_locate_domain: the domain element, the request carrying `params`. */
async function locateDomain(env: ApiEnv, domain: string, params: SwitchEvent): Promise<XmlElement | undefined> {
  const section = await env.sw.conf?.locate('directory', 'domain', 'name', domain, params);
  return section ? domainIn(section, domain) : undefined;
}

/** `<key> <user> <domain>`: `true` when the domain has a user whose `<key>` is `<user>`. */
async function userExists(args: string, env: ApiEnv): Promise<string> {
  const [key, user, domain] = args === '' ? [] : separateString(args, ' ', 3);
  if (key === undefined || user === undefined || domain === undefined) return 'false';
  const params = requestParams(env, [
    ['key', key],
    ['user', user],
    ['domain', domain],
  ]);
  const dom = await locateDomain(env, domain, params);
  return String(dom !== undefined && userInDomain(dom, user, key) !== undefined);
}

async function domainExists(args: string, env: ApiEnv): Promise<string> {
  if (args === '') return '';
  return String((await locateDomain(env, args, requestParams(env, [['domain', args]]))) !== undefined);
}

/** switch_xml_locate_group: the group element and its domain. */
async function locateGroup(env: ApiEnv, group: string, domain: string, params: SwitchEvent) {
  params.addHeader('group_name', group);
  params.addHeader('domain', domain);
  const dom = await locateDomain(env, domain, params);
  const found = dom ? groupIn(dom, group) : undefined;
  return dom && found ? { domain: dom, group: found } : undefined;
}

/** `<user>[@<domain>],<group>` (a comma, whatever the syntax line says): `true` when the group's first `<users>` has the id. */
async function inGroup(args: string, env: ApiEnv): Promise<string> {
  const [who, group] = args === '' ? [] : separateString(args, ',', 2);
  if (who === undefined || group === undefined) return 'false';
  const at = who.indexOf('@');
  const user = at < 0 ? who : who.slice(0, at);
  const domain = at < 0 ? defaultDomain(env) : who.slice(at + 1);
  const params = requestParams(env, [
    ['user', user],
    ['domain', domain],
  ]);
  const found = await locateGroup(env, group, domain, params);
  const users = found ? child(found.group, 'users') : undefined;
  return String(users !== undefined && children(users, 'user').some((u) => caseEqual(attr(u, 'id') ?? '', user)));
}

/** The dial string a scope's `<params>` give: `group-dial-string` ends the search, `dial-string` is kept until then. */
function dialStringIn(scope: XmlElement, found: string | undefined): string | undefined {
  const params = child(scope, 'params');
  let dest = found;
  for (const p of params ? children(params, 'param') : []) {
    const name = attr(p, 'name') ?? '';
    if (caseEqual(name, 'group-dial-string')) return attr(p, 'value');
    if (caseEqual(name, 'dial-string')) dest = attr(p, 'value');
  }
  return dest;
}

/** The separator `+F` (`|`), `+A` (`,`), `+E` (`:_:`) asks for; the last letter wins. */
function groupCallSeparator(flags: string): string {
  let separator = ',';
  for (const f of flags) {
    if (f === 'F') separator = '|';
    else if (f === 'A') separator = ',';
    else if (f === 'E') separator = ':_:';
  }
  return separator;
}

/**
 * `<group>[@<domain>][+F|+A|+E]`: each member of the group's first `<users>` (a `pointer` member
 * looked up as a user of the domain) dialled by the domain's, group's or user's
 * `group-dial-string` / `dial-string` (expanded with `dialed_user`, `dialed_group`,
 * `dialed_domain`: on the calling channel, set there, when it comes from `${group_call(…)}`),
 * else `user/<id>@<domain>`; each flattened (api/group_dial_string.ts) and joined by the separator.
 * `error/NO_ROUTE_DESTINATION` when nothing came of it.
 */
async function groupCall(args: string, env: ApiEnv): Promise<string> {
  const none = 'error/NO_ROUTE_DESTINATION';
  if (args === '') return none;
  const plus = args.indexOf('+');
  const separator = plus < 0 ? ',' : groupCallSeparator(args.slice(plus + 1));
  const target = plus < 0 ? args : args.slice(0, plus);
  const at = target.indexOf('@');
  const group = at < 0 ? target : target.slice(0, at);
  const domain = at < 0 ? defaultDomain(env) : target.slice(at + 1);
  if (domain === '') return none;
  const params = requestParams(env, [
    ['group', group],
    ['domain', domain],
    ['action', 'group_call'],
  ]);
  const found = await locateGroup(env, group, domain, params);
  const users = found ? child(found.group, 'users') : undefined;
  if (!found || !users) return none;
  const legs: string[] = [];
  for (const member of children(users, 'user')) {
    const id = attr(member, 'id') ?? '';
    let user: XmlElement | undefined = member;
    if (attr(member, 'type') === 'pointer') {
      user = userInDomain(found.domain, id)?.user;
      if (!user) {
        env.core.log('WARNING', `Can't find user [${id}@${domain}]`);
        continue;
      }
    }
    const dest = [found.domain, found.group, user].reduce<string | undefined>((d, scope) => dialStringIn(scope, d), undefined);
    const dialed: [string, string][] = [
      ['dialed_group', group],
      ['dialed_user', id],
      ['dialed_domain', domain],
    ];
    legs.push(flattenDialString(dest === undefined ? `user/${id}@${domain}` : await expandForMember(env, dest, params, dialed)));
  }
  return legs.length ? legs.join(separator) : none;
}

/** The member's dial string expanded on the calling channel (its variables set first) or on the request's headers, then globals. */
function expandForMember(env: ApiEnv, dest: string, params: SwitchEvent, dialed: readonly [string, string][]): string | Promise<string> {
  const busy = env.busyChannel;
  const api = async (command: string, args: string) => env.sw.services.api?.(command, args, busy);
  if (busy) {
    for (const [name, value] of dialed) busy.read({ op: 'setvar', name, value });
    return expandWithApi(dest, (name) => busy.read({ op: 'getvar', name }) as string | undefined, api);
  }
  for (const [name, value] of dialed) params.addHeader(name, value);
  return expandWithApi(dest, (name) => params.getHeader(name) ?? env.core.globals.get(name), api);
}

/** What list_users carries from domain to group to domain (mod_commands' user_struct is never reset). */
interface ListState {
  group?: string;
  context?: string;
  callgroup?: string;
  callerIdName?: string;
  callerIdNumber?: string;
}

const PRINTED_NULL = '(null)';

/** The four variables list_users reads from a domain's or group's first `<variables>` (names in any case). */
function readScopeVariables(scope: XmlElement, state: ListState): void {
  const vars = child(scope, 'variables');
  if (!vars) return;
  const value = (name: string) => {
    const v = children(vars, 'variable').find((x) => caseEqual(attr(x, 'name') ?? '', name));
    return v ? (attr(v, 'value') ?? '') : undefined;
  };
  state.context = value('user_context') ?? state.context;
  state.callgroup = value('callgroup') ?? state.callgroup;
  state.callerIdName = value('effective_caller_id_name') ?? state.callerIdName;
  state.callerIdNumber = value('effective_caller_id_number') ?? state.callerIdNumber;
}

interface ListFilter {
  user?: string;
  context?: string;
  domain?: string;
  group?: string;
}

/** dump_user: one line, unless the context filter rejects it or `sofia_contact` is not there. */
async function userLine(env: ApiEnv, tag: XmlElement, domain: XmlElement, state: ListState, filter: ListFilter): Promise<string> {
  const pointer = caseEqual(attr(tag, 'type') ?? '', 'pointer') ? pointedUser(domain, attr(tag, 'id') ?? '') : undefined;
  const user = pointer ?? tag;
  const own = { ...state };
  const vars = child(user, 'variables');
  for (const v of vars ? children(vars, 'variable') : []) {
    const name = attr(v, 'name') ?? '';
    const value = attr(v, 'value') ?? '';
    if (caseEqual(name, 'user_context')) own.context = value;
    else if (caseEqual(name, 'effective_caller_id_name')) own.callerIdName = value;
    else if (caseEqual(name, 'effective_caller_id_number')) own.callerIdNumber = value;
    else if (caseEqual(name, 'callgroup')) own.callgroup = value;
  }
  if (filter.context !== undefined && (!own.context || !caseEqual(filter.context, own.context))) return '';
  const id = attr(user, 'id') ?? '';
  const dname = attr(domain, 'name') ?? '';
  const contactArgs = dname === '' ? `*/${id}` : `*/${id}@${dname}`;
  const contact = await env.sw.services.api?.('sofia_contact', contactArgs);
  if (contact === undefined) {
    env.core.log('DEBUG', `sofia_contact '${contactArgs}' failed. status: 1 `);
    return '';
  }
  const fields = [id, own.context, dname, own.group, contact, own.callgroup, own.callerIdName, own.callerIdNumber];
  return `${fields.map((f) => f ?? PRINTED_NULL).join('|')}\n`;
}

/** `list_users [group <g>] [domain <d>] [user <u>] [context <c>]` (list_users_function). */
async function listUsers(args: string, env: ApiEnv): Promise<string> {
  const argv = args === '' ? [] : separateString(args, ' ', 9);
  if (argv.length >= 9) return `-USAGE: ${LIST_USERS_SYNTAX}\n`;
  // every word is looked at, so a value can also be taken for a keyword
  const filter: ListFilter = {};
  argv.forEach((word, i) => {
    const key = word.toLowerCase();
    if (key === 'user' || key === 'context' || key === 'domain' || key === 'group') filter[key] = argv[i + 1];
  });
  let out = LIST_USERS_HEADER;
  const section = await (filter.domain === undefined
    ? env.sw.conf?.locate('directory')
    : env.sw.conf?.locate('directory', 'domain', 'name', filter.domain));
  const state: ListState = {};
  const wanted = (value: string | undefined, tag: XmlElement, name: string) => value === undefined || caseEqual(value, attr(tag, name) ?? '');
  for (const domain of section ? children(section, 'domain') : []) {
    if (!wanted(filter.domain, domain, 'name')) continue;
    readScopeVariables(domain, state);
    const groups = child(domain, 'groups');
    if (groups) {
      for (const group of children(groups, 'group')) {
        state.group = attr(group, 'name') ?? '';
        if (!wanted(filter.group, group, 'name')) continue;
        readScopeVariables(group, state);
        for (const users of children(group, 'users')) out += await usersLines(env, users, domain, state, filter);
      }
    } else for (const users of children(domain, 'users')) out += await usersLines(env, users, domain, state, filter);
  }
  return `${out}\n+OK\n`;
}

async function usersLines(env: ApiEnv, users: XmlElement, domain: XmlElement, state: ListState, filter: ListFilter): Promise<string> {
  let out = '';
  for (const tag of children(users, 'user')) if (wantedUser(filter, tag)) out += await userLine(env, tag, domain, state, filter);
  return out;
}

const wantedUser = (filter: ListFilter, tag: XmlElement) => filter.user === undefined || caseEqual(filter.user, attr(tag, 'id') ?? '');

export const DIRECTORY_COMMANDS: readonly ApiCommand[] = [
  modCommandsApi('user_exists', '<key> <user> <domain>', 'Find a user', userExists),
  modCommandsApi('domain_exists', '<domain>', 'Check if a domain exists', domainExists),
  modCommandsApi('in_group', '<user>[@<domain>] <group_name>', 'Determine if a user is in a group', inGroup),
  modCommandsApi('group_call', '<group>[@<domain>]', 'Generate a dial string to call a group', groupCall),
  modCommandsApi('list_users', LIST_USERS_SYNTAX, 'List Users configured in Directory', listUsers),
];
