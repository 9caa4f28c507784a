/**
 * Text spoken into a conference (conference_say) or to one member (conference_member_say), and the
 * `say` / `saymember` API subcommands (the text's `{…}` head and `#<voice>#`: speech_node.ts).
 * The engine speaks at the mixer's 8 kHz before the reply (the C feeds it before it answers, too);
 * the audio is queued as a speech node, whose end fires no play-file-done. A conference without an engine or voice answers
 * `say` with an error and logs `Missing TTS engine or voice`; `saymember` then says nothing and
 * succeeds.
 */
import { expandWithoutApi } from '../dialplan/expand.ts';
import { SampleSource } from '../media/source.ts';
import { isTtsFile, openTtsFile } from '../speech/tts_file.ts';
import type { Conference } from './conference.ts';
import type { Member } from './member.ts';
import { prepareConferenceSay, prepareMemberSay } from './speech_node.ts';

/** conference_say: false for no text, nobody in the conference, no engine or voice, or an engine that does not open. */
export async function conferenceSay(conf: Conference, text: string, leadin = 0): Promise<boolean> {
  if (text === '' || !conf.count) return false;
  const prepared = prepareConferenceSay(conf.core, conf.profile, text);
  if (!prepared) return false;
  conf.files.add(`say:${prepared.text}`, new SampleSource(await prepared.speak()), false, leadin, true);
  return true;
}

/** conference_member_say: the text to `member` alone, with the profile's engine and voice. */
export async function memberSay(conf: Conference, member: Member, text: string): Promise<boolean> {
  if (text === '') return false;
  const prepared = prepareMemberSay(conf.core, conf.profile, text, member.uuid);
  if (prepared === 'none') return true;
  if (!prepared) return false;
  member.files.play(`say:${prepared.text}`, new SampleSource(await prepared.speak()), true, true);
  return true;
}

/** conference_api_sub_say: the reply; a failure (undefined) is followed by the usage. */
export async function apiSay(conf: Conference, text: string): Promise<string | { failed: string }> {
  if (text === '') return { failed: '-ERR (say) Error! No text.\n' };
  if (!(await conferenceSay(conf, text))) return { failed: '-ERR (say) Error!\n' };
  conf.fireConference('speak-text', [['Text', text]]);
  return '+OK (say) OK\n';
}

/** conference_api_sub_saymember: `<member> <text>`, the text expanded on the member's channel. */
export async function apiSayMember(
  conf: Conference,
  text: string,
  memberByStr: (id: string) => Member | undefined,
): Promise<string | { failed: string }> {
  if (text === '') return { failed: '-ERR (saymember) No Text!\n' };
  const space = text.indexOf(' ');
  const id = space < 0 ? text : text.slice(0, space);
  const said = space < 0 ? '' : text.slice(space + 1);
  if (said === '') return { failed: '-ERR (saymember) No Text!\n' };
  const member = memberByStr(id);
  if (!member) return { failed: `-ERR (saymember) Unknown Member ${id}!\n` };
  // from the API's process: variables only, as conference_file_play expands (no `${api}` calls)
  const ch = member.channel;
  const expanded = expandWithoutApi(said, (n, i) => ch.expansionVariable(n, i)) ?? said;
  if (!(await memberSay(conf, member, expanded))) return { failed: '-ERR (saymember) Error!\n' };
  conf.fireMember(member, 'speak-text-member', [], [['Text', expanded]]);
  return '+OK (saymember) OK\n';
}

/**
 * conference_file_play's spoken forms: `say:<text>` (not async) is conference_say, `tts://…` is
 * spoken and queued as a file. Whether it plays; undefined for any other file.
 */
export async function playSpoken(conf: Conference, file: string, async: boolean): Promise<boolean | undefined> {
  if (/^say:/i.test(file) && !async) return conferenceSay(conf, file.slice(4));
  if (!isTtsFile(file)) return undefined;
  if (!conf.flags.has('RUNNING') || conf.flags.has('DESTRUCT') || !conf.count) return false;
  const samples = await openTtsFile(conf.core, file)?.speak();
  if (!samples) return false;
  conf.files.add(file, new SampleSource(samples), async);
  return true;
}
