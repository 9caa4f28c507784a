/**
 * One conference (conference_obj_t) and its process (conference_thread_run).
 *
 * Members join and leave in their own channels' processes (the `conference` application), API
 * commands change their flags from the command's process; each such change is one synchronous
 * step on this shared object, as a locked section is in FreeSWITCH. The conference's process is its timer:
 * every 20 ms of the runtime clock it runs the members' input loops on the frames that came
 * (talking detection), gives the floor, takes one packet from each member's audio buffer and of
 * the files playing (file_play.ts), and writes each member what it hears (mix.ts) to its channel's
 * far end. It ends at the first tick
 * after something marked it for destruction — the last member leaving, an `endconf` member
 * leaving, nobody talking for the profile's terminate-on-silence, the last mandatory member gone
 * for its endconf-grace-time —: the members still in are hung up (unless their
 * `hangup_after_conference` is false) and have left, and the files left are closed, before
 * conference-destroy is fired. The profile's sounds are played as sounds.ts says; its
 * auto-record starts a recording once a member is in.
 */
import { randomUUID } from 'node:crypto';
import type { ProcessContext } from '@beamline/core';
import { isFilePath } from '../applications/recording_model.ts';
import { FILE_RECORDING_SINK, type RecordingSink } from '../applications/recording_sink.ts';
import { Cause } from '../channel/causes.ts';
import type { SwitchCore } from '../core/core.ts';
import type { SwitchEvent } from '../events/event.ts';
import { callChannel } from '../api/uuid_commands.ts';
import type { Channel } from '../channel/channel.ts';
import { newVariables } from '../channel/variables.ts';
import { expandWithoutApi } from '../dialplan/expand.ts';
import { atoi, switchFalse } from '../internal/strings.ts';
import type { ConfigurationLocate } from './configuration.ts';
import { CONF_EVENT_MAINT, type ConferenceData, addConferenceData, addMemberData } from './events.ts';
import { type ConferenceFlag, type MemberFlag, setConferenceFlags, setMemberFlags } from './flags.ts';
import { type Member, type MemberHost, SAMPLES } from './member.ts';
import { ConferenceFiles, type FileNode, fileLengthHeaders, openConferenceFile } from './file_play.ts';
import { comfortNoise, mix } from './mix.ts';
import type { ConferenceProfile } from './profile.ts';
import { ConferenceRecording, RECORDING_RATE, openConferenceRecording } from './record.ts';
import { type FilePlayStatus, type SoundHost, exitSoundOfChannel, holdMusic, joinSounds, leaveSounds, lockSound } from './sounds.ts';
import { changeSlnVolume } from './volume.ts';
import { prepareConferenceSay, prepareMemberSay } from './speech_node.ts';
import { SampleSource } from '../media/source.ts';

const INTERVAL_MS = 20;
/** A member whose average score passes this may take the floor from a holder below the minimum. */
const SCORE_IIR_SPEAKING_MAX = 300;
const SCORE_IIR_SPEAKING_MIN = 100;

/** What a conference needs of mod_conference's globals. */
export interface ConferenceHost {
  readonly core: SwitchCore;
  /** The conference is gone: it leaves the table unless another of its name took its place. */
  destroyed(conf: Conference): void;
  /** next_member_id: a recording takes one too. */
  nextMemberId(): number;
  /** The switch's configuration lookup (conference.conf, opened again for each member's controls). */
  readonly locate: ConfigurationLocate;
}

/** A relative name under `prefix`, its `{…}` params kept in front (switch_separate_file_params). */
function underPrefix(prefix: string, file: string): string {
  const params = /^(?:\{[^}]*\})*/.exec(file)?.[0] ?? '';
  return `${params}${prefix}/${file.slice(params.length)}`;
}

export class Conference implements ConferenceData, MemberHost, SoundHost {
  readonly uuid = randomUUID();
  readonly domain: string;
  readonly flags = new Set<ConferenceFlag>(['JSON_STATUS', 'ENTER_SOUND', 'EXIT_SOUND']);
  /** The flags a member starts with (conference->mflags). */
  readonly memberFlags = new Set<MemberFlag>(['CAN_SPEAK', 'CAN_HEAR', 'CAN_BE_SEEN', 'CAN_SEE']);
  readonly variables: SwitchEvent = newVariables();
  readonly rate = 8000;
  /** Newest first, as FreeSWITCH links them. */
  members: Member[] = [];
  count = 0;
  countGhosts = 0;
  floorHolder = 0;
  floorHolderScoreIir = 0;
  /** Members below which the conference ends once it reached them (1, or 2 with a `mintwo` member). */
  min = 1;
  maxMembers = 0;
  /** Outcalls dialling now (conference->originating): an auto outcall's creator waits for them. */
  originating = 0;
  /** special_announce: an auto outcall's `conference_auto_outcall_announce`, played to each caller before it joins. */
  specialAnnounce: string | undefined;
  /** The recordings (rec_node_head), newest first, and how many run (record_count). */
  recordings: ConferenceRecording[] = [];
  recordCount = 0;
  /** Where recordings are written. */
  recordingSink: RecordingSink = FILE_RECORDING_SINK;
  /** Where relative sound names are found: the profile's sound-prefix, else the creating channel's `sound_prefix`. */
  soundPrefix: string | undefined;
  /** The hold music (moh-sound, else the creator's `conference_moh_sound`) and the perpetual sound. */
  mohSound: string | undefined;
  perpetualSound: string | undefined;
  /** Ticks before hold music is tried again (moh_wait). */
  mohWait = 0;
  /** auto-record (or the creator's `conference_auto_record`), started once (auto_recording). */
  autoRecord: string | undefined;
  autoRecording = false;
  /** The auto-recording's file (record_filename): every member's `conference_recording`. */
  recordFilename: string | undefined;
  /** endconf-grace-time (or the creator's `conference_endconference_grace_time`), seconds. */
  endconfGraceTime: number;
  /** Mandatory (`mandatory_member_endconf`) members in (end_count) and when the last left, epoch seconds (0: none did). */
  endCount = 0;
  endconferenceTime = 0;
  /** What `conference <name> play` plays into the conference. */
  readonly files = new ConferenceFiles(
    (fill) =>
      this.#fire((e) => {
        addConferenceData(e, this);
        fill(e);
      }),
    (file) => openConferenceFile(this.core, file),
  );

  constructor(
    readonly name: string,
    readonly profile: ConferenceProfile,
    readonly host: ConferenceHost,
    /** The creating channel's variables (its `presence_id` and `confvar_*`). */
    channelVariables: readonly (readonly [string, string])[],
  ) {
    const presence = channelVariables.find(([n]) => n === 'presence_id')?.[1];
    const at = presence?.indexOf('@') ?? -1;
    this.domain = profile.domain ?? (presence && at >= 0 ? presence.slice(at + 1) : 'cluecon.com');
    this.mohSound = profile.sounds.moh;
    this.perpetualSound = profile.sounds.perpetual;
    this.autoRecord = profile.autoRecord;
    this.endconfGraceTime = profile.endconfGraceTime;
    this.maxMembers = profile.maxMembers;
    setMemberFlags(profile.memberFlags, this.memberFlags);
    setConferenceFlags(profile.conferenceFlags, this.flags);
    for (const [n, v] of [...host.core.globals.entries(), ...channelVariables])
      if (n.toLowerCase().startsWith('confvar_') && n.length > 8) this.variables.addHeader(n.slice(8), v);
  }

  get profileName(): string {
    return this.profile.name;
  }

  get core(): SwitchCore {
    return this.host.core;
  }

  /** switch_epoch_time_now: seconds on the runtime clock. */
  epochSeconds(): number {
    return Math.floor(this.core.nowUs() / 1_000_000);
  }

  #fire(fill: (event: SwitchEvent) => void): void {
    const event = this.core.bus.create('CUSTOM', CONF_EVENT_MAINT);
    fill(event);
    this.core.fire(event);
  }

  /** A conference::maintenance event with the conference's data. */
  fireConference(action: string, post: readonly (readonly [string, string])[] = []): void {
    this.#fire((e) => {
      addConferenceData(e, this);
      e.addHeader('Action', action);
      for (const [n, v] of post) e.addHeader(n, v);
    });
  }

  fireMember(
    member: Member,
    action: string,
    pre: readonly (readonly [string, string])[] = [],
    post: readonly (readonly [string, string])[] = [],
  ): void {
    this.#fire((e) => {
      addMemberData(e, this, member);
      for (const [n, v] of pre) e.addHeader(n, v);
      e.addHeader('Action', action);
      for (const [n, v] of post) e.addHeader(n, v);
    });
  }

  /** conference_member_get: a member in the conference, not kicked, whose channel is up. */
  memberGet(id: number): Member | undefined {
    const m = this.members.find((x) => x.id === id);
    return m?.has('INTREE') && !m.has('KICKED') && !m.channel.hungUp ? m : undefined;
  }

  /**
   * conference_member_add: the member's media joins the mix, its counts, variables and
   * add-member. `ch` is its channel, in whose process this runs.
   */
  addMember(member: Member): void {
    const ch = member.channel;
    const { media } = this.core;
    media.attach(member.portId, member.port);
    media.route(member.uuid, member.portId);
    member.releaseHold = media.hold(member.uuid);
    member.joinTime = this.epochSeconds();
    member.energyLevel = this.profile.energyLevel;
    member.setScoreIir(this, 0);
    member.flags.add('INTREE');
    if (member.has('GHOST')) this.countGhosts++;
    else this.count++;
    if (member.has('ENDCONF')) this.endconferenceTime = 0;
    if (member.has('MANDATORY_MEMBER_ENDCONF') && this.endCount++) this.endconferenceTime = 0;
    const joinEnergy = ch.variable('conference_join_energy_level');
    if (joinEnergy !== undefined) {
      const level = atoi(joinEnergy);
      if (level > -2 && level < 1801) member.energyLevel = level;
    }
    ch.setVariable('conference_member_id', String(member.id));
    ch.setVariable('conference_moderator', member.has('MOD') ? 'true' : 'false');
    ch.setVariable('conference_ghost', member.has('GHOST') ? 'true' : 'false');
    ch.setVariable('conference_recording', this.recordFilename);
    ch.setVariable('conference_uuid', this.uuid);
    if (ch.variable('conference_call_key') === undefined)
      ch.setVariable('conference_call_key', `conference_${this.name}_${this.domain}_${ch.variable('caller_id_number') ?? ''}`);
    if (this.flags.has('WAIT_MOD') && member.has('MOD')) this.flags.delete('WAIT_MOD');
    joinSounds(this, member);
    if (this.min && this.count >= this.min) this.flags.add('ENFORCE_MIN');
    this.fireMember(member, 'add-member');
    this.members.unshift(member);
  }

  /** The member is out: conference_member_del, then conference_function's end (an empty dynamic conference is marked). */
  memberLeft(member: Member): void {
    if (!member.has('INTREE')) return;
    member.flags.delete('RUNNING');
    this.delMember(member);
    this.markIfEmpty();
  }

  markIfEmpty(): void {
    if (this.flags.has('DYNAMIC') && this.count === 0 && this.countGhosts === 0) this.flags.add('DESTRUCT');
  }

  /** conference_member_del: out of the mix and the list, its files closed, the floor given up, del-member. */
  delMember(member: Member): void {
    const ownExitSound = exitSoundOfChannel(this, member);
    const { media } = this.core;
    media.unroute(member.uuid, member.portId);
    media.detach(member.portId);
    member.releaseHold?.();
    member.flush();
    member.flags.delete('INTREE');
    this.members = this.members.filter((m) => m !== member);
    member.files.closeAll((node) => this.#memberFileDone(member, node));
    if (member.id === this.floorHolder) this.setFloorHolder(undefined);
    if (member.has('GHOST')) this.countGhosts--;
    else this.count--;
    if (member.has('ENDCONF')) this.flags.add('DESTRUCT');
    if (member.has('MANDATORY_MEMBER_ENDCONF') && !--this.endCount) this.endconferenceTime = this.epochSeconds();
    member.channel.setVariable('conference_call_key', undefined);
    const present = this.count + this.countGhosts;
    if ((this.min && this.flags.has('ENFORCE_MIN') && present < this.min) || (this.flags.has('DYNAMIC') && present === 0)) this.flags.add('DESTRUCT');
    else leaveSounds(this, member, ownExitSound);
    this.fireMember(member, 'del-member');
  }

  /** conference_member_set_floor_holder (`undefined`: nobody) and floor-change. */
  setFloorHolder(member: Member | undefined): void {
    this.floorHolderScoreIir = 0;
    let old = 0;
    if (this.floorHolder) {
      if (member && this.floorHolder === member.id) return;
      old = this.floorHolder;
    }
    this.floorHolder = member?.id ?? 0;
    member?.setScoreIir(this, 0);
    // the old holder is named only if it is still a member in good standing
    const oldId = old && this.memberGet(old) ? old : 0;
    this.#fire((e) => {
      addConferenceData(e, this);
      e.addHeader('Action', 'floor-change');
      e.addHeader('Old-ID', oldId ? String(oldId) : 'none');
      if (member) {
        addMemberData(e, this, member);
        e.addHeader('New-ID', String(member.id));
      } else e.addHeader('New-ID', 'none');
    });
  }

  /** One pass of conference_thread_run's loop, with the members' input loops first. */
  tick(): void {
    // a channel that ended without its application ending (killed, or stopped with the switch) is out
    for (const m of this.members) if (!this.core.sessions.has(m.uuid)) this.memberLeft(m);
    this.#endRecordings(false);
    for (const m of this.members) m.input(this);
    let floorHolder = this.floorHolder;
    const running = this.members.filter((m) => m.has('RUNNING'));
    holdMusic(this, running);
    this.#terminateOnSilence();
    for (const m of running) {
      if (!floorHolder || (m.id !== this.floorHolder && m.scoreIir > SCORE_IIR_SPEAKING_MAX && this.floorHolderScoreIir < SCORE_IIR_SPEAKING_MIN)) {
        this.setFloorHolder(m);
        floorHolder = this.floorHolder;
      }
      // conference_loop_output: an outbound member's answer marks the conference answered
      if (m.channel.spec.direction === 'outbound' && m.channel.view.answered) this.flags.add('ANSWERED');
      m.takeAudio();
    }
    const silence = () => (this.profile.comfortNoise ? comfortNoise(this.profile.comfortNoise, this.core.nowUs()) : new Int16Array(SAMPLES).fill(-1));
    // a file playing is one more voice everyone hears; a recording hears everyone
    const file = this.files.frame();
    const heard = mix(
      [
        ...running.map((m) => ({ read: m.read, hears: m.has('CAN_HEAR') })),
        ...this.recordings.map(() => ({ read: undefined, hears: true })),
        ...(file ? [{ read: file, hears: false }] : []),
      ],
      silence,
    );
    running.forEach((m, i) => {
      this.#output(m, heard[i] ?? silence());
    });
    this.recordings.forEach((r, i) => {
      r.write(heard[running.length + i] ?? silence());
    });
    this.#endconfGrace();
  }

  /** terminate-on-silence: two or more in, none of them joined or talked within that many seconds. */
  #terminateOnSilence(): void {
    const limit = this.profile.terminateOnSilence;
    if (!limit || this.count <= 1) return;
    const now = this.epochSeconds();
    const recent = (t: number) => now - t <= limit;
    if (this.members.some((m) => recent(m.joinTime) || (m.lastTalking !== 0 && recent(m.lastTalking)))) return;
    this.core.log('INFO', `Conference has been idle for over ${limit} seconds, terminating`);
    this.flags.add('DESTRUCT');
  }

  /** The last mandatory member left more than endconf-grace-time seconds ago. */
  #endconfGrace(): void {
    if (this.endCount || !this.endconferenceTime || this.epochSeconds() - this.endconferenceTime <= this.endconfGraceTime) return;
    this.core.log('DEBUG', `Conference ${this.name}: endconf grace time exceeded (${this.endconfGraceTime})`);
    this.flags.add('DESTRUCT');
  }

  /**
   * conference_thread_run's auto-record: once members reach min-required-recording-participants
   * (1), the path expanded on the newest member's channel is recorded and is every member's
   * `conference_recording`.
   */
  async #autoRecordStep(ctx: ProcessContext): Promise<void> {
    if (!this.autoRecord || this.autoRecording || this.count < 1) return;
    this.autoRecording = true;
    const first = this.members[0];
    if (!first) {
      this.core.log('ERR', 'Auto Record Failed.  No members in conference.');
      return;
    }
    const raw = this.autoRecord;
    let path = raw;
    await callChannel({ ctx, core: this.core }, first.uuid, {
      op: 'work',
      work: async (ch) => {
        path = await ch.expand(raw);
      },
    });
    this.core.log('INFO', `Auto recording file: ${path}`);
    this.startRecording(path);
    this.recordFilename = path;
    for (const m of this.members) m.channel.setVariable('conference_recording', path);
  }

  /** conference_loop_output's write: the member's volume_out on what it hears (not when deaf), then its own file. */
  #output(m: Member, packet: Int16Array): void {
    // the silence packet is shared by every member
    const out = Int16Array.from(packet);
    if (m.has('CAN_HEAR')) changeSlnVolume(out, m.volumeOut);
    m.files.mixInto(out, m.volumeOut, (node) => this.#memberFileDone(m, node));
    this.core.media.play(m.uuid, out);
  }

  /** conference_file_close for a member's file: play-file-member-done, with the member's data while it is still in. */
  #memberFileDone(member: Member, node: FileNode): void {
    if (node.speech) return;
    this.#fire((e) => {
      addConferenceData(e, this);
      for (const [n, v] of fileLengthHeaders(node)) e.addHeader(n, v);
      e.addHeader('Action', 'play-file-member-done');
      if (this.memberGet(member.id)) addMemberData(e, this, member);
      e.addHeader('File', node.file);
    });
  }

  /**
   * conference_member_play_file: `file` queued for the member alone; a relative name is under the
   * conference's sound prefix. Without one (or for `say:`) the text is spoken (conference_member_say,
   * queued when the engine has spoken). False when the file cannot be opened.
   */
  memberPlayFile(m: Member, file: string, mux: boolean): boolean {
    if (m.has('KICKED')) return false;
    if (/^say:/i.test(file)) return file.length > 4 && this.#memberSay(m, file.slice(4));
    let path = file;
    if (!isFilePath(file)) {
      if (!this.soundPrefix) return file !== '' && this.#memberSay(m, file);
      path = `${this.soundPrefix}/${file}`;
    }
    const source = openConferenceFile(this.core, path);
    if (!source) return false;
    m.files.play(path, source, mux);
    return true;
  }

  /**
   * conference_file_play: `file` into the conference, read after `leadin` ticks (`async`: as the
   * one async file, which it replaces), its `${…}` expanded on `ch`'s variables. A relative name is
   * under the sound prefix; `say:<text>` (not async) is spoken into the conference (conference_say,
   * queued when the engine has spoken); without a prefix a name, or an async `say:`, plays nothing. Nothing plays to a conference that nobody is in, or that is ending. A file that
   * does not open fires play-file with its Error.
   */
  filePlay(file: string | undefined, leadin: number, ch: Channel | undefined, async: boolean): FilePlayStatus {
    if (!this.flags.has('RUNNING') || this.flags.has('DESTRUCT')) return 'false';
    if (!file) return 'notfound';
    if (!this.count) return 'false';
    let path = ch ? (expandWithoutApi(file, (n, i) => ch.expansionVariable(n, i)) ?? file) : file;
    const say = /^say:/i.test(path);
    if (say && !async) return this.#say(path.slice(4), leadin);
    if (!isFilePath(path)) {
      if (say || !this.soundPrefix) return async ? 'success' : 'false';
      path = underPrefix(this.soundPrefix, path);
    }
    const source = openConferenceFile(this.core, path);
    if (!source) {
      this.fireConference('play-file', [
        ['File', path],
        ['Async', async ? 'true' : 'false'],
        ['Error', 'File could not be played'],
      ]);
      return 'notfound';
    }
    this.files.add(path, source, async, leadin);
    return 'success';
  }

  /** conference_say from a synchronous path: the checks now, the audio queued once spoken. */
  #say(text: string, leadin: number): FilePlayStatus {
    const prepared = text === '' ? undefined : prepareConferenceSay(this.core, this.profile, text);
    if (!prepared) return 'false';
    void prepared.speak().then((samples) => {
      if (!this.flags.has('DESTRUCT')) this.files.add(`say:${prepared.text}`, new SampleSource(samples), false, leadin, true);
    });
    return 'success';
  }

  /** conference_member_say from a synchronous path: true unless the engine does not open. */
  #memberSay(m: Member, text: string): boolean {
    const prepared = prepareMemberSay(this.core, this.profile, text, m.uuid);
    if (prepared === 'none') return true;
    if (!prepared) return false;
    void prepared.speak().then((samples) => {
      if (!m.has('KICKED')) m.files.play(`say:${prepared.text}`, new SampleSource(samples), true, true);
    });
    return true;
  }

  /** CFLAG_LOCKED set or cleared, with lock / unlock (conference_api_sub_lock, conference_loop_lock_toggle). */
  setLocked(locked: boolean): void {
    lockSound(this, locked);
    if (locked) this.flags.add('LOCKED');
    else this.flags.delete('LOCKED');
    this.fireConference(locked ? 'lock' : 'unlock');
  }

  /**
   * conference_api_sub_record's count and conference_record_thread_run's start: the file opened
   * (start-recording), or, when it cannot be, start-recording with its Error and the recording's end.
   */
  startRecording(path: string): void {
    this.recordCount++;
    const file = openConferenceRecording(path, this.recordingSink);
    const rec = new ConferenceRecording(this.host.nextMemberId(), path, file);
    this.recordings.unshift(rec);
    if (file) {
      this.fireConference('start-recording', [['Path', path]]);
      return;
    }
    this.core.log('ERR', `Error Opening File [${path}]`);
    this.fireConference('start-recording', [
      ['Path', path],
      ['Error', 'File could not be opened for recording'],
    ]);
    this.#endRecording(rec);
  }

  /** conference_record_thread_run's end: the file written and closed, stop-recording. */
  #endRecording(rec: ConferenceRecording): void {
    this.recordings = this.recordings.filter((r) => r !== rec);
    this.recordCount--;
    if (rec.file) {
      const path = rec.file.path;
      this.recordingSink.close(rec.file, rec.samplesOut, (reason) => this.core.log('ERR', `Error writing ${path} (${reason})`), rec.audio());
    }
    this.core.log('INFO', `Recording of ${rec.path} Stopped`);
    this.fireConference('stop-recording', [
      ['Path', rec.path],
      ['Other-Recordings', this.recordCount ? 'true' : 'false'],
      ['Samples-Out', String(rec.samplesOut)],
      ['Samplerate', String(RECORDING_RATE)],
      ['Milliseconds-Elapsed', String(Math.floor(rec.samplesOut / (RECORDING_RATE / 1000)))],
    ]);
  }

  /** The recordings' loop test, once a tick: a stopped one, or every one once nobody is in, ends. */
  #endRecordings(all: boolean): void {
    const nobody = this.count + this.countGhosts === 0;
    for (const rec of [...this.recordings]) if (all || nobody || !rec.running) this.#endRecording(rec);
  }

  /** The conference's process: a tick every 20 ms until it is marked for destruction, then its end. */
  async run(ctx: ProcessContext): Promise<void> {
    let next = ctx.now() + INTERVAL_MS;
    while (!this.flags.has('DESTRUCT')) {
      const wait = next - ctx.now();
      if (wait > 0) {
        await ctx.receive(undefined, wait);
        continue;
      }
      next += INTERVAL_MS;
      try {
        this.tick();
        await this.#autoRecordStep(ctx);
      } catch (e) {
        // a temporary child is not restarted: a failed tick is logged and the next one goes on
        this.core.log('ERR', `conference ${this.name}: a mixing pass failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const m of [...this.members]) {
      await callChannel({ ctx, core: this.core }, m.uuid, {
        op: 'work',
        work: async (ch) => {
          if (!switchFalse(ch.variable('hangup_after_conference'))) await ch.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
          await m.end?.();
        },
      });
      // a channel that is gone can no longer end its application
      this.memberLeft(m);
    }
    this.#endRecordings(true);
    this.files.closeAll();
    this.flags.delete('RUNNING');
    this.fireConference('conference-destroy');
    this.host.destroyed(this);
  }
}
