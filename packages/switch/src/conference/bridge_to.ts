/**
 * The `conference bridge:<name>[@<profile>]:<dial string>` form (conference_function's bridging
 * branch): a two-party conference. The name `_uuid_` is the caller's uuid. A conference of that
 * name must not exist yet (ERR `Conference <name> already exists!`, and the application ends); it
 * is made with the named profile, the `conference_flags`, at least two members (min 2), dynamic
 * and marked BRIDGE_TO. The caller gives no pin and meets no lock, limit or enter sound.
 *
 * Unless the dial string is `none` (or empty) the caller, still only pre-answered, dials it as an
 * outcall of the conference (outcall.ts, 60 s): the answered leg is sent into the conference and
 * the caller is answered and joins it. A failed dial hangs the caller up with the dial's cause; a
 * leg that neither answered nor had early media is hung up (NO_ANSWER) and the caller's application
 * ends. Either way the conference, empty, is marked for destruction.
 *
 * Once both are in, the first to leave takes the conference below its minimum: it ends, and the
 * other is hung up (unless its `hangup_after_conference` is false: then its dialplan goes on).
 */
import { GenServer } from '@beamline/core';
import type { Interrupter } from '../applications/types.ts';
import { Cause } from '../channel/causes.ts';
import type { Channel } from '../channel/channel.ts';
import { type OriginateCancel, originateCallerOf } from '../channel/originate_types.ts';
import type { Conference } from './conference.ts';
import { setConferenceFlags } from './flags.ts';
import type { ConferenceGlobals } from './globals.ts';
import { enterConference } from './join.ts';
import { type OutcallResult, conferenceOutcall } from './outcall.ts';
import type { ConferenceProfile } from './profile.ts';

/** The name that stands for the caller's uuid. */
export const UUID_NAME = '_uuid_';
/** The dial string that dials nobody: the caller waits alone for whoever joins. */
const NO_DIAL = 'none';
/** conference_function's outcall timeout, seconds. */
const BRIDGE_TIMEOUT_SEC = 60;

export interface BridgeRequest {
  readonly ch: Channel;
  /** As written (`_uuid_` not yet replaced). */
  readonly name: string;
  readonly dial: string;
  /** The caller's member flags and the conference flags (with `conference_member_flags` / `conference_flags`). */
  readonly flags: string | undefined;
  readonly cflags: string | undefined;
  /** The named profile, read only once the conference is to be made. */
  readonly profile: () => ConferenceProfile;
}

/** Runs in the caller's process; returns the application's interrupter (undefined: it ended). */
export async function bridgeConference(
  globals: ConferenceGlobals,
  req: BridgeRequest,
  done: () => void | Promise<void>,
): Promise<Interrupter | undefined> {
  const { ch } = req;
  const log = (level: 'ERR', text: string) => ch.core.log(level, text, ch.uuid);
  const name = req.name === UUID_NAME ? ch.uuid : req.name;
  const existing = globals.find(name);
  if (existing) {
    log('ERR', `Conference ${name} already exists!`);
    // conference_function's end runs on the conference it found, as on its own
    existing.markIfEmpty();
    return undefined;
  }
  if (name === '') {
    log('ERR', 'Invalid Record! no name.');
    return undefined;
  }
  const conf = await globals.create(name, req.profile(), ch);
  setConferenceFlags(req.cflags, conf.flags);
  ch.setVariable('conference_name', conf.name);
  ch.setVariable('app_session_uuid', conf.uuid);
  conf.min = 2;
  conf.flags.add('DYNAMIC');
  conf.flags.add('BRIDGE_TO');

  const enter = async (bridge: 'dialled' | 'none') => {
    await ch.answer();
    return enterConference(globals, { conf, ch, flags: req.flags, pin: '', enforceSecurity: false, bridge }, done);
  };
  if (req.dial === '' || req.dial.toLowerCase() === NO_DIAL) return enter('none');
  return dialPeer(conf, req, done, () => enter('dialled'));
}

/**
 * The outcall from a process of its own (the caller's keeps serving its channel); its result comes
 * back to the caller's process. A hangup meanwhile cancels the dial.
 */
function dialPeer(
  conf: Conference,
  req: BridgeRequest,
  done: () => void | Promise<void>,
  enter: () => Promise<Interrupter | undefined>,
): Interrupter {
  const { ch } = req;
  let dialling = true;
  let over = false;
  let current: Interrupter | undefined;
  const end = async () => {
    if (over) return;
    over = true;
    conf.markIfEmpty();
    await done();
  };
  const onResult = async (value: unknown) => {
    dialling = false;
    const r = value as OutcallResult;
    if (r.ok && r.peerUuid !== undefined && !ch.hungUp) {
      current = await enter();
      return;
    }
    if (r.ok && r.peerUuid !== undefined) {
      // the caller left while its peer answered: the peer is not left alone in the conference
      const pid = ch.core.sessions.get(r.peerUuid);
      if (pid) GenServer.cast(ch.ctx, pid, { op: 'hangup', cause: Cause.ORIGINATOR_CANCEL });
    } else if (!ch.hungUp && (r.gone || r.cause !== Cause.SUCCESS)) {
      await ch.send({ type: 'HANGUP', cause: r.gone ? Cause.NO_ROUTE_DESTINATION : r.cause });
    }
    await end();
  };
  const id = ch.expect(onResult);
  const self = ch.ctx.self;
  const { caller, exported } = originateCallerOf(ch);
  const services = ch.services;
  const engine = ch.ctx.spawn(async (pctx) => {
    let result: OutcallResult;
    try {
      result = await conferenceOutcall(pctx, services, {
        conf,
        name: conf.name,
        dial: req.dial,
        timeoutSec: BRIDGE_TIMEOUT_SEC,
        caller,
        vars: exported,
      });
    } catch (err) {
      ch.core.log('ERR', `conference ${conf.name}: the outcall failed: ${String(err)}`, caller.uuid);
      result = { ok: false, cause: Cause.DESTINATION_OUT_OF_ORDER };
    }
    pctx.send(self, { channelTimer: id, value: result });
  });
  return () => {
    if (dialling) {
      // as switch_ivr_originate seeing its caller gone: the result still comes and ends the application
      ch.ctx.send(engine, { originateCancel: Cause.ORIGINATOR_CANCEL } satisfies OriginateCancel);
      return;
    }
    return current ? current() : end();
  };
}
