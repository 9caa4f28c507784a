/**
 * The core db's `aliases` and `complete` tables and the commands that fill them, mod_commands'
 * `alias` and `complete` (switch_console_set_alias / switch_console_set_complete); `show aliases`
 * and `show complete` list them. Beamline has no console of its own to expand aliases or complete
 * words with them, and its modules add no completions at load.
 */
import { caseEqual, separateString } from '../internal/strings.ts';
import type { ApiCommand } from './registry.ts';
import type { Row } from './show_format.ts';

export const ALIAS_COLUMNS = ['sticky', 'alias', 'command', 'hostname'] as const;
const WORDS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10'] as const;
export const COMPLETE_COLUMNS = ['sticky', ...WORDS, 'hostname'] as const;

type AliasRow = Record<(typeof ALIAS_COLUMNS)[number], string>;
type CompleteRow = Record<(typeof COMPLETE_COLUMNS)[number], string>;

export class ConsoleTables {
  #aliases: AliasRow[] = [];
  #complete: CompleteRow[] = [];

  /** `select * from aliases where hostname=…` (insertion order; show sorts). */
  aliases(hostname: string): Row[] {
    return this.#aliases.filter((r) => r.hostname === hostname);
  }

  complete(hostname: string): Row[] {
    return this.#complete.filter((r) => r.hostname === hostname);
  }

  /** switch_console_set_alias: `[add|stickyadd] <alias> <command>` replaces, `del <alias>|*` deletes. */
  setAlias(line: string, switchname: string, log: (text: string) => void): boolean {
    const argv = line === '' ? [] : separateString(line, ' ', 3);
    if (argv.length < 2) return false;
    const [verb = '', alias = '', command] = argv;
    if (command !== undefined && alias === command) {
      log('Alias and command cannot be the same, this will cause loop!');
      return false;
    }
    const sticky = caseEqual(verb, 'stickyadd');
    if ((sticky || caseEqual(verb, 'add')) && command !== undefined) {
      this.#aliases = this.#aliases.filter((r) => !(r.alias === alias && r.hostname === switchname));
      this.#aliases.push({ sticky: sticky ? '1' : '0', alias, command, hostname: switchname });
      return true;
    }
    if (caseEqual(verb, 'del') && argv.length === 2) {
      this.#aliases = this.#aliases.filter((r) => r.hostname !== switchname || (alias !== '*' && r.alias !== alias));
      return true;
    }
    return false;
  }

  /**
   * switch_console_set_complete: `add|stickyadd <w1> … <w10>` (`_any_` is an empty word),
   * `del *` or `del <w1> [<w2> …]` (the rows whose first words are these).
   */
  setComplete(line: string, hostname: string): boolean {
    const argv = line === '' ? [] : separateString(line, ' ', 11);
    const [verb = '', ...words] = argv;
    if (argv.length === 0) return false;
    const sticky = caseEqual(verb, 'stickyadd');
    if (sticky || caseEqual(verb, 'add')) {
      const row = { sticky: sticky ? '1' : '0', hostname } as CompleteRow;
      WORDS.forEach((a, i) => {
        const w = words[i];
        row[a] = w === undefined || caseEqual(w, '_any_') ? '' : w;
      });
      this.#complete.push(row);
      return true;
    }
    if (!caseEqual(verb, 'del')) return false;
    if (!words[0]) return false;
    this.#complete = this.#complete.filter((r) => r.hostname !== hostname || (words[0] !== '*' && words.some((w, i) => r[WORDS[i] ?? 'a10'] !== w)));
    return true;
  }
}

const ALIAS_SYNTAX = '[add|stickyadd] <alias> <command> | del [<alias>|*]';
const COMPLETE_SYNTAX = 'add <word>|del [<word>|*]';

export function consoleTableCommands(tables: ConsoleTables): ApiCommand[] {
  return [
    {
      name: 'alias',
      syntax: ALIAS_SYNTAX,
      description: 'Alias',
      module: 'mod_commands',
      run: (args, { core }) =>
        tables.setAlias(args, core.identity.switchname, (text) => core.log('ERR', text)) ? '+OK\n' : `-USAGE: ${ALIAS_SYNTAX}\n`,
    },
    {
      name: 'complete',
      syntax: COMPLETE_SYNTAX,
      description: 'Complete',
      module: 'mod_commands',
      // the rows take the host name; `show complete` looks for the switch name (they differ only when switchname is set)
      run: (args, { core }) => (tables.setComplete(args, core.identity.hostname) ? '+OK\n' : `-USAGE: ${COMPLETE_SYNTAX}\n`),
    },
  ];
}
