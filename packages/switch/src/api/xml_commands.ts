/**
 * mod_commands' XML commands, with its replies: `xml_locate` (switch_xml_locate: XML-fetch
 * bindings, then the static XML), `find_user_xml` (switch_xml_locate_user_merged: the user with
 * its group's and domain's params and variables merged in), `xml_flush_cache` (beamline keeps no
 * user cache, so nothing is ever cleared) and `xml_wrap` (another command's output in a
 * `<result>` document). Elements print as switch_xml_toxml lays out a tree: two spaces a level.
 */
import { domainIn, userInDomain } from '../config/directory_search.ts';
import { XML_SECTIONS, type XmlSectionName } from '../config/xml_fetch.ts';
import { type XmlElement, attr, child, children, findChild } from '../config/xml.ts';
import type { SwitchEvent } from '../events/event.ts';
import { type XmlNode, toXml } from '../fifo/report_xml.ts';
import { caseEqual, separateString, urlEncode } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv, ApiRegistry } from './registry.ts';

/** The switch's XML as the commands read it (config/live.ts's LiveConf). */
export interface XmlSource {
  /** The static document, when one is loaded. */
  readonly current: { readonly root: XmlElement } | undefined;
  locate(section: XmlSectionName, tag?: string, key?: string, value?: string, params?: SwitchEvent): Promise<XmlElement | undefined>;
}

const isSection = (name: string): name is XmlSectionName => (XML_SECTIONS as readonly string[]).includes(name);

/** A parsed element as a printable tree (character data only where there are no children). */
function nodeOf(el: XmlElement): XmlNode {
  const n: XmlNode = { name: el.name, attrs: Object.entries(el.attributes), children: el.children.map(nodeOf) };
  if (el.children.length === 0) n.text = el.text;
  return n;
}

/** do_merge: `src`'s `<container><tag name=… value=…>` entries the user's first `<container>` has no name of (any case), appended. */
function mergeInto(user: XmlNode, src: XmlElement | undefined, container: string, tag: string): void {
  let own = user.children.find((c) => c.name === container);
  if (!own) {
    own = { name: container, attrs: [], children: [], text: '' };
    user.children.push(own);
  }
  const list = src ? child(src, container) : undefined;
  for (const p of list ? children(list, tag) : []) {
    const name = attr(p, 'name');
    const value = attr(p, 'value');
    const has = own.children.some((c) => {
      const cname = c.name === tag ? c.attrs.find(([k]) => k === 'name')?.[1] : undefined;
      return name !== undefined && cname !== undefined && caseEqual(name, cname);
    });
    if (has) continue;
    const attrs: [string, string][] = [];
    if (name !== undefined) attrs.push(['name', name]);
    if (value !== undefined) attrs.push(['value', value]);
    own.children.push({ name: tag, attrs, children: [], text: '' });
  }
}

/** switch_xml_merge_user on a copy of the user: group first, then domain; then `domain-name`. */
function mergedUser(user: XmlElement, domain: XmlElement, group: XmlElement | undefined): XmlNode {
  const node = nodeOf(user);
  if (node.children.length === 0) delete node.text;
  for (const src of [group, domain])
    for (const [container, tag] of [
      ['params', 'param'],
      ['variables', 'variable'],
      ['profile-variables', 'variable'],
    ] as const)
      mergeInto(node, src, container, tag);
  const domainName = attr(domain, 'name');
  if (domainName !== undefined && domainName !== '') {
    const at = node.attrs.findIndex(([k]) => k === 'domain-name');
    if (at >= 0) node.attrs[at] = ['domain-name', domainName];
    else node.attrs.push(['domain-name', domainName]);
  }
  return node;
}

function requestParams(env: ApiEnv, headers: readonly (readonly [string, string])[]): SwitchEvent {
  const params = env.core.bus.create('REQUEST_PARAMS');
  for (const [name, value] of headers) params.addHeader(name, value);
  return params;
}

/** xml_locate_function: `root`, or `<section> <tag> <tag_attr_name> <tag_attr_val>`. */
async function xmlLocate(args: string, env: ApiEnv, xml: XmlSource): Promise<string> {
  if (args === '') return '-ERR bad args\n';
  const argv = separateString(args, ' ', 4);
  if (argv.length === 1 && caseEqual(argv[0] ?? '', 'root')) {
    const root = xml.current?.root;
    return root ? toXml(nodeOf(root)) : '';
  }
  if (argv.length !== 1 && argv.length !== 4) return '-ERR bad args\n';
  const [section = '', tag, key = '', value = ''] = argv;
  if (!isSection(section)) return "can't find anything\n";
  // a section alone: switch_xml_find_child without a tag name gives the section itself
  const obj =
    tag === undefined
      ? await xml.locate(section, undefined, undefined, undefined, requestParams(env, [['section', section]]))
      : await locateChild(env, xml, section, tag, key, value);
  return obj ? toXml(nodeOf(obj)) : "can't find anything\n";
}

async function locateChild(
  env: ApiEnv,
  xml: XmlSource,
  section: XmlSectionName,
  tag: string,
  key: string,
  value: string,
): Promise<XmlElement | undefined> {
  const params = requestParams(env, [
    ['section', section],
    ['tag', tag],
    ['tag_attr_name', key],
    ['tag_attr_val', value],
  ]);
  const found = await xml.locate(section, tag, key, value, params);
  return found ? findChild(found, tag, key, value) : undefined;
}

/** _find_user: `<key> <user> <domain>`; in a channel's expansion only `true` / `false`. */
async function findUserXml(args: string, env: ApiEnv, xml: XmlSource): Promise<string> {
  const argv = args === '' ? [] : separateString(args, ' ', 3);
  const [key, user, domain] = argv;
  let err: string | undefined;
  let merged: XmlNode | undefined;
  if (key === undefined || user === undefined || domain === undefined) err = 'bad args';
  else {
    const params = requestParams(env, [
      ['key', key],
      ['user', user],
      ['domain', domain],
    ]);
    const section = await xml.locate('directory', 'domain', 'name', domain, params);
    const dom = section ? domainIn(section, domain) : undefined;
    const found = dom ? userInDomain(dom, user, key) : undefined;
    if (!dom || !found) err = "can't find user";
    else merged = mergedUser(found.user, dom, found.group);
  }
  if (env.busyChannel) return err ? 'false' : 'true';
  return err ? `-ERR ${err}\n` : merged ? toXml(merged) : '';
}

/** xml_wrap_api_function: `[encoded ]<command> [<args>]`. */
async function xmlWrap(args: string, env: ApiEnv, registry: ApiRegistry): Promise<string> {
  if (args === '') return '-ERR Invalid syntax\n';
  const encoded = args.slice(0, 8).toLowerCase() === 'encoded ';
  const line = encoded ? args.slice(8) : args;
  const space = line.indexOf(' ');
  const command = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  const out = (await registry.execute(command, rest, env)).output;
  const data = encoded ? urlEncode(out) : out;
  return `<result>\n  <row id="1">\n    <data>${data}</data>\n  </row>\n</result>\n`;
}

export function xmlCommands(registry: ApiRegistry, xml: XmlSource): ApiCommand[] {
  return [
    {
      name: 'xml_locate',
      syntax: '[root | <section> <tag> <tag_attr_name> <tag_attr_val>]',
      description: 'Find some xml',
      module: 'mod_commands',
      run: (args, env) => xmlLocate(args, env, xml),
    },
    {
      name: 'find_user_xml',
      syntax: '<key> <user> <domain>',
      description: 'Find a user',
      module: 'mod_commands',
      run: (args, env) => findUserXml(args, env, xml),
    },
    {
      name: 'xml_flush_cache',
      syntax: '<id> <key> <val>',
      description: 'Clear xml cache',
      module: 'mod_commands',
      // switch_xml_clear_user_cache: beamline caches no user lookups (DECISIONS)
      run: () => '+OK cleared 0 entries\n',
    },
    {
      name: 'xml_wrap',
      syntax: '<command> <args>',
      description: 'Wrap another api command in xml',
      module: 'mod_commands',
      run: (args, env) => xmlWrap(args, env, registry),
    },
  ];
}
