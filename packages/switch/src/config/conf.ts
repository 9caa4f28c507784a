/**
 * Loading a `conf/` directory the way FreeSWITCH does (switch_xml.c): `freeswitch.xml` is
 * pre-processed line by line — `$${name}` replaced by the global variable (empty when unset),
 * lines holding `<include>`, `</include>` or `<?` dropped, a line with `<X-PRE-PROCESS cmd="set"
 * data="k=v"/>` sets a global, one with `cmd="include" data="<glob>"` is replaced by the
 * matching files (sorted, each pre-processed in turn; a relative glob is relative to the
 * directory of the file that includes it), `cmd="exec-set" data="k=<shell command>"` sets a global
 * to the command's output (trailing spaces and newlines cut), `cmd="env-set" data="k=$ENV"` to an
 * environment variable; the same commands as comments `<!--#include "file"-->` (a comment left
 * open skips lines up to its `-->`) — and the result is parsed as one document. Every
 * line of the result remembers the file and line it came from, so a syntax error names them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { type AclList, parseAclConf } from './acl.ts';
import { type XmlElement, XmlSyntaxError, attr, children, findChild, parseXml } from './xml.ts';

export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface Preprocessed {
  /** The combined document. */
  readonly text: string;
  /** Where each line of `text` came from (index = line - 1). */
  readonly origin: readonly SourceLine[];
  /** Globals set by `X-PRE-PROCESS cmd="set"`, in order. */
  readonly sets: readonly (readonly [string, string])[];
  /** INFO/ERR lines FreeSWITCH would log while pre-processing. */
  readonly messages: readonly { level: 'INFO' | 'ERR'; text: string }[];
}

const MAX_DEPTH = 100;

/** A glob of `*`, `?` and `[…]` in the last path component (the form FreeSWITCH's confs use). */
export function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?[]/.test(base)) {
    try {
      return statSync(pattern).isFile() ? [pattern] : [];
    } catch {
      return [];
    }
  }
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && re.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
}

/** `$${name}` → the variable's value (empty when unset), as switch_xml.c's expand_vars. */
export function expandDollarVars(line: string, vars: ReadonlyMap<string, string>): string {
  return line.replace(/\$\$\{([^}]*)\}/g, (_, name: string) => vars.get(name) ?? '');
}

const PRE = /<x-pre-process\b/i;
const attrValue = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return m?.[1];
};

/**
 * Pre-processes `file` (and what it includes). `vars` holds the globals; sets go into it too.
 */
export function preprocess(file: string, vars: Map<string, string>): Preprocessed {
  const out: string[] = [];
  const origin: SourceLine[] = [];
  const sets: [string, string][] = [];
  const messages: { level: 'INFO' | 'ERR'; text: string }[] = [];
  const run = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      messages.push({ level: 'ERR', text: `Error including ${path} (Maximum recursion limit reached)` });
      return;
    }
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      messages.push({ level: 'ERR', text: `Error including ${path}` });
      return;
    }
    const lines = source.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // a `<!--#command …` comment without its `-->` on the same line: lines are skipped until one has it
    let inComment = false;
    lines.forEach((raw, i) => {
      let line = expandDollarVars(raw, vars);
      if (line.includes('<include>') || line.includes('</include>') || line.includes('<?')) return;
      if (inComment) {
        const end = line.indexOf('-->');
        if (end < 0) return;
        inComment = false;
        line = line.slice(end + 3);
      }
      const at = line.search(PRE);
      if (at >= 0) {
        const end = line.indexOf('/>', at);
        const tag = line.slice(at, end < 0 ? undefined : end);
        const cmd = attrValue(tag, 'cmd');
        const data = attrValue(tag, 'data');
        if (cmd !== undefined && data !== undefined) command(cmd, data, path, depth);
        return;
      }
      const c = line.indexOf('<!--#');
      if (c >= 0) {
        // the text around the comment is written before the command runs (an include lands after it)
        let cmdText = line.slice(c + 5);
        const end = cmdText.indexOf('-->');
        const around = end >= 0 ? line.slice(0, c) + cmdText.slice(end + 3) : line.slice(0, c);
        if (end >= 0) cmdText = cmdText.slice(0, end);
        else inComment = true;
        if (around.trim() !== '') {
          out.push(around);
          origin.push({ file: path, line: i + 1 });
        }
        const sp = cmdText.indexOf(' ');
        if (sp < 0) return;
        let arg = cmdText.slice(sp + 1);
        const q1 = arg.indexOf('"');
        const q2 = q1 < 0 ? -1 : arg.indexOf('"', q1 + 1);
        if (q2 >= 0) arg = arg.slice(q1 + 1, q2);
        command(cmdText.slice(0, sp), arg, path, depth);
        return;
      }
      out.push(line);
      origin.push({ file: path, line: i + 1 });
    });
  };
  /** One pre-processor command, from `<X-PRE-PROCESS cmd data>` or `<!--#cmd "data"-->`. */
  const command = (cmd: string, data: string, path: string, depth: number): void => {
    const name = cmd.toLowerCase();
    if (name === 'set') {
      const eq = data.indexOf('=');
      if (eq < 0) return;
      setVar(data.slice(0, eq).replace(/ +$/, ''), data.slice(eq + 1).replace(/^ +/, ''));
    } else if (name === 'exec-set') {
      const eq = data.indexOf('=');
      if (eq < 0) return;
      const key = data.slice(0, eq).replace(/ +$/, '');
      const shell = data.slice(eq + 1).replace(/^ +/, '');
      const r = spawnSync('/bin/sh', ['-c', shell], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
      if (r.status !== 0) {
        messages.push({ level: 'ERR', text: `Error while executing command: ${shell}` });
        return;
      }
      const value = r.stdout.replace(/[ \n]+$/, '');
      if (value !== '') setVar(key, value);
    } else if (name === 'env-set') {
      const eq = data.indexOf('=');
      if (eq < 0 || data[eq + 1] !== '$') return;
      const value = process.env[data.slice(eq + 2)];
      if (value !== undefined) setVar(data.slice(0, eq), value);
    } else if (name === 'include') {
      const pattern = isAbsolute(data) ? data : join(dirname(path), data);
      const files = globFiles(pattern);
      if (files.length === 0) messages.push({ level: 'INFO', text: `No files to include at ${pattern}` });
      for (const f of files) run(f, depth + 1);
    } else if (name === 'stun-set' || name === 'exec') {
      // FreeSWITCH's, not built: a STUN lookup, a command's output included as XML (other words are ignored, as there)
      messages.push({ level: 'ERR', text: `X-PRE-PROCESS ${cmd} is not supported (${path})` });
    }
  };
  const setVar = (name: string, value: string) => {
    vars.set(name, value);
    sets.push([name, value]);
  };
  run(file, 0);
  return { text: out.join('\n'), origin, sets, messages };
}

/** A conf that cannot be loaded: FreeSWITCH's text (`[error near line N]: reason`, N in the combined document) and where. */
export class ConfError extends Error {
  readonly fsText: string;
  readonly file: string;
  readonly line: number;
  constructor(fsText: string, file: string, line: number, detail: string) {
    super(detail);
    this.name = 'ConfError';
    this.fsText = fsText;
    this.file = file;
    this.line = line;
  }
}

export interface SwitchConfSettings {
  /** `<settings><param name= value=>` of switch.conf, names lower-cased, last one wins. */
  readonly params: ReadonlyMap<string, string>;
}

export interface LoadedConf {
  readonly confDir: string;
  readonly root: XmlElement;
  readonly globals: ReadonlyMap<string, string>;
  /** The `<section name="dialplan">` element (holds the contexts), if any. */
  readonly dialplan?: XmlElement;
  readonly switchConf: SwitchConfSettings;
  readonly acl: ReadonlyMap<string, AclList>;
  readonly messages: readonly { level: 'INFO' | 'ERR' | 'WARNING'; text: string }[];
}

/** `<section name=…>` of the root, any case (switch_xml_find_child). */
export function section(root: XmlElement, name: string): XmlElement | undefined {
  return findChild(root, 'section', 'name', name);
}

/** `<section name="configuration"><configuration name="<file>">`. */
export function configuration(root: XmlElement, name: string): XmlElement | undefined {
  const s = section(root, 'configuration');
  return s ? findChild(s, 'configuration', 'name', name) : undefined;
}

export function settingsOf(conf: XmlElement | undefined): Map<string, string> {
  const params = new Map<string, string>();
  const settings = conf ? children(conf, 'settings')[0] : undefined;
  for (const p of settings ? children(settings, 'param') : []) {
    const name = attr(p, 'name');
    if (name) params.set(name.toLowerCase(), attr(p, 'value') ?? '');
  }
  return params;
}

/**
 * A syntax error of the combined document where the operator can find it: the file and line it
 * came from, the line an unclosed tag was opened on likewise, and, when the line follows the end
 * of an included file, that file (an element left open there is reported only where the next
 * file's text goes on). FreeSWITCH's own text keeps the combined document's line.
 */
function syntaxError(err: XmlSyntaxError, origin: readonly SourceLine[], root: string): ConfError {
  const where = (line: number): SourceLine => origin[Math.min(line, origin.length) - 1] ?? { file: root, line };
  const at = where(err.line);
  let reason = err.reason.replace(/\(opened in line (\d+), col (\d+)\)/, (_, line: string, col: string) => {
    const opened = where(Number(line));
    return `(opened at ${opened.file}:${opened.line}, col ${col})`;
  });
  const before = err.line > 1 ? where(err.line - 1) : undefined;
  // back in the including file after an included one (not the first line of an included file)
  if (before && before.file !== at.file && at.line > 1) reason += ` (the line before is the last of ${before.file}, line ${before.line})`;
  return new ConfError(`[error near line ${err.line}]: ${err.reason}`, at.file, at.line, `${at.file}:${at.line}: ${reason}`);
}

/**
 * Loads `<confDir>/freeswitch.xml`. `globals` seeds the variables `$${…}` sees. Throws ConfError
 * when the root file is missing or the combined document is not well-formed.
 */
export function loadConf(confDir: string, globals: Iterable<readonly [string, string]> = [], rootFile = 'freeswitch.xml'): LoadedConf {
  const vars = new Map<string, string>(globals);
  const path = join(confDir, rootFile);
  try {
    statSync(path);
  } catch {
    throw new ConfError('Cannot Open log directory or XML Root!', path, 0, `${path}: cannot open`);
  }
  const pre = preprocess(path, vars);
  let root: XmlElement;
  try {
    root = parseXml(pre.text, path);
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    throw syntaxError(err, pre.origin, path);
  }
  const fix = (el: XmlElement): XmlElement => {
    const at = pre.origin[el.line - 1];
    return { ...el, line: at?.line ?? el.line, file: at?.file ?? path, children: el.children.map(fix) };
  };
  root = fix(root);
  const acl = parseAclConf(configuration(root, 'acl.conf'));
  const dialplan = section(root, 'dialplan');
  return {
    confDir,
    root,
    globals: vars,
    ...(dialplan ? { dialplan } : {}),
    switchConf: { params: settingsOf(configuration(root, 'switch.conf')) },
    acl: acl.lists,
    messages: [...pre.messages, ...acl.warnings.map((text) => ({ level: 'WARNING' as const, text }))],
  };
}
