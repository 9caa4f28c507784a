/**
 * mod_conference's globals (conference_globals_t), one set per switch: the conferences by name,
 * the member id pool, and how a conference's process is started (a child of the switch's
 * `conferences` supervisor).
 */
import type { ProcessContext } from '@beamline/core';
import type { Channel } from '../channel/channel.ts';
import { isDownState } from '../channel/states.ts';
import type { SwitchCore } from '../core/core.ts';
import { Conference, type ConferenceHost } from './conference.ts';
import type { ConfigurationLocate } from './configuration.ts';
import type { ConferenceProfile } from './profile.ts';

/** Starts a conference's process, asked from `ctx`'s process. */
export type StartConference = (ctx: ProcessContext, conf: Conference) => Promise<void>;

export class ConferenceGlobals implements ConferenceHost {
  /** conference_hash: by name (case matters), in the order they were made. */
  readonly conferences = new Map<string, Conference>();
  #idPool = 0;
  /** The `__confmid` each channel keeps: a channel that joins again keeps its member id. */
  readonly #memberIds = new Map<string, number>();

  constructor(
    readonly core: SwitchCore,
    readonly start: StartConference,
    readonly locate: ConfigurationLocate,
  ) {}

  /** conference_find: a conference marked for destruction is no longer found (and leaves the table). */
  find(name: string): Conference | undefined {
    const conf = this.conferences.get(name);
    if (conf?.flags.has('DESTRUCT')) {
      this.conferences.delete(name);
      return undefined;
    }
    return conf;
  }

  /**
   * conference_new + conference_launch_thread: conference-create, then its process, started from
   * the creator's. The conference is in the table before that, so a member joining meanwhile
   * finds it rather than making another.
   */
  async create(name: string, profile: ConferenceProfile, creator: Channel): Promise<Conference> {
    const conf = new Conference(name, profile, this, creator.variables());
    conf.soundPrefix = profile.soundPrefix ?? (creator.variable('sound_prefix') || undefined);
    if (profile.rate !== conf.rate || profile.interval !== 20)
      this.core.log(
        'WARNING',
        `conference ${name}: profile ${profile.name} asks for ${profile.rate} Hz every ${profile.interval} ms; it is mixed at 8000 Hz every 20 ms`,
      );
    this.conferences.set(name, conf);
    conf.fireConference('conference-create');
    conf.flags.add('RUNNING');
    try {
      await this.start(creator.ctx, conf);
    } catch (e) {
      this.core.log('ERR', `conference ${name}: its process did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    return conf;
  }

  destroyed(conf: Conference): void {
    if (this.conferences.get(conf.name) === conf) this.conferences.delete(conf.name);
  }

  /** next_member_id. */
  nextMemberId(): number {
    return ++this.#idPool;
  }

  /** next_member_id, once per channel. */
  memberId(ch: Channel): number {
    let id = this.#memberIds.get(ch.uuid);
    if (id === undefined) {
      id = this.nextMemberId();
      this.#memberIds.set(ch.uuid, id);
      const uuid = ch.uuid;
      ch.addStateHook((state) => {
        if (!isDownState(state)) return true;
        this.#memberIds.delete(uuid);
        return false;
      });
    }
    return id;
  }
}

const GLOBALS = new WeakMap<SwitchCore, ConferenceGlobals>();

/**
 * mod_conference's load: its globals for the switch of `core`, its conferences' processes started
 * by `start`, conference.conf found through `locate` (none: no conference.conf).
 */
export function loadConferences(
  core: SwitchCore,
  start: StartConference,
  locate: ConfigurationLocate = () => Promise.resolve(undefined),
): ConferenceGlobals {
  const globals = new ConferenceGlobals(core, start, locate);
  GLOBALS.set(core, globals);
  return globals;
}

export function conferenceGlobals(core: SwitchCore): ConferenceGlobals | undefined {
  return GLOBALS.get(core);
}
