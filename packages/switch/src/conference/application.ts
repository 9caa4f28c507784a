/**
 * The `conference` application (conference_function): `<name>[@<profile>][+<pin>][+flags{<flags>}]`.
 * The channel is pre-answered and opens conference.conf (configuration.ts: an XML-fetch binding
 * gets `conference_name`, `profile_name` and `Fetch-Call-UUID`), finds its conference or creates it
 * with the named profile (conference-create, its process started), is answered and goes in as
 * join.ts says (the pin, the refusals, the member); it stays until it hangs up, is transferred, or
 * an API command kicks it or hangs it up out of the conference (`kick`, `hup`): then it leaves
 * (del-member) and the application ends, so the dialplan goes on. The last member out marks the
 * conference for destruction. `bridge:<name>:<dial string>` makes a two-party conference instead
 * (bridge_to.ts).
 */
import { Channel } from '../channel/channel.ts';
import { Cause } from '../channel/causes.ts';
import { addBasicChannelData } from '../channel/data.ts';
import type { AppChannel, Application, Interrupter } from '../applications/types.ts';
import { switchFalse, switchTrue } from '../internal/strings.ts';
import { AUTO_OUTCALL_APPLICATION } from './auto_outcall.ts';
import { bridgeConference } from './bridge_to.ts';
import type { Conference } from './conference.ts';
import { findProfile, joinParams, openConferenceConf } from './configuration.ts';
import { CONF_EVENT_MAINT } from './events.ts';
import { type MemberFlag, combineFlagVar, setConferenceFlags, setMemberFlags } from './flags.ts';
import { type ConferenceGlobals, conferenceGlobals } from './globals.ts';
import { enterConference } from './join.ts';
import { builtinProfile, parseProfile, strtol, validMaxMembers } from './profile.ts';

const FLAGS_PREFIX = '+flags{';

export interface ConferenceRequest {
  readonly name: string;
  readonly profile: string;
  /** The pin after `+` ('' when none). */
  readonly pin: string;
  /** The `+flags{…}` list, if given. */
  readonly flags: string | undefined;
  /** `bridge:<name>:<dial string>` (bridge_to.ts). */
  readonly bridge: boolean;
  /** A bridge's dial string, after the first `:` past `bridge:` (undefined: there is none, a config error). */
  readonly bridgeTo?: string;
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
  let bridgeTo: string | undefined;
  if (bridge) {
    rest = rest.slice(7);
    // the name, pin and profile are read before the first `:` only: the dial string keeps its own `@` and `+`
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      bridgeTo = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
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
  return { name, profile, pin, flags, bridge, ...(bridgeTo !== undefined ? { bridgeTo } : {}) };
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

/** What conference_function takes from the creating caller's variables for a new conference. */
function creatorSettings(conf: Conference, ch: Channel, log: (level: 'ERR' | 'DEBUG', text: string) => void): void {
  conf.mohSound ||= ch.variable('conference_moh_sound') || undefined;
  conf.perpetualSound ||= ch.variable('conference_perpetual_sound') || undefined;
  const autoRecord = ch.variable('conference_auto_record');
  if (autoRecord) {
    conf.autoRecord = autoRecord;
    log('DEBUG', `conference_auto_record set from variable to ${autoRecord}`);
  }
  const max = ch.variable('conference_max_members');
  if (max) {
    const n = strtol(max);
    if (validMaxMembers(n)) conf.maxMembers = n;
    else log('ERR', `conference_max_members variable ${max} is invalid, not setting a limit`);
  }
  const grace = ch.variable('conference_endconference_grace_time');
  if (grace) {
    const n = strtol(grace);
    if (n < 0 || n > 0x7fffffff) log('ERR', `conference_endconference_grace_time variable ${grace} is invalid, not setting a time limit`);
    else {
      conf.endconfGraceTime = n;
      log('DEBUG', `conference endconference_grace_time set from variable to ${n}`);
    }
  }
}

async function conferenceFunction(
  globals: ConferenceGlobals,
  ch: Channel,
  data: string,
  done: () => void | Promise<void>,
): Promise<Interrupter | undefined> {
  const log = (level: 'ERR' | 'CRIT' | 'NOTICE' | 'INFO' | 'WARNING' | 'DEBUG', text: string) => ch.core.log(level, text, ch.uuid);
  if (!(await ch.preAnswer())) {
    log('ERR', 'Channel pre answer failed.');
    return undefined;
  }
  if (data === '') {
    log('CRIT', 'Invalid arguments');
    return undefined;
  }
  const req = parseConferenceData(data);
  if (req.bridge && req.bridgeTo === undefined) {
    log('CRIT', 'Config Error!');
    return undefined;
  }
  const variables = [...ch.core.globals.entries(), ...ch.variables()];
  const flags = joinFlags(req.flags, combineFlagVar(variables, 'conference_member_flags'));
  const cflags = joinFlags(flags, combineFlagVar(variables, 'conference_flags'));
  // opened at every join; without any conference.conf the switch goes on as it did before it read one
  const cfg = await openConferenceConf(globals.locate, joinParams(ch.core, req.name, req.profile, ch.uuid));
  const profileOf = () => (cfg ? parseProfile(findProfile(cfg, req.profile), log) : builtinProfile(req.profile, ch.core));
  if (req.bridge) return bridgeConference(globals, { ch, name: req.name, dial: req.bridgeTo ?? '', flags, cflags, profile: profileOf }, done);
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
    conf = await globals.create(req.name, profileOf(), ch);
    setConferenceFlags(cflags, conf.flags);
    creatorSettings(conf, ch, log);
    conf.flags.add('DYNAMIC');
  }
  ch.setVariable('conference_name', conf.name);
  ch.setVariable('app_session_uuid', conf.uuid);
  await ch.answer();
  // an inbound caller gives the pin and may not join a locked conference (an outbound one was invited), unless conference_enforce_security says otherwise
  const security = ch.variable('conference_enforce_security');
  const enforceSecurity = security === undefined ? ch.spec.direction === 'inbound' : switchTrue(security);
  return enterConference(globals, { conf, ch, flags, pin: req.pin, enforceSecurity }, done);
}

export const CONFERENCE_APPLICATIONS: readonly Application[] = [
  AUTO_OUTCALL_APPLICATION,
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
