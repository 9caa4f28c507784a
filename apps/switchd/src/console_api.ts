/**
 * The `console` API command (FreeSWITCH's mod_console): `console loglevel [level]` reads or sets
 * the level the console log shows. The switch-wide ceiling is `fsctl loglevel`
 * (runtime.hard_log_level); the console shows a line only when it passes both, as in FreeSWITCH,
 * where `fsctl loglevel debug` alone does not bring DEBUG lines to a console at INFO.
 */
import { type ApiCommand, LOG_INVALID, logLevel2Str, logStr2Level } from '@beamline/switch';

const USAGE = `USAGE:
--------------------------------------------------------------------------------
console help
console loglevel [[0-7] | <loglevel_string>]
--------------------------------------------------------------------------------
`;

/** The console's level, as ConsoleLog holds it. */
export interface ConsoleLevel {
  level: number;
}

export function consoleCommand(target: ConsoleLevel): ApiCommand {
  return {
    name: 'console',
    syntax: 'loglevel [level]',
    description: 'Console',
    module: 'mod_console',
    run: (args) => {
      const [sub, value] = args.split(/\s+/).filter(Boolean);
      if (sub?.toLowerCase() !== 'loglevel') return USAGE;
      if (value !== undefined) {
        const level = logStr2Level(value);
        if (level === LOG_INVALID) return `-ERR Invalid console loglevel (${value})!\n\n`;
        target.level = level;
      }
      return `+OK console log level set to ${logLevel2Str(target.level)}\n`;
    },
  };
}
