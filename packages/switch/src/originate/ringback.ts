/**
 * What the calling channel (the bridge application's) gets while switch_ivr_originate dials for
 * it. Without `ringback`: the first leg to ring makes it ring too (CHANNEL_PROGRESS), with the
 * leg's callee id when the group has one leg. With `ringback` (or `transfer_ringback` once the
 * caller is answered) — read from the calling channel itself, not from the dial string — a leg's
 * ringing or early media instead pre-answers the caller (CHANNEL_PROGRESS_MEDIA) and the ringback
 * is generated into it (a tone or a file, over and over, until the originate is over);
 * `instant_ringback` (or `ring_ready=true`) does that at once. `bridge_early_media` pre-answers it
 * when a leg has early media, and would pass that media through until a leg answers or rings: that
 * relay is signalled only, no audio goes through it.
 * An enterprise originate (`:_:`) has a ringback of its own: the caller pre-answered at once and
 * a ringback file played to it in a loop (switch_ivr_play_file: PLAYBACK_START / _STOP).
 */
import { GenServer, type ProcessContext } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { playFile } from '../applications/media.ts';
import type { Interrupter } from '../applications/types.ts';
import type { ChannelServices } from '../channel/channel.ts';
import type { OriginateCaller, OriginateLegTask } from '../channel/originate_types.ts';
import type { CallerProfile } from '../channel/profile.ts';
import { findEndParen } from '../internal/strings.ts';
import { openPlayable } from '../local_stream/open.ts';
import { playToChannel } from '../media/player.ts';
import { relayEarlyMedia } from '../media/early_mix.ts';

/** The calling channel as the originate signals it: a process of its own, so every signal is a call. */
export interface CallerLine {
  readonly uuid: string;
  /** The caller's channel name. */
  readonly name: string;
  /** switch_channel_ring_ready on the caller (CHANNEL_PROGRESS unless it already rings or has media). */
  ringReady(): Promise<void>;
  /** switch_channel_pre_answer on the caller; false when it failed (the caller is down). */
  preAnswer(): Promise<boolean>;
  /** switch_channel_pass_callee_id(leg, caller). */
  takeCalleeIdOf(leg: Pid): Promise<void>;
  /** setup_ringback's generation: the caller hears `data` (a tone or a file) over and over until `stopRingback`. */
  playRingback(data: string): void;
  stopRingback(): void;
  /** bridge_early_media's relay: the legs' early media, mixed, heard by the caller until `stopRelay`. */
  relayEarlyMedia(legs: readonly string[]): void;
  stopRelay(): void;
}

export function callerLine(ctx: ProcessContext, services: ChannelServices, caller: OriginateCaller): CallerLine {
  const call = async (req: object): Promise<unknown> => {
    const pid = services.core.sessions.get(caller.uuid);
    if (!pid) return false;
    try {
      return await GenServer.call(ctx, pid, req);
    } catch {
      return false;
    }
  };
  let ringbackAsked = false;
  /** Set in the caller's process when its ringback audio starts. */
  let stopRingbackAudio: (() => void) | undefined;
  let stopRelayAudio: (() => void) | undefined;
  /** Work in the caller's own process; casts keep their order, so a stop runs after its start. */
  const inCaller = (run: OriginateLegTask) => {
    const pid = services.core.sessions.get(caller.uuid);
    if (pid) GenServer.cast(ctx, pid, { op: 'originateTask', run });
  };
  return {
    uuid: caller.uuid,
    name: caller.profile.chanName ?? '',
    ringReady: async () => {
      await call({ op: 'send', event: { type: 'RING_READY' } });
    },
    preAnswer: async () => (await call({ op: 'preAnswer' })) === true,
    takeCalleeIdOf: async (leg) => {
      let profile: CallerProfile;
      try {
        profile = (await GenServer.call(ctx, leg, { op: 'profile' })) as CallerProfile;
      } catch {
        return;
      }
      await call({ op: 'takeCalleeId', name: profile.calleeIdName, number: profile.calleeIdNumber });
    },
    playRingback: (data) => {
      const pid = services.core.sessions.get(caller.uuid);
      if (!pid || ringbackAsked) return;
      ringbackAsked = true;
      const run: OriginateLegTask = (leg) => {
        const source = openPlayable(leg.core, data, leg.variable('sound_prefix'), -1);
        if (!source || source === 'not-found') return;
        const stop = playToChannel(leg, source);
        const off = leg.beside(stop);
        stopRingbackAudio = () => {
          off();
          stop();
        };
      };
      GenServer.cast(ctx, pid, { op: 'originateTask', run });
    },
    stopRingback: () => {
      const pid = services.core.sessions.get(caller.uuid);
      // casts keep their order: this runs in the caller's process after the start did
      const run: OriginateLegTask = () => stopRingbackAudio?.();
      if (pid && ringbackAsked) GenServer.cast(ctx, pid, { op: 'originateTask', run });
    },
    relayEarlyMedia: (legs) =>
      inCaller((leg) => {
        const stop = relayEarlyMedia(leg.core.media, legs, leg.uuid);
        const off = leg.beside(stop);
        stopRelayAudio = () => {
          off();
          stop();
        };
      }),
    stopRelay: () =>
      inCaller(() => {
        stopRelayAudio?.();
        stopRelayAudio = undefined;
      }),
  };
}

/** `transfer_ringback` when the caller was answered (if it has one), else `ringback`. */
export function ringbackData(caller: OriginateCaller): string | undefined {
  return (caller.answered ? caller.variable('transfer_ringback') : undefined) ?? caller.variable('ringback');
}

/** switch_is_file_path: after any leading `{…}` groups, an absolute path or a `scheme://` URL. */
export function isFilePath(data: string): boolean {
  let file = data;
  while (file.startsWith('{')) {
    const end = findEndParen(file, '{', '}');
    // FreeSWITCH loops for ever on an unclosed `{`; here it is not a file
    if (end < 0) return false;
    file = file.slice(end + 1).replace(/^ +/, '');
  }
  return file.startsWith('/') || file.includes('://');
}

/** The codec a ringback file without an extension is opened in (the caller's read codec: L16 here). */
const CALLER_CODEC = 'L16';

/**
 * setup_ringback's DEBUG line for what it plays: a file (one without an extension or URL is
 * played as is, in the caller's codec: `<file>.L16`), `silence[:N]` (no line), or a tone script.
 */
export function ringbackLogLine(data: string): string | undefined {
  if (isFilePath(data)) {
    const asis = !(data.includes('.') || data.includes('://'));
    return `Play Ringback File [${asis ? `${data}.${CALLER_CODEC}` : data}]`;
  }
  if (data.slice(0, 7).toLowerCase() === 'silence') return undefined;
  return `Play Ringback Tone [${data}]`;
}

/**
 * switch_ivr_enterprise_originate's ringback for a caller with `ringback` (or `transfer_ringback`):
 * the caller pre-answered at once, and a file played on it over and over until the originate is
 * over (a tone is generated, without events; `silence` is nothing). Returns the stop,
 * to be awaited before the originate answers; undefined when there is nothing to play.
 */
export async function enterpriseRingback(ctx: ProcessContext, services: ChannelServices, caller: OriginateCaller): Promise<(() => void) | undefined> {
  const data = ringbackData(caller);
  if (data === undefined) return undefined;
  const line = callerLine(ctx, services, caller);
  if (!(await line.preAnswer())) return undefined;
  if (!isFilePath(data)) {
    line.playRingback(data);
    return () => line.stopRingback();
  }
  const pid = services.core.sessions.get(caller.uuid);
  if (!pid) return undefined;
  let stop: (() => void) | undefined;
  const loop: OriginateLegTask = async (leg) => {
    let current: Interrupter | undefined;
    let over = false;
    const off = leg.beside(() => {
      over = true;
      return current?.();
    });
    stop = () => {
      over = true;
      off();
      void current?.();
    };
    const play = async (): Promise<void> => {
      if (over || leg.hungUp) return off();
      const began = leg.ctx.now();
      current = await playFile(leg, data, async () => {
        current = undefined;
        // a file that takes no time would loop for ever at one instant
        if (leg.ctx.now() === began) return off();
        await play();
      });
    };
    await play();
  };
  GenServer.cast(ctx, pid, { op: 'originateTask', run: loop });
  // the stop runs in the caller's process, after the loop has started there (casts keep their order)
  return () => GenServer.cast(ctx, pid, { op: 'originateTask', run: () => stop?.() });
}
