/**
 * mod_dptools' `capture_text [on]` and mod_commands' `uuid_capture_text <uuid> <on|off>`
 * (switch_ivr_capture_text): a media bug `capture_text` on the channel's text stream, which would
 * queue each text the far end sends to the session as a TEXT event. No endpoint here carries text
 * (RFC 4103), so the bug is only there to be listed and removed.
 */
import { isDownState } from '../channel/states.ts';
import { switchTrue } from '../internal/strings.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

const BUGS = new WeakMap<AppChannel, () => void>();

export function captureText(ch: AppChannel, on: boolean): boolean {
  const known = BUGS.get(ch);
  if (!on) {
    if (!known) {
      ch.core.log('ERR', 'text bug not attached', ch.uuid);
      return false;
    }
    known();
    return true;
  }
  if (known) {
    ch.core.log('ERR', 'text bug already attached', ch.uuid);
    return false;
  }
  const headers = (): [string, string][] => [
    ['Media-Bug-Function', 'capture_text'],
    ['Media-Bug-Target', ch.uuid],
  ];
  const remove = () => {
    if (BUGS.get(ch) !== remove) return;
    BUGS.delete(ch);
    untap();
    ch.fire('MEDIA_BUG_STOP', undefined, headers());
  };
  const untap = ch.core.media.tap(ch.uuid, () => {}, { function: 'capture_text', target: ch.uuid, close: remove });
  BUGS.set(ch, remove);
  ch.fire('MEDIA_BUG_START', undefined, headers());
  // the session's bugs go with it (switch_core_media_bug_remove_all at hangup)
  ch.addStateHook((state) => {
    if (isDownState(state)) remove();
    return BUGS.get(ch) === remove;
  });
  return true;
}

export const CAPTURE_TEXT_APPLICATION: Application = {
  name: 'capture_text',
  run: sync((ch, data) => {
    captureText(ch, switchTrue(data));
  }),
};
