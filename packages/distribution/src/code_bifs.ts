/**
 * What a node says of its code over rpc, in OTP's shapes. The modules this node can run are the
 * ones it exports (exports.ts); they are built into the node, as erl's preloaded modules are:
 *
 *   rpc:call(N, code, ensure_loaded, [M])          -> {module, M} | {error, nofile}
 *   rpc:call(N, code, is_loaded, [M])              -> {file, preloaded} | false
 *   rpc:call(N, code, which, [M])                  -> preloaded | non_existing
 *   rpc:call(N, erlang, module_loaded, [M])        -> boolean()
 *   rpc:call(N, erlang, function_exported, [M, F, A]) -> boolean()
 *
 * So `erl -remsh` at a beamline node (which asks `code:ensure_loaded(shell)` first) ends with
 * erl's own "Could not load" message instead of crashing on an `undef`. A module name that is not
 * an atom is `function_clause` (code) or `badarg` (the erlang BIFs), as on erl.
 */
import { Atom, atom, t, type Term } from '@beamline/etf';
import { badarg, functionClause, type ModuleExports, type ModuleRegistry } from './exports.ts';

const A_PRELOADED = atom('preloaded');

function moduleArg(m: Term, refuse: () => Error): Atom {
  if (!(m instanceof Atom)) throw refuse();
  return m;
}

export function codeBifs(registry: ModuleRegistry): ModuleExports {
  const has = (m: Term) => registry.has(moduleArg(m, functionClause).name);
  return {
    'ensure_loaded/1': (m: Term) => (has(m) ? t(atom('module'), m) : t(atom('error'), atom('nofile'))),
    'is_loaded/1': (m: Term) => (has(m) ? t(atom('file'), A_PRELOADED) : false),
    'which/1': (m: Term) => (has(m) ? A_PRELOADED : atom('non_existing')),
  };
}

/** erlang:module_loaded/1 and function_exported/3 (erlang:apply/2,3 are the registry's own). */
export function moduleBifs(registry: ModuleRegistry): ModuleExports {
  return {
    'module_loaded/1': (m: Term) => registry.has(moduleArg(m, badarg).name),
    'function_exported/3': (m: Term, f: Term, a: Term) => {
      if (!(m instanceof Atom && f instanceof Atom && (typeof a === 'bigint' || (typeof a === 'number' && Number.isInteger(a))))) throw badarg();
      if (typeof a !== 'number') return false;
      if (m.name === 'erlang' && f.name === 'apply' && (a === 2 || a === 3)) return true;
      return registry.lookup(m.name, f.name, a) !== undefined;
    },
  };
}
