/**
 * Which file a local stream plays next (read_stream_thread's walk of its directory): one pass
 * through the directory's regular files (and links) at a time; a `<name>.loc` file's lines are
 * paths played in its place; the file just played is not played again straight after (unless it
 * is the only one); with `shuffle`, each file played (and the first pass) skips 1…count entries
 * ahead, across passes. The C reads the directory in readdir's order; here the names are sorted
 * (DECISIONS.md #182).
 */
import { type Dirent, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** do_rand: 1…count (0 for an empty directory). */
export type StreamRandom = (count: number) => number;

export const defaultRandom: StreamRandom = (count) => (count === 0 ? 0 : Math.floor(Math.random() * count) + 1);

/** What the walk gives: a file to open, a one-second pause (a `.loc` that did not open), or the pass's end. */
export type NextEntry = { readonly path: string } | { readonly pause: true } | undefined;

export interface PlaylistHost {
  readonly location: string;
  /** The setting as it is now (a partial reload can change it). */
  readonly shuffle: boolean;
  log(level: 'ERR' | 'CONSOLE', text: string): void;
}

const isListed = (d: Dirent): boolean => d.isFile() || d.isSymbolicLink();

export class Playlist {
  #names: string[] = [];
  #at = 0;
  /** The lines of the `.loc` file being read, if one is. */
  #lines: string[] | undefined;
  #count = 0;
  #skip = 0;
  #last = '';
  #firstPass = true;

  constructor(
    private readonly host: PlaylistHost,
    private readonly random: StreamRandom = defaultRandom,
  ) {}

  /** A new pass: the directory read again; false (logged) when it cannot be. */
  startPass(): boolean {
    let entries: Dirent[];
    try {
      entries = readdirSync(this.host.location, { withFileTypes: true });
    } catch {
      this.host.log('CONSOLE', `Can't open directory: ${this.host.location}`);
      return false;
    }
    this.#names = entries
      .filter(isListed)
      .map((d) => d.name)
      .sort();
    this.#at = 0;
    this.#count = this.#lines ? this.#lines.length : this.#names.length;
    if (this.#firstPass && this.host.shuffle) this.#skip = this.random(this.#count);
    this.#firstPass = false;
    return true;
  }

  /** The next entry of this pass (skipping what the rules skip). */
  next(): NextEntry {
    for (;;) {
      let path: string;
      if (this.#lines) {
        const line = this.#lines.shift();
        if (line === undefined) {
          this.#lines = undefined;
          continue;
        }
        path = line;
      } else {
        const name = this.#names[this.#at++];
        if (name === undefined) return undefined;
        path = join(this.host.location, name);
        if (name.toLowerCase().endsWith('.loc')) {
          try {
            this.#lines = locLines(readFileSync(path, 'utf8'));
          } catch {
            this.host.log('ERR', `Can't open ${name}`);
            return { pause: true };
          }
          continue;
        }
      }
      if (this.#count > 1 && path === this.#last) continue;
      if (this.#skip > 0) {
        this.#skip--;
        continue;
      }
      this.#last = path;
      return { path };
    }
  }

  /** A file was played to its end (or hung up): with shuffle, the next is some entries ahead. */
  played(): void {
    if (this.host.shuffle) this.#skip = this.random(this.#count);
  }
}

/** A `.loc` file's lines, each cut at its first CR or LF. */
function locLines(text: string): string[] {
  const lines = text.split('\n').map((l) => l.split('\r')[0] ?? '');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
