/**
 * `show channels` / `show calls` over the core's channel table (spec §3.4), and `show tasks` over
 * the scheduler's tasks (the core db's `tasks` table, which ADD/RE/DEL_SCHEDULE keep).
 */
import { CHANNEL_COLUMNS, type ChannelRow, type ChannelTable } from '../core/channel_table.ts';
import type { SwitchCore } from '../core/core.ts';
import { xmlText } from '../events/serialize.ts';
import type { ApiCommand } from './registry.ts';

export const SHOW_USAGE =
  '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n';

const CALL_LEG = [
  'uuid',
  'direction',
  'created',
  'created_epoch',
  'name',
  'state',
  'cid_name',
  'cid_num',
  'ip_addr',
  'dest',
  'presence_id',
  'presence_data',
  'accountcode',
  'callstate',
  'callee_name',
  'callee_num',
  'callee_direction',
  'call_uuid',
  'hostname',
  'sent_callee_name',
  'sent_callee_num',
] as const;
const B_LEG = CALL_LEG.filter((c) => c !== 'call_uuid' && c !== 'hostname');
const CALL_COLUMNS = [...CALL_LEG, ...B_LEG.map((c) => `b_${c}`), 'call_created_epoch'];

type Table = { columns: readonly string[]; rows: Record<string, string | undefined>[] };

function channels(rows: ChannelRow[]): Table {
  return { columns: CHANNEL_COLUMNS, rows: rows.map((r) => ({ ...r, seq: undefined })) };
}

/** The basic_calls view: a caller joined with its bridged callee (`b_*`); unbridged channels alone. */
function calls(table: ChannelTable): Table {
  const rows = table.calls().map(({ a, b, call }) => {
    const row: Record<string, string | undefined> = {};
    for (const c of CALL_LEG) row[c] = a[c];
    for (const c of B_LEG) row[`b_${c}`] = b?.[c];
    row.call_created_epoch = call?.createdEpoch;
    return row;
  });
  return { columns: CALL_COLUMNS, rows };
}

const TASK_COLUMNS = ['task_id', 'task_desc', 'task_group', 'task_runtime', 'task_sql_manager', 'hostname'] as const;

function tasks(core: SwitchCore): Table {
  const rows = core.scheduler.tasks().map((t) => ({
    task_id: String(t.id),
    task_desc: t.desc,
    task_group: t.group,
    task_runtime: String(t.runtime),
    task_sql_manager: '0',
    hostname: core.identity.hostname,
  }));
  return { columns: TASK_COLUMNS, rows };
}

/** show_as_xml_callback + switch_xml_toxml: `<result row_count>` of `<row row_id>`s, ezxml's layout. */
function formatXml(t: Table): string {
  const n = t.rows.length;
  if (n === 0) return '<result row_count="0"/>\n';
  let out = `<result row_count="${n}">\n`;
  t.rows.forEach((r, i) => {
    out += `  <row row_id="${i + 1}">\n`;
    for (const c of t.columns) out += `    <${c}>${xmlText(r[c] ?? '')}</${c}>\n`;
    out += '  </row>\n';
  });
  return `${out}</result>\n`;
}

function format(t: Table, as: string | undefined): string {
  const n = t.rows.length;
  if (as === 'xml') return formatXml(t);
  if (as === 'json') {
    if (n === 0) return '{"row_count": 0}\n';
    const rows = t.rows.map((r) => `{${t.columns.map((c) => `${JSON.stringify(c)}:${JSON.stringify(r[c] ?? '')}`).join(',')}}`);
    return `{"row_count":${n},"rows":[${rows.join(',')}]}`;
  }
  if (n === 0) return '\n0 total.\n';
  const lines = [t.columns.join(','), ...t.rows.map((r) => t.columns.map((c) => r[c] ?? '').join(','))];
  return `${lines.join('\n')}\n\n${n} total.\n`;
}

export const SHOW_COMMAND: ApiCommand = {
  name: 'show',
  run: (args, { core }) => {
    const w = args.split(/[ \t]+/).filter(Boolean);
    const what = w[0]?.toLowerCase();
    if (what !== 'channels' && what !== 'calls' && what !== 'tasks') return SHOW_USAGE;
    let as: string | undefined;
    if (w[1]?.toLowerCase() === 'as') {
      as = w[2]?.toLowerCase();
      if (as !== 'json' && as !== 'csv' && as !== 'delim' && as !== 'xml') return `-ERR Cannot find format ${w[2] ?? ''}\n`;
    }
    if (what === 'tasks') {
      const t = tasks(core);
      return w[1]?.toLowerCase() === 'count' ? `\n${t.rows.length} total.\n` : format(t, as);
    }
    const rows = core.channels.rows();
    if (w[1]?.toLowerCase() === 'count') return `\n${what === 'channels' ? rows.length : core.channels.calls().length} total.\n`;
    let filtered = rows;
    if (as === undefined && what === 'channels' && w[1]?.toLowerCase() === 'like' && w[2]) {
      const like = sqlLike(w[2].includes('%') ? w[2] : `%${w[2]}%`);
      filtered = rows.filter((r) =>
        [r.uuid, r.name, r.cid_name, r.cid_num, r.presence_data, r.accountcode].some((v) => v !== undefined && like.test(v)),
      );
    }
    return format(what === 'channels' ? channels(filtered) : calls(core.channels), as);
  },
};

/**
 * SQLite's LIKE (the core db): `%` any run, `_` one character, ASCII case ignored, no escape.
 * mod_commands passes a text with `%` as the pattern itself, else `%<text>%`.
 */
function sqlLike(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i');
}
