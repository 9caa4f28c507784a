/**
 * mod_fifo's outbound members (the fifo_outbound table, kept per switch in memory): the rows
 * fifo.conf's `<member>` elements and `fifo_member add` make, each named by its outbound id (the md5
 * of its originate string, or the `fifo_outbound_uuid` its `{…}` gives), and the `fifo_member`
 * command.
 */
import { createHash } from 'node:crypto';
import type { ApiCommand } from '../api/registry.ts';
import type { SwitchCore } from '../core/core.ts';
import { separateString } from '../internal/strings.ts';
import { epochNow } from './events.ts';
import { type OutboundMember, countMembers, fifoTable, findOrCreateNode } from './nodes.ts';

export const FIFO_MEMBER_SYNTAX =
  '[add <fifo_name> <originate_string> [<simo_count>] [<timeout>] [<lag>] [<expires>] [<taking_calls>] | del <fifo_name> <originate_string>]';

/**
 * switch_event_create_brackets on one leading `open … close` group: its `name=value` pairs (cut at
 * `,`), and the text after it. No group: no pairs, the text as it is.
 */
export function leadingBrackets(text: string, open: string, close: string): { vars: [string, string][]; rest: string } {
  const data = text.replace(/^ +/, '');
  if (!data.startsWith(open)) return { vars: [], rest: text };
  let depth = 0;
  let end = -1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === open) depth++;
    else if (data[i] === close && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return { vars: [], rest: text };
  const vars: [string, string][] = [];
  for (const pair of separateString(data.slice(1, end), ',', 1024)) {
    const eq = pair.indexOf('=');
    if (eq > 0) vars.push([pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  return { vars, rest: data.slice(end + 1) };
}

/** The outbound id of an originate string (extract_fifo_outbound_uuid, else switch_md5_string). */
export function outboundId(originateString: string): string {
  if (originateString.toLowerCase().includes('fifo_outbound_uuid=')) {
    const given = leadingBrackets(originateString, '{', '}').vars.find(([n]) => n.toLowerCase() === 'fifo_outbound_uuid');
    return given?.[1] ?? '';
  }
  return createHash('md5').update(originateString).digest('hex');
}

export type MemberRow = Pick<OutboundMember, 'fifoName' | 'originateString' | 'simo' | 'timeout' | 'lag' | 'expires' | 'isStatic' | 'takingCalls'>;

/** A new row (an insert into fifo_outbound): counts at 0, active since now. */
export function newMember(core: SwitchCore, row: MemberRow): OutboundMember {
  return {
    ...row,
    uuid: outboundId(row.originateString),
    activeTime: epochNow(core),
    useCount: 0,
    ringCount: 0,
    nextAvail: 0,
    outboundCallCount: 0,
    outboundFailCount: 0,
    outboundCallTotalCount: 0,
    outboundFailTotalCount: 0,
    startTime: 0,
    stopTime: 0,
  };
}

/** fifo_member_add: the row replaces one with the same fifo and outbound id; the node is made if need be. */
export function memberAdd(core: SwitchCore, row: MemberRow): void {
  const t = fifoTable(core);
  const member = newMember(core, row);
  t.members = t.members.filter((m) => !(m.fifoName === row.fifoName && m.uuid === member.uuid));
  t.members.push(member);
  countMembers(core, findOrCreateNode(core, row.fifoName, 0));
}

/** fifo_member_del. */
export function memberDel(core: SwitchCore, fifoName: string, originateString: string): void {
  const t = fifoTable(core);
  const id = outboundId(originateString);
  t.members = t.members.filter((m) => !(m.fifoName === fifoName && m.uuid === id));
  countMembers(core, findOrCreateNode(core, fifoName, 0));
}

const atoi = (s: string | undefined) => Number.parseInt(s ?? '', 10) || 0;

export const FIFO_MEMBER_COMMAND: ApiCommand = {
  name: 'fifo_member',
  syntax: FIFO_MEMBER_SYNTAX,
  description: 'Add members to a fifo',
  module: 'mod_fifo',
  run: (args, env) => {
    if (args === '') return `-USAGE: ${FIFO_MEMBER_SYNTAX}\n`;
    const argv = separateString(args, ' ', 8);
    const [action, fifoName, originateString] = argv;
    if (argv.length < 3 || !action || !fifoName || !originateString) return '-ERR Invalid!\n';
    const act = action.toLowerCase();
    if (act === 'add') {
      let simo = argv.length > 3 ? atoi(argv[3]) : 1;
      let timeout = argv.length > 4 ? atoi(argv[4]) : 60;
      let lag = argv.length > 5 ? atoi(argv[5]) : 5;
      const expires = argv.length > 6 ? epochNow(env.core) + atoi(argv[6]) : 0;
      let takingCalls = argv.length > 7 ? atoi(argv[7]) : 1;
      if (simo < 0) simo = 1;
      if (timeout < 0) timeout = 60;
      if (lag < 0) lag = 5;
      if (takingCalls < 1) takingCalls = 1;
      memberAdd(env.core, { fifoName, originateString, simo, timeout, lag, expires, isStatic: false, takingCalls });
      return '+OK\n';
    }
    if (act === 'del') {
      memberDel(env.core, fifoName, originateString);
      return '+OK\n';
    }
    return '-ERR Invalid!\n';
  },
};
