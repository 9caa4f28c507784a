/**
 * The configuration a running switch uses: the loaded conf/ (or none), a dialplan that always
 * hunts in the current XML, the ACL lists; `reload()` (the `reloadxml` command) re-reads the
 * directory and swaps only when the new document loads, firing RELOADXML. The ACL lists are
 * built from the XML at startup and again only by `reloadacl` (switch_load_network_lists).
 */
import type { SwitchCore } from '../core/core.ts';
import { type Dialplan, huntWithClock } from '../dialplan/dialplan.ts';
import type { ApiCommand } from '../api/registry.ts';
import { sync } from '../applications/dptools.ts';
import type { Application } from '../applications/types.ts';
import { Cause, parseCause } from '../channel/causes.ts';
import { separateString } from '../internal/strings.ts';
import { type AclList, aclCheck, autoAclLists, cidrNode, parseAclConf } from './acl.ts';
import { ConfError, type LoadedConf, loadConf, section } from './conf.ts';
import type { SwitchEvent } from '../events/event.ts';
import { type XmlElement, findChild } from './xml.ts';
import { XmlBindings, type XmlSectionName } from './xml_fetch.ts';
import { coreSettings } from './switch_conf.ts';

/** The lists switch_load_network_lists builds when there is no acl.conf: the automatic ones. */
function autoListsOnly(): ReadonlyMap<string, AclList> {
  return new Map(autoAclLists().map((l) => [l.name.toLowerCase(), l]));
}

export class LiveConf {
  readonly confDir: string | undefined;
  #conf: LoadedConf | undefined;
  #acl: ReadonlyMap<string, AclList>;
  readonly #core: SwitchCore;
  /** XML search bindings (mod_xml_curl, mod_erlang_event): asked before the static XML. */
  readonly xmlBindings: XmlBindings;

  constructor(core: SwitchCore, confDir?: string, loaded?: LoadedConf) {
    this.#core = core;
    this.xmlBindings = new XmlBindings((level, text) => core.log(level, text));
    this.confDir = confDir;
    this.#conf = loaded;
    this.#acl = loaded?.acl ?? autoListsOnly();
  }

  get current(): LoadedConf | undefined {
    return this.#conf;
  }

  /** The XML dialplan over whatever document is current. */
  readonly dialplan: Dialplan = {
    hunt: (env) => {
      const section = this.#conf?.dialplan;
      return huntWithClock(section ?? { name: 'section', attributes: {}, children: [], text: '', line: 0 }, env, this.#core);
    },
  };

  /**
   * switch_xml_locate for directory / configuration / … lookups: the section a binding gives when
   * it holds the `tag` whose `key` is `value`, else the static XML's (as switch_xml_locate looks in
   * the root once the served document lacks it). The caller picks inside the section.
   */
  async locate(name: XmlSectionName, tag?: string, key?: string, value?: string, params?: SwitchEvent): Promise<XmlElement | undefined> {
    const fetched = await this.xmlBindings.fetch({ section: name, tagName: tag, keyName: key, keyValue: value, params });
    const holds = (s: XmlElement) => tag === undefined || key === undefined || value === undefined || findChild(s, tag, key, value) !== undefined;
    if (fetched && holds(fetched)) return fetched;
    return this.#conf ? section(this.#conf.root, name) : undefined;
  }

  /** An ACL list by name (any case); without a conf, the automatic lists. */
  acl(name: string): AclList | undefined {
    return this.#acl.get(name.toLowerCase());
  }

  /**
   * switch_load_network_lists: acl.conf as switch_xml_open_cfg finds it — from an XML-fetch
   * binding of `configuration` first (tag `configuration`, key `name`, value `acl.conf`), else the
   * current static XML.
   */
  async reloadAcl(): Promise<void> {
    const fetched = await this.xmlBindings.fetch({
      section: 'configuration',
      tagName: 'configuration',
      keyName: 'name',
      keyValue: 'acl.conf',
      params: undefined,
    });
    const served = fetched ? findChild(fetched, 'configuration', 'name', 'acl.conf') : undefined;
    if (served) {
      const parsed = parseAclConf(served);
      for (const w of parsed.warnings) this.#core.log('WARNING', w);
      this.#acl = parsed.lists;
    } else this.#acl = this.#conf?.acl ?? autoListsOnly();
  }

  /**
   * switch_check_network_list_ip: a list by name; else a name with a `/` is a CIDR, or a
   * comma-separated list of them, any of which may hold the address; anything else allows nothing.
   */
  aclAllows(name: string, ip: string): boolean {
    const list = this.acl(name);
    if (list) return aclCheck(list, ip);
    if (!name.includes('/')) return false;
    return separateString(name, ',', 100).some((cidr) => {
      const node = cidrNode(cidr, true);
      return node !== undefined && aclCheck({ name: cidr, defaultAllow: false, nodes: [node] }, ip);
    });
  }

  /** switch_xml_reload: FreeSWITCH's error text (`Success` when it loaded). */
  reload(): string {
    if (this.confDir === undefined) return 'Cannot Open log directory or XML Root!';
    let conf: LoadedConf;
    try {
      conf = loadConf(this.confDir, this.#core.globals.entries());
    } catch (err) {
      if (!(err instanceof ConfError)) throw err;
      this.#core.log('ERR', `reloadxml: ${err.message}; the old configuration stays`);
      return err.fsText;
    }
    this.#conf = conf;
    for (const [k, v] of conf.globals) this.#core.globals.set(k, v);
    for (const m of conf.messages) this.#core.log(m.level, m.text);
    this.#core.fire(this.#core.bus.create('RELOADXML'));
    return 'Success';
  }
}

/** `reloadxml`: `+OK [Success]\n`, or `+OK [<error>]\n` with the old XML kept. */
export function reloadxmlCommand(live: LiveConf): ApiCommand {
  return { name: 'reloadxml', syntax: '', run: () => `+OK [${live.reload()}]\n` };
}

/** `reloadacl [reloadxml]`: reloads the XML, then the lists: `+OK acl reloaded\n`, or `-Error [<error>]\n`. */
export function reloadaclCommand(live: LiveConf): ApiCommand {
  return {
    name: 'reloadacl',
    syntax: '',
    run: async (args) => {
      const note = args.toLowerCase() === 'reloadxml' ? 'This option is deprecated, we now always reloadxml.\n' : '';
      const err = live.reload();
      if (err !== 'Success') return `${note}-Error [${err}]\n`;
      await live.reloadAcl();
      return `${note}+OK acl reloaded\n`;
    },
  };
}

/** `acl <ip> <list_name>` (mod_commands' acl_function): `true` when the list allows the address, else (and on bad arguments) `false`. */
export function aclCommand(live: LiveConf): ApiCommand {
  return {
    name: 'acl',
    syntax: '<ip> <list_name>',
    run: (args) => {
      const [ip, list] = args.split(' ').filter((x) => x !== '');
      return ip !== undefined && list !== undefined && live.aclAllows(list, ip) ? 'true' : 'false';
    },
  };
}

/** mod_dptools' `check_acl <ip> <acl | cidr> [<hangup_cause>]`: an address the list refuses hangs the call up (CALL_REJECTED by default). */
export function checkAclApplication(live: LiveConf): Application {
  return {
    name: 'check_acl',
    routingExec: true,
    run: sync(async (ch, data) => {
      const [ip, list, cause] = data === '' ? [] : separateString(data, ' ', 3);
      if (ip === undefined || list === undefined || live.aclAllows(list, ip)) return;
      ch.core.log('DEBUG', `Call failed acl check for ip ${ip} on list ${list}`, ch.uuid);
      await ch.send({ type: 'HANGUP', cause: cause === undefined ? Cause.CALL_REJECTED : parseCause(cause) });
    }),
  };
}

/** What startSwitch says itself; these win over switch.conf. */
export interface ExplicitSettings {
  readonly confDir?: string;
  readonly maxSessions?: number;
  readonly sessionsPerSecond?: number;
  readonly heartbeatIntervalSec?: number;
  readonly logLevel?: number;
}

/**
 * At startup: loads `confDir` (throws ConfError when it does not load), sets its globals,
 * applies switch.conf's settings that `explicit` leaves open and logs what loading found.
 */
export function startConf(core: SwitchCore, explicit: ExplicitSettings): LiveConf {
  const loaded = explicit.confDir === undefined ? undefined : loadConf(explicit.confDir, core.globals.entries());
  const live = new LiveConf(core, explicit.confDir, loaded);
  if (!loaded) return live;
  for (const [k, v] of loaded.globals) core.globals.set(k, v);
  const settings = coreSettings(loaded.switchConf.params);
  for (const e of settings.errors) core.log('ERR', e);
  for (const w of settings.warnings) core.log('WARNING', w);
  for (const m of loaded.messages) core.log(m.level, m.text);
  if (explicit.maxSessions === undefined && settings.maxSessions !== undefined) core.limits.maxSessions = settings.maxSessions;
  if (explicit.sessionsPerSecond === undefined && settings.sessionsPerSecond !== undefined) core.limits.resetBudget(settings.sessionsPerSecond);
  if (explicit.heartbeatIntervalSec === undefined && settings.heartbeatIntervalSec !== undefined)
    core.heartbeatIntervalSec = settings.heartbeatIntervalSec;
  if (explicit.logLevel === undefined && settings.logLevel !== undefined) core.logger.setLevel(settings.logLevel);
  if (settings.minIdleCpu !== undefined) core.control.minIdleCpu = settings.minIdleCpu;
  if (settings.cpuIdleSmoothingDepth !== undefined) core.idleCpuMeter.setDepth(settings.cpuIdleSmoothingDepth);
  return live;
}
