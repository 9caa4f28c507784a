/**
 * Auto outcalls: `conference_set_auto_outcall <dial string>` (conference_auto_function) adds a
 * destination to the channel's list (an empty argument clears it); when that channel becomes a
 * member (the start of conference_loop_output) each entry, split at `,` (or the one character of
 * `conference_auto_outcall_delimiter`) and prefixed with `conference_auto_outcall_prefix`, is
 * dialled in the background for the conference with the `conference_auto_outcall_*` variables:
 * `caller_id_name`, `caller_id_number`, `timeout` (10..500 s, else 60), `flags`, `profile`,
 * `announce` (played to each later joiner), `export_vars` (the channel's variables the legs get).
 * The member then waits while the dials are under way, at most `maxwait` seconds (2), and, unless
 * `skip_member_beep`, hears a beep.
 */
import type { ProcessContext } from '@beamline/core';
import type { AppChannel, Application } from '../applications/types.ts';
import type { Channel } from '../channel/channel.ts';
import { exportedVariables } from '../channel/exports.ts';
import { atoi, switchTrue } from '../internal/strings.ts';
import type { Conference } from './conference.ts';
import type { Member } from './member.ts';
import { conferenceOutcallBg } from './outcall.ts';

/** The beep the member hears once the dials are done or the wait is over. */
export const AUTO_OUTCALL_BEEP = 'tone_stream://%(500,0,640)';

/** `_conference_autocall_list_`, newest first, by channel. */
const lists = new WeakMap<object, string[]>();

export const AUTO_OUTCALL_APPLICATION: Application = {
  name: 'conference_set_auto_outcall',
  run: async (ch: AppChannel, data, done) => {
    if (data === '') lists.delete(ch);
    else lists.set(ch, [data, ...(lists.get(ch) ?? [])]);
    await done();
    return undefined;
  },
};

/** The auto outcall timeout: seconds within 10..500, else 60. */
export function autoOutcallTimeout(value: string | undefined): number {
  if (value === undefined) return 60;
  const to = atoi(value);
  return to < 10 || to > 500 ? 60 : to;
}

/** Each entry split at the delimiter, each part after the prefix. */
export function autoOutcallDials(entries: readonly string[], delimiter: string | undefined, prefix: string | undefined): string[] {
  const sep = delimiter?.length === 1 ? delimiter : ',';
  return entries.flatMap((e) => e.split(sep).map((d) => `${prefix ?? ''}${d}`));
}

/** The member's auto outcalls, if its channel has a list: dialled, waited for, then its beep. */
export function startAutoOutcalls(conf: Conference, m: Member, ch: Channel): void {
  const list = lists.get(ch);
  if (!list) return;
  lists.delete(ch);
  const v = (name: string) => ch.variable(`conference_auto_outcall_${name}`);
  const announce = v('announce');
  if (announce) conf.specialAnnounce = announce;
  const cidName = v('caller_id_name');
  const cidNum = v('caller_id_number');
  const profile = v('profile');
  const vars = exportedVariables((n) => ch.variable(n), 'conference_auto_outcall_export_vars');
  // FreeSWITCH reads `conference_utils_auto_outcall_flags` (a renaming slip); the documented name is read first
  const flags = v('flags') ?? ch.variable('conference_utils_auto_outcall_flags') ?? '';
  for (const dial of autoOutcallDials(list, v('delimiter'), v('prefix')))
    conferenceOutcallBg(ch.ctx, ch.services, {
      conf,
      name: conf.name,
      dial,
      timeoutSec: autoOutcallTimeout(v('timeout')),
      flags,
      ...(cidName !== undefined ? { cidName } : {}),
      ...(cidNum !== undefined ? { cidNum } : {}),
      ...(profile !== undefined ? { profile } : {}),
      vars,
    });
  const maxwait = atoi(v('maxwait') ?? '');
  const skipBeep = switchTrue(v('skip_member_beep'));
  ch.ctx.spawn((wctx) => waitAndBeep(wctx, conf, m, ch, (maxwait > 0 ? maxwait : 2) * 10, skipBeep));
}

/** conference_loop_output's wait: 100 ms at a time while dials are under way, then the beep. */
async function waitAndBeep(ctx: ProcessContext, conf: Conference, m: Member, ch: Channel, loops: number, skipBeep: boolean): Promise<void> {
  let left = loops;
  do await ctx.receive(() => false, 100);
  while (!ch.hungUp && conf.originating > 0 && --left > 0);
  if (ch.hungUp || !m.has('RUNNING')) return;
  if (!skipBeep) conf.memberPlayFile(m, AUTO_OUTCALL_BEEP, true);
}
