/**
 * The `conference` API command (conference_api.c): `conference list|count|help`, and
 * `conference <name> <subcommand> …` with the subcommands built here — list, count, energy, kick,
 * hup, mute, tmute, unmute, deaf, undeaf, play — their member targets (`<id>`, `all`, `last`,
 * `non_moderator`, `<var>=<value>`), replies and usage texts as FreeSWITCH writes them.
 * Flag changes are steps on the shared conference; `kick` and `hup` then end the member's
 * application in its channel's process.
 */
import type { ApiCommand, ApiEnv } from '../api/registry.ts';
import { callChannel } from '../api/uuid_commands.ts';
import { atoi, separateString } from '../internal/strings.ts';
import type { Conference } from './conference.ts';
import type { ConferenceFlag } from './flags.ts';
import { type ConferenceGlobals, conferenceGlobals } from './globals.ts';
import type { Member } from './member.ts';

/** A member command: its reply; a member it puts in `leaving` leaves once every target has been acted on. */
type MemberCommand = (conf: Conference, member: Member, data: string | undefined, leaving: Member[]) => string;
type ArgsCommand = (globals: ConferenceGlobals, conf: Conference | undefined, argv: readonly string[]) => string;

interface SubCommand {
  readonly name: string;
  readonly syntax: string;
  readonly member?: MemberCommand;
  readonly args?: ArgsCommand;
}

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
const list: ArgsCommand = (globals, conf, argv) => {
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
};

/** conference_api_sub_count: the conference's members, or the number of conferences. */
const count: ArgsCommand = (globals, conf) => String(conf ? conf.count : globals.conferences.size);

const mute: MemberCommand = (conf, m) => {
  m.flags.delete('CAN_SPEAK');
  m.flags.delete('TALKING');
  m.setScoreIir(conf, 0);
  conf.fireMember(m, 'mute-member');
  return `+OK mute ${m.id}\n`;
};

const unmute: MemberCommand = (conf, m) => {
  m.flags.add('CAN_SPEAK');
  conf.fireMember(m, 'unmute-member');
  return `+OK unmute ${m.id}\n`;
};

const MEMBER_TARGET = '<member_id|all|last|non_moderator> [<newval>]';
const MUTE_SYNTAX = '<[member_id|all]|last|non_moderator> [<quiet>]';

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
  {
    name: 'play',
    syntax: '<file_path> [async|<member_id> [nomux]]',
    args: (_globals, conf, argv) => {
      if (!conf) return '';
      const words = [...argv];
      const async = (words.length === 4 && words[3]?.toLowerCase() === 'async') || (words.length === 5 && words[4]?.toLowerCase() === 'async');
      if (async) words.pop();
      const file = words[2];
      if (words.length === 3 && file !== undefined) {
        if (!conf.files.play(file, async)) return `-ERR (play) File: ${file} not found.\n`;
        conf.fireConference('play-file', [
          ['File', file],
          ['Async', async ? 'true' : 'false'],
        ]);
        return `+OK (play) Playing file ${file}\n`;
      }
      // to one member (conference_member_play_file): not built
      return words.length >= 4 ? `-ERR (play) playing to one member is not built here\n` : '';
    },
  },
  {
    name: 'kick',
    syntax: '<[member_id|all|last|non_moderator]> [<optional sound file>]',
    member: (conf, m, _data, leaving) => {
      m.flags.delete('RUNNING');
      m.flags.add('KICKED');
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
      m.flags.delete('CAN_HEAR');
      conf.fireMember(m, 'deaf-member');
      return `+OK deaf ${m.id}\n`;
    },
  },
  {
    name: 'undeaf',
    syntax: '<[member_id|all]|last|non_moderator>',
    member: (conf, m) => {
      m.flags.add('CAN_HEAR');
      conf.fireMember(m, 'undeaf-member');
      return `+OK undeaf ${m.id}\n`;
    },
  },
];

/** The help text (conference_api_sub_syntax): a line per subcommand. */
const API_SYNTAX = SUB_COMMANDS.map((c) => `\t\t${c.name}${c.syntax ? ` ${c.syntax}` : ''}`).join('\n');

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
    return last ? run(conf, last, data, leaving) : '';
  }
  if (id) {
    const m = conf.memberGet(id);
    return m ? run(conf, m, data, leaving) : `-ERR Non-Existant ID ${id}\n`;
  }
  if (target?.includes('=')) {
    const eq = target.indexOf('=');
    const found = conf.members.find((m) => m.channel.variable(target.slice(0, eq)) === target.slice(eq + 1));
    const m = found && conf.memberGet(found.id);
    return m ? run(conf, m, data, leaving) : '-ERR Non-Existant member\n';
  }
  return `${sub.name} ${sub.syntax}`;
}

/** conference_api_dispatch for `argv[1]`. */
async function dispatch(globals: ConferenceGlobals, conf: Conference, argv: readonly string[], env: ApiEnv): Promise<string> {
  const name = argv[1] ?? '';
  const sub = SUB_COMMANDS.find((c) => c.name === name.toLowerCase());
  if (!sub) return `-ERR Conference command '${name}' not found.\n`;
  if (!sub.member) return sub.args ? sub.args(globals, conf, argv) : '';
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
      if (first === undefined) return SUB_COMMANDS.map((c) => `<conf name> ${c.name} ${c.syntax}\n`).join('');
      const conf = globals.find(first);
      if (conf) return argv.length >= 2 ? dispatch(globals, conf, argv, env) : "Conference command, not specified.\nTry 'help'\n";
      switch (first.toLowerCase()) {
        case 'list':
          return list(globals, undefined, argv);
        case 'count':
          return count(globals, undefined, argv);
        case 'help':
        case 'commands':
          return `${API_SYNTAX}\n`;
        default:
          return `-ERR Conference ${first} not found\n`;
      }
    },
  },
];
