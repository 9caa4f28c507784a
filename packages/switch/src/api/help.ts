/**
 * `help` (mod_commands' help_function over show's `help` query): `\nValid Commands:\n\n` then one
 * `name,syntax,description,module\n` row per API command ordered by name; `help <name>` gives
 * only that row (the name as registered, case-sensitive), `-ERR No such command\n` when none.
 */
import type { ApiCommand, ApiRegistry } from './registry.ts';

/** FreeSWITCH's registration of each built-in: [syntax, description, module]. */
const KNOWN: Record<string, readonly [string, string, string]> = {
  acl: ['<ip> <list_name>', 'Compare an ip to an acl list', 'mod_commands'],
  bgapi: ['<command>[ <arg>]', 'Execute an api command in a thread', 'mod_commands'],
  create_uuid: ['<uuid> <other_uuid>', 'Create a uuid', 'mod_commands'],
  echo: ['<data>', 'Echo', 'mod_commands'],
  eval: ['[uuid:<uuid> ]<expression>', 'eval (noop)', 'mod_commands'],
  version: ['[short]', 'Version', 'mod_commands'],
  global_getvar: ['<var>', 'Get global var', 'mod_commands'],
  global_setvar: ['<var>=<value> [=<value2>]', 'Set global var', 'mod_commands'],
  help: ['', 'Show help for all the api commands', 'mod_commands'],
  hostname: ['', 'Return the system hostname', 'mod_commands'],
  switchname: ['', 'Return the switch name', 'mod_commands'],
  hupall: ['<cause> [<var> <value>] [<var2> <value2>]', 'hupall', 'mod_commands'],
  originate: [
    '<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]',
    'Originate a call',
    'mod_commands',
  ],
  show: [
    'codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status',
    'Show various reports',
    'mod_commands',
  ],
  status: ['', 'Show current status', 'mod_commands'],
  uptime: ['[us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]', 'Show uptime', 'mod_commands'],
  uuid_answer: ['<uuid>', 'answer', 'mod_commands'],
  uuid_bridge: ['', 'Bridge call legs', 'mod_commands'],
  uuid_dump: ['<uuid> [format]', 'Dump session vars', 'mod_commands'],
  uuid_exists: ['<uuid>', 'Check if a uuid exists', 'mod_commands'],
  uuid_getvar: ['<uuid> <var>', 'Get a variable from a channel', 'mod_commands'],
  uuid_kill: ['<uuid> [cause]', 'Kill channel', 'mod_commands'],
  uuid_park: ['<uuid>', 'Park channel', 'mod_commands'],
  uuid_broadcast: ['<uuid> <path> [aleg|bleg|holdb|both]', 'Execute dialplan application', 'mod_commands'],
  uuid_break: ['<uuid> [all]', 'Break out of media sent to channel', 'mod_commands'],
  break: ['<uuid> [all]', 'uuid_break', 'mod_commands'],
  uuid_hold: ['[off|toggle] <uuid> [<display>]', 'Place call on hold', 'mod_commands'],
  uuid_send_dtmf: ['<uuid> <dtmf_data>', 'Send dtmf digits', 'mod_commands'],
  uuid_setvar: ['<uuid> <var> [value]', 'Set a variable', 'mod_commands'],
  uuid_transfer: ['<uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]', 'Transfer a session', 'mod_commands'],
  strftime: ['<format_string>', 'strftime', 'mod_dptools'],
  uuid_pre_answer: ['<uuid>', 'pre_answer', 'mod_commands'],
  uuid_setvar_multi: ['<uuid> <var>=<value>;<var>=<value>...', 'Set multiple variables', 'mod_commands'],
  msleep: ['<milliseconds>', 'Sleep N milliseconds', 'mod_commands'],
};

function row(c: ApiCommand): string {
  const name = c.name.toLowerCase();
  const [syntax, description, module] = KNOWN[name] ?? [c.syntax ?? '', c.description ?? '', c.module ?? 'mod_beamline'];
  return `${name},${c.syntax ?? syntax},${c.description ?? description},${c.module ?? module}\n`;
}

export function helpCommand(registry: ApiRegistry): ApiCommand {
  return {
    name: 'help',
    run: (args) => {
      const all = registry.names().map((n) => registry.get(n) as ApiCommand);
      if (args === '') return `\nValid Commands:\n\n${all.map(row).join('')}`;
      const one = all.filter((c) => c.name.toLowerCase() === args);
      return one.length ? one.map(row).join('') : '-ERR No such command\n';
    },
  };
}
