/**
 * mod_commands' `module_exists`, `load`, `unload` and `reload` over the modules beamline has built
 * in: the module names `show modules` lists (each interface's module). beamline loads no module
 * files and never unloads one: every built-in module answers as a permanent one does in FreeSWITCH
 * (switch_loadable_module_protect: "Module is not unloadable"), and any other name as a file that
 * does not load (DECISIONS). `load` and `reload` re-read the XML first, as FreeSWITCH's do.
 */
import { speechInterfaces } from '../speech/registry.ts';
import { interfaceRows } from './interfaces.ts';
import type { ApiCommand, ApiEnv, ApiRegistry } from './registry.ts';

const LOAD_SYNTAX = '<mod_name>';
const UNLOAD_SYNTAX = '[-f] <mod_name>';

const ALREADY_LOADED = 'Module already loaded';
const NO_FILE = 'module load file routine returned an error';
const NOT_UNLOADABLE = 'Module is not unloadable';
const NO_SUCH_MODULE = 'No such module!';

/** The loaded modules' names (the module hash's keys: case-sensitive). */
function loadedModules(registry: ApiRegistry, env: ApiEnv): Set<string> {
  const { applications, endpoints } = env.sw.services;
  return new Set(interfaceRows({ registry, applications, endpoints, speech: speechInterfaces(env.core) }).map((r) => r.ikey));
}

/** switch_loadable_module_load_module's key: the file name without its folder and from its first dot on. */
function moduleKey(fname: string): string {
  const base = fname.includes('/') ? fname.slice(fname.lastIndexOf('/') + 1) : fname;
  const dot = base.indexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}

/** `-<flags> <name>` → the name (`f`, force, changes nothing here); a dash word alone is the name itself. */
function unloadTarget(args: string): string {
  if (!args.startsWith('-')) return args;
  const space = args.indexOf(' ');
  return space < 0 ? args : args.slice(space + 1);
}

/** switch_xml_reload through the registry's `reloadxml`: `+OK Reloading XML` when it worked. */
async function reloadXml(registry: ApiRegistry, env: ApiEnv): Promise<string> {
  const reloadxml = registry.get('reloadxml');
  const out = reloadxml ? await reloadxml.run('', env) : '';
  return out === '+OK [Success]\n' ? '+OK Reloading XML\n' : '';
}

export function moduleCommands(registry: ApiRegistry): ApiCommand[] {
  const loadError = (name: string, env: ApiEnv) => (loadedModules(registry, env).has(moduleKey(name)) ? ALREADY_LOADED : NO_FILE);
  const unloadError = (name: string, env: ApiEnv) => (loadedModules(registry, env).has(name) ? NOT_UNLOADABLE : NO_SUCH_MODULE);
  return [
    {
      name: 'module_exists',
      syntax: '<module>',
      description: 'Check if module exists',
      module: 'mod_commands',
      run: (args, env) => (args === '' ? '' : String(loadedModules(registry, env).has(args))),
    },
    {
      name: 'load',
      syntax: LOAD_SYNTAX,
      description: 'Load Module',
      module: 'mod_commands',
      run: async (args, env) => {
        if (args === '') return `-USAGE: ${LOAD_SYNTAX}\n`;
        const xml = await reloadXml(registry, env);
        return `${xml}-ERR [${loadError(args, env)}]\n`;
      },
    },
    {
      name: 'unload',
      syntax: UNLOAD_SYNTAX,
      description: 'Unload module',
      module: 'mod_commands',
      run: (args, env) => {
        const name = args === '' ? '' : unloadTarget(args);
        if (name === '') return `-USAGE: ${UNLOAD_SYNTAX}\n`;
        return `-ERR [${unloadError(name, env)}]\n`;
      },
    },
    {
      name: 'reload',
      syntax: UNLOAD_SYNTAX,
      description: 'Reload module',
      module: 'mod_commands',
      run: async (args, env) => {
        const name = args === '' ? '' : unloadTarget(args);
        if (name === '') return `-USAGE: ${UNLOAD_SYNTAX}\n`;
        const xml = await reloadXml(registry, env);
        return `${xml}-ERR unloading module [${unloadError(name, env)}]\n-ERR loading module [${loadError(name, env)}]\n`;
      },
    },
  ];
}
