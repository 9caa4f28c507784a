/**
 * The `conference` application (conference_function): `<name>[@<profile>][+<pin>][+flags{<flags>}]`.
 * The channel is pre-answered, finds its conference or creates it (conference-create, its process
 * started), is answered and joins as a member (add-member); it stays until it hangs up, is
 * transferred, or an API command kicks it or hangs it up out of the conference (`kick`, `hup`):
 * then it leaves (del-member) and the application ends, so the dialplan goes on. The last member
 * out marks the conference for destruction.
 */
import { Channel } from '../channel/channel.ts';
import { Cause, causeName } from '../channel/causes.ts';
import { addBasicChannelData } from '../channel/data.ts';
import { waiting } from '../applications/media.ts';
import type { AppChannel, Application, Interrupter } from '../applications/types.ts';
import { switchTrue } from '../internal/strings.ts';
import { readControls } from './controls.ts';
import { CONF_EVENT_MAINT } from './events.ts';
import { type MemberFlag, combineFlagVar, setConferenceFlags, setMemberFlags, switchFalse } from './flags.ts';
import { type ConferenceGlobals, conferenceGlobals } from './globals.ts';
import { Member } from './member.ts';
import { conferenceProfile } from './profile.ts';

const FLAGS_PREFIX = '+flags{';

export interface ConferenceRequest {
  readonly name: string;
  readonly profile: string;
  /** The pin after `+` (not asked for here). */
  readonly pin: string;
  /** The `+flags{…}` list, if given. */
  readonly flags: string | undefined;
  /** `bridge:<name>:<dial string>` (not done). */
  readonly bridge: boolean;
}

/** conference_function's reading of its argument. */
export function parseConferenceData(data: string): ConferenceRequest {
  let rest = data;
  let flags: string | undefined;
  const at = rest.indexOf(FLAGS_PREFIX);
  if (at >= 0) {
    flags = rest.slice(at + FLAGS_PREFIX.length);
    rest = rest.slice(0, at);
    const close = flags.indexOf('}');
    if (close >= 0) flags = flags.slice(0, close);
  }
  const bridge = rest.slice(0, 7).toLowerCase() === 'bridge:';
  if (bridge) rest = rest.slice(7);
  let name = rest.replace(/^ +/, '');
  let pin = '';
  const plus = name.indexOf('+');
  if (plus >= 0) {
    pin = name.slice(plus + 1);
    name = name.slice(0, plus);
  }
  let profile = 'default';
  const sign = name.lastIndexOf('@');
  if (sign >= 0) {
    profile = name.slice(sign + 1);
    name = name.slice(0, sign);
  }
  return { name, profile, pin, flags, bridge };
}

/** C `strtol(s, NULL, 0)`: `0x` hex, a leading `0` octal, else decimal; 0 when no digits. */
function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m?.[2]) return 0;
  const digits = m[2];
  const n = /^0[xX]/.test(digits) ? Number.parseInt(digits.slice(2), 16) : digits.startsWith('0') ? Number.parseInt(digits, 8) : Number(digits);
  return m[1] === '-' ? -n : n;
}

/** `a` joined with `b` by `|`, as conference_function combines a list with a variable's. */
const joinFlags = (a: string | undefined, b: string | undefined) => (b === undefined ? a : a ? `${a}|${b}` : b);

/** The join-only refusal: rejected-join-only, and a hangup unless `hangup_after_conference` is false. */
async function rejectJoinOnly(ch: Channel, name: string, profile: string): Promise<void> {
  const event = ch.core.bus.create('CUSTOM', CONF_EVENT_MAINT);
  addBasicChannelData(event, ch.snapshot());
  event.addHeader('Conference-Name', name);
  event.addHeader('Conference-Profile-Name', profile);
  event.addHeader('Action', 'rejected-join-only');
  ch.core.fire(event);
  ch.core.log('NOTICE', 'Cannot create a conference since join-only flag is set');
  if (!switchFalse(ch.variable('hangup_after_conference'))) await ch.send({ type: 'HANGUP', cause: Cause.NORMAL_CLEARING });
}

async function conferenceFunction(
  globals: ConferenceGlobals,
  ch: Channel,
  data: string,
  done: () => void | Promise<void>,
): Promise<Interrupter | undefined> {
  const log = (level: 'ERR' | 'CRIT' | 'NOTICE' | 'INFO', text: string) => ch.core.log(level, text, ch.uuid);
  if (!(await ch.preAnswer())) {
    log('ERR', 'Channel pre answer failed.');
    return undefined;
  }
  if (data === '') {
    log('CRIT', 'Invalid arguments');
    return undefined;
  }
  const req = parseConferenceData(data);
  if (req.bridge) {
    log('ERR', 'bridge: conferences are not supported');
    return undefined;
  }
  const variables = [...ch.core.globals.entries(), ...ch.variables()];
  const flags = joinFlags(req.flags, combineFlagVar(variables, 'conference_member_flags'));
  const cflags = joinFlags(flags, combineFlagVar(variables, 'conference_flags'));
  let conf = globals.find(req.name);
  if (!conf) {
    const wanted = new Set<MemberFlag>();
    setMemberFlags(flags, wanted);
    if (wanted.has('JOIN_ONLY')) {
      await rejectJoinOnly(ch, req.name, req.profile);
      return undefined;
    }
    if (req.name === '') {
      log('ERR', 'Invalid Record! no name.');
      return undefined;
    }
    conf = await globals.create(req.name, conferenceProfile(req.profile, ch.core), ch);
    setConferenceFlags(cflags, conf.flags);
    const max = ch.variable('conference_max_members');
    if (max !== undefined) {
      const n = strtol(max);
      if (n < 0 || n > 0x7fffffff || n === 1) log('ERR', `conference_max_members variable ${max} is invalid, not setting a limit`);
      else conf.maxMembers = n;
    }
    conf.flags.add('DYNAMIC');
  }
  ch.setVariable('conference_name', conf.name);
  ch.setVariable('app_session_uuid', conf.uuid);
  await ch.answer();
  // an inbound caller may not join a locked conference (an outbound one was invited), unless conference_enforce_security says otherwise
  const security = ch.variable('conference_enforce_security');
  const enforceSecurity = security === undefined ? ch.spec.direction === 'inbound' : switchTrue(security);
  const refusal =
    conf.flags.has('LOCKED') && enforceSecurity
      ? `Conference ${conf.name} is locked.`
      : conf.maxMembers > 0 && conf.count >= conf.maxMembers
        ? `Conference ${conf.name} is full.`
        : undefined;
  if (refusal) {
    log('NOTICE', refusal);
    conf.markIfEmpty();
    ch.setVariable('last_transfered_conference', undefined);
    return undefined;
  }
  if (ch.spec.direction === 'inbound') conf.flags.add('ANSWERED');
  const id = globals.memberId(ch);
  ch.setVariable('conference_member_id', String(id));
  const member = new Member(id, ch, `conference:${conf.name}:${id}`);
  for (const f of conf.memberFlags) member.flags.add(f);
  setMemberFlags(flags, member.flags);
  member.flags.add('RUNNING');
  if (member.has('MINTWO')) conf.min = 2;
  conf.addMember(member);
  const room = conf;
  const stopControls = readControls(conf, member, ch);
  const leave = waiting(ch, undefined, done, () => {
    stopControls();
    log('INFO', `Channel leaving conference, cause: ${causeName(ch.view.hangupCause)}`);
    room.memberLeft(member);
    ch.setVariable('last_transfered_conference', undefined);
  });
  member.end = leave;
  return leave;
}

export const CONFERENCE_APPLICATIONS: readonly Application[] = [
  {
    name: 'conference',
    needsMedia: true,
    run: async (ch: AppChannel, data, done) => {
      const globals = conferenceGlobals(ch.core);
      const interrupter = globals && ch instanceof Channel ? await conferenceFunction(globals, ch, data, done) : undefined;
      if (!interrupter) await done();
      return interrupter;
    },
  },
];
