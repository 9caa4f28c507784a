/**
 * switchd's entry point (`pnpm start`): settings → the tree → the banner; SIGINT / SIGTERM stop
 * the tree in order and exit 0; SIGHUP fires a TRAP event and switchd runs on (signals.ts); a
 * start-up failure prints one line (failure.ts, with what EPMD says) and exits 1.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StopRequest } from '@beamline/switch';
import { banner, sipListening } from './banner.ts';
import { parseSwitchdArgs } from './cli.ts';
import { runConsole } from './console.ts';
import { describeFailure, probeFailure } from './failure.ts';
import { ConsoleLog, oneLine } from './log.ts';
import { type Settings, resolveSettings } from './settings.ts';
import { onSighup } from './signals.ts';
import { startTree, type SwitchdTree } from './tree.ts';

function fail(line: string): never {
  process.stderr.write(`switchd: ${line}\n`);
  process.exit(1);
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseSwitchdArgs(argv);
  let settings: Settings;
  try {
    settings = resolveSettings(args);
  } catch (e) {
    fail(describeFailure(e, {}));
  }
  const log = new ConsoleLog(settings.logLevel);
  for (const l of settings.confLog) log.log(l.level, 'erlang_event', l.text);
  // nothing is left to crash the process: a stray rejection is logged, the supervisors handle the rest
  process.on('unhandledRejection', (e) => log.log('ERR', 'switchd', `unhandled rejection: ${oneLine(e)}`));
  log.hold();
  let tree: SwitchdTree | undefined;
  // fsctl shutdown and the shutdown command (set once shutdown below exists)
  let onStop = (_how: StopRequest): void => {};
  // FreeSWITCH runs on through a SIGHUP (a TRAP event), so does switchd, also while it starts
  process.on('SIGHUP', () => onSighup(tree?.holder.sw, log));
  try {
    tree = await startTree(settings, log, { onStop: (how) => onStop(how) });
  } catch (e) {
    log.discard();
    const where = { ...settings, ...settings.erlangEvent };
    fail(describeFailure(e, where, await probeFailure(e, where)));
  }
  const node = tree.holder.node;
  const sw = tree.holder.sw;
  const sip = sw ? await sipListening((line) => sw.api(line), settings.sofia) : [];
  if (node) process.stdout.write(banner(node, settings, sip));
  log.release();

  let stopping = false;
  const shutdown = (why: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    log.log('NOTICE', 'switchd', `${why}: shutting down (calls, modules, then the node)`);
    tree.stop().then(
      () => {
        log.log('NOTICE', 'switchd', 'stopped');
        process.exit(exitCode);
      },
      (e) => {
        process.stderr.write(`switchd: shutdown failed: ${oneLine(e)}\n`);
        process.exit(1);
      },
    );
  };
  void tree.ended.then((reason) => {
    if (stopping) return;
    // the top supervisor gave up (too many restarts): nothing supervises the node any more
    log.log('CRIT', 'switchd', `switchd_sup ended (${oneLine(reason)}): exiting`);
    stopping = true;
    void tree.stop().finally(() => process.exit(1));
  });
  // on, not once: a repeated signal (tsx relays it too) must not fall back to the default action mid-shutdown
  onStop = (how) => {
    // `now` is FreeSWITCH's exit(0): no clean-up. A restart exits with SWITCH_STATUS_RESTART (3),
    // the status FreeSWITCH re-executes itself on; switchd leaves that to its service manager.
    // The stop waits a moment so the reply to the command that asked for it gets out first.
    if (how.now && !how.restart) process.exit(0);
    const why = how.restart ? 'fsctl shutdown restart (exit status 3: restart me)' : 'fsctl shutdown';
    setTimeout(() => shutdown(why, how.restart ? 3 : 0), 200);
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (settings.console) {
    await runConsole(
      {
        name: node?.name ?? 'switchd',
        api: async (line) => {
          const sw = tree.holder.sw;
          if (!sw) return '-ERR the switch is not running\n';
          return sw.api(line);
        },
        commands: async () => tree.holder.sw?.registry.names() ?? [],
        followLog: async (level) => {
          log.level = level ?? -1; // -1: switch_log's DISABLE
        },
        followingLog: true,
      },
      { onPrinter: (print) => (log.write = print) },
    );
    shutdown('console closed');
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  main(process.argv.slice(2)).catch((e) => fail(describeFailure(e, {})));
}
