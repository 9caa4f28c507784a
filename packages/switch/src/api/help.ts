/**
 * `help` (mod_commands' help_function over show's `help` query): `\nValid Commands:\n\n` then one
 * `name,syntax,description,module\n` row per API command ordered by name; `help <name>` gives
 * only that row (the name as registered, case-sensitive), `-ERR No such command\n` when none —
 * where FreeSWITCH's lists every command (DECISIONS #186). The syntax, description and module
 * are those `show api` lists (api/interfaces.ts).
 */
import { apiRegistration } from './interfaces.ts';
import type { ApiCommand, ApiRegistry } from './registry.ts';

function row(c: ApiCommand): string {
  const [syntax, description, module] = apiRegistration(c);
  return `${c.name.toLowerCase()},${syntax},${description},${module}\n`;
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
