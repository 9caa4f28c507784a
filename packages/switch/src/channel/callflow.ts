/**
 * What a channel keeps for its CDR beyond its variables: the app log (switch_app_log_t, every
 * application it executed) and its call flow — one record per caller profile it had, as
 * switch_channel_set_caller_profile links them, with the extension and the originator /
 * originatee profiles each profile had.
 */
import type { DialplanApplication, Extension } from '../dialplan/xml_match.ts';
import { type CallerProfile, NO_TIMES, type ProfileTimes } from './profile.ts';
import type { CallDirection, ChannelStateName } from './states.ts';

/** One application the channel executed: its name, its expanded argument, when (µs since the epoch). */
export interface AppLogEntry {
  readonly app: string;
  readonly arg: string;
  readonly stamp: number;
}

/**
 * A caller extension as the profile holds it. `current` is the index of its current_application,
 * which switch_core_standard_on_execute moves on *before* running an application: the one to run
 * next; undefined once all have run.
 */
export interface ExtensionRecord {
  readonly name: string;
  readonly number: string;
  readonly applications: readonly DialplanApplication[];
  readonly current?: number;
}

/** A caller profile (with its times) and what hung on it while it was the channel's. */
export interface ProfileRecord {
  readonly profile: CallerProfile;
  readonly extension?: ExtensionRecord;
  /** Newest first, as switch_channel_set_originator_caller_profile links them. */
  readonly originators: readonly CallerProfile[];
  readonly originatees: readonly CallerProfile[];
}

/** A live channel as switch_ivr_generate_json_cdr reads it. */
export interface ChannelRecord {
  readonly name: string;
  readonly state: ChannelStateName;
  readonly direction: CallDirection;
  readonly variables: readonly (readonly [string, string])[];
  readonly appLog: readonly AppLogEntry[];
  /** The current profile first, then the ones before it. */
  readonly callflow: readonly ProfileRecord[];
}

export function extensionRecord(extension: Extension | undefined, nextIndex: number): ExtensionRecord | undefined {
  if (!extension) return undefined;
  const { name, number, applications } = extension;
  return nextIndex < applications.length ? { name, number, applications, current: nextIndex } : { name, number, applications };
}

/**
 * switch_channel_set_caller_profile on a transfer: the old profile's transfer time is the new
 * one's creation; the new profile keeps the channel's created, answered, progress, progress
 * media and hangup times and starts the others at zero.
 */
export function transferTimes(old: ProfileTimes, now: number): { readonly old: ProfileTimes; readonly next: ProfileTimes } {
  return {
    old: { ...old, transferred: now },
    next: {
      ...NO_TIMES,
      profileCreated: now,
      created: old.created,
      answered: old.answered,
      progress: old.progress,
      progressMedia: old.progressMedia,
      hungup: old.hungup,
    },
  };
}
