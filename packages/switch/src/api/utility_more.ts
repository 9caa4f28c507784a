/**
 * More of mod_commands' utilities, with its replies: `file_exists`, `replace`, `escape`,
 * `quote_shell_arg`, `sql_escape`, `getenv`, `host_lookup`, `gethost`, `unsched_api`,
 * `system` / `bg_system` (shell commands, as FreeSWITCH runs them: whoever may call the API may
 * run them), `user_data` and `domain_data` (the directory as switch_xml_locate finds it).
 * An empty argument is taken as no argument (the console's NULL).
 */
import { execFile, spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { statSync } from 'node:fs';
import { domainIn, userInDomain } from '../config/directory_search.ts';
import { type XmlElement, attr, child, children } from '../config/xml.ts';
import { atol, caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand, ApiEnv } from './registry.ts';

/** switch_string_replace: every `search` in `text` by `replacement`, left to right. */
export function stringReplace(text: string, search: string, replacement: string): string {
  return search === '' ? text : text.split(search).join(replacement);
}

/** switch_escape_string: newline, CR, tab, space and `$` backslashed (`\n`, `\r`, `\t`, `\s`, `\$`). */
export function escapeString(text: string): string {
  return text.replace(/[\n\r\t $]/g, (c) => `\\${c === '\n' ? 'n' : c === '\r' ? 'r' : c === '\t' ? 't' : c === ' ' ? 's' : '$'}`);
}

/** switch_util_quote_shell_arg (not Windows): in single quotes, each `'` as `'\''`. */
export function quoteShellArg(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** replace_function: `[m:<d>]<data><d><search><d><replacement>`, `<d>` `|` unless `m:` names `|`, `~` or `/`. */
function replace(args: string): string {
  if (args === '') return '-ERR';
  const m = /^m:([|~/])/.exec(args);
  const parts = separateString(m ? args.slice(3) : args, m?.[1] ?? '|', 3);
  const [data, search, replacement] = parts;
  if (parts.length < 3 || data === undefined || search === undefined || replacement === undefined) return '-ERR';
  return stringReplace(data, search, replacement);
}

/** switch_stream_system: the command's standard output. */
function system(command: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (_err, stdout) => resolve(stdout ?? ''));
  });
}

/** The directory lookups' REQUEST_PARAMS. */
function requestParams(env: ApiEnv, headers: readonly (readonly [string, string])[]) {
  const params = env.core.bus.create('REQUEST_PARAMS');
  for (const [name, value] of headers) params.addHeader(name, value);
  return params;
}

/** The value of the last `<elem name=key>` (any case) in `scope`'s first `<container>`. */
function lastNamed(scope: XmlElement, container: string, elem: string, key: string): string | undefined {
  const list = child(scope, container);
  let found: string | undefined;
  for (const p of list ? children(list, elem) : []) {
    const name = attr(p, 'name');
    const value = attr(p, 'value');
    if (name !== undefined && value !== undefined && caseEqual(name, key)) found = value;
  }
  return found;
}

/** `var` reads `<variables><variable>`, anything else `<params><param>`. */
const containerOf = (type: string): [string, string] => (type === 'var' ? ['variables', 'variable'] : ['params', 'param']);

/**
 * user_data_function: `<user>[@<domain>] attr|var|param <name>` on the user merged with its group
 * and domain (switch_xml_merge_user: the user's own entries first, then the group's and the
 * domain's it does not have; the last of the name wins). Nothing when not found.
 */
async function userData(args: string, env: ApiEnv): Promise<string> {
  const argv = args === '' ? [] : separateString(args, ' ', 3);
  const [who, type, key] = argv;
  if (argv.length < 3 || who === undefined || type === undefined || key === undefined) return '';
  const at = who.indexOf('@');
  const user = at < 0 ? who : who.slice(0, at);
  const domain = at < 0 ? (env.core.globals.get('domain') ?? 'freeswitch.local') : who.slice(at + 1);
  const params = requestParams(env, [
    ['user', user],
    ['domain', domain],
    ['type', type],
  ]);
  const section = await env.sw.conf?.locate('directory', 'domain', 'name', domain, params);
  const dom = section ? domainIn(section, domain) : undefined;
  const found = dom ? userInDomain(dom, user, 'id') : undefined;
  if (!dom || !found) return '';
  if (type === 'attr') {
    if (key === 'domain-name') return attr(dom, 'name') ?? attr(found.user, key) ?? '';
    return attr(found.user, key) ?? '';
  }
  const [container, elem] = containerOf(type);
  for (const scope of [found.user, found.group, dom]) {
    if (!scope) continue;
    const list = child(scope, container);
    const named = list ? children(list, elem).filter((p) => caseEqual(attr(p, 'name') ?? '', key) && attr(p, 'value') !== undefined) : [];
    if (named.length === 0) continue;
    // the user's own: the last of them; a group's or the domain's: merged once, the first
    return (scope === found.user ? lastNamed(scope, container, elem, key) : attr(named[0] as XmlElement, 'value')) ?? '';
  }
  return '';
}

/** domain_data_function: `<domain> attr|var|param <name>` on the domain element. Nothing when not found. */
async function domainData(args: string, env: ApiEnv): Promise<string> {
  const argv = args === '' ? [] : separateString(args, ' ', 3);
  const [domain, type, key] = argv;
  if (argv.length < 3 || domain === undefined || type === undefined || key === undefined) return '';
  const params = requestParams(env, [
    ['domain', domain],
    ['type', type],
  ]);
  const section = await env.sw.conf?.locate('directory', 'domain', 'name', domain, params);
  const dom = section ? domainIn(section, domain) : undefined;
  if (!dom) return '';
  if (type === 'attr') return attr(dom, key) ?? '';
  const [container, elem] = containerOf(type);
  return lastNamed(dom, container, elem, key) ?? '';
}

const SYSTEM_USAGE = '-USAGE: <command>\n';

export const UTILITY_MORE_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'file_exists',
    syntax: '<file>',
    description: 'Check if a file exists on server',
    module: 'mod_commands',
    // switch_file_exists: anything stat finds, a folder too
    run: (args) => String(args !== '' && statSync(args, { throwIfNoEntry: false }) !== undefined),
  },
  { name: 'replace', syntax: '<data>|<string1>|<string2>', description: 'Replace a string', module: 'mod_commands', run: replace },
  { name: 'escape', syntax: '<data>', description: 'Escape a string', module: 'mod_commands', run: escapeString },
  {
    name: 'quote_shell_arg',
    syntax: '<data>',
    description: 'Quote/escape a string for use on shell command line',
    module: 'mod_commands',
    run: (args) => (args === '' ? '' : quoteShellArg(args)),
  },
  {
    name: 'sql_escape',
    syntax: '<string>',
    description: 'Escape a string to prevent sql injection',
    module: 'mod_commands',
    run: (args) => args.replaceAll("'", "''"),
  },
  {
    name: 'getenv',
    syntax: '<name>',
    description: 'getenv',
    module: 'mod_commands',
    run: (args) => (args === '' ? '_undef_' : (process.env[args] ?? '_undef_')),
  },
  {
    name: 'host_lookup',
    syntax: '<hostname>',
    description: 'Lookup host',
    module: 'mod_commands',
    run: async (args) => {
      if (args === '') return 'parameter missing\n';
      try {
        return (await lookup(args, { family: 0 })).address;
      } catch {
        return '!err!';
      }
    },
  },
  {
    name: 'gethost',
    syntax: '',
    description: 'gethostbyname',
    module: 'mod_commands',
    run: async (args) => {
      if (args === '') return '-ERR';
      try {
        return (await lookup(args, { family: 4 })).address;
      } catch {
        return '-ERR';
      }
    },
  },
  {
    name: 'unsched_api',
    syntax: '<task_id>',
    description: 'Unschedule an api command',
    module: 'mod_commands',
    run: (args, env) => {
      const id = atol(args) >>> 0;
      if (id === 0) return '';
      return env.core.scheduler.deleteId(id) ? '+OK\n' : '-ERR No such id\n';
    },
  },
  {
    name: 'system',
    syntax: '<command>',
    description: 'Execute a system command',
    module: 'mod_commands',
    run: (args) => (args === '' ? SYSTEM_USAGE : system(args)),
  },
  {
    name: 'bg_system',
    syntax: '<command>',
    description: 'Execute a system command in the background',
    module: 'mod_commands',
    run: (args, env) => {
      if (args === '') return SYSTEM_USAGE;
      env.core.log('NOTICE', `Executing command: ${args}`);
      try {
        const child = spawn('/bin/sh', ['-c', args], { stdio: 'ignore', detached: true });
        child.on('error', () => env.core.log('NOTICE', `Failed to execute command: ${args}`));
        child.unref();
      } catch {
        env.core.log('NOTICE', `Failed to execute command: ${args}`);
      }
      return '+OK\n';
    },
  },
  { name: 'user_data', syntax: '<user>@<domain> [var|param|attr] <name>', description: 'Find user data', module: 'mod_commands', run: userData },
  { name: 'domain_data', syntax: '<domain> [var|param|attr] <name>', description: 'Find domain data', module: 'mod_commands', run: domainData },
];
