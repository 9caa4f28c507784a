/**
 * A conference member (conference_member_t) and its input loop (conference_loop_input): each frame
 * the channel's far end sent is scored (mean absolute sample), drives the talking detector — the
 * noise gate is open above the member's energy level; a frame 400 over it, or the fifth open frame
 * (net of closed ones), starts talking; 40 closed frames stop it — and, while the member is heard,
 * goes into its audio buffer for the mixer.
 *
 * Frames reach the member's input port from the endpoint's I/O callback and wait there; the
 * conference process runs this loop on them at each 20 ms tick, before it mixes. A tick in which
 * none came counts as a comfort-noise frame (what the RTP read gives the input thread then).
 */
import type { Channel } from '../channel/channel.ts';
import type { AudioFrame, MediaPort } from '../media/media_table.ts';
import { FRAME_SAMPLES } from '../media/source.ts';
import { linearOf } from '../media/tape.ts';
import { MemberFiles } from './file_play.ts';
import type { ConferenceFlag, MemberFlag } from './flags.ts';
import { changeSlnVolume } from './volume.ts';

/** Samples per packet at the conference's rate and interval (8000 Hz, 20 ms). */
export const SAMPLES = FRAME_SAMPLES;
/** Closed-gate frames that end talking (the input loop's hangover). */
const HANGOVER = 40;
/** Open-gate frames that start talking below DIFF_LEVEL (hangunder). */
const HANGUNDER = 5;
/** A frame this far over the energy level starts talking at once. */
const DIFF_LEVEL = 400;
const SCORE_DECAY = 0.8;
const SCORE_MAX_IIR = 25000;
/** The audio buffer holds at most 500 ms; more and the oldest frame's worth goes. */
const FLUSH_SAMPLES = SAMPLES * (500 / 20);

/** What the input loop reads of its conference and how it reports. */
export interface MemberHost {
  readonly floorHolder: number;
  readonly count: number;
  /** Recordings running (record_count): with one, a member alone is mixed too. */
  readonly recordCount: number;
  readonly flags: ReadonlySet<ConferenceFlag>;
  /** conference_member_set_score_iir's other half: the floor holder's score is the conference's too. */
  floorHolderScoreIir: number;
  /** A conference::maintenance event with the member's data, `pre` before the Action. */
  fireMember(member: Member, action: string, pre?: readonly (readonly [string, string])[]): void;
  /** switch_epoch_time_now. */
  epochSeconds(): number;
}

/** A byte FIFO of linear samples (switch_buffer): frames of any length in, packets out. */
class SampleFifo {
  #data = new Int16Array(FLUSH_SAMPLES * 2);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  write(samples: Int16Array): void {
    // the input loop tosses one frame's worth from the front when more than 500 ms wait
    if (this.#length > FLUSH_SAMPLES) this.#shift(samples.length);
    if (this.#length + samples.length > this.#data.length) {
      const next = new Int16Array((this.#length + samples.length) * 2);
      next.set(this.#data.subarray(0, this.#length));
      this.#data = next;
    }
    this.#data.set(samples, this.#length);
    this.#length += samples.length;
  }

  /** The next `n` samples, if that many wait. */
  read(n: number): Int16Array | undefined {
    if (this.#length < n) return undefined;
    const out = this.#data.slice(0, n);
    this.#shift(n);
    return out;
  }

  clear(): void {
    this.#length = 0;
  }

  #shift(n: number): void {
    const k = Math.min(n, this.#length);
    this.#data.copyWithin(0, k, this.#length);
    this.#length -= k;
  }
}

export class Member {
  readonly flags = new Set<MemberFlag>();
  energyLevel = 0;
  /** The last frame's energy (Current-Energy) and its running average (score_iir, for the floor). */
  score = 0;
  scoreIir = 0;
  /** When it joined and when a frame last counted as talking, epoch seconds (0: never): terminate-on-silence's clock. */
  joinTime = 0;
  lastTalking = 0;
  /** The file `kick <id> <file>` gave, played instead of the profile's kicked-sound. */
  kickedSound: string | undefined;
  /** volume_in_level: what the member says, scaled before it is scored (-4..4). */
  volumeIn = 0;
  /** volume_out_level: what the member hears (-4..4). */
  volumeOut = 0;
  /** The files played to this member alone. */
  readonly files = new MemberFiles();
  /** The frame the mixer took from the audio buffer this tick (MFLAG_HAS_AUDIO while set). */
  read: Int16Array | undefined;
  /** The input port the member's channel is routed to while it is in the conference. */
  readonly port: MediaPort;
  readonly #arrived: AudioFrame[] = [];
  readonly #audio = new SampleFifo();
  #lastScore = 0;
  #hangoverHits = 0;
  #hangunderHits = 0;
  #talkingCount = 0;
  #scoreCount = 0;
  #scoreAccum = 0;
  #scoreDeltaAccum = 0;
  #gateCount = 0;
  #nogateCount = 0;
  /** The end of the member's `conference` application (run in its channel's process): it leaves. */
  end: (() => void | Promise<void>) | undefined;
  /** Routed audio may reach the channel's far end again (set while the conference writes to it). */
  releaseHold: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly channel: Channel,
    /** The media table id of the input port (`conference:<name>:<id>`). */
    readonly portId: string,
  ) {
    this.port = {
      codec: 'PCMU',
      write: (frame) => {
        // frames wait for the next tick; more than the buffer's 500 ms would be tossed there anyway
        if (this.#arrived.length > FLUSH_SAMPLES / SAMPLES) this.#arrived.shift();
        this.#arrived.push(frame);
      },
    };
  }

  get uuid(): string {
    return this.channel.uuid;
  }

  has(flag: MemberFlag): boolean {
    return this.flags.has(flag);
  }

  /** conference_member_set_score_iir. */
  setScoreIir(host: MemberHost, score: number): void {
    this.scoreIir = score;
    if (this.id === host.floorHolder) host.floorHolderScoreIir = score;
  }

  /** The input loop over the frames that came since the last tick. */
  input(host: MemberHost): void {
    if (!this.has('RUNNING')) return;
    const frames = this.#arrived.splice(0);
    if (frames.length === 0) this.#comfortNoise(host);
    for (const frame of frames) this.#frame(host, linearOf(frame));
  }

  /** One packet from the audio buffer for the mixer, if a whole one waits. */
  takeAudio(): void {
    this.read = this.#audio.read(SAMPLES);
  }

  /** A CNG frame: the gate counts as closed but nothing is scored. */
  #comfortNoise(host: MemberHost): void {
    if (this.#hangunderHits) this.#hangunderHits--;
    if (this.has('TALKING') && ++this.#hangoverHits >= HANGOVER) {
      this.#stopTalking();
      this.setScoreIir(host, 0);
      this.#talkEnded(host);
    }
  }

  #frame(host: MemberHost, samples: Int16Array): void {
    const speaks = this.has('CAN_SPEAK') && !this.has('HOLD');
    if (speaks || this.has('MUTE_DETECT')) {
      changeSlnVolume(samples, this.volumeIn);
      this.#detect(host, samples, speaks);
    }
    const heard = this.has('TALKING') || this.energyLevel === 0 || host.flags.has('AUDIO_ALWAYS');
    // min-recording-participants is 1: a recording mixes a member alone
    const mixed = host.count > 1 || (host.recordCount > 0 && host.count >= 1);
    if (heard && speaks && !host.flags.has('WAIT_MOD') && mixed) this.#audio.write(samples);
  }

  #detect(host: MemberHost, samples: Int16Array, speaks: boolean): void {
    let energy = 0;
    for (const s of samples) energy += Math.abs(s);
    this.score = samples.length ? Math.floor(energy / samples.length) : 0;
    const gate = this.score > this.energyLevel;
    this.setScoreIir(host, Math.min(Math.trunc((1.0 - SCORE_DECAY) * this.score + SCORE_DECAY * this.scoreIir), SCORE_MAX_IIR));
    if (speaks && this.has('TALKING')) {
      this.#talkingCount++;
      if (gate) {
        this.#scoreAccum += this.score;
        this.#scoreDeltaAccum += Math.abs(this.score - this.#lastScore);
        this.#scoreCount++;
        this.#gateCount++;
      } else this.#nogateCount++;
    }
    if (gate) {
      if (this.#hangoverHits) this.#hangoverHits--;
      if (this.score - this.energyLevel >= DIFF_LEVEL || ++this.#hangunderHits >= HANGUNDER) {
        this.#hangoverHits = this.#hangunderHits = 0;
        this.lastTalking = host.epochSeconds();
        if (!this.has('TALKING')) this.#talkStarted(host);
      }
    } else {
      if (this.#hangunderHits) this.#hangunderHits--;
      if (this.has('TALKING') && speaks && ++this.#hangoverHits >= HANGOVER) {
        this.#stopTalking();
        this.#talkEnded(host);
      }
    }
    this.#lastScore = this.score;
  }

  #talkStarted(host: MemberHost): void {
    this.flags.add('TALKING');
    this.#scoreDeltaAccum = this.#scoreAccum = this.#scoreCount = this.#talkingCount = 0;
    if (this.has('CAN_SPEAK') && !this.has('HOLD')) host.fireMember(this, 'start-talking');
    if (this.has('MUTE_DETECT') && !this.has('CAN_SPEAK')) host.fireMember(this, 'mute-detect');
  }

  /** Talking stops: the gate statistics lose the hangover's closed frames, TALKING is cleared. */
  #stopTalking(): void {
    this.#hangoverHits = this.#hangunderHits = 0;
    this.#nogateCount = Math.max(this.#nogateCount - HANGOVER, 0);
    this.flags.delete('TALKING');
  }

  /** stop_talking_handler: the talk's statistics (when its frames' scores varied) and stop-talking. */
  #talkEnded(host: MemberHost): void {
    const stats: [string, string][] = [];
    if (this.#scoreCount && this.#talkingCount) {
      const avg = this.#scoreDeltaAccum / this.#scoreCount;
      const avg2 = this.#scoreAccum / this.#scoreCount;
      const nogate = this.#nogateCount || 1;
      const gate = this.#gateCount || 1;
      // a C float: (float)nogate / (float)gate * 100
      const pct = Math.fround(Math.fround(Math.fround(nogate) / Math.fround(gate)) * 100);
      const gcp = (gate / this.#talkingCount) * 100;
      const ngcp = (nogate / this.#talkingCount) * 100;
      if (avg)
        stats.push(
          ['talking-gate-hits', String(this.#scoreCount)],
          ['talking-total-packets', String(this.#talkingCount)],
          ['talking-duration-ms', String(this.#talkingCount * 20)],
          ['talking-average-energy', avg2.toFixed(6)],
          ['talking-delta-average', avg.toFixed(6)],
          ['talking-hit-on-percent', gcp.toFixed(6)],
          ['talking-non-hit-ratio', pct.toFixed(6)],
          ['talking-hit-off-percent', ngcp.toFixed(6)],
          ['talking-hit-off-differential', (gcp - ngcp).toFixed(6)],
        );
    }
    this.#nogateCount = this.#gateCount = 0;
    host.fireMember(this, 'stop-talking', stats);
  }

  /** What is left in the input port and the audio buffer is dropped (the member leaves). */
  flush(): void {
    this.#arrived.length = 0;
    this.#audio.clear();
    this.read = undefined;
  }
}
