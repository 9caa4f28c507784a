/**
 * Where recordings are written. The file is made when the recording opens (an empty WAV, or an
 * empty raw file) and its samples are written when it closes: the audio heard, and silence where
 * there was none (a channel without media records silence).
 * The opening is checked at once (FreeSWITCH's file open fails there: no folder, no permission, a
 * directory); the samples are written afterwards, in order, off the channel's path, so a long
 * recording does not hold up the switch (`settled()` says when they are on disk).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { WAV_HEADER_BYTES, readWavLayout, wavHeader } from './recording_model.ts';

export interface RecordingFile {
  /** The path on disk. */
  readonly path: string;
  /** WAV (16-bit PCM), or raw samples (a `.L16` file). */
  readonly container: 'wav' | 'raw';
  /** The file's samples a second and channels. */
  readonly rate: number;
  readonly channels: number;
  /** RECORD_APPEND: the samples go after what the file holds. */
  readonly append: boolean;
}

/** Why a file cannot be opened for writing: it is a directory, or the system's reason. */
export type OpenFailure = { readonly directory: true } | { readonly directory: false; readonly reason: string };

export interface RecordingSink {
  /** switch_dir_make_recursive: true when `folder` exists or was made. */
  makeFolder(folder: string): boolean;
  /** Opens the file for writing: made or emptied (kept when appending); undefined when it could be. */
  open(file: RecordingFile): OpenFailure | undefined;
  /**
   * Closes the file after `samples` (per channel): `audio`'s (interleaved, at the file's rate and
   * channels), silence for what it lacks; `failed` hears of a failure to write them.
   */
  close(file: RecordingFile, samples: number, failed: (reason: string) => void, audio?: Int16Array): void;
  /** Removes the file (a discarded recording). */
  remove(path: string, failed: (reason: string) => void): void;
}

/** strerror's words for the errors a file open meets, as libsndfile prints them. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOSPC: 'No space left on device',
  ENAMETOOLONG: 'File name too long',
};

function systemError(err: unknown): string {
  const code = (err as { code?: string }).code;
  const words = (code && SYSTEM_ERRORS[code]) || (err instanceof Error ? err.message : String(err));
  return `System error : ${words}.`;
}

const ZEROS = new Uint8Array(64 * 1024);

/** `bytes` of 16-bit little-endian samples at `position`: `audio`'s first, then silence. */
async function writeSamples(handle: FileHandle, position: number, bytes: number, audio: Int16Array | undefined): Promise<void> {
  let done = 0;
  if (audio && audio.length > 0) {
    const pcm = Buffer.alloc(Math.min(bytes, audio.length * 2));
    for (let i = 0; i * 2 < pcm.length; i++) pcm.writeInt16LE(audio[i], i * 2);
    await handle.write(pcm, 0, pcm.length, position);
    done = pcm.length;
  }
  while (done < bytes) {
    const n = Math.min(ZEROS.length, bytes - done);
    await handle.write(ZEROS, 0, n, position + done);
    done += n;
  }
}

/** Opens an existing file for reading and writing anywhere in it (made when it has gone). */
async function openForUpdate(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return open(path, 'w+');
    throw err;
  }
}

async function writeUint32(handle: FileHandle, position: number, value: number): Promise<void> {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  await handle.write(bytes, 0, 4, position);
}

/** Reads the head of an open file (enough for its WAV chunks). */
function readHead(fd: number): Uint8Array {
  const head = new Uint8Array(4096);
  const n = readSync(fd, head, 0, head.length, 0);
  return head.subarray(0, n);
}

/** The file sink: recordings land at their path on this machine's file system. */
export class FileRecordingSink implements RecordingSink {
  #tail: Promise<void> = Promise.resolve();

  makeFolder(folder: string): boolean {
    try {
      mkdirSync(folder, { recursive: true });
      return true;
    } catch {
      return false;
    }
  }

  open(file: RecordingFile): OpenFailure | undefined {
    try {
      if (statSync(file.path, { throwIfNoEntry: false })?.isDirectory()) return { directory: true };
      if (!file.append) {
        writeFileSync(file.path, file.container === 'wav' ? wavHeader(0, file.rate, file.channels) : new Uint8Array(0));
        return undefined;
      }
      // appending to a WAV needs one it can read (libsndfile opens it for reading and writing)
      const fd = openSync(file.path, 'a+');
      try {
        if (file.container === 'wav' && fstatSync(fd).size > 0 && !readWavLayout(readHead(fd)))
          return { directory: false, reason: 'File contains data in an unknown format.' };
      } finally {
        closeSync(fd);
      }
      return undefined;
    } catch (err) {
      return { directory: false, reason: systemError(err) };
    }
  }

  close(file: RecordingFile, samples: number, failed: (reason: string) => void, audio?: Int16Array): void {
    const bytes = samples * file.channels * 2;
    this.#later(failed, async () => {
      if (file.container === 'raw') {
        const handle = await open(file.path, file.append ? 'a' : 'w');
        try {
          await writeSamples(handle, file.append ? (await handle.stat()).size : 0, bytes, audio);
        } finally {
          await handle.close();
        }
        return;
      }
      const handle = file.append ? await openForUpdate(file.path) : await open(file.path, 'w+');
      try {
        const head = new Uint8Array(4096);
        const { bytesRead } = file.append ? await handle.read(head, 0, head.length, 0) : { bytesRead: 0 };
        const layout = readWavLayout(head.subarray(0, bytesRead));
        if (!layout) {
          await handle.truncate(0);
          await handle.write(wavHeader(bytes, file.rate, file.channels), 0, WAV_HEADER_BYTES, 0);
          await writeSamples(handle, WAV_HEADER_BYTES, bytes, audio);
          return;
        }
        // the samples go after the existing ones, in the file's own format; the sizes are patched
        const added = Math.floor((samples * layout.rate) / file.rate) * layout.channels * 2;
        const same = layout.rate === file.rate && layout.channels === file.channels;
        await writeSamples(handle, layout.dataAt + layout.dataBytes, added, same ? audio : undefined);
        await writeUint32(handle, layout.dataSizeAt, layout.dataBytes + added);
        await writeUint32(handle, 4, layout.dataAt + layout.dataBytes + added - 8);
      } finally {
        await handle.close();
      }
    });
  }

  remove(path: string, failed: (reason: string) => void): void {
    this.#later(failed, () => unlink(path));
  }

  /** Resolves once every write asked for so far is done. */
  settled(): Promise<void> {
    return this.#tail;
  }

  #later(failed: (reason: string) => void, job: () => Promise<void>): void {
    this.#tail = this.#tail.then(job).catch((err: unknown) => failed(systemError(err)));
  }
}

/** The sink the switch's recordings use unless one is given. */
export const FILE_RECORDING_SINK = new FileRecordingSink();
