/**
 * Small mod_dptools applications an Erlang handler runs through sendmsg: `wait_for_answer`,
 * `set_user` (switch_ivr_set_user), `strftime` (`<var>=<format>`), `privacy`, `transfer_vars`
 * (switch_ivr_transfer_variable to the bridged partner), `break`, `queue_dtmf`
 * (switch_channel_queue_dtmf_string), `early_hangup`, `send_display` (SWITCH_MESSAGE_INDICATE_DISPLAY)
 * and `rename` (a file).
 */
import { rename } from 'node:fs/promises';
import { callChannel } from '../api/uuid_commands.ts';
import { checkedStrftime } from '../api/strftime.ts';
import { dtmfGroup, isDtmf } from '../channel/dtmf_string.ts';
import { caseEqual, separateString, switchFalse, switchTrue } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { Channel } from '../channel/channel.ts';
import type { AppChannel, Application } from './types.ts';

/** switch_ivr_sleep's slice in wait_for_answer's loop. */
const ANSWER_POLL_MS = 100;

/** wait_for_answer: until the channel is answered or down, looked at every 100 ms. */
const waitForAnswer: Application['run'] = (ch, _data, done) => {
  ch.core.log('DEBUG', 'Waiting for answer', ch.uuid);
  if (ch.view.answered || ch.hungUp) return sync(() => {})(ch, '', done);
  let cancel = () => {};
  const look = async () => {
    if (ch.view.answered || ch.hungUp) await done();
    else cancel = ch.after(ANSWER_POLL_MS, look);
  };
  cancel = ch.after(ANSWER_POLL_MS, look);
  return async () => {
    cancel();
    await done();
  };
};

/** switch_ivr_set_user: `<user>@<domain> [prefix]`, the directory user's variables (each name after the prefix) on the channel. */
async function setUser(ch: AppChannel, data: string): Promise<void> {
  const sp = data.indexOf(' ');
  const who = sp < 0 ? data : data.slice(0, sp);
  const prefix = sp < 0 ? '' : data.slice(sp + 1);
  const at = who.indexOf('@');
  if (data === '' || at < 0) return ch.core.log('ERR', 'No user@domain specified.', ch.uuid);
  const user = who.slice(0, at);
  const domain = who.slice(at + 1);
  const found = await ch.locateUser(user, domain);
  if (!found) return ch.core.log('WARNING', `can't find user [${user}@${domain}]`, ch.uuid);
  if (found.numberAlias !== undefined) ch.setVariable(`${prefix}number_alias`, found.numberAlias);
  for (const [name, value] of found.variables) ch.setVariable(prefix + name, value);
  for (const [name, value] of found.profileVariables) ch.setProfileVar(prefix + name, value);
  ch.setVariable(`${prefix}user_name`, user);
  ch.setVariable(`${prefix}domain_name`, domain);
}

/** strftime (the application): `<var>=<format>`, the local time now formatted into the variable; anything else does nothing. */
function setStrftime(ch: AppChannel, data: string): void {
  const argv = data === '' ? [] : separateString(data, '=', 2);
  const [name, format] = argv;
  if (argv.length < 2 || name === undefined || format === undefined) return;
  const nowMs = Math.floor(ch.core.nowUs() / 1000);
  const date = checkedStrftime(format, nowMs, ch.core.utcOffsetMinutes(nowMs));
  ch.core.log('DEBUG', `SET [${name}]=[${date}]`, ch.uuid);
  ch.setVariable(name, date);
}

/** The caller profile's flags as a number (SWITCH_CPF_*), for privacy's log line. */
function profileFlags(ch: AppChannel): number {
  const p = ch.profile;
  return (p.screen ? 1 : 0) | (p.hideName ? 2 : 0) | (p.hideNumber ? 4 : 0) | (p.softPrefix ? 8 : 0) | (p.softLookup ? 16 : 0);
}

/** privacy: `off|on|name|full|number` (switch_true / switch_false words too) on the caller profile; screening always. */
function privacy(ch: AppChannel, data: string): void {
  if (data === '') return ch.core.log('ERR', 'No privacy mode specified.', ch.uuid);
  ch.setProfileFlags({ screen: true });
  if (caseEqual(data, 'full')) ch.setProfileFlags({ hideName: true, hideNumber: true });
  else if (caseEqual(data, 'name')) ch.setProfileFlags({ hideName: true });
  else if (caseEqual(data, 'number')) ch.setProfileFlags({ hideNumber: true });
  else if (switchTrue(data)) ch.setProfileFlags({ hideName: true, hideNumber: true });
  else if (switchFalse(data)) ch.setProfileFlags({ hideName: false, hideNumber: false });
  else ch.core.log('ERR', 'INVALID privacy mode specified. Use a valid mode [no|yes|name|full|number].', ch.uuid);
  ch.core.log('DEBUG', `Set Privacy to ${data} [${profileFlags(ch)}]`, ch.uuid);
}

const TRANSFER_VARS_USAGE = 'Usage: <~variable_prefix|variable>';

/** switch_ivr_transfer_variable: `~<prefix>` copies every variable whose name starts so, else the one named (when set). */
function variablesToTransfer(ch: AppChannel, spec: string): [string, string][] {
  if (!spec.startsWith('~')) {
    const value = ch.variable(spec);
    return value === undefined ? [] : [[spec, value]];
  }
  const prefix = spec.slice(1);
  return ch.variables().filter(([name]) => name.startsWith(prefix));
}

/** transfer_vars: the variables onto the bridged partner (switch_core_session_get_partner); without one, the usage. */
const transferVars: Application['run'] = async (ch, data, done) => {
  if (data === '') {
    await done();
    return undefined;
  }
  const pairs = variablesToTransfer(ch, data);
  const partner = ch.variable('signal_bond') || ch.variable('originate_signal_bond');
  const setAll = (c: AppChannel) => {
    for (const [name, value] of pairs) c.setVariable(name, value);
    return true;
  };
  ch.aside(
    async (ctx) => (partner ? (await callChannel({ ctx, core: ch.core }, partner, { op: 'work', work: setAll })) !== undefined : false),
    async (ok) => {
      if (!ok) ch.core.log('ERR', TRANSFER_VARS_USAGE, ch.uuid);
      await done();
    },
  );
  return () => done();
};

/**
 * break: a running broadcast stops, else CF_BREAK. As break_function reads its argument, the
 * queued applications are dropped when one is given that is not `all`.
 */
const breakApp = sync((ch, data) => ch.uuidBreak(data !== '' && !caseEqual(data, 'all')));

/** queue_dtmf: switch_channel_queue_dtmf_string on the channel itself (`[~]digits[@ms][+digits[@ms]…]`), as received digits. */
function queueDtmf(ch: AppChannel, data: string): void {
  if (data === '') return;
  for (const group of separateString(data.startsWith('~') ? data.slice(1) : data, '+', 256)) {
    const { digits, duration, ms } = dtmfGroup(group, ch.core.control);
    for (const digit of digits) {
      if (!isDtmf(digit)) continue;
      let samples = duration;
      if (samples > ch.core.control.maxDtmfDuration) {
        ch.core.log('WARNING', `EXCESSIVE DTMF DIGIT LEN ${digit} ${samples}`, ch.uuid);
        samples = ch.core.control.maxDtmfDuration;
      }
      ch.receiveDtmf(digit, samples, 'APP');
      ch.core.log('DEBUG', `${ch.name} Queue dtmf\ndigit=${digit} ms=${ms} samples=${samples}`, ch.uuid);
    }
  }
}

/**
 * send_display: `<name>[|<number>]` as SWITCH_MESSAGE_INDICATE_DISPLAY. The core keeps them as
 * `last_sent_callee_id_name` / `_number` and sends nothing when `ignore_display_updates` is true;
 * an empty name, which no endpoint sends, is not passed on.
 */
const sendDisplay: Application['run'] = async (ch, data, done) => {
  const [name = '', number = ''] = data === '' ? [] : separateString(data, '|', 2);
  const deliver = (c: Channel) => {
    if (name !== '') c.setVariable('last_sent_callee_id_name', name);
    if (number !== '') c.setVariable('last_sent_callee_id_number', number);
    if (name === '' || switchTrue(c.variable('ignore_display_updates'))) return true;
    return c.spec.endpoint.message?.(c, { id: 'DISPLAY', name, ...(number ? { number } : {}) }) ?? true;
  };
  ch.aside(
    (ctx) => callChannel({ ctx, core: ch.core }, ch.uuid, { op: 'work', work: deliver }),
    () => done(),
  );
  return () => done();
};

const RENAME_USAGE = 'Usage: <from_path> <to_path>';

/** rename: `<from_path> <to_path>` (the rest after the first blank is the target); a failure is only a DEBUG line. */
async function renameFile(ch: AppChannel, data: string): Promise<void> {
  const argv = data === '' ? [] : separateString(data, ' ', 2);
  const [from, to] = argv;
  if (argv.length !== 2 || from === undefined || to === undefined) return ch.core.log('ERR', RENAME_USAGE, ch.uuid);
  ch.core.log('DEBUG', `${ch.name} RENAME: ${from} ${to}`, ch.uuid);
  try {
    await rename(from, to);
  } catch {
    ch.core.log('DEBUG', `${ch.name} Can't rename ${from} to ${to}`, ch.uuid);
  }
}

export const DPTOOLS_MORE: readonly Application[] = [
  { name: 'wait_for_answer', run: waitForAnswer },
  { name: 'set_user', routingExec: true, run: sync(setUser) },
  { name: 'strftime', run: sync(setStrftime) },
  { name: 'privacy', run: sync(privacy) },
  { name: 'transfer_vars', run: transferVars },
  { name: 'break', run: breakApp },
  { name: 'queue_dtmf', run: sync(queueDtmf) },
  // CF_EARLY_HANGUP runs the hangup state's handlers on the thread that hangs up; a beamline
  // channel always runs them in its own process at once, so the flag changes nothing here
  { name: 'early_hangup', routingExec: true, run: sync(() => {}) },
  { name: 'send_display', run: sendDisplay },
  { name: 'rename', zombieExec: true, run: sync(renameFile) },
];
