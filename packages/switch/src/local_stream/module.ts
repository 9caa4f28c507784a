/**
 * mod_local_stream's module state, one per switch: the running streams by name (source_hash),
 * their launch from local_stream.conf (launch_streams / launch_thread; each stream's process a
 * temporary child of the switch's `local_streams` supervisor), and the file interface's open:
 * `local_stream://<name>` finds `<name>/<rate>` or `<name>`, else `default` (local_stream_file_open).
 * The module loads when the configuration launches at least one stream, as FreeSWITCH's does;
 * without it `local_stream://` is a file no module opens (simulated, as the switch plays those).
 */
import type { Where } from '@beamline/core';
import type { SwitchCore } from '../core/core.ts';
import { type XmlElement, attr, children, findChild } from '../config/xml.ts';
import { type StreamRandom, defaultRandom } from './playlist.ts';
import { streamSettings } from './settings.ts';
import { LocalStream, type StreamHost, type StreamListener } from './stream.ts';

export const LOCAL_STREAM_CONF = 'local_stream.conf';

export interface LocalStreamHost {
  readonly core: SwitchCore;
  /** local_stream.conf as switch_xml_open_cfg finds it now (XML-fetch bindings, then the static XML). */
  config(): Promise<XmlElement | undefined>;
  /** Starts a stream's process. */
  start(where: Where, stream: LocalStream): Promise<void>;
}

export class LocalStreams {
  /** source_hash: the streams by name (case counts), in the order they were launched. */
  readonly sources = new Map<string, LocalStream>();
  /** do_rand for the streams launched from now on. */
  random: StreamRandom = defaultRandom;
  readonly #host: LocalStreamHost;

  constructor(host: LocalStreamHost) {
    this.#host = host;
  }

  #log(level: 'DEBUG' | 'WARNING' | 'ERR' | 'CONSOLE', text: string): void {
    this.#host.core.log(level, text);
  }

  /** get_source: a running stream. */
  get(name: string): LocalStream | undefined {
    return this.sources.get(name);
  }

  async #config(): Promise<XmlElement | undefined> {
    const cfg = await this.#host.config();
    if (!cfg) this.#log('ERR', `Open of ${LOCAL_STREAM_CONF} failed`);
    return cfg;
  }

  /** launch_streams: every `<directory>` (or the one named `name`, in any case, launched under `name`); how many. */
  async launch(where: Where, name?: string): Promise<number> {
    const cfg = await this.#config();
    if (!cfg) return 0;
    if (name === undefined || name === '') {
      const all = children(cfg, 'directory');
      for (const d of all) await this.#launchOne(where, attr(d, 'name') ?? '', attr(d, 'path') ?? '', d);
      return all.length;
    }
    const d = findChild(cfg, 'directory', 'name', name);
    if (!d) return 0;
    await this.#launchOne(where, name, attr(d, 'path') ?? '', d);
    return 1;
  }

  /**
   * Every stream in the table given a process by `start` (their supervisor was restarted without
   * them); one that cannot get one is stopped, with an ERR.
   */
  async resume(start: (stream: LocalStream) => Promise<void>): Promise<void> {
    for (const stream of [...this.sources.values()]) {
      try {
        await start(stream);
      } catch (e) {
        this.#log('ERR', `local_stream://${stream.name}: its process did not start: ${e instanceof Error ? e.message : String(e)}`);
        stream.stop();
      }
    }
  }

  /** launch_thread and the start of read_stream_thread. */
  async #launchOne(where: Where, name: string, path: string, directory: XmlElement): Promise<void> {
    const settings = streamSettings(name, path, directory, (level, text) => this.#log(level, text));
    if (settings.timerName.toLowerCase() !== 'soft') {
      this.#log('ERR', `invalid timer ${settings.timerName}!`);
      this.#log('CONSOLE', "Can't start timer.");
      return;
    }
    const stream = new LocalStream(settings, this.#streamHost(), this.random);
    // its first tick opens the directory: one that cannot be read never runs
    stream.catchUp();
    if (stream.over) return;
    const before = this.sources.get(name);
    this.sources.set(name, stream);
    before?.stop();
    try {
      await this.#host.start(where, stream);
    } catch (e) {
      this.#log('ERR', `local_stream://${name}: its process did not start: ${e instanceof Error ? e.message : String(e)}`);
      stream.stop();
    }
  }

  #streamHost(): StreamHost {
    const core = this.#host.core;
    return {
      nowMs: () => core.uptimeUs() / 1000,
      log: (level, text) => core.log(level, text),
      directory: async (name) => {
        const cfg = await this.#config();
        return cfg ? findChild(cfg, 'directory', 'name', name) : undefined;
      },
      ended: (stream) => {
        if (this.sources.get(stream.name) === stream) this.sources.delete(stream.name);
      },
      relaunch: async (ctx, name) => {
        await this.launch(ctx, name);
      },
    };
  }

  /** local_stream_file_open for a channel reading at `rate`; undefined (logged) when no stream is found. */
  open(path: string, rate: number): StreamListener | undefined {
    let asked = path;
    for (;;) {
      const alt = `${asked}/${rate}`;
      const byRate = this.get(alt);
      const source = byRate ?? this.get(asked);
      if (source) {
        this.#log('DEBUG', `Opening Stream [${byRate ? alt : asked}] ${source.settings.rate}hz`);
        return source.listen();
      }
      if (/default/i.test(alt) || /default/i.test(asked)) {
        this.#log('ERR', `Unknown source ${asked}`);
        return undefined;
      }
      this.#log('WARNING', `Unknown source ${asked}, trying 'default'`);
      asked = 'default';
    }
  }
}

const MODULES = new WeakMap<SwitchCore, LocalStreams>();

/**
 * The module's load: the streams of local_stream.conf launched; undefined (not loaded) when there
 * is no local_stream.conf (a switch without one has no mod_local_stream in its modules, so
 * nothing is logged) or no `<directory>` in it.
 */
export async function loadLocalStream(where: Where, host: LocalStreamHost): Promise<LocalStreams | undefined> {
  if (!(await host.config())) return undefined;
  const streams = new LocalStreams(host);
  if ((await streams.launch(where)) === 0) return undefined;
  MODULES.set(host.core, streams);
  return streams;
}

/** The switch's mod_local_stream, if it loaded. */
export function localStreams(core: SwitchCore): LocalStreams | undefined {
  return MODULES.get(core);
}
