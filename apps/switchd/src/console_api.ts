/**
 * The `console` API command (FreeSWITCH's mod_console, console_api_function): `console loglevel
 * [level]` reads or sets the level the console log shows; `console colorize|uuid|json
 * [on|off|toggle]` its colours, the channel uuid before a channel's lines, and JSON lines. The
 * switch-wide ceiling is `fsctl loglevel` (runtime.hard_log_level); the console shows a line only
 * when it passes both, as in FreeSWITCH, where `fsctl loglevel debug` alone does not bring DEBUG
 * lines to a console at INFO.
 */
import { type ApiCommand, LOG_INVALID, logLevel2Str, logStr2Level, separateString, switchTrue } from '@beamline/switch';

const RULE = '--------------------------------------------------------------------------------\n';
const USAGE = `USAGE:\n${RULE}console help\nconsole loglevel [[0-7] | <loglevel_string>]\nconsole uuid [on|off|toggle]\nconsole json [on|off|toggle]\nconsole colorize [on|off|toggle]\n${RULE}`;
const LOGLEVEL_USAGE = `USAGE:\n${RULE}console loglevel [[0-7] | <loglevel_string>]\n\nSet the logging verbosity of the console from 0 (least verbose) to\n7 (debugging), or specify the loglevel as a string:\n\n  0 console\n  1 alert\n  2 crit\n  3 err\n  4 warning\n  5 notice\n  6 info\n  7 debug\n${RULE}`;
const COLORIZE_USAGE = `USAGE:\n${RULE}console colorize [on|off|toggle]\n\nEnable, disable, or toggle console coloring.\n${RULE}`;

/** The console's settings, as ConsoleLog holds them. */
export interface ConsoleSettings {
  level: number;
  colorize: boolean;
  uuid: boolean;
  json: boolean;
}

/** `on|off|toggle` against `now` (switch_true for anything but toggle). */
const flag = (word: string | undefined, now: boolean) => (word === undefined ? now : word.toLowerCase() === 'toggle' ? !now : switchTrue(word));
const onOff = (on: boolean) => (on ? 'enabled' : 'disabled');

export function consoleCommand(target: ConsoleSettings): ApiCommand {
  return {
    name: 'console',
    syntax: 'loglevel [level]|colorize [on|toggle|off]|uuid [on|toggle|off]|json [on|toggle|off]',
    description: 'Console',
    module: 'mod_console',
    run: (args) => {
      const [sub, value] = args === '' ? [] : separateString(args, ' ', 3);
      switch (sub?.toLowerCase()) {
        case 'loglevel': {
          if (value?.toLowerCase() === 'help') return LOGLEVEL_USAGE;
          if (value !== undefined) {
            // mod_console reads a level that starts with a digit with atoi ("3x" is 3), any other with switch_log_str2level
            const level = /^[0-9]/.test(value) ? Number.parseInt(value, 10) : logStr2Level(value);
            if (level === LOG_INVALID) return `-ERR Invalid console loglevel (${value})!\n\n`;
            target.level = level;
          }
          return `+OK console log level set to ${logLevel2Str(target.level)}\n`;
        }
        case 'colorize':
          if (value?.toLowerCase() === 'help') return COLORIZE_USAGE;
          target.colorize = flag(value, target.colorize);
          return `+OK console color ${onOff(target.colorize)}\n`;
        case 'uuid':
          target.uuid = flag(value, target.uuid);
          return `+OK console uuid ${onOff(target.uuid)}\n`;
        case 'json':
          target.json = flag(value, target.json);
          return `+OK console json ${onOff(target.json)}\n`;
        default:
          return USAGE;
      }
    },
  };
}
