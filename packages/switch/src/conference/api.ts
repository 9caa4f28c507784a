/**
 * The `conference` API command (conference_api.c): `conference list|count|help`, and
 * `conference <name> <subcommand> …` with the subcommands built here — list, count, energy,
 * volume_in, volume_out, play, pause_play, stop, kick, hup, mute, tmute, unmute, deaf, undeaf,
 * lock, unlock, dial, bgdial (outcall.ts), record, chkrecord, norecord, pause, resume, recording, say, saymember (say.ts) — their member targets
 * (`<id>`, `all`, `last`, `non_moderator`, `<var>=<value>`), replies and usage texts as FreeSWITCH
 * writes them. Flag changes are steps on the shared conference; `kick` and `hup` then end the
 * member's application in its channel's process.
 */
import type { ApiCommand, ApiEnv } from '../api/registry.ts';
import { randomUUID } from 'node:crypto';
import { callChannel } from '../api/uuid_commands.ts';
import { causeName } from '../channel/causes.ts';
import { atoi, separateString } from '../internal/strings.ts';
import type { Conference } from './conference.ts';
import { type FileStop, togglePause } from './file_play.ts';
import type { ConferenceFlag } from './flags.ts';
import { type ConferenceGlobals, conferenceGlobals } from './globals.ts';
import type { Member } from './member.ts';
import { type Outcall, conferenceOutcall, conferenceOutcallBg } from './outcall.ts';
import { deafMember, muteMember, undeafMember, unmuteMember } from './member_actions.ts';
import { normalizeVolume } from './volume.ts';
import { apiSay, apiSayMember, playSpoken } from './say.ts';

/** A member command: its reply; a member it puts in `leaving` leaves once every target has been acted on. */
type MemberCommand = (conf: Conference, member: Member, data: string | undefined, leaving: Member[]) => string;
/** A command on the split words: its reply, or a failure (SWITCH_STATUS_GENERR), whose text the usage follows. */
type ArgsResult = string | { readonly failed: string };
type ArgsCommand = (
  globals: ConferenceGlobals,
  conf: Conference | undefined,
  argv: readonly string[],
  env?: ApiEnv,
) => ArgsResult | Promise<ArgsResult>;

const failed = (text = ''): ArgsResult => ({ failed: text });

interface SubCommand {
  /** What selects it (pname). */
  readonly name: string;
  /** What its usage and the help name (pcommand): `pause_play` shows as `pause`. */
  readonly command?: string;
  readonly syntax: string;
  readonly member?: MemberCommand;
  readonly args?: ArgsCommand;
  /** CONF_API_SUB_ARGS_AS_ONE: the command line after the subcommand's name. */
  readonly text?: (conf: Conference, text: string) => Promise<ArgsResult>;
}

/** The usage line (pcommand psyntax), written after a failed command. */
const usage = (sub: SubCommand) => `${sub.command ?? sub.name} ${sub.syntax}`;

/** The conference flags `conference list` names, in its order. */
const LIST_FLAGS: readonly [ConferenceFlag, string][] = [
  ['LOCKED', 'locked'],
  ['DESTRUCT', 'destruct'],
  ['WAIT_MOD', 'wait_mod'],
  ['AUDIO_ALWAYS', 'audio_always'],
  ['RUNNING', 'running'],
  ['ANSWERED', 'answered'],
  ['ENFORCE_MIN', 'enforce_min'],
  ['BRIDGE_TO', 'bridge_to'],
  ['DYNAMIC', 'dynamic'],
  ['EXIT_SOUND', 'exit_sound'],
  ['ENTER_SOUND', 'enter_sound'],
  ['VID_FLOOR', 'video_floor_only'],
  ['RFC4579', 'video_rfc4579'],
  ['LIVEARRAY_SYNC', 'livearray_sync'],
  ['MINIMIZE_VIDEO_ENCODING', 'minimize_video_encoding'],
  ['MANAGE_INBOUND_VIDEO_BITRATE', 'manage_inbound_bitrate'],
  ['JSON_STATUS', 'json_status'],
  ['VIDEO_BRIDGE_FIRST_TWO', 'video_bridge_first_two'],
  ['VIDEO_REQUIRED_FOR_CANVAS', 'video_required_for_canvas'],
  ['PERSONAL_CANVAS', 'personal_canvas'],
];

/** conference_list: one line per member, newest first. */
function listMembers(conf: Conference, delim: string): string {
  return conf.members
    .map((m) => {
      const { callerIdName = '', callerIdNumber = '' } = m.channel.profile;
      const hold = m.has('HOLD');
      const flags = [
        !hold && m.has('CAN_HEAR') && 'hear',
        !hold && m.has('CAN_SPEAK') && 'speak',
        !hold && m.has('TALKING') && 'talking',
        hold && 'hold',
        m.id === conf.floorHolder && 'floor',
        m.has('MOD') && 'moderator',
        m.has('GHOST') && 'ghost',
      ].filter(Boolean);
      const fields = [m.id, m.channel.name, m.uuid, callerIdName, callerIdNumber, flags.join('|'), m.volumeIn, m.volumeOut, m.energyLevel];
      return `${fields.join(delim)}\n`;
    })
    .join('');
}

/** conference_list_pretty. */
const listPretty = (conf: Conference) =>
  conf.members.map((m) => `${m.id}) ${m.channel.profile.callerIdName ?? ''} (${m.channel.profile.callerIdNumber ?? ''})\n`).join('');

/** conference_api_sub_list; `argv` as the API split it (`list …` or `<name> list …`). */
function list(globals: ConferenceGlobals, conf: Conference | undefined, argv: readonly string[]): string {
  const ofs = argv.length >= 2 && argv[1]?.toLowerCase() === 'list' ? 1 : 0;
  const option = argv[1 + ofs]?.toLowerCase();
  const given = argv[2 + ofs];
  let delim = ';';
  if (option === 'delim' && given !== undefined) {
    delim = given;
    if (delim.startsWith('"')) {
      delim = delim.slice(1);
      if (delim === '') delim = ';';
      else if (delim.includes('"')) delim = delim.slice(0, delim.indexOf('"'));
    }
  }
  const members = (c: Conference) => (option === 'pretty' ? listPretty(c) : listMembers(c, delim));
  if (conf) return option === 'count' ? String(conf.count) : members(conf);
  let out = '';
  for (const c of globals.conferences.values()) {
    const flags = LIST_FLAGS.filter(([f]) => c.flags.has(f)).map(([, word]) => word);
    const locked = c.flags.has('LOCKED') ? ' locked' : '';
    out += `+OK Conference ${c.name} (${c.count} member${c.count === 1 ? '' : 's'} rate: ${c.rate}${locked} flags: ${flags.join('|') || 'none'})\n`;
    if (option !== 'summary') out += members(c);
  }
  return out || '+OK No active conferences.\n';
}

/** conference_api_sub_count: the conference's members, or the number of conferences. */
const count = (globals: ConferenceGlobals, conf?: Conference): string => String(conf ? conf.count : globals.conferences.size);

/** `quiet` in the command's data: the member is not told (no muted-sound / unmuted-sound). */
const told = (data: string | undefined) => !data?.includes('quiet');

const mute: MemberCommand = (conf, m, data) => {
  muteMember(conf, m, told(data));
  return `+OK mute ${m.id}\n`;
};

const unmute: MemberCommand = (conf, m, data) => {
  unmuteMember(conf, m, told(data));
  return `+OK unmute ${m.id}\n`;
};

/** conference_member_get_by_str: `<var>=<value>` (the first member whose variable has it) or an id. */
function memberByStr(conf: Conference, id: string): Member | undefined {
  const eq = id.indexOf('=');
  if (eq < 0) return conf.memberGet(atoi(id) >>> 0);
  const found = conf.members.find((m) => m.channel.variable(id.slice(0, eq)) === id.slice(eq + 1));
  return found && conf.memberGet(found.id);
}

/** conference_api_sub_volume_in / _out: a new level (`up`, `down` or a number, kept within -4..4), its event. */
const volume =
  (which: 'volumeIn' | 'volumeOut'): MemberCommand =>
  (conf, m, data) => {
    const label = which === 'volumeIn' ? 'IN' : 'OUT';
    if (data !== undefined) {
      const word = data.toLowerCase();
      m[which] = normalizeVolume(word === 'up' ? m[which] + 1 : word === 'down' ? m[which] - 1 : atoi(data));
      conf.fireMember(m, `volume-${label.toLowerCase()}-member`, [], [['Volume-Level', String(m[which])]]);
    }
    return `+OK Volume ${label} ${m.id} = ${m[which]}\n`;
  };

/** conference_api_sub_play: into the conference, or (`<file> <member_id> [nomux]`) to one member. */
const play: ArgsCommand = async (_globals, conf, argv) => {
  if (!conf) return failed();
  const words = [...argv];
  const async = (words.length === 4 && words[3]?.toLowerCase() === 'async') || (words.length === 5 && words[4]?.toLowerCase() === 'async');
  if (async) words.pop();
  const file = words[2] ?? '';
  if (words.length === 3) {
    const spoken = await playSpoken(conf, file, async);
    if (!(spoken ?? conf.files.play(file, async))) return `-ERR (play) File: ${file} not found.\n`;
    conf.fireConference('play-file', [
      ['File', file],
      ['Async', async ? 'true' : 'false'],
    ]);
    return `+OK (play) Playing file ${file}\n`;
  }
  if (words.length < 4) return failed();
  const id = words[3] ?? '';
  const m = memberByStr(conf, id);
  // FreeSWITCH prints the id's address here (a %u given a string); the id is written instead
  if (!m) return failed(`-ERR Member: ${id} not found.\n`);
  if (!conf.memberPlayFile(m, file, words[4]?.toLowerCase() !== 'nomux')) return `-ERR (play) File: ${file} not found.\n`;
  conf.fireMember(m, 'play-file-member', [], [['File', file]]);
  return `+OK (play) Playing file ${file} to member ${m.id}\n`;
};

/** conference_api_sub_pause_play: the conference's current file, or a member's, paused or resumed. */
const pausePlay: ArgsCommand = (_globals, conf, argv) => {
  if (!conf) return failed();
  if (argv.length === 2) return togglePause(conf.files.current);
  if (argv.length !== 3) return failed();
  const id = argv[2] ?? '';
  const m = memberByStr(conf, id);
  return m ? togglePause(m.files.current) : failed(`-ERR Member: ${id} not found.\n`);
};

/** conference_api_sub_stop: `current`, `all` (the default) or `async`, of the conference's files or a member's. */
const stop: ArgsCommand = (_globals, conf, argv) => {
  if (!conf) return failed();
  const word = argv.length > 2 ? argv[2]?.toLowerCase() : 'all';
  if (word !== 'current' && word !== 'all' && word !== 'async') return failed();
  const which: FileStop = word;
  if (argv.length !== 4) return `+OK Stopped ${conf.files.stop(which)} files.\n`;
  const id = argv[3] ?? '';
  const m = memberByStr(conf, id);
  return m ? `+OK Stopped ${m.files.stop(which)} files.\n` : `-ERR Member: ${id} not found.\n`;
};

const lock =
  (locked: boolean): ArgsCommand =>
  (_globals, conf, argv) => {
    conf?.setLocked(locked);
    return `+OK ${argv[0]} ${locked ? 'locked' : 'unlocked'}\n`;
  };

/** A recording's path without its `{…}` parameters, as conference_api_sub_record compares them. */
function bareRecordingPath(path: string): string {
  const brace = path.lastIndexOf('}');
  return brace < 0 ? path : path.slice(brace).replace(/^[ }]+/, '');
}

/** conference_api_sub_record: `<path> [<canvas>]`; a path already recorded is refused. */
const record: ArgsCommand = (_globals, conf, argv) => {
  const path = argv[2];
  if (!conf || path === undefined) return failed();
  let out = '';
  let canvas = 0;
  if (argv[3] !== undefined) {
    canvas = atoi(argv[3]);
    if (canvas < 1 || canvas > MAX_CANVASES + 1) {
      canvas = -1;
      out += '-ERR Invalid canvas\n';
    }
  }
  // a conference without video has no canvas: any canvas named is the first
  if (canvas > 1) canvas = 1;
  const used = conf.recordings.find((r) => bareRecordingPath(r.path) === bareRecordingPath(path));
  if (used) return `${out}-ERR file [${used.path}] is already being used for recording.\n`;
  out += canvas > 0 ? `+OK Record file ${path} canvas ${canvas}\n` : `+OK Record file ${path}\n`;
  conf.startRecording(path);
  return out;
};

/** conference_api_sub_check_record. */
const checkRecord: ArgsCommand = (_globals, conf) =>
  conf?.recordings.map((r) => `+OK Record file ${r.path}\n`).join('') || '-ERR Conference is not being recorded.\n';

/**
 * conference_api_sub_norecord: `<path>|all` stopped. The recordings end at the conference's next
 * tick (their own loop's next pass in FreeSWITCH), so the count of those stopped, taken at once, is 0.
 */
const norecord: ArgsCommand = (_globals, conf, argv) => {
  const path = argv[2];
  if (!conf || path === undefined) return failed();
  const all = path.toLowerCase() === 'all';
  const before = conf.recordCount;
  let out = '';
  for (const r of conf.recordings)
    if (all || r.path === path) {
      out += `Stopped recording file ${r.path}\n`;
      r.running = false;
    }
  if (!out && !all) out += `-ERR non-existant recording '${path}'\n`;
  const stopped = before - conf.recordCount;
  return `${out}+OK Stopped recording ${stopped} file${stopped === 1 ? '' : 's'}\n`;
};

/** conference_api_sub_pauserec: `pause|resume <path>`, pause-recording / resume-recording. */
const pauseRecording: ArgsCommand = (_globals, conf, argv) => {
  const path = argv[2];
  const action = argv[1]?.toLowerCase();
  if (!conf || path === undefined || (action !== 'pause' && action !== 'resume')) return failed();
  const word = action === 'pause' ? 'Pause' : 'Resume';
  conf.core.log('INFO', `${word} recording file ${path}`);
  const matched = conf.recordings.filter((r) => r.path === path);
  for (const r of matched) r.paused = action === 'pause';
  if (matched.length === 0) return `+OK ${word} recording file ${path}\n-ERR non-existant recording '${path}'\n`;
  conf.fireConference(`${action}-recording`, [
    ['Path', path],
    ['Other-Recordings', conf.recordCount ? 'true' : 'false'],
  ]);
  return `+OK ${word} recording file ${path}\n`;
};

/** conference_api_sub_recording: `start|stop|check|pause|resume <path>|all` on the commands above (other words: `record`'s old form). */
const recording: ArgsCommand = (globals, conf, argv) => {
  const words = [...argv];
  const verb = words[2]?.toLowerCase();
  if (words.length === 3 && (verb === 'stop' || verb === 'check')) words.push('all');
  if (words.length <= 3) return record(globals, conf, words);
  const [name = '', , , target = '', extra] = words;
  switch (verb) {
    case 'start':
      return record(globals, conf, extra === undefined ? [name, 'start', target] : [name, 'start', target, extra]);
    case 'stop':
      return norecord(globals, conf, [name, 'stop', target]);
    case 'check':
      return checkRecord(globals, conf, [name, 'check', target]);
    case 'pause':
    case 'resume':
      return pauseRecording(globals, conf, [name, verb, target]);
    default:
      return failed();
  }
};

/** The dial's request: `argv` = `<name> dial|bgdial <dial string> [<cid number> [<cid name>]]`. */
function outcallOf(conf: Conference | undefined, argv: readonly string[]): Outcall {
  const [name = '', , dial = '', cidNum, cidName] = argv;
  return {
    conf,
    name: conf?.name ?? name,
    dial,
    timeoutSec: 60,
    ...(cidName !== undefined ? { cidName } : {}),
    ...(cidNum !== undefined ? { cidNum } : {}),
  };
}

/** conference_api_sub_dial: the reply waits for the dial; a conference that does not exist is made by the leg joining it. */
const dial: ArgsCommand = async (_globals, conf, argv, env) => {
  if (argv.length <= 2 || !env) return failed('-ERR Bad Args\n');
  const r = await conferenceOutcall(env.ctx, env.sw.services, outcallOf(conf, argv));
  return `+OK Call Requested: result: [${causeName(r.cause)}]\n`;
};

/** conference_api_sub_bgdial: the dial goes on in the background, the reply names its job. */
const bgdial: ArgsCommand = (_globals, conf, argv, env) => {
  if (argv.length <= 2 || !env) return failed('-ERR Bad Args\n');
  const job = randomUUID();
  conferenceOutcallBg(env.ctx, env.sw.services, outcallOf(conf, argv), job);
  return `+OK Job-UUID: ${job}\n`;
};

const MEMBER_TARGET = '<member_id|all|last|non_moderator> [<newval>]';
/** MAX_CANVASES. */
const MAX_CANVASES = 20;
const DIAL_SYNTAX = '<endpoint_module_name>/<destination> <callerid number> <callerid name>';
const MUTE_SYNTAX = '<[member_id|all]|last|non_moderator> [<quiet>]';

/** The subcommands, in conference_api_sub_commands' order (that of `help`). */
const SUB_COMMANDS: readonly SubCommand[] = [
  { name: 'count', syntax: '', args: count },
  { name: 'list', syntax: '[delim <string>]|[count]', args: list },
  {
    name: 'energy',
    syntax: MEMBER_TARGET,
    member: (conf, m, data) => {
      if (data !== undefined) {
        const word = data.toLowerCase();
        if (word === 'up') m.energyLevel = Math.min(m.energyLevel + 200, 1800);
        else if (word === 'down') m.energyLevel = Math.max(m.energyLevel - 200, 0);
        else m.energyLevel = atoi(data);
        conf.fireMember(m, 'energy-level-member', [], [['Energy-Level', String(m.energyLevel)]]);
      }
      return `Energy ${m.id} = ${m.energyLevel}\n`;
    },
  },
  { name: 'volume_in', syntax: MEMBER_TARGET, member: volume('volumeIn') },
  { name: 'volume_out', syntax: MEMBER_TARGET, member: volume('volumeOut') },
  { name: 'play', syntax: '<file_path> [async|<member_id> [nomux]]', args: play },
  { name: 'pause_play', command: 'pause', syntax: '[<member_id>]', args: pausePlay },
  { name: 'say', syntax: '<text>', text: apiSay },
  { name: 'saymember', syntax: '<member_id> <text>', text: (conf, text) => apiSayMember(conf, text, (id) => memberByStr(conf, id)) },
  { name: 'stop', syntax: '<[current|all|async|last]> [<member_id>]', args: stop },
  {
    name: 'kick',
    syntax: '<[member_id|all|last|non_moderator]> [<optional sound file>]',
    member: (conf, m, data, leaving) => {
      m.flags.delete('RUNNING');
      m.flags.add('KICKED');
      if (data) m.kickedSound = data;
      leaving.push(m);
      conf.fireMember(m, 'kick-member');
      return `+OK kicked ${m.id}\n`;
    },
  },
  {
    name: 'hup',
    syntax: '<[member_id|all|last|non_moderator]>',
    member: (conf, m, _data, leaving) => {
      m.flags.delete('RUNNING');
      leaving.push(m);
      conf.fireMember(m, 'hup-member');
      return `+OK hup ${m.id}\n`;
    },
  },
  { name: 'mute', syntax: MUTE_SYNTAX, member: mute },
  { name: 'tmute', syntax: MUTE_SYNTAX, member: (conf, m, data, leaving) => (m.has('CAN_SPEAK') ? mute : unmute)(conf, m, data, leaving) },
  { name: 'unmute', syntax: MUTE_SYNTAX, member: unmute },
  {
    name: 'deaf',
    syntax: '<[member_id|all]|last|non_moderator>',
    member: (conf, m) => {
      deafMember(conf, m);
      return `+OK deaf ${m.id}\n`;
    },
  },
  {
    name: 'undeaf',
    syntax: '<[member_id|all]|last|non_moderator>',
    member: (conf, m) => {
      undeafMember(conf, m);
      return `+OK undeaf ${m.id}\n`;
    },
  },
  { name: 'lock', syntax: '', args: lock(true) },
  { name: 'unlock', syntax: '', args: lock(false) },
  { name: 'dial', syntax: DIAL_SYNTAX, args: dial },
  { name: 'bgdial', syntax: DIAL_SYNTAX, args: bgdial },
  { name: 'record', syntax: '<filename>', args: record },
  { name: 'chkrecord', syntax: '<confname>', args: checkRecord },
  { name: 'norecord', syntax: '<[filename|all]>', args: norecord },
  { name: 'pause', syntax: '<filename>', args: pauseRecording },
  { name: 'resume', syntax: '<filename>', args: pauseRecording },
  { name: 'recording', syntax: '[start|stop|check|pause|resume] [<filename>|all]', args: recording },
];

/** The help text (conference_api_sub_syntax): a line per subcommand. */
const API_SYNTAX = SUB_COMMANDS.map((c) => `\t\t${c.command ?? c.name}${c.syntax ? ` ${c.syntax}` : ''}`).join('\n');

/** The member-target part of conference_api_dispatch: the replies for the members `argv[2]` names. */
function memberTarget(conf: Conference, sub: SubCommand, run: MemberCommand, argv: readonly string[], leaving: Member[]): string {
  const target = argv[2];
  const data = argv[3];
  const id = target === undefined ? 0 : atoi(target) >>> 0;
  const word = id === 0 ? target?.toLowerCase() : undefined;
  if (word === 'all' || word === 'non_moderator') {
    let out = '';
    for (const m of conf.members)
      out += word === 'non_moderator' && m.has('MOD') ? `Skipping moderator (member id ${m.id}).\n` : run(conf, m, data, leaving);
    return out;
  }
  if (word === 'last') {
    const last = conf.members.reduce<Member | undefined>((best, m) => (best === undefined || m.id > best.id ? m : best), undefined);
    // the oldest member (the highest id) may be a recording, which has no channel to act on
    if (!last || conf.recordings.some((r) => r.id > last.id)) return '';
    return run(conf, last, data, leaving);
  }
  if (id) {
    const m = conf.memberGet(id);
    return m ? run(conf, m, data, leaving) : `-ERR Non-Existant ID ${id}\n`;
  }
  if (target?.includes('=')) {
    const m = memberByStr(conf, target);
    return m ? run(conf, m, data, leaving) : '-ERR Non-Existant member\n';
  }
  return usage(sub);
}

/** A split-arguments command's output: a failure is followed by its usage. */
const argsReply = (sub: SubCommand, result: ArgsResult) => (typeof result === 'string' ? result : `${result.failed}${usage(sub)}`);

/** `conference <name> dial|bgdial …` for a conference that does not exist (conf_api_main's special case). */
async function dialWithout(globals: ConferenceGlobals, argv: readonly string[], env: ApiEnv): Promise<string | undefined> {
  const sub = SUB_COMMANDS.find((c) => c.name === argv[1]?.toLowerCase() && (c.args === dial || c.args === bgdial));
  return sub?.args && argsReply(sub, await sub.args(globals, undefined, argv, env));
}

/** The text an ARGS_AS_ONE subcommand gets: the line after the first `name` in it (as written), blanks skipped; all of it without one. */
function textAfter(cmdline: string, name: string): string {
  const at = cmdline.indexOf(name);
  return at < 0 ? cmdline : cmdline.slice(at + name.length).replace(/^[ \t]+/, '');
}

/** conference_api_dispatch for `argv[1]`. */
async function dispatch(globals: ConferenceGlobals, conf: Conference, argv: readonly string[], env: ApiEnv, cmdline: string): Promise<string> {
  const name = argv[1] ?? '';
  const sub = SUB_COMMANDS.find((c) => c.name === name.toLowerCase());
  if (!sub) return `-ERR Conference command '${name}' not found.\n`;
  if (sub.text) return argsReply(sub, await sub.text(conf, textAfter(cmdline, sub.name)));
  if (!sub.member) {
    return argsReply(sub, sub.args ? await sub.args(globals, conf, argv, env) : '');
  }
  const leaving: Member[] = [];
  const out = memberTarget(conf, sub, sub.member, argv, leaving);
  // each member's application ends in its channel's process
  for (const m of leaving) await callChannel(env, m.uuid, { op: 'work', work: () => m.end?.() });
  return out;
}

export const CONFERENCE_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'conference',
    // FreeSWITCH registers API_SYNTAX here; `help` keeps one row per command, so it is left to `conference help`
    syntax: '',
    description: 'Conference module commands',
    module: 'mod_conference',
    run: async (args, env) => {
      const globals = conferenceGlobals(env.core);
      if (!globals) return '-ERR mod_conference is not loaded\n';
      const argv = separateString(args === '' ? 'help' : args, ' ', 25);
      const [first] = argv;
      if (first === undefined) return SUB_COMMANDS.map((c) => `<conf name> ${c.command ?? c.name} ${c.syntax}\n`).join('');
      const conf = globals.find(first);
      if (conf) return argv.length >= 2 ? dispatch(globals, conf, argv, env, args) : "Conference command, not specified.\nTry 'help'\n";
      switch (first.toLowerCase()) {
        case 'list':
          return list(globals, undefined, argv);
        case 'count':
          return count(globals);
        case 'help':
        case 'commands':
          return `${API_SYNTAX}\n`;
        default:
          return (await dialWithout(globals, argv, env)) ?? `-ERR Conference ${first} not found\n`;
      }
    },
  },
];
