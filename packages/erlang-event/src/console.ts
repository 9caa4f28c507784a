/**
 * The `erlang` API command (spec §5): `erlang listeners | sessions <node> | handlers | bindings |
 * debug on|off`, also reachable from Erlang as `{api, erlang, "listeners"}`. Subcommands in any
 * case. The text is built from a snapshot, so the formatting is pure.
 */
import { EVENT_NAMES } from '@beamline/switch';

export interface HandlerView {
  /** undefined: the listener's own subscriptions, no handler registered. */
  readonly pid: string | undefined;
  readonly types: ReadonlySet<string>;
  readonly subclasses: ReadonlySet<string>;
}

export interface ListenerView {
  readonly peer: string;
  readonly sessions: readonly { uuid: string; state: string }[];
  readonly eventsSent: number;
  readonly eventsLost: number;
  readonly logsSent: number;
  readonly logsLost: number;
  readonly creates: number;
  readonly hangups: number;
  readonly handlers: readonly HandlerView[];
}

export interface ConsoleView {
  /** Newest first. */
  listenerViews(): readonly ListenerView[];
  bindings(): readonly { node: string; section: string }[];
  debug: boolean;
}

const DASHES = '-'.repeat(80);
const ERLANG_USAGE = `USAGE:\n${DASHES}\nerlang listeners\nerlang sessions <node_name>\nerlang bindings\nerlang handlers\nerlang debug <on|off>\n${DASHES}\n`;

export function erlangCommand(args: string, view: ConsoleView): string {
  const argv = args.split(/\s+/).filter((a) => a !== '');
  const sub = (argv[0] ?? '').toLowerCase();
  switch (sub) {
    case 'listeners': {
      const ls = view.listenerViews();
      if (ls.length === 0) return 'No active listeners\n';
      return ls
        .map(
          (l) =>
            `Listener to ${l.peer} with outbound sessions: ${l.sessions.length} events: ${l.eventsSent} (lost:${l.eventsLost}) logs: ${l.logsSent} (lost:${l.logsLost}) ${l.creates}/${l.hangups}\n`,
        )
        .join('');
    }
    case 'sessions': {
      if (argv.length !== 2) return ERLANG_USAGE;
      const node = argv[1] as string;
      const l = view.listenerViews().find((x) => x.peer.toLowerCase() === node.toLowerCase());
      if (!l) return `Could not find a listener for ${node}\n`;
      if (l.sessions.length === 0) return `No active sessions for ${node}\n`;
      return l.sessions.map((s) => `Outbound session for ${s.uuid} in state ${s.state}\n`).join('');
    }
    case 'handlers': {
      const blocks: string[] = [];
      for (const l of view.listenerViews()) {
        for (const h of l.handlers) {
          const title = l.handlers.length === 1 ? `Listener ${l.peer}:` : `Listener ${l.peer} handler ${h.pid}:`;
          let out = `${title}\n${'-'.repeat(32)}\n`;
          for (const name of EVENT_NAMES) {
            if (name === 'CUSTOM' || name === 'ALL') continue;
            if (h.types.has(name)) out += `${name}\n`;
          }
          out += 'CUSTOM:\n';
          for (const s of h.subclasses) out += `\t${s}\n`;
          blocks.push(`${out}\n`);
        }
      }
      return blocks.length === 0 ? 'No active handlers\n' : blocks.join('');
    }
    case 'bindings': {
      const bs = view.bindings();
      return bs.length === 0 ? 'No bindings\n' : bs.map((b) => `${b.node} ${b.section}\n`).join('');
    }
    case 'debug':
      if (argv.length > 1) view.debug = (argv[1] as string).toLowerCase() === 'on';
      return `+OK debug ${view.debug ? 'on' : 'off'}\n`;
    default:
      return ERLANG_USAGE;
  }
}
