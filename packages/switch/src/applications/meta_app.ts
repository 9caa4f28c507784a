/**
 * mod_dptools' `bind_meta_app <key> <a|b|ab> <a|b|o|s|i|1> <app>[::<args>]` and
 * `unbind_meta_app [<key>]` (switch_ivr_bind_dtmf_meta_session / _unbind_): the meta key
 * (`bind_meta_key`, default `*`) then a bound key, dialled by this leg's far end (`a`: the digits
 * the channel receives) or by its bridged partner's (`b`: the digits passed on to it), runs the
 * bound application as uuid_broadcast would — queued, event-locked, the other leg on hold music —
 * on this leg or its partner. Both digits are swallowed: no DTMF event, nothing passed on.
 */
import { broadcastTarget } from '../api/media_commands.ts';
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import { isDtmf } from '../channel/dtmf_string.ts';
import { separateString } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** switch_bind_flag_t. */
const SBF = {
  DIAL_ALEG: 1 << 0,
  EXEC_ALEG: 1 << 1,
  DIAL_BLEG: 1 << 2,
  EXEC_BLEG: 1 << 3,
  EXEC_OPPOSITE: 1 << 4,
  EXEC_SAME: 1 << 5,
  ONCE: 1 << 6,
  EXEC_INLINE: 1 << 7,
} as const;

/** How long a meta key waits for its second digit: more than this many whole seconds and it is forgotten. */
const META_TIMEOUT_SEC = 5;

interface Binding {
  readonly app: string;
  readonly flags: number;
}

/** dtmf_meta_settings_t: one direction's bindings (indexed by switch_dtmftoi) and its state. */
interface MetaSide {
  readonly map: (Binding | undefined)[];
  lastDigit: number;
  metaOn: boolean;
  meta: string;
  up: boolean;
}

type Direction = 'recv' | 'send';

/** dtmf_meta_data_t, as the channel's `__dtmf_meta` private; unbinding all drops it (the hook stays and lets digits by). */
const META = new WeakMap<AppChannel, Record<Direction, MetaSide> | null>();

const newSide = (): MetaSide => ({ map: [], lastDigit: 0, metaOn: false, meta: '*', up: false });

/** switch_dtmftoi: `0`–`9` their value, `a`–`d` 10–13, anything else (`*`, `#`) 0. */
export function dtmftoi(s: string): number {
  const n = Number.parseInt(s, 10);
  if (n) return n;
  const l = s.toLowerCase().charCodeAt(0);
  return l > 96 && l < 101 ? l - 87 : 0;
}

/** switch_itodtmf: 10–13 `A`–`D`, else the digit. */
export const itodtmf = (i: number): string => String.fromCharCode(i > 9 && i < 14 ? i + 55 : i + 48);

/**
 * switch_ivr_broadcast(uuid, app, SMF_HOLD_BLEG | SMF_ECHO_ALEG or _BLEG): `app[::args]` (else a
 * playback of it) queued event-locked on this leg or on its partner, which meanwhile puts its own
 * partner on hold music; `app!cause` queues a hangup on this leg after it.
 */
async function metaBroadcast(env: ChannelReach, uuid: string, path: string, onPartner: boolean): Promise<void> {
  const { app, arg, hangupCause } = broadcastTarget(path);
  const target = onPartner ? (await callChannel<string | undefined>(env, uuid, { op: 'partner' }))?.value : uuid;
  if (target !== undefined) await callChannel(env, target, { op: 'execute', application: app, data: arg, lock: true, holdBleg: true });
  if (hangupCause !== undefined) await callChannel(env, uuid, { op: 'execute', application: 'hangup', data: hangupCause, lock: true });
}

/** meta_on_dtmf: true lets the digit by, false swallows it. */
function onDigit(ch: AppChannel, digit: string, direction: Direction): boolean {
  const md = META.get(ch);
  if (!md) return true;
  const side = md[direction];
  if (!side.up) return true;
  const now = Math.floor(ch.core.nowUs() / 1e6);
  if (side.metaOn && now - side.lastDigit > META_TIMEOUT_SEC) {
    side.metaOn = false;
    ch.core.log('ERR', `${ch.name} Meta digit timeout parsing ${digit}`, ch.uuid);
    return true;
  }
  side.lastDigit = now;
  if (digit === side.meta) {
    // the meta key twice: the second one goes through
    side.metaOn = !side.metaOn;
    return !side.metaOn;
  }
  if (!side.metaOn) return true;
  side.metaOn = false;
  if (!isDtmf(digit)) return false;
  const key = dtmftoi(digit);
  const binding = side.map[key];
  const dialled = binding && (binding.flags & (direction === 'recv' ? SBF.DIAL_ALEG : SBF.DIAL_BLEG)) !== 0;
  if (!binding || !dialled) {
    ch.core.log('WARNING', `${ch.name} Ignoring meta digit '${digit}' not mapped`, ch.uuid);
    return false;
  }
  ch.core.log('DEBUG', `${ch.name} Processing meta digit '${digit}' [${binding.app}]`, ch.uuid);
  ch.aside((ctx) => metaBroadcast({ ctx, core: ch.core }, ch.uuid, binding.app, runsOnPartner(binding.flags, direction)));
  if (binding.flags & SBF.ONCE) {
    side.map[key] = undefined;
    ch.core.log('DEBUG', `${ch.name} Unbinding meta digit '${digit}'`, ch.uuid);
  }
  return false;
}

/** Which leg runs it: `o` the other side from the dialler, `s` the dialler's, `a` / `b` that leg, default this one. */
function runsOnPartner(flags: number, direction: Direction): boolean {
  if (flags & SBF.EXEC_OPPOSITE) return direction === 'recv';
  if (flags & SBF.EXEC_SAME) return direction === 'send';
  if (flags & SBF.EXEC_ALEG) return false;
  return (flags & SBF.EXEC_BLEG) !== 0;
}

/** dtmf_bind_function's flags: `a`/`b` who dials; `a`, `b`, `o`, `s` who runs it (one only), `i` inline, `1` once. */
function bindFlags(ch: AppChannel, dial: string, exec: string): number {
  let flags = 0;
  const multiple = () => ch.core.log('ERR', 'Cannot bind execute to multiple legs', ch.uuid);
  if (dial.includes('a')) flags |= SBF.DIAL_ALEG;
  if (dial.includes('b')) flags |= SBF.DIAL_BLEG;
  // the C looks for `a` twice, around `b`
  const execA = () => {
    if (!exec.includes('a')) return;
    if (flags & SBF.EXEC_BLEG) multiple();
    else flags |= SBF.EXEC_ALEG;
  };
  execA();
  if (exec.includes('b')) {
    if (flags & SBF.EXEC_ALEG) multiple();
    else flags |= SBF.EXEC_BLEG;
  }
  execA();
  if (exec.includes('i')) flags |= SBF.EXEC_INLINE;
  for (const [c, flag] of [
    ['o', SBF.EXEC_OPPOSITE],
    ['s', SBF.EXEC_SAME],
  ] as const) {
    if (!exec.includes(c)) continue;
    if (flags & (SBF.EXEC_ALEG | SBF.EXEC_BLEG | SBF.EXEC_SAME)) multiple();
    else flags |= flag;
  }
  if (exec.includes('1')) flags |= SBF.ONCE;
  return flags;
}

/** switch_ivr_bind_dtmf_meta_session; false: `Bind Error!`. */
function bind(ch: AppChannel, key: number, flags: number, app: string): boolean {
  const log = (level: 'ERR' | 'WARNING' | 'INFO', text: string) => ch.core.log(level, text, ch.uuid);
  let meta = '*';
  const metaVar = ch.variable('bind_meta_key');
  if (metaVar !== undefined) {
    const first = metaVar.charAt(0);
    if (isDtmf(first)) meta = first;
    else log('WARNING', `Invalid META KEY ${first}`);
  }
  if (meta !== '*' && meta !== '#' && dtmftoi(meta) === key) {
    log('ERR', `Invalid key ${key}, same as META CHAR`);
    return false;
  }
  if (key > 13) {
    log('ERR', `Invalid key ${key}`);
    return false;
  }
  let md = META.get(ch);
  if (md === undefined) ch.addDtmfHook((digit, direction) => onDigit(ch, digit, direction));
  if (!md) {
    md = { recv: newSide(), send: newSide() };
    META.set(ch, md);
  }
  for (const [direction, dial, leg] of [
    ['recv', SBF.DIAL_ALEG, 'A'],
    ['send', SBF.DIAL_BLEG, 'B'],
  ] as const) {
    if (!(flags & dial)) continue;
    const side = md[direction];
    side.meta = meta;
    side.up = true;
    side.map[key] = { app, flags };
    log('INFO', `Bound ${leg}-Leg: ${meta}${itodtmf(key)} ${app}`);
  }
  return true;
}

/** switch_ivr_unbind_dtmf_meta_session: one key (0–9) on both directions, or (no key) all of them. */
function unbind(ch: AppChannel, key: number): void {
  if (!key) {
    ch.core.log('INFO', 'UnBound A-Leg: ALL', ch.uuid);
    if (META.has(ch)) META.set(ch, null);
    return;
  }
  const md = META.get(ch);
  if (!md || key > 9) {
    ch.core.log('ERR', `Invalid key ${key}`, ch.uuid);
    return;
  }
  md.recv.map[key] = undefined;
  md.send.map[key] = undefined;
  ch.core.log('INFO', `UnBound A-Leg: ${key}`, ch.uuid);
}

const BIND_SYNTAX = '<key> [a|b|ab] [a|b|o|s|i|1] <app>';

export const META_APPLICATIONS: readonly Application[] = [
  {
    name: 'bind_meta_app',
    run: sync((ch, data) => {
      const argv = data.trim() === '' ? [] : separateString(data, ' ', 4);
      const [key, dial, exec, app] = argv;
      if (argv.length !== 4 || key === undefined || dial === undefined || exec === undefined || app === undefined) {
        ch.core.log('ERR', `Usage: ${BIND_SYNTAX}`, ch.uuid);
        return;
      }
      if (!bind(ch, dtmftoi(key), bindFlags(ch, dial, exec), app)) ch.core.log('ERR', 'Bind Error!', ch.uuid);
    }),
  },
  { name: 'unbind_meta_app', run: sync((ch, data) => unbind(ch, data === '' ? 0 : dtmftoi(data))) },
];
