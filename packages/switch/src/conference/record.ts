/**
 * Recording a conference (conference_record.c): a recording is a member without a channel
 * (MFLAG_NOCHANNEL) that hears the whole mix — comfort noise included — and writes what it hears
 * to a mono 8 kHz file through the switch's recording sink, a packet each tick unless paused. It
 * takes an id from the member pool but is in no member list, event or count.
 */
import { dirname } from 'node:path';
import { fileFormat } from '../applications/recording_model.ts';
import type { RecordingFile, RecordingSink } from '../applications/recording_sink.ts';

export const RECORDING_RATE = 8000;

export class ConferenceRecording {
  readonly #packets: Int16Array[] = [];
  /** fh.samples_out. */
  samplesOut = 0;
  /** MFLAG_RUNNING: cleared by a stop, the recording ends at the next tick. */
  running = true;
  /** MFLAG_PAUSE_RECORDING: nothing is written meanwhile. */
  paused = false;

  constructor(
    /** Its member id (next_member_id). */
    readonly id: number,
    /** As given (rec->path): what `norecord`, `pause` and `check` match and the events name. */
    readonly path: string,
    readonly file: RecordingFile | undefined,
  ) {}

  /** A packet of the mix, written unless paused. */
  write(packet: Int16Array): void {
    if (this.paused || !this.file) return;
    this.#packets.push(Int16Array.from(packet));
    this.samplesOut += packet.length;
  }

  /** Everything written, in order. */
  audio(): Int16Array {
    const out = new Int16Array(this.samplesOut);
    let at = 0;
    for (const p of this.#packets) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/**
 * conference_record_thread_run's opening: the folder made (the path has no `://`), then the file
 * opened for writing at the conference's rate; undefined when it cannot be (the open fails).
 */
export function openConferenceRecording(path: string, sink: RecordingSink): RecordingFile | undefined {
  if (!path.includes('://')) sink.makeFolder(dirname(path.replace(/^(\{[^}]*\}\s*)+/, '')));
  const format = fileFormat(path);
  if (!format.ok) return undefined;
  const file: RecordingFile = { path: format.path, container: format.container, rate: RECORDING_RATE, channels: 1, append: false };
  return sink.open(file) ? undefined : file;
}
