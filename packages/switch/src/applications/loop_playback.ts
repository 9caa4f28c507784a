/**
 * `endless_playback <file>` and `loop_playback [+<n> ]<file>` (mod_dptools): the file played again
 * and again — for ever, or n times (a negative n: for ever) — while the channel is up. A break
 * (uuid_break) ends only the play in progress: the next one starts, as the C's loop goes on after
 * SWITCH_STATUS_BREAK; a file that is not found ends them (FILE NOT FOUND). No digit ends them (they
 * play with no input callback).
 */
import { Cause } from '../channel/causes.ts';
import { atoi } from '../internal/strings.ts';
import { type MediaEnd, playFile, playbackResponse } from './media.ts';
import type { AppChannel, Application, Interrupter } from './types.ts';

/** Plays `file` `times` times (negative: until the channel goes); the interrupter of the play in progress. */
async function playRepeatedly(ch: AppChannel, file: string, times: number, done: () => void | Promise<void>): Promise<Interrupter | undefined> {
  let left = times;
  let current: Interrupter | undefined;
  const playNext = async (): Promise<Interrupter | undefined> => {
    if (left >= 0) left--;
    let how: MediaEnd = 'played';
    current = await playFile(
      ch,
      file,
      async () => {
        if (how !== 'killed' && how !== 'notfound' && !ch.hungUp && left !== 0) {
          await playNext();
          return;
        }
        ch.setVariable('current_application_response', playbackResponse(how));
        await done();
      },
      (h) => {
        how = h;
      },
    );
    return current;
  };
  if (left === 0) {
    ch.setVariable('current_application_response', 'FILE PLAYED');
    await done();
    return undefined;
  }
  await playNext();
  return () => current?.();
}

/** loop_playback's `+<n> ` prefix: the count and the file after the first space; undefined (logged, hung up) when either is missing. */
async function loopArgs(ch: AppChannel, data: string): Promise<{ times: number; file: string } | undefined> {
  let file = data;
  let times = 1;
  if (file.startsWith('+')) {
    const count = file.slice(1);
    const space = count.indexOf(' ');
    file = space < 0 ? '' : count.slice(space + 1);
    if (count === '') {
      ch.core.log('ERR', `Missing loop in data [${data}]`, ch.uuid);
      await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
      return undefined;
    }
    times = atoi(count);
  }
  if (file === '') {
    ch.core.log('ERR', `Missing file arg in data [${data}]`, ch.uuid);
    await ch.send({ type: 'HANGUP', cause: Cause.DESTINATION_OUT_OF_ORDER });
    return undefined;
  }
  return { times, file };
}

export const LOOP_PLAYBACK_APPLICATIONS: readonly Application[] = [
  { name: 'endless_playback', needsMedia: true, run: (ch, data, done) => playRepeatedly(ch, data, -1, done) },
  {
    name: 'loop_playback',
    needsMedia: true,
    run: async (ch, data, done) => {
      const args = await loopArgs(ch, data);
      if (!args) {
        await done();
        return undefined;
      }
      return playRepeatedly(ch, args.file, args.times, done);
    },
  },
];
