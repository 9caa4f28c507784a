/**
 * switchd's command line (commander): every flag has an environment variable, `--help` lists
 * both. Flags win over the environment, which wins over the conf (settings.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SwitchdArgs } from './settings.ts';

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('not a port number (0..65535)');
  return n;
}

export function switchdCommand(): Command {
  return new Command('switchd')
    .description(
      'Runs the beamline soft switch as the Erlang node freeswitch@<short host> (mod_erlang_event compatible):\n' +
        'distribution, switch core and modules under one supervision tree.',
    )
    .addOption(new Option('-c, --conf <dir>', 'conf directory in FreeSWITCH layout (freeswitch.xml + includes)').env('SWITCHD_CONF'))
    .addOption(new Option('-n, --name <node>', 'node name, alive@host (default: erlang_event.conf nodename @ short host)').env('SWITCHD_NODE'))
    .addOption(
      new Option(
        '--cookie <cookie>',
        'distribution cookie (default: erlang_event.conf cookie, else ~/.erlang.cookie, else ClueCon with a warning)',
      ).env('SWITCHD_COOKIE'),
    )
    .addOption(new Option('--cookie-file <path>', 'read the cookie from the first line of this file').env('SWITCHD_COOKIE_FILE'))
    .addOption(
      new Option('--listen-ip <ip>', 'distribution listen address (default: erlang_event.conf listen-ip, else 0.0.0.0)').env('SWITCHD_LISTEN_IP'),
    )
    .addOption(
      new Option('--listen-port <port>', 'distribution listen port (default: erlang_event.conf listen-port, else 8031; 0 = any)')
        .env('SWITCHD_LISTEN_PORT')
        .argParser(port),
    )
    .addOption(
      new Option('--sip-port <port>', "SIP port of sofia.conf's first profile (default: its sip-port, else 5060; 0 = any)")
        .env('SWITCHD_SIP_PORT')
        .argParser(port),
    )
    .addOption(
      new Option('-l, --log-level <level>', 'console log level: console|alert|crit|err|warning|notice|info|debug or 0..7')
        .env('SWITCHD_LOG_LEVEL')
        .default('info'),
    )
    .addOption(
      new Option('--epmd <mode>', 'auto: use a running epmd, else an embedded one; embedded: always ours; system: require a running epmd')
        .choices(['auto', 'embedded', 'system'])
        .env('SWITCHD_EPMD')
        .default('auto'),
    )
    .addOption(new Option('--epmd-port <port>', 'EPMD port (default: 4369)').env('ERL_EPMD_PORT').argParser(port))
    .option('--console', 'run an fs_cli-like console on this terminal (leaving it stops switchd)')
    .showHelpAfterError('(`pnpm start -- --help` lists the options)');
}

/** The parsed command line as SwitchdArgs (with where the cookie and name came from). */
export function parseSwitchdArgs(argv: readonly string[], cmd: Command = switchdCommand()): SwitchdArgs {
  // `pnpm start -- --help` passes its `--` on (a bare `pnpm start --help` is pnpm's own help)
  cmd.parse(argv[0] === '--' ? argv.slice(1) : [...argv], { from: 'user' });
  const o = cmd.opts<Omit<SwitchdArgs, 'sources'>>();
  const source = (k: string) => cmd.getOptionValueSource(k);
  return {
    ...o,
    sources: {
      name: source('name'),
      cookie: source('cookie'),
      cookieFile: source('cookieFile'),
      listenPort: source('listenPort'),
      listenIp: source('listenIp'),
    },
  };
}
