/**
 * mod_conference's globals (conference_globals_t), one set per switch: the conferences by name,
 * the member id pool, and where the conferences' processes are started from.
 */
import type { Where } from '@beamline/core';
import type { Channel } from '../channel/channel.ts';
import { isDownState } from '../channel/states.ts';
import type { SwitchCore } from '../core/core.ts';
import { Conference, type ConferenceHost } from './conference.ts';
import type { ConferenceProfile } from './profile.ts';

export class ConferenceGlobals implements ConferenceHost {
  /** conference_hash: by name (case matters), in the order they were made. */
  readonly conferences = new Map<string, Conference>();
  #idPool = 0;
  /** The `__confmid` each channel keeps: a channel that joins again keeps its member id. */
  readonly #memberIds = new Map<string, number>();

  constructor(
    readonly core: SwitchCore,
    readonly where: Where,
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

  /** conference_new + conference_launch_thread: conference-create, then its process. */
  create(name: string, profile: ConferenceProfile, creator: Channel): Conference {
    const conf = new Conference(name, profile, this, creator.variables());
    this.conferences.set(name, conf);
    conf.fireConference('conference-create');
    conf.flags.add('RUNNING');
    this.where.spawn((ctx) => conf.run(ctx));
    return conf;
  }

  destroyed(conf: Conference): void {
    if (this.conferences.get(conf.name) === conf) this.conferences.delete(conf.name);
  }

  /** next_member_id, once per channel. */
  memberId(ch: Channel): number {
    let id = this.#memberIds.get(ch.uuid);
    if (id === undefined) {
      id = ++this.#idPool;
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

/** mod_conference's load: its globals for the switch of `core`, its conferences' processes started from `where`. */
export function loadConferences(core: SwitchCore, where: Where): ConferenceGlobals {
  const globals = new ConferenceGlobals(core, where);
  GLOBALS.set(core, globals);
  return globals;
}

export function conferenceGlobals(core: SwitchCore): ConferenceGlobals | undefined {
  return GLOBALS.get(core);
}
