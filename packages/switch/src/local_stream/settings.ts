/**
 * A local stream's settings: what mod_local_stream's launch_thread reads from a `<directory>` of
 * local_stream.conf, with its defaults and its checks (a value it does not accept keeps the
 * default), and the part a partial reload reads again.
 */
import { type XmlElement, attr, children } from '../config/xml.ts';
import { atoi, separateString, switchTrue } from '../internal/strings.ts';

/** DEFAULT_PREBUFFER_SIZE: 64 KiB. */
const DEFAULT_PREBUF = 1024 * 64;
/** SWITCH_MAX_INTERVAL (ms). */
const MAX_INTERVAL = 120;
/** MAX_CHIME: the chime-list entries kept. */
const MAX_CHIME = 100;
/** SWITCH_GRANULAR_VOLUME_MAX. */
const GRANULAR_VOLUME_MAX = 50;
const RATES: ReadonlySet<number> = new Set([8000, 12000, 16000, 24000, 32000, 48000]);

export interface StreamSettings {
  /** The name it is known by (the hash key). */
  readonly name: string;
  /** The directory its files are in. */
  readonly location: string;
  rate: number;
  channels: number;
  /** ms. */
  interval: number;
  prebuf: number;
  timerName: string;
  shuffle: boolean;
  /** Seconds between chimes. */
  chimeFreq: number;
  /** How long a chime may play: seconds as configured, samples once launched (× rate). */
  chimeMax: number;
  chimeList: string[];
  /** -50..50 dB steps (switch_change_sln_volume_granular). */
  volume: number;
  /** auto-volume: the energy the AGC aims for (0: off), and its low point. */
  energyAvg: number;
  energyLow: number;
}

export type SettingsLog = (level: 'WARNING', text: string) => void;

/** switch_normalize_volume_granular. */
export const normalizeVolumeGranular = (v: number): number => Math.max(-GRANULAR_VOLUME_MAX, Math.min(GRANULAR_VOLUME_MAX, v));

/** switch_samples_per_packet, in C's single-precision floats. */
export function samplesPerPacket(rate: number, interval: number): number {
  return Math.trunc(Math.fround(Math.fround(rate) / Math.fround(1000 / Math.fround(interval))));
}

/** SWITCH_ACCEPTABLE_INTERVAL. */
const acceptableInterval = (ms: number): boolean => ms !== 0 && ms <= MAX_INTERVAL && ms % 10 === 0;

/** The parameters both the launch and a partial reload read (their names compared in any case). */
function applyCommon(s: StreamSettings, name: string, value: string, log: SettingsLog): boolean {
  switch (name.toLowerCase()) {
    case 'shuffle':
      s.shuffle = switchTrue(value);
      return true;
    case 'chime-freq': {
      const n = atoi(value);
      if (n > 1) s.chimeFreq = n;
      return true;
    }
    case 'chime-max': {
      const n = atoi(value);
      if (n > 1) s.chimeMax = n;
      return true;
    }
    case 'chime-list':
      s.chimeList = separateString(value, ',', MAX_CHIME).filter((f) => f !== '');
      return true;
    case 'interval': {
      const n = atoi(value);
      if (acceptableInterval(n)) s.interval = n;
      else log('WARNING', `Interval must be multiple of 10 and less than ${MAX_INTERVAL}, Using default of 20`);
      return true;
    }
    case 'volume':
      s.volume = normalizeVolumeGranular(atoi(value));
      return true;
    case 'auto-volume': {
      const n = atoi(value);
      s.energyAvg = n > -1 && n <= 20000 ? n : 0;
      return true;
    }
    case 'auto-volume-low-point': {
      const n = atoi(value);
      // the C checks the average here, not the low point
      s.energyLow = n > -1 && s.energyAvg <= 20000 ? n : 0;
      return true;
    }
    default:
      return false;
  }
}

const params = (directory: XmlElement | undefined): [string, string][] =>
  directory ? children(directory, 'param').map((p) => [attr(p, 'name') ?? '', attr(p, 'value') ?? '']) : [];

/** launch_thread: the settings of the stream `name` on `path` from its `<directory>`. */
export function streamSettings(name: string, path: string, directory: XmlElement | undefined, log: SettingsLog): StreamSettings {
  const s: StreamSettings = {
    name,
    location: path,
    rate: 8000,
    channels: 1,
    interval: 20,
    prebuf: DEFAULT_PREBUF,
    timerName: 'soft',
    shuffle: false,
    chimeFreq: 30,
    chimeMax: 0,
    chimeList: [],
    volume: 0,
    energyAvg: 0,
    energyLow: 0,
  };
  for (const [n, value] of params(directory)) {
    if (applyCommon(s, n, value, log)) continue;
    const v = atoi(value);
    switch (n.toLowerCase()) {
      case 'rate':
        if (RATES.has(v)) s.rate = v;
        break;
      case 'prebuf':
        if (v > 0) s.prebuf = v;
        break;
      case 'channels':
        if (v === 1 || v === 2) s.channels = v;
        break;
      case 'timer-name':
        s.timerName = value;
        break;
    }
  }
  if (s.chimeMax) s.chimeMax *= s.rate;
  // read_stream_thread: the buffer holds at least a packet
  s.prebuf = Math.max(s.prebuf || DEFAULT_PREBUF, samplesPerPacket(s.rate, s.interval) * 2 * s.channels);
  return s;
}

/**
 * A partial reload (the stream is in use, so it goes on): shuffle, the chimes, interval, volume
 * and auto-volume read again from `directory`.
 */
export function reloadSettings(s: StreamSettings, directory: XmlElement, log: SettingsLog): void {
  for (const [n, value] of params(directory)) {
    if (n.toLowerCase() !== 'chime-max') applyCommon(s, n, value, log);
    else if (atoi(value) > 1) s.chimeMax = atoi(value) * s.rate;
  }
}
