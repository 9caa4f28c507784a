/**
 * How switchd's console writes a line, by mod_console's settings (switch_console_logger), and the
 * `console` command that sets them (console_api_function): `uuid` (a channel's uuid before its
 * text; on here), `colorize` (the level's colour around the line), `json` (one JSON object a line).
 */
import { describe, expect, it } from 'vitest';
import { consoleCommand } from '../src/console_api.ts';
import { ConsoleLog } from '../src/log.ts';

function consoleLog() {
  const written: string[] = [];
  const log = new ConsoleLog(7, (s) => written.push(s));
  return { log, written, api: (args: string) => consoleCommand(log).run(args, undefined as never) as string };
}

describe('the console', () => {
  it('writes a channel line with its uuid, without it after `console uuid off`, in its colour after `console colorize on`', () => {
    const { log, written, api } = consoleLog();
    log.log('NOTICE', 'switch', 'New Channel null/1', 'u-1');
    expect(written.at(-1)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[NOTICE\] switch: u-1 New Channel null\/1\n$/);
    expect(api('uuid off')).toBe('+OK console uuid disabled\n');
    log.log('NOTICE', 'switch', 'New Channel null/2', 'u-2');
    expect(written.at(-1)).toMatch(/\[NOTICE\] switch: New Channel null\/2\n$/);
    expect(api('colorize on')).toBe('+OK console color enabled\n');
    log.log('ERR', 'switch', 'bad');
    log.log('DEBUG', 'switch', 'detail');
    expect(written.slice(-2).map((l) => [l.slice(0, 5), l.slice(-5)])).toEqual([
      ['\x1b[31m', '\n\x1b[0m'],
      ['\x1b[33m', '\n\x1b[0m'],
    ]);
    expect([api('colorize toggle'), api('uuid toggle'), api('uuid')]).toEqual([
      '+OK console color disabled\n',
      '+OK console uuid enabled\n',
      '+OK console uuid enabled\n',
    ]);
  });

  it('`console json on`: one JSON object a line, with the session uuid when the line has one', () => {
    const { log, written, api } = consoleLog();
    expect(api('json on')).toBe('+OK console json enabled\n');
    log.log('WARNING', 'switch', 'hello', 'u-9');
    log.log('INFO', 'dist', 'nodeup x@localhost');
    const [a, b] = written.map((l) => JSON.parse(l));
    expect(Object.keys(a)).toEqual(['host', 'timestamp', 'level', 'ident', 'pid', 'session', 'sequence', 'message']);
    expect([a.level, a.ident, a.pid, a.session, a.message]).toEqual([4, 'freeswitch', process.pid, 'u-9', 'hello']);
    expect(Object.keys(b)).not.toContain('session');
    expect(b.sequence).toBe(a.sequence + 1);
    expect(written.every((l) => l.endsWith('}\n'))).toBe(true);
  });

  it('the command as mod_console answers it: usage, loglevel (help, a level, a bad one), colorize help', () => {
    const { api, log } = consoleLog();
    expect(api('')).toContain('console colorize [on|off|toggle]\n');
    expect(api('nonsense')).toBe(api('help'));
    expect(api('loglevel help')).toContain('  7 debug\n');
    expect(api('loglevel warning')).toBe('+OK console log level set to WARNING\n');
    expect(log.level).toBe(4);
    expect(api('loglevel loud')).toBe('-ERR Invalid console loglevel (loud)!\n\n');
    // a level that starts with a digit is read as atoi reads it
    expect(api('loglevel 3x')).toBe('+OK console log level set to ERR\n');
    expect(api('loglevel 5.9')).toBe('+OK console log level set to NOTICE\n');
    expect(log.level).toBe(5);
    expect(api('colorize help')).toContain('Enable, disable, or toggle console coloring.\n');
  });
});
