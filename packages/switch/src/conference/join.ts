/**
 * A caller's way into a conference once it is found or made (conference_function after
 * conference_new), each step handing over to the next when it ends:
 *
 * - the pin (pin.ts), when the caller must give one: `enforceSecurity` and a pin or a moderator pin;
 * - an auto outcall's announcement (`conference_auto_outcall_announce`) to it, when the conference has one;
 * - a locked conference refuses it (NOTICE `Conference <name> is locked.`, then locked-sound to it),
 *   so does a full one (`… is full.`, max-members-sound): the application ends and the dialplan goes on;
 * - member-enter-sound to it alone; then it is a member (add-member) until it leaves (del-member);
 * - a kicked member hears the kick's sound, else kicked-sound, before the application ends.
 *
 * A hangup ends the step running. The conference is marked for destruction on the way out when
 * nobody is in.
 */
import { waiting } from '../applications/media.ts';
import type { Interrupter } from '../applications/types.ts';
import type { Channel } from '../channel/channel.ts';
import { causeName } from '../channel/causes.ts';
import { startAutoOutcalls } from './auto_outcall.ts';
import type { Conference } from './conference.ts';
import { controlBindings, controlsGroup, readControls } from './controls.ts';
import { setMemberFlags } from './flags.ts';
import type { ConferenceGlobals } from './globals.ts';
import { LOCAL_LEADIN, localPlay } from './local_play.ts';
import { Member } from './member.ts';
import { type PinResult, askPin } from './pin.ts';

export interface Entry {
  readonly conf: Conference;
  readonly ch: Channel;
  /** The member flags of `+flags{…}` and the channel's variables. */
  readonly flags: string | undefined;
  /** `+<pin>` of the argument ('' when none). */
  readonly pin: string;
  /** An inbound caller (or `conference_enforce_security`): it gives the pin and is refused by a locked conference. */
  readonly enforceSecurity: boolean;
  /**
   * A `bridge:` conference's caller: a member at once (no pin, announcement, refusal or enter
   * sound); once it `dialled` its peer it does not mark the conference answered (`none`: it does).
   */
  readonly bridge?: 'dialled' | 'none';
}

/** Runs the steps in `entry.ch`'s process; `done` ends the application. Returns its interrupter. */
export async function enterConference(globals: ConferenceGlobals, entry: Entry, done: () => void | Promise<void>): Promise<Interrupter> {
  const { conf, ch } = entry;
  const log = (level: 'NOTICE' | 'INFO', text: string) => ch.core.log(level, text, ch.uuid);
  let over = false;
  let current: Interrupter | undefined;
  let step = 0;
  // a step that ended at once has already started the next: an older step's interrupter must not replace it
  const track = (mine: number, interrupt: Interrupter) => {
    if (mine === step) current = interrupt;
  };
  const end = async () => {
    if (over) return;
    over = true;
    await done();
  };
  /** conference_function's `done:` for a caller that never became a member. */
  const outside = async () => {
    conf.markIfEmpty();
    ch.setVariable('last_transfered_conference', undefined);
    await end();
  };
  /** A sound to the caller alone, then `then` (or, on a hangup, out). */
  const play = async (file: string, leadin: number, then: () => Promise<void>) => {
    const mine = ++step;
    track(mine, await localPlay(conf, ch, file, leadin, (how) => (how === 'killed' ? outside() : then())));
  };

  const member = async (moderator: boolean) => {
    if (ch.spec.direction === 'inbound' && entry.bridge !== 'dialled') conf.flags.add('ANSWERED');
    const id = globals.memberId(ch);
    ch.setVariable('conference_member_id', String(id));
    const m = new Member(id, ch, `conference:${conf.name}:${id}`);
    for (const f of conf.memberFlags) m.flags.add(f);
    setMemberFlags(entry.flags, m.flags);
    m.flags.add('RUNNING');
    if (moderator) m.flags.add('MOD');
    if (m.has('MINTWO')) conf.min = 2;
    conf.addMember(m);
    let stopControls: (() => void) | undefined;
    let left = false;
    const leave = waiting(
      ch,
      undefined,
      () => kickedSound(m),
      () => {
        left = true;
        stopControls?.();
        log('INFO', `Channel leaving conference, cause: ${causeName(ch.view.hangupCause)}`);
        conf.memberLeft(m);
        ch.setVariable('last_transfered_conference', undefined);
      },
    );
    m.end = leave;
    const mine = ++step;
    track(mine, leave);
    const bound = await controlBindings(conf, ch, controlsGroup(conf, m, ch));
    if (!left) stopControls = readControls(conf, m, ch, bound);
    if (!left) startAutoOutcalls(conf, m, ch);
  };

  /** The kicked member's sound (the kick's own only when the profile has one too, as FreeSWITCH checks). */
  const kickedSound = async (m: Member) => {
    const profileSound = conf.profile.sounds.kicked;
    if (!m.has('KICKED') || !profileSound || ch.hungUp) return end();
    await play(m.kickedSound ?? profileSound, 0, end);
  };

  const admit = async (moderator: boolean) => {
    const { sounds } = conf.profile;
    const refusal =
      conf.flags.has('LOCKED') && entry.enforceSecurity
        ? { text: `Conference ${conf.name} is locked.`, sound: sounds.locked }
        : conf.maxMembers > 0 && conf.count >= conf.maxMembers
          ? { text: `Conference ${conf.name} is full.`, sound: sounds.maxMembers }
          : undefined;
    if (refusal) {
      log('NOTICE', refusal.text);
      return refusal.sound ? play(refusal.sound, LOCAL_LEADIN, outside) : outside();
    }
    if (sounds.memberEnter) return play(sounds.memberEnter, LOCAL_LEADIN, () => member(moderator));
    return member(moderator);
  };

  /** An auto outcall's announcement, to each caller past the pin, before anything else is decided. */
  const announced = async (moderator: boolean) =>
    conf.specialAnnounce ? play(conf.specialAnnounce, LOCAL_LEADIN, () => admit(moderator)) : admit(moderator);

  const pinGiven = async (result: PinResult) => (result === 'pin' || result === 'moderator' ? announced(result === 'moderator') : outside());

  const pin = entry.pin || conf.profile.pin;
  const moderatorPin = ch.variable('conference_moderator_pin') || conf.profile.moderatorPin;
  if (entry.bridge) await member(false);
  else if (entry.enforceSecurity && (pin || moderatorPin)) {
    const mine = ++step;
    track(mine, await askPin(conf, ch, pin || undefined, moderatorPin, pinGiven));
  } else await announced(false);
  return () => (over ? undefined : current?.());
}
