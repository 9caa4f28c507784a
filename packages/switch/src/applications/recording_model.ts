/**
 * The recording model over the simulated media, as pure functions: where a recording's file is
 * (the path rules of switch_ivr_record_session_event and switch_ivr_record_file, the file format
 * switch_core_file_open finds), how long it is in 20 ms packets and samples, the recording
 * variables of `{a=b,…}`, and the WAV header. There is no audio: every packet is silence.
 */
import { findEndParen, separateString } from '../internal/strings.ts';
import { waveChunks } from '../media/wav.ts';

/** Every leg here runs L16 at 8 kHz (originate/legs.ts) in 20 ms packets. */
export const CHANNEL_RATE = 8000;
export const PACKET_MS = 20;
export const SAMPLES_PER_PACKET = (CHANNEL_RATE * PACKET_MS) / 1000;
/** The channel's codec name: a file with this extension is raw (mod_native_file). */
export const NATIVE_FORMAT = 'L16';

/** SWITCH_GLOBAL_dirs' defaults, used when no global variable `base_dir` / `sounds_dir` is set. */
export const DEFAULT_BASE_DIR = '/usr/local/freeswitch';
export const DEFAULT_SOUNDS_DIR = '/usr/local/freeswitch/sounds';

/** switch_is_valid_rate. */
export function isValidRate(rate: number): boolean {
  return [8000, 12000, 16000, 24000, 32000, 11025, 22050, 44100, 48000].includes(rate);
}

/** switch_atoui: atoi, a negative number is 0. */
export function atoui(n: number): number {
  return Math.max(n, 0);
}

/** Cuts the leading `{…}` groups (and the blanks after each); undefined when one does not close. */
export function afterParams(file: string): string | undefined {
  let rest = file;
  while (rest.startsWith('{')) {
    const end = findEndParen(rest, '{', '}');
    if (end < 0) return undefined;
    rest = rest.slice(end + 1).replace(/^ +/, '');
  }
  return rest;
}

/**
 * switch_is_file_path: after the `{…}` groups, an absolute path or a URL. (FreeSWITCH loops for
 * ever on a group that does not close; here that is no path.)
 */
export function isFilePath(file: string): boolean {
  const rest = afterParams(file);
  return rest !== undefined && rest !== '' && (rest.startsWith('/') || rest.includes('://'));
}

/** Where record_session writes: the file's name (Record-File-Path, the key stop_record_session takes) and its folder. */
export interface SessionRecordingPath {
  readonly file: string;
  /** The folder made first (switch_dir_make_recursive); none for a URL or a `[…]` name. */
  readonly folder: string | undefined;
  /** A path with no `/` to cut the folder at (ERR `Error finding the folder path section in '…'`, then on). */
  readonly noFolder: string | undefined;
}

/**
 * switch_ivr_record_session_event's path: a relative name goes under `prefix` (`sound_prefix`,
 * else the base directory), a leading `[…]` staying in front; the folder is what comes before the
 * last `/`, without a leading `{…}` group.
 */
export function sessionRecordingPath(given: string, prefix: string): SessionRecordingPath {
  let file = given;
  let filePath: string | undefined = given;
  if (!isFilePath(given)) {
    const bracketEnd = findEndParen(given, '[', ']');
    if (!given.startsWith('[')) {
      file = `${prefix}/${given}`;
      filePath = file;
    } else {
      // a `[…]` name: the prefix goes after it, and no folder is made
      file = bracketEnd < 0 ? `${prefix}/${given}` : `${given.slice(0, bracketEnd)}]${prefix}/${given.slice(bracketEnd + 1)}`;
      filePath = undefined;
    }
  }
  if (filePath === undefined || filePath.includes('://')) return { file, folder: undefined, noFolder: undefined };
  const slash = filePath.lastIndexOf('/');
  if (slash < 0) return { file, folder: undefined, noFolder: filePath };
  let folder = filePath.slice(0, slash);
  if (folder.startsWith('{')) folder = folder.slice(findEndParen(folder, '{', '}') + 1);
  return { file, folder: folder || '/', noFolder: undefined };
}

/**
 * switch_ivr_record_file's path: a relative name goes under `prefix` (`sound_prefix`, else the
 * sounds directory) with its leading `{…}` group kept in front (FreeSWITCH's loop keeps none when
 * there are two or more, and the second one on stays in the name); a name with no `.` gets the
 * channel's codec as extension and is written raw (`native`). A URL is left as it is.
 */
export function recordFilePath(given: string, prefix: string): { file: string; native: boolean } {
  if (given.includes('://')) return { file: given, native: false };
  let file = given;
  if (!isFilePath(given)) {
    const end = given.startsWith('{') ? findEndParen(given, '{', '}') : -1;
    const rest = end < 0 ? given : given.slice(end + 1).replace(/^ +/, '');
    const params = end < 0 || rest.startsWith('{') ? '' : given.slice(0, end + 1);
    file = `${params}${prefix}/${rest}`;
  }
  if (file.includes('.')) return { file, native: false };
  return { file: `${file}.${NATIVE_FORMAT}`, native: true };
}

/** What switch_core_file_open makes of a name: the path on disk and its container, or why it cannot open it. */
export type FileFormat =
  | { readonly ok: true; readonly path: string; readonly container: 'wav' | 'raw' }
  | { readonly ok: false; readonly level: 'ERR'; readonly text: string };

/**
 * switch_core_file_open's part before the format module: `{…}` parameters cut off, a URL's
 * scheme (no stream module is loaded here), the extension. `.L16` is the channel's codec, raw
 * (mod_native_file); any other extension of letters and digits is written as WAV here.
 */
export function fileFormat(name: string): FileFormat {
  const path = afterParams(name);
  if (path === undefined) return { ok: false, level: 'ERR', text: 'Parse Error!' };
  const url = path.indexOf('://');
  if (url >= 0) return { ok: false, level: 'ERR', text: `Invalid file format [${path.slice(0, url)}] for [${path.slice(url + 3)}]!` };
  const dot = path.lastIndexOf('.');
  if (dot < 0) return { ok: false, level: 'ERR', text: `Unknown file Format [${path}]` };
  const ext = path.slice(dot + 1);
  if (ext.toUpperCase() === NATIVE_FORMAT) return { ok: true, path, container: 'raw' };
  if (!/^[A-Za-z0-9]+$/.test(ext)) return { ok: false, level: 'ERR', text: `Invalid file format [${ext}] for [${path}]!` };
  return { ok: true, path, container: 'wav' };
}

/**
 * switch_event_create_brackets on a recording's `{name=value,…}`: the pairs in order (a later
 * name replaces an earlier one, any case; a pair without `=` is skipped).
 * Undefined when `text` does not start with a closed `{…}`.
 */
export function parseRecordingVars(text: string): [string, string][] | undefined {
  const end = findEndParen(text, '{', '}');
  if (end < 0) return undefined;
  let inner = text.slice(text.indexOf('{') + 1, end);
  let sep = ',';
  if (inner.startsWith('^^') && inner.length > 2) {
    sep = inner[2] as string;
    inner = inner.slice(3);
  }
  const vars: [string, string][] = [];
  for (const pair of separateString(inner, sep, 1024)) {
    const [name, value] = separateString(pair, '=', 2);
    if (name === undefined || value === undefined) continue;
    const at = vars.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (at >= 0) vars.splice(at, 1);
    vars.push([name, value]);
  }
  return vars;
}

/** The `Recording-Variable-<name>` headers of RECORD_START / RECORD_STOP. */
export function recordingVariableHeaders(vars: readonly (readonly [string, string])[]): [string, string][] {
  return vars.map(([n, v]) => [`Recording-Variable-${n}`, v]);
}

/** Whole packets in `ms`. */
export function packetsIn(ms: number): number {
  return Math.max(0, Math.floor(ms / PACKET_MS));
}

/** The first packet boundary (counted from `startMs`) at or after `atMs`. */
export function packetAtOrAfter(startMs: number, atMs: number): number {
  return startMs + Math.max(0, Math.ceil((atMs - startMs) / PACKET_MS)) * PACKET_MS;
}

/** The samples a file at `fileRate` holds for `samples` read at the channel's rate (the resampler's output). */
export function fileSamples(samples: number, fileRate: number): number {
  return Math.floor((samples * fileRate) / CHANNEL_RATE);
}

/** `record_samples`, `record_seconds`, `record_ms` for `samples` at the channel's rate. */
export function lengthVariables(samples: number): [string, string][] {
  return [
    ['record_samples', String(samples)],
    ['record_seconds', String(Math.floor(samples / CHANNEL_RATE))],
    ['record_ms', String(Math.floor(samples / (CHANNEL_RATE / 1000)))],
  ];
}

export const WAV_HEADER_BYTES = 44;

/** A canonical 16-bit PCM WAV header for `dataBytes` of samples. */
export function wavHeader(dataBytes: number, rate: number, channels: number): Uint8Array {
  const bytes = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return bytes;
}

/** What an existing WAV file holds: its format and where its sample data is. */
export interface WavLayout {
  readonly rate: number;
  readonly channels: number;
  /** The offset of the `data` chunk's size field, and of its first byte. */
  readonly dataSizeAt: number;
  readonly dataAt: number;
  readonly dataBytes: number;
}

/** Reads the chunks of a 16-bit PCM WAV file's head; undefined for anything else. */
export function readWavLayout(head: Uint8Array): WavLayout | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let format: { rate: number; channels: number } | undefined;
  for (const chunk of waveChunks(head)) {
    if (chunk.id === 'fmt ' && chunk.at + 16 <= head.length) {
      if (view.getUint16(chunk.at, true) !== 1 || view.getUint16(chunk.at + 14, true) !== 16) return undefined;
      format = { channels: view.getUint16(chunk.at + 2, true), rate: view.getUint32(chunk.at + 4, true) };
    } else if (chunk.id === 'data') {
      return format ? { ...format, dataSizeAt: chunk.at - 4, dataAt: chunk.at, dataBytes: chunk.size } : undefined;
    }
  }
  return undefined;
}
