/**
 * The `local_stream` API command (mod_local_stream's local_stream_function), with the C's texts:
 * `show [<name> [as xml]]`, `start|stop|reload|hup <name>`, `vol <name> [<level>|auto:<avg>[:<low>]]`.
 * A subcommand without a name, an unknown one, or `hup` / `vol` / `start` that finds nothing
 * writes nothing. `show <name> as xml` keeps the C's unclosed `<interval>` tag.
 */
import type { ApiCommand } from '../api/registry.ts';
import { atoi, separateString } from '../internal/strings.ts';
import { type LocalStreams, localStreams } from './module.ts';
import { normalizeVolumeGranular, samplesPerPacket } from './settings.ts';
import type { LocalStream } from './stream.ts';

const SYNTAX = '<show|start|reload|stop|hup> <local_stream_name>';

const cannotLocate = (name: string) => `-ERR Cannot locate local_stream ${name}!\n`;

function details(s: LocalStream, xml: boolean): string {
  const c = s.settings;
  // [the text form's label, the XML element, the value]
  const rows: [string, string, string][] = [
    ['location: ', 'location', c.location],
    ['channels: ', 'channels', String(c.channels)],
    ['rate:     ', 'rate', String(c.rate)],
    ['interval: ', 'interval', String(c.interval)],
    ['samples:  ', 'samples', String(samplesPerPacket(c.rate, c.interval))],
    ['prebuf:   ', 'prebuf', String(c.prebuf)],
    ['timer:    ', 'timer', c.timerName],
    ['total:    ', 'total', String(s.total)],
    ['shuffle:  ', 'shuffle', String(c.shuffle)],
    ['ready:    ', 'ready', 'true'],
    ['stopped:  ', 'stopped', 'false'],
  ];
  if (!xml) return `${s.name}\n${rows.map(([label, , v]) => `  ${label}${v}\n`).join('')}  reloading: ${s.reloading}\n`;
  const body = rows.map(([, tag, v]) => (tag === 'interval' ? `  <interval>${v}<interval>\n` : `  <${tag}>${v}</${tag}>\n`)).join('');
  return `<?xml version="1.0"?>\n<local_stream name="${s.name}">\n${body}</local_stream>\n`;
}

/** `vol <name> [<level>|auto:<avg>[:<low>]]`: the level (or auto-volume's) set and reported. */
function volume(s: LocalStream, arg: string | undefined): string {
  const c = s.settings;
  let out = '';
  if (arg !== undefined) {
    if (arg.toLowerCase().startsWith('auto:')) {
      const rest = arg.slice(5);
      c.energyAvg = atoi(rest);
      const colon = rest.indexOf(':');
      if (colon >= 0) {
        const low = atoi(rest.slice(colon + 1));
        if (low > -1 && low <= 20000) c.energyLow = low;
        else out += `-ERR invalid auto-volume low-energy level for stream: ${s.name}\n`;
      }
      if (!(c.energyAvg > -1 && c.energyAvg <= 20000)) {
        c.energyAvg = 0;
        out += `-ERR invalid auto-volume level for stream: ${s.name}\n`;
      }
    } else {
      c.volume = normalizeVolumeGranular(atoi(arg));
      c.energyAvg = 0;
    }
  }
  return out + (c.energyAvg ? `+OK Auto-Volume stream: ${s.name} is ${c.energyAvg}/${c.energyLow}` : `+OK vol stream: ${s.name} is ${c.volume}`);
}

function show(streams: LocalStreams, argv: readonly string[]): string {
  const name = argv[1];
  if (name === undefined) return [...streams.sources.values()].map((s) => `${s.name},${s.settings.location}\n`).join('');
  const s = streams.get(name);
  return s ? details(s, argv.length === 4 && argv[3]?.toLowerCase() === 'xml') : cannotLocate(name);
}

export const LOCAL_STREAM_COMMAND: ApiCommand = {
  name: 'local_stream',
  syntax: SYNTAX,
  description: 'manage local streams',
  module: 'mod_local_stream',
  run: async (args, env) => {
    const streams = localStreams(env.core);
    const argv = separateString(args, ' ', 5);
    if (!streams || args === '' || argv.length < 1) return `-USAGE: ${SYNTAX}\n`;
    const [sub = '', name] = argv;
    const s = name === undefined ? undefined : streams.get(name);
    switch (name === undefined ? '' : sub.toLowerCase()) {
      case 'hup':
        if (!s) return '';
        s.hup = true;
        return `+OK hup stream: ${s.name}`;
      case 'vol':
        return s ? volume(s, argv[2]) : '';
      case 'stop':
        if (!s) return cannotLocate(name ?? '');
        s.stop();
        return '+OK';
      case 'reload':
        if (!s) return cannotLocate(name ?? '');
        s.reloading = true;
        s.hup = true;
        return '+OK';
      case 'start':
        if (s) return `+OK stream: ${s.name}`;
        return (await streams.launch(env.ctx, name)) ? `+OK stream: ${name}` : '';
    }
    return sub.toLowerCase() === 'show' ? show(streams, argv) : '';
  },
};
