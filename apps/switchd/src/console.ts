/**
 * An fs_cli-like console on node:readline: API commands (`status`, `show channels`, `originate …`),
 * history (kept in ~/.switchd_history), tab completion of command names, and fs_cli's slash
 * commands: `/log <level>` (follow the log from that level), `/nolog`, `/help`, `/quit` (`/exit`,
 * `/bye`, Ctrl-D). `switchd --console` runs it against its own switch, `beamctl console` against a
 * remote one; the backend says how.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { LOG_LEVEL_NAMES, logStr2Level, LOG_INVALID } from '@beamline/switch';

export interface ConsoleBackend {
  /** Shown before `> `: the node name. */
  readonly name: string;
  api(line: string): Promise<string>;
  /** API command names, for completion. */
  commands(): Promise<string[]>;
  /** Follow the log from `level` (0..7), or stop following (undefined). */
  followLog(level: number | undefined): Promise<void>;
  /** Whether the log is followed before any `/log` (switchd's own console: yes). */
  readonly followingLog?: boolean;
  /**
   * A console on another node (beamctl's): `...` only leaves it, as fs_cli's does. Otherwise
   * (switchd's own) `...` is the shutdown command and then leaves, as FreeSWITCH's console.
   */
  readonly remote?: boolean;
  /**
   * Settles when the node has gone away (beamctl's console): the console leaves at once, the
   * lines typed after it unrun, as fs_cli leaves on `Disconnected.`.
   */
  readonly gone?: Promise<void>;
}

export interface ConsoleOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Default ~/.switchd_history; null: no history file. */
  historyFile?: string | null;
  /** Default: whether output is a TTY. */
  terminal?: boolean;
  /** Gets the function that prints a line above the prompt (for log lines while the user types). */
  onPrinter?: (print: (line: string) => void) => void;
}

export const SLASH_COMMANDS = ['/log', '/nolog', '/help', '/quit', '/exit', '/bye'];

const HELP = `Command                    Description
-----------------------------------------------
/help                      Help
/log <level>               Follow the log from <level> (console, alert, crit, err, warning, notice, info, debug)
/nolog                     Stop following the log
/quit, /exit, /bye, Ctrl-D Leave the console (and ..., which on switchd's own console shuts the switch down)
<api command> [args]       Run an API command (tab completes names; "help" lists them)
`;

/** Completions for a partial line: command names for the first word, log levels after /log. */
export function complete(line: string, commands: readonly string[]): [string[], string] {
  const logArg = /^\/log\s+(\S*)$/.exec(line);
  if (logArg) {
    const levels = LOG_LEVEL_NAMES.map((l) => l.toLowerCase()).filter((l) => l.startsWith(logArg[1].toLowerCase()));
    return [levels, logArg[1]];
  }
  if (/\s/.test(line)) return [[], line];
  const all = [...SLASH_COMMANDS, ...commands];
  const hits = all.filter((c) => c.startsWith(line.toLowerCase()));
  return [hits.length > 0 ? hits : [], line];
}

function loadHistory(file: string | null): string[] {
  if (file === null) return [];
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500);
  } catch {
    return [];
  }
}

/** The REPL: resolves when the user leaves (a slash command or end of input). */
export async function runConsole(backend: ConsoleBackend, opts: ConsoleOptions = {}): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const historyFile = opts.historyFile === undefined ? join(homedir(), '.switchd_history') : opts.historyFile;
  let commands: string[] = [];
  try {
    commands = await backend.commands();
  } catch {
    /* completion then offers the slash commands only */
  }
  const rl: Interface = createInterface({
    input,
    output,
    terminal: opts.terminal ?? (output as { isTTY?: boolean }).isTTY === true,
    history: loadHistory(historyFile),
    historySize: 500,
    removeHistoryDuplicates: true,
    completer: (line: string) => complete(line, commands),
  });
  const prompt = `${backend.name}> `;
  rl.setPrompt(prompt);
  const say = (s: string) => output.write(s.endsWith('\n') ? s : `${s}\n`);
  const interactive = opts.terminal ?? (output as { isTTY?: boolean }).isTTY === true;
  opts.onPrinter?.((line) => {
    if (!interactive) {
      say(line);
      return;
    }
    output.write(`\r\x1b[K${line.endsWith('\n') ? line : `${line}\n`}`);
    rl.prompt(true);
  });

  let following = backend.followingLog === true;
  let left = false;
  /** An API or log call failed: say why, unless the node is gone (then the console leaves). */
  const failed = (e: unknown): boolean => {
    if (left) return false;
    say(`-ERR ${(e as Error).message ?? String(e)}`);
    return true;
  };
  const handle = async (raw: string): Promise<boolean> => {
    const line = raw.trim();
    if (line === '') return true;
    if (historyFile !== null) {
      try {
        appendFileSync(historyFile, `${line}\n`);
      } catch {
        /* a read-only home: history stays in memory */
      }
    }
    if (line === '...') {
      if (!backend.remote) say(await backend.api(line).catch((e: unknown) => `-ERR ${(e as Error).message ?? String(e)}`));
      return false;
    }
    if (line.startsWith('/')) {
      const [cmd, arg] = line.split(/\s+/, 2);
      switch (cmd) {
        case '/quit':
        case '/exit':
        case '/bye':
          return false;
        case '/help':
          say(HELP);
          return true;
        // the replies are mod_event_socket's to fs_cli's `log` / `nolog`, and fs_cli's own
        case '/nolog':
          if (!following) {
            say('-ERR not loging');
            return true;
          }
          try {
            await backend.followLog(undefined);
          } catch (e) {
            return failed(e);
          }
          following = false;
          say('+OK no longer logging');
          return true;
        case '/log': {
          const level = logStr2Level(arg ?? 'debug');
          if (level === LOG_INVALID || level < 0) {
            say('-ERR invalid log level');
            return true;
          }
          try {
            await backend.followLog(level);
          } catch (e) {
            return failed(e);
          }
          following = true;
          say(`+OK log level ${arg ?? ''} [${level}]`);
          return true;
        }
        default:
          say(`Unknown command [${cmd?.slice(1)}]`);
          return true;
      }
    }
    try {
      say(await backend.api(line));
    } catch (e) {
      return failed(e);
    }
    return true;
  };

  await new Promise<void>((resolve) => {
    let busy = Promise.resolve(true);
    rl.on('line', (l) => {
      busy = busy.then(async (go) => {
        if (!go || left) return false;
        const more = await handle(l);
        if (!more) rl.close();
        else if (interactive) rl.prompt();
        return more;
      });
    });
    // Ctrl-C on a terminal reaches readline, not the process: leave, as /quit does
    rl.on('SIGINT', () => rl.close());
    void backend.gone?.then(() => {
      left = true;
      rl.close();
    });
    rl.on('close', () => {
      void busy.then(() => resolve());
    });
    if (interactive) {
      say(`Type /help for the console commands, "help" for the API commands.`);
      rl.prompt();
    }
  });
}
