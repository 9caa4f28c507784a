/**
 * Caller controls (conference_loop.c, conference_member_bind_controls): a member's digits, read
 * from its channel while it is in, drive actions bound to them. The group is the channel's
 * `conference_controls`, else the profile's `moderator-controls` (a moderator) or
 * `caller-controls`, else `default`; `none` binds nothing. The group's `<control action digits>`
 * come from conference.conf's `<caller-controls>`, opened again for each member with its own
 * params; when the switch has no conference.conf, vanilla's `default` group is built in. Digits
 * are matched as the digit parser does (digit_machine.ts). A `dist-dtmf` member's digits are not
 * matched but sent to every other member (skipping `skip-dtmf` ones). The digits are read either
 * way, as the input loop dequeues them.
 */
import { GenServer } from '@beamline/core';
import { lookup } from '../internal/strings.ts';
import type { Channel } from '../channel/channel.ts';
import { attr, child, children, findChild } from '../config/xml.ts';
import type { Conference } from './conference.ts';
import { CONF_NAME, controlsParams, openConferenceConf } from './configuration.ts';
import { DigitMachine } from './digit_machine.ts';
import type { Member } from './member.ts';
import { deafMember, muteMember, undeafMember, unmuteMember } from './member_actions.ts';
import { normalizeVolume } from './volume.ts';

/** An action (conference_loop_fn_*): what a bound digit does to its member. */
type ControlAction = (conf: Conference, m: Member) => void | Promise<void>;

/** SWITCH_DEFAULT_DTMF_DURATION, in samples. */
const DTMF_DURATION = 2000;

/** The energy level spoken back as the digits of level / 200 (conference_loop_energy_up). */
function sayEnergy(conf: Conference, m: Member): void {
  for (const d of String(Math.trunc(Math.abs(m.energyLevel) / 200))) conf.memberPlayFile(m, `digits/${d}.wav`, true);
}

/** A volume level spoken back: `currency/negative.wav` below 0, then its digit. */
function sayVolume(conf: Conference, m: Member, level: number): void {
  if (level < 0) conf.memberPlayFile(m, 'currency/negative.wav', true);
  conf.memberPlayFile(m, `digits/${Math.abs(level)}.wav`, true);
}

/** conference_loop_energy_up / _equ_conf / _dn: the new level, energy-level (New-Level), then said. */
const energy =
  (next: (conf: Conference, level: number) => number): ControlAction =>
  (conf, m) => {
    m.energyLevel = next(conf, m.energyLevel);
    conf.fireMember(m, 'energy-level', [], [['New-Level', String(m.energyLevel)]]);
    sayEnergy(conf, m);
  };

/**
 * conference_loop_volume_talk_* (volume_out_level, volume-level) and _listen_* (volume_in_level,
 * gain-level). FreeSWITCH's "talk" keys change what the member hears and its "listen" keys what it
 * says; the names are kept as its mapping has them.
 */
const volume =
  (which: 'volumeOut' | 'volumeIn', next: (level: number) => number): ControlAction =>
  (conf, m) => {
    m[which] = normalizeVolume(next(m[which]));
    conf.fireMember(m, which === 'volumeOut' ? 'volume-level' : 'gain-level', [], [['New-Level', String(m[which])]]);
    sayVolume(conf, m, m[which]);
  };

/** conference_loop_mute_off's unmute, which also undeafens. */
function unmuteAndHear(conf: Conference, m: Member): void {
  unmuteMember(conf, m);
  if (!m.has('CAN_HEAR')) undeafMember(conf, m);
}

/** The actions of conference_loop.c's control_mappings that have audio to act on. */
export const CONTROL_ACTIONS: Readonly<Record<string, ControlAction>> = {
  mute: (conf, m) => {
    if (m.has('HOLD')) return;
    if (m.has('CAN_SPEAK')) muteMember(conf, m);
    else unmuteAndHear(conf, m);
  },
  'mute on': (conf, m) => {
    if (!m.has('HOLD') && m.has('CAN_SPEAK')) muteMember(conf, m);
  },
  'mute off': (conf, m) => {
    if (!m.has('HOLD') && !m.has('CAN_SPEAK')) unmuteAndHear(conf, m);
  },
  'deaf mute': (conf, m) => {
    if (m.has('HOLD')) return;
    if (!m.has('CAN_SPEAK')) return unmuteAndHear(conf, m);
    muteMember(conf, m);
    if (m.has('CAN_HEAR')) deafMember(conf, m);
  },
  'energy up': energy((_conf, level) => Math.min(level + 200, 1800)),
  'energy equ': energy((conf) => conf.profile.energyLevel),
  'energy dn': energy((_conf, level) => Math.max(level - 200, 0)),
  'vol talk up': volume('volumeOut', (v) => v + 1),
  'vol talk zero': volume('volumeOut', () => 0),
  'vol talk dn': volume('volumeOut', (v) => v - 1),
  'vol listen up': volume('volumeIn', (v) => v + 1),
  'vol listen zero': volume('volumeIn', () => 0),
  'vol listen dn': volume('volumeIn', (v) => v - 1),
  // conference_loop_hangup only ends the member's loop: it leaves, and the dialplan goes on
  hangup: (_conf, m) => {
    m.flags.delete('RUNNING');
    return m.end?.();
  },
  lock: (conf, m) => {
    if (conf.flags.has('WAIT_MOD') && !m.has('MOD')) return;
    conf.setLocked(!conf.flags.has('LOCKED'));
  },
  deaf: (conf, m) => (m.has('CAN_HEAR') ? deafMember : undeafMember)(conf, m),
  'deaf on': (conf, m) => {
    if (m.has('CAN_HEAR')) deafMember(conf, m);
  },
  'deaf off': (conf, m) => {
    if (!m.has('CAN_HEAR')) undeafMember(conf, m);
  },
};

/** vanilla conference.conf.xml's caller-controls group `default`: digits and the action each runs. */
export const DEFAULT_CONTROLS: ReadonlyMap<string, string> = new Map([
  ['0', 'mute'],
  ['*', 'deaf mute'],
  ['9', 'energy up'],
  ['8', 'energy equ'],
  ['7', 'energy dn'],
  ['3', 'vol talk up'],
  ['2', 'vol talk zero'],
  ['1', 'vol talk dn'],
  ['6', 'vol listen up'],
  ['5', 'vol listen zero'],
  ['4', 'vol listen dn'],
  ['#', 'hangup'],
]);

/** The group conference_member_add chooses for the member. */
export function controlsGroup(conf: Conference, m: Member, ch: Channel): string {
  const own = ch.variable('conference_controls');
  if (own) return own;
  const { callerControls, moderatorControls } = conf.profile;
  return (m.has('MOD') && moderatorControls ? moderatorControls : callerControls) || 'default';
}

/** The action of conference_loop.c's mapping named `name` (any case) that is built here. */
const actionNamed = (name: string) => Object.keys(CONTROL_ACTIONS).find((a) => a.toLowerCase() === name.toLowerCase());

/** The group's bindings, digits and action, in the conf's order (conference_member_bind_controls); each failure is logged. */
export async function controlBindings(conf: Conference, ch: Channel, group: string): Promise<(readonly [string, string])[]> {
  if (group.toLowerCase() === 'none') return [];
  const log = (level: 'ERR' | 'DEBUG', text: string) => conf.core.log(level, text, level === 'DEBUG' ? ch.uuid : undefined);
  if (conf.profile.builtin) {
    if (group === 'default') return [...DEFAULT_CONTROLS];
    log('ERR', `Can't find group '${group}' in caller-controls section of ${CONF_NAME}`);
    return [];
  }
  const cfg = await openConferenceConf(conf.host.locate, controlsParams(conf.core, conf.name, conf.profileName, group, ch.uuid));
  if (!cfg) {
    log('ERR', `Open of ${CONF_NAME} failed`);
    return [];
  }
  const groups = child(cfg, 'caller-controls');
  if (!groups) {
    log('ERR', `Can't find caller-controls in ${CONF_NAME}`);
    return [];
  }
  const found = findChild(groups, 'group', 'name', group);
  if (!found) {
    log('ERR', `Can't find group '${group}' in caller-controls section of ${CONF_NAME}`);
    return [];
  }
  const out: (readonly [string, string])[] = [];
  for (const control of children(found, 'control')) {
    const key = attr(control, 'action') ?? '';
    const digits = attr(control, 'digits') ?? '';
    if (key === '' || digits === '') continue;
    const action = actionNamed(key);
    if (!action) {
      log('DEBUG', `${ch.name}: caller control '${key}' is not built here; '${digits}' is not bound`);
      continue;
    }
    log('DEBUG', `${ch.name} binding '${digits}' to '${key}'`);
    out.push([digits, action]);
  }
  return out;
}

/** conference_member_send_all_dtmf: the digit to every other member's far end. */
function sendToOthers(conf: Conference, m: Member, ch: Channel, digit: string): void {
  for (const other of conf.members) {
    if (other === m || other.has('SKIP_DTMF')) continue;
    const pid = conf.core.sessions.get(other.uuid);
    if (pid) GenServer.cast(ch.ctx, pid, { op: 'sendDtmf', digit, duration: DTMF_DURATION });
  }
}

/** The member's digits read from `ch` (its channel, in whose process this runs) until the returned stop. */
export function readControls(conf: Conference, m: Member, ch: Channel, bound: readonly (readonly [string, string])[]): () => void {
  const parser = new DigitMachine(
    conf.profile.ivrDtmfTimeout,
    (ms, fn) => ch.after(ms, fn),
    async (digits, action) => {
      const run = lookup(CONTROL_ACTIONS, action);
      if (!run || !m.has('RUNNING')) return;
      ch.setVariable('conference_last_matching_digits', digits);
      await run(conf, m);
    },
  );
  for (const [digits, action] of bound) parser.bind(digits, action);
  const stopReading = ch.readDtmf(async (digit) => {
    if (!m.has('RUNNING')) return;
    if (m.has('DIST_DTMF')) return sendToOthers(conf, m, ch, digit);
    await parser.feed(digit);
  });
  return () => {
    stopReading();
    parser.stop();
  };
}
