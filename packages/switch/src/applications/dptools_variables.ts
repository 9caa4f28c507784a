/**
 * mod_dptools' variable applications beyond set / unset / multiset / export: `push` and `unshift`
 * (base_set with SWITCH_STACK_PUSH / _UNSHIFT: an item at the end / start of an array variable,
 * `ARRAY::a|:b` when there are several), `set_global`, `set_profile_var` and `multiunset`.
 */
import { captures, regexPerform } from '../dialplan/regex.ts';
import { separateString } from '../internal/strings.ts';
import { baseSet, nameAndValue, sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

const NO_NAME = 'No variable name specified.';

function setGlobal(ch: AppChannel, data: string): void {
  if (data === '') return ch.core.log('ERR', NO_NAME, ch.uuid);
  const [name, value] = nameAndValue(data, false);
  ch.core.log('DEBUG', `SET GLOBAL [${name}]=[${value ?? 'UNDEF'}]`, ch.uuid);
  ch.core.globals.set(name, value);
}

function setProfileVar(ch: AppChannel, data: string): void {
  if (data === '') return ch.core.log('ERR', NO_NAME, ch.uuid);
  const [name, value] = nameAndValue(data, false);
  ch.setProfileVar(name, value);
}

/** `[^^<d>]<name> <name2> …`: each name unset. */
function multiunset(ch: AppChannel, data: string): void {
  let delim = ' ';
  let names = data;
  if (names.startsWith('^^')) {
    delim = names[2] ?? '';
    names = names.slice(3);
  }
  for (const name of names === '' ? [] : separateString(names, delim, 256)) ch.setVariable(name, undefined);
}

/** `capture <varname>|<data>|<regex>`: each group of the match, group 0 first, pushed onto the variable (switch_capture_regex). */
function capture(ch: AppChannel, data: string): void {
  const argv = data === '' ? [] : separateString(data, '|', 3);
  if (argv.length !== 3) return ch.core.log('ERR', 'No data specified.', ch.uuid);
  const [name = '', field = '', expression = ''] = argv;
  const result = regexPerform(field, expression);
  if (result.error) ch.core.log('ERR', result.error, ch.uuid);
  if (result.matched) for (const group of captures(result.match)) ch.pushVariable(name, group);
}

const VARIABLE_APP = { routingExec: true, zombieExec: true } as const;

export const DPTOOLS_VARIABLES: readonly Application[] = [
  { name: 'push', ...VARIABLE_APP, run: sync((ch, data) => baseSet(ch, data, 'push')) },
  { name: 'unshift', ...VARIABLE_APP, run: sync((ch, data) => baseSet(ch, data, 'unshift')) },
  { name: 'set_global', ...VARIABLE_APP, run: sync(setGlobal) },
  { name: 'set_profile_var', ...VARIABLE_APP, run: sync(setProfileVar) },
  { name: 'multiunset', ...VARIABLE_APP, run: sync(multiunset) },
  { name: 'capture', run: sync(capture) },
];
