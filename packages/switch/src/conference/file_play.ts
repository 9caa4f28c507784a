/**
 * Files played into a conference (conference_file.c, conference_thread_run's fnode and async_fnode):
 * one queue played in turn, and one `async` file played over it (a new async file ends the one
 * before). Each tick takes a frame of each; everyone in the conference hears them mixed in. A file
 * that ends, or is replaced, fires play-file-done with how much of it was played.
 */
import type { SwitchEvent } from '../events/event.ts';
import { clip16 } from '../media/g711.ts';
import { type AudioSource, openSource } from '../media/source.ts';

interface FileNode {
  readonly file: string;
  readonly source: AudioSource;
  readonly async: boolean;
  /** Samples read so far (fh.samples_in). */
  samples: number;
}

export class ConferenceFiles {
  #queue: FileNode[] = [];
  #async: FileNode | undefined;

  /** @param fire conference::maintenance with the conference's data, filled in by `fill` */
  constructor(private readonly fire: (fill: (e: SwitchEvent) => void) => void) {}

  /** conference_file_play: false when the file cannot be played (no source for it). */
  play(file: string, async: boolean): boolean {
    const source = openSource(file);
    if (!source) return false;
    const node: FileNode = { file, source, async, samples: 0 };
    if (!async) {
      this.#queue.push(node);
      return true;
    }
    const before = this.#async;
    this.#async = node;
    if (before) this.#done(before);
    return true;
  }

  /** This tick's frame of the files playing, summed (undefined when none is). */
  frame(): Int16Array | undefined {
    let sum: Int16Array | undefined;
    for (const node of [this.#queue[0], this.#async]) {
      if (!node) continue;
      const f = node.source.next();
      if (!f) {
        if (node === this.#async) this.#async = undefined;
        else this.#queue.shift();
        this.#done(node);
        continue;
      }
      node.samples += f.length;
      if (!sum) sum = Int16Array.from(f);
      else for (let i = 0; i < f.length && i < sum.length; i++) sum[i] = clip16((sum[i] ?? 0) + (f[i] ?? 0));
    }
    return sum;
  }

  #done(node: FileNode): void {
    this.fire((e) => {
      e.addHeader('seconds', String(Math.floor(node.samples / 8000)));
      e.addHeader('milliseconds', String(Math.floor(node.samples / 8)));
      e.addHeader('samples', String(node.samples));
      e.addHeader('Action', 'play-file-done');
      e.addHeader('File', node.file);
      if (node.async) e.addHeader('Async', 'true');
    });
  }
}
