/**
 * mod_dptools' `mutex <keyname>[ on|off]`: one channel at a time holds a key; the others wait in
 * line (each looks every 20 ms whether its turn came, as the C's read-frame callback does),
 * hearing `mutex_feedback` meanwhile (`silence`: silence_stream://-1), for up to `mutex_timeout`
 * seconds (60 with a `mutex_orbit_exten`, which the C reads but never transfers to); a channel
 * that gives up or hangs up leaves the line. `off`, or the holder's hangup, passes the key to the
 * next one still there.
 */
import type { SwitchCore } from '../core/core.ts';
import { atol, caseEqual } from '../internal/strings.ts';
import { playFile } from './media.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** Each key's line: the holder first (master_mutex_t's list). */
const MASTERS = new WeakMap<SwitchCore, Map<string, string[]>>();

function lineOf(core: SwitchCore, key: string): string[] {
  let masters = MASTERS.get(core);
  if (!masters) {
    masters = new Map();
    MASTERS.set(core, masters);
  }
  let line = masters.get(key);
  if (!line) {
    line = [];
    masters.set(key, line);
  }
  return line;
}

/** advance: the holder leaves and the key goes to the next one still up. */
function advance(core: SwitchCore, line: string[]): void {
  line.shift();
  while (line.length > 0 && !core.sessions.has(line[0] as string)) {
    core.log('DEBUG', `uuid ${line[0]} already gone`);
    line.shift();
  }
}

/** The holder's hangup gives the key on (mutex_hanguphook). */
function holdUntilHangup(ch: AppChannel, line: string[]): void {
  ch.addStateHook((state) => {
    if (line[0] !== ch.uuid) return false;
    if (state !== 'CS_HANGUP') return true;
    ch.core.log('DEBUG', `${ch.name} mutex hangup hook`, ch.uuid);
    advance(ch.core, line);
    return false;
  });
}

const PACKET_MS = 20;

async function mutex(ch: AppChannel, data: string, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  if (data === '') {
    ch.core.log('ERR', 'Missing keyname', ch.uuid);
    await done();
    return undefined;
  }
  const space = data.indexOf(' ');
  const key = `_mutex_key_${space < 0 ? data : data.slice(0, space)}`;
  const on = space < 0 || !caseEqual(data.slice(space + 1), 'off');
  const line = lineOf(ch.core, key);
  const at = line.indexOf(ch.uuid);
  if (on === at >= 0) {
    ch.core.log('ERR', 'INVALID STATE', ch.uuid);
    await done();
    return undefined;
  }
  if (!on) {
    if (at === 0) {
      ch.core.log('DEBUG', `${ch.uuid} ${ch.name} mutex ${key} cleared`, ch.uuid);
      advance(ch.core, line);
    } else line.splice(at, 1);
    await done();
    return undefined;
  }
  line.push(ch.uuid);
  if (line.length === 1) {
    ch.core.log('DEBUG', `${ch.uuid} ${ch.name} mutex ${key} acquired`, ch.uuid);
    holdUntilHangup(ch, line);
    await done();
    return undefined;
  }
  ch.core.log('DEBUG', `${ch.name} mutex ${key} is busy, waiting...`, ch.uuid);
  return waitInLine(ch, key, line, done);
}

function waitInLine(ch: AppChannel, key: string, line: string[], done: () => void | Promise<void>): Interrupter {
  let feedback = ch.variable('mutex_feedback');
  if (feedback !== undefined && caseEqual(feedback, 'silence')) feedback = 'silence_stream://-1';
  let timeoutSec = ch.variable('mutex_orbit_exten') !== undefined ? 60 : 0;
  const tmp = atol(ch.variable('mutex_timeout') ?? '');
  if (tmp > 0) timeoutSec = tmp;
  let packetsLeft = timeoutSec ? (1000 / PACKET_MS) * timeoutSec : 0;
  let over = false;
  let cancelTick = () => {};
  let playing: Interrupter | undefined;
  const finish = async () => {
    if (over) return;
    over = true;
    cancelTick();
    const stop = playing;
    playing = undefined;
    await stop?.();
    if (line[0] === ch.uuid && !ch.hungUp) {
      ch.core.log('DEBUG', `${ch.uuid} ${ch.name} mutex ${key} acquired`, ch.uuid);
      holdUntilHangup(ch, line);
    } else {
      const at = line.indexOf(ch.uuid);
      if (at === 0) advance(ch.core, line);
      else if (at > 0) line.splice(at, 1);
      ch.core.log('DEBUG', `${ch.uuid} ${ch.name} mutex ${key} canceled`, ch.uuid);
    }
    await done();
  };
  const play = async () => {
    if (over || feedback === undefined) return;
    if (!ch.mediaUp) await ch.send({ type: 'PRE_ANSWER' });
    playing = await playFile(ch, feedback, () => (over ? undefined : play()));
  };
  const tick = () => {
    if (packetsLeft && --packetsLeft <= 0) return finish();
    if (line[0] === ch.uuid) return finish();
    cancelTick = ch.after(PACKET_MS, tick);
  };
  cancelTick = ch.after(PACKET_MS, tick);
  void play();
  return finish;
}

export const MUTEX_APPLICATION: Application = { name: 'mutex', run: mutex };
