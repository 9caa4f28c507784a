/**
 * switch_ivr_displace_session / switch_ivr_stop_displace_session: a file played into a call as a
 * replacing media bug (`displace`, its target the file). Without flags the file is what the
 * channel's far end hears, and what that far end says goes on as silence (-1 samples, the C's
 * 0xff bytes); with `m` (mux) the file is mixed into what it hears and what it says passes.
 * `r` turns it round (the file goes where the far end's voice goes; `rw`: both sides hear it),
 * `l` loops, `f` is accepted (SMBF_FIRST: bug order). The bug ends with the file (unless it loops),
 * at its `limit` (seconds), on `stop` or at the hangup (MEDIA_BUG_STOP).
 */
import { Cause } from '../channel/causes.ts';
import { isDownState } from '../channel/states.ts';
import { atoi, separateString, switchTrue } from '../internal/strings.ts';
import { clip16, encodeFrame } from '../media/g711.ts';
import type { AudioFrame } from '../media/media_table.ts';
import { type AudioSource, openSource } from '../media/source.ts';
import { linearOf } from '../media/tape.ts';
import { DEFAULT_BASE_DIR, NATIVE_FORMAT } from './recording_model.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

interface Displace {
  readonly file: string;
  remove(): void;
}

/** Each channel's displaces by their key (switch_channel_set_private(channel, file, bug)). */
const DISPLACES = new WeakMap<AppChannel, Map<string, Displace>>();

function displacesOf(ch: AppChannel): Map<string, Displace> {
  const known = DISPLACES.get(ch);
  if (known) return known;
  const map = new Map<string, Displace>();
  DISPLACES.set(ch, map);
  // switch_core_media_bug_remove_all when the session goes down
  ch.addStateHook((state) => {
    if (!isDownState(state)) return true;
    for (const d of [...map.values()]) d.remove();
    return false;
  });
  return map;
}

/**
 * The file as switch_ivr_displace_session opens it: without `://`, a path not starting with `/`
 * goes under `prefix` (a leading `[params]` kept in front), and one with no `.` gets the channel's
 * codec as its extension.
 */
export function displacePath(file: string, prefix: string): string {
  if (file.includes('://')) return file;
  let path = file;
  if (!path.startsWith('/')) {
    let params = '';
    const close = path.startsWith('[') ? path.indexOf(']') : -1;
    if (close > 0) {
      params = path.slice(0, close + 1);
      path = path.slice(close + 1);
    }
    path = `${params}${prefix}/${path}`;
  }
  return path.includes('.') ? path : `${path}.${NATIVE_FORMAT}`;
}

/** The file's next `n` samples (short at its end), and whether it ran out. */
function readFile(source: AudioSource, n: number): { samples: Int16Array; over: boolean } {
  const out = new Int16Array(n);
  let got = 0;
  while (got < n) {
    const frame = source.next();
    if (!frame) return { samples: out.subarray(0, got), over: true };
    const take = Math.min(frame.length, n - got);
    out.set(frame.subarray(0, take), got);
    got += take;
    // a frame longer than the gap is cut; sources give 160-sample frames, as the channel reads them
  }
  return { samples: out, over: false };
}

function frameOf(like: AudioFrame, samples: Int16Array): AudioFrame {
  return { codec: like.codec, payload: encodeFrame(like.codec, samples), samples: samples.length };
}

/** switch_ivr_displace_session: false when it cannot start (see the log). */
export async function startDisplace(ch: AppChannel, given: string, limitSecs: number, flags: string | undefined): Promise<boolean> {
  const hangupOnError = switchTrue(ch.variable('DISPLACE_HANGUP_ON_ERROR'));
  if (given === '' || ch.hungUp) return false;
  if (!ch.mediaUp && ch.variable('direction') === 'inbound') {
    await ch.send({ type: 'PRE_ANSWER' });
    if (!ch.mediaUp) return false;
  }
  if (!ch.mediaUp || !ch.core.media.hasPort(ch.uuid)) {
    ch.core.log('ERR', 'Can not displace session.  Media not enabled on channel', ch.uuid);
    return false;
  }
  const displaces = displacesOf(ch);
  // looked up by the name as given, kept under the name as opened
  if (displaces.has(given)) {
    ch.core.log('ERR', 'Only 1 of the same file per channel please!', ch.uuid);
    return false;
  }
  const prefix = ch.variable('sound_prefix') ?? ch.core.globals.get('base_dir') ?? DEFAULT_BASE_DIR;
  const file = displacePath(given, prefix);
  const flagged = (c: string) => flags?.includes(c) === true;
  const loop = flagged('l');
  let source = openSource(file, undefined, loop ? -1 : undefined);
  if (!source) {
    if (hangupOnError) await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
    return false;
  }
  const mux = flagged('m');
  const readMode = flagged('r');
  // r&w: what the file gave the read side is what the write side hears next
  const echoed: Int16Array[] | undefined = readMode && flagged('w') ? [] : undefined;
  const stopAt = limitSecs > 0 ? (Math.floor(ch.core.nowUs() / 1_000_000) + limitSecs) * 1000 : undefined;
  const fileSide = readMode ? 'read' : 'write';
  let removed = false;

  const displace: Displace = {
    file,
    remove: () => {
      if (removed) return;
      removed = true;
      unreplace();
      untap();
      if (displaces.get(file) === displace) displaces.delete(file);
      source?.close?.();
      source = undefined;
      ch.fire('MEDIA_BUG_STOP', undefined, [
        ['Media-Bug-Function', 'displace'],
        ['Media-Bug-Target', file],
      ]);
    },
  };
  const untap = ch.core.media.tap(ch.uuid, () => {}, { function: 'displace', target: file, close: () => displace.remove() });
  const unreplace = ch.core.media.replace(ch.uuid, (direction, frame) => {
    if (removed || !source) return frame;
    // the bug's stop time passed (switch_core_media_bug_* checks it on every frame)
    if (stopAt !== undefined && ch.core.nowUs() / 1000 >= stopAt + 1000) {
      ch.after(0, () => displace.remove());
      return frame;
    }
    if (direction !== fileSide) {
      if (echoed) {
        const next = echoed.shift();
        return frameOf(frame, next && next.length >= frame.samples ? next.subarray(0, frame.samples) : new Int16Array(frame.samples).fill(-1));
      }
      return mux ? frame : frameOf(frame, new Int16Array(frame.samples).fill(-1));
    }
    const { samples, over } = readFile(source, frame.samples);
    let out: Int16Array;
    if (mux) {
      out = linearOf(frame);
      for (let i = 0; i < samples.length; i++) out[i] = clip16((out[i] ?? 0) + (samples[i] ?? 0));
    } else if (readMode) {
      out = samples;
      echoed?.push(samples);
    } else {
      out = new Int16Array(frame.samples);
      out.set(samples);
    }
    if (over || samples.length === 0) ch.after(0, () => displace.remove());
    return out.length === 0 ? frame : frameOf(frame, out);
  });
  displaces.set(file, displace);
  ch.fire('MEDIA_BUG_START', undefined, [
    ['Media-Bug-Function', 'displace'],
    ['Media-Bug-Target', file],
  ]);
  return true;
}

/** switch_ivr_stop_displace_session: false when no displace goes by that name. */
export function stopDisplace(ch: AppChannel, file: string): boolean {
  const d = DISPLACES.get(ch)?.get(file);
  if (!d) return false;
  d.remove();
  return true;
}

/**
 * mod_dptools' `displace_session <path> [<flags>] [+<limit>]` (a word with a `+` anywhere is the
 * limit in seconds, by atoi; any other word the flags, the last one kept) and
 * `stop_displace_session <path>`.
 */
export const DISPLACE_APPLICATIONS: readonly Application[] = [
  {
    name: 'displace_session',
    needsMedia: true,
    run: sync(async (ch, data) => {
      if (data === '') return;
      const [path = '', ...rest] = separateString(data, ' ', 6);
      let limit = 0;
      let flags: string | undefined;
      for (const word of rest) {
        if (word.includes('+')) limit = atoi(word);
        else if (word !== '') flags = word;
      }
      await startDisplace(ch, path, limit, flags);
    }),
  },
  {
    name: 'stop_displace_session',
    needsMedia: true,
    run: sync((ch, data) => {
      stopDisplace(ch, data);
    }),
  },
];
