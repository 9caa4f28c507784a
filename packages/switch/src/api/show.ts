/**
 * mod_commands' `show` (show_function): its queries on the core db's tables, answered from what
 * beamline keeps instead — the interfaces from the live registries (api/interfaces.ts), channels
 * and calls from the core's channel table (spec §3.4), tasks from the scheduler, aliases and
 * completions from api/console_tables.ts, `registrations` from the core's table that endpoint
 * modules report to (core/registrations.ts); `nat_map` is an empty table (nothing makes a NAT
 * mapping). The words are matched as the C
 * matches them: some by prefix, some whole, without case, while the type a query looks for keeps
 * the case it was typed in.
 */
import { CHANNEL_COLUMNS, type ChannelRow, type ChannelTable } from '../core/channel_table.ts';
import type { SwitchCore } from '../core/core.ts';
import { REGISTRATION_COLUMNS } from '../core/registrations.ts';
import { asciiUpper, caseEqual, separateString } from '../internal/strings.ts';
import { ALIAS_COLUMNS, COMPLETE_COLUMNS, ConsoleTables, consoleTableCommands } from './console_tables.ts';
import { type InterfaceRow, binaryCompare, byTypeAndName, interfaceRows } from './interfaces.ts';
import type { ApiCommand, ApiEnv, ApiRegistry } from './registry.ts';
import { speechInterfaces } from '../speech/registry.ts';
import { type Count, type Row, type Table, render } from './show_format.ts';

export const SHOW_USAGE =
  '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n';

/** The basic_calls view's columns of one leg (the callee's lack call_uuid and hostname). */
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
/** The detailed_calls view: every channel column but the initial_* ones, for both legs. */
const DETAILED_LEG = CHANNEL_COLUMNS.filter((c) => !c.startsWith('initial_'));
const DETAILED_COLUMNS = [...DETAILED_LEG, ...DETAILED_LEG.map((c) => `b_${c}`), 'call_created_epoch'];
const TASK_COLUMNS = ['task_id', 'task_desc', 'task_group', 'task_runtime', 'task_sql_manager', 'hostname'] as const;
const NAT_COLUMNS = ['port', 'proto', 'proto_num', 'sticky'];

/** The `show <word>` that select from `interfaces` by type: the word's prefix, and its length. */
const TYPE_WORDS: readonly (readonly [string, number])[] = [
  ['codec', 5],
  ['dialplan', 8],
  ['file', 4],
  ['timer', 5],
  ['chat', 4],
  ['limit', 5],
  ['say', 3],
  ['management', 10],
  ['endpoint', 8],
];

const startsCase = (s: string, prefix: string, n = prefix.length): boolean => caseEqual(s.slice(0, n), prefix.slice(0, n));

function channels(rows: readonly ChannelRow[]): Table {
  return { columns: CHANNEL_COLUMNS, rows: rows.map((r) => ({ ...r, seq: undefined })) };
}

/** The calls views: each caller joined with its callee (`b_*`), unbridged channels alone. */
function callRows(table: ChannelTable, leg: readonly string[], bLeg: readonly string[], bridgedOnly: boolean): Row[] {
  const out: Row[] = [];
  for (const { a, b, call } of table.calls()) {
    if (bridgedOnly && b?.uuid === undefined) continue;
    const row: Record<string, string | undefined> = {};
    for (const c of leg) row[c] = a[c as keyof ChannelRow] as string | undefined;
    for (const c of bLeg) row[`b_${c}`] = b?.[c as keyof ChannelRow] as string | undefined;
    row.call_created_epoch = call?.createdEpoch;
    out.push(row);
  }
  return out;
}

/** `order by call_created_epoch`: SQLite puts the unbridged (NULL) first. */
const byCallCreated = (a: Row, b: Row): number =>
  (a.call_created_epoch === undefined ? -Infinity : Number(a.call_created_epoch)) -
    (b.call_created_epoch === undefined ? -Infinity : Number(b.call_created_epoch)) || 0;

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

const pick = (rows: readonly InterfaceRow[], columns: readonly (keyof InterfaceRow)[]): Table => ({ columns, rows: [...rows] });

/**
 * SQLite's LIKE (the core db): `%` any run, `_` one character, ASCII case ignored, no escape.
 * mod_commands passes a text with `%` as the pattern itself, else `%<text>%`.
 */
function sqlLike(pattern: string): (value: string) => boolean {
  const p = [...asciiUpper(pattern)];
  return (value) => likeMatches(p, [...asciiUpper(value)]);
}

/** A wildcard match that retries only from the last `%`: time bounded by pattern × value. */
function likeMatches(p: readonly string[], s: readonly string[]): boolean {
  let pi = 0;
  let si = 0;
  let lastPercent = -1;
  let resumeAt = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] !== '%' && (p[pi] === '_' || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (p[pi] === '%') {
      lastPercent = pi++;
      resumeAt = si;
    } else if (lastPercent >= 0) {
      pi = lastPercent + 1;
      si = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p[pi] === '%') pi++;
  return pi === p.length;
}

/** What a `show` line selects, and the format words it ends with. */
interface Query {
  readonly result: Table | Count;
  readonly as: string | undefined;
  readonly help?: boolean;
}

/** The queries of show_function's last branch: the channel and call tables (spec §3.4). */
function channelQuery(command: string, argv: readonly (string | undefined)[], as: string | undefined, core: SwitchCore): Query | undefined {
  const counted = caseEqual(argv[1] ?? '', 'count');
  const countAs = argv[2] !== undefined && argv[3] !== undefined && caseEqual(argv[2], 'as') ? argv[3] : as;
  const lc = command.toLowerCase();
  if (lc === 'calls') {
    if (counted) return { result: { count: core.channels.calls().length }, as: countAs };
    return { result: { columns: CALL_COLUMNS, rows: callRows(core.channels, CALL_LEG, B_LEG, false).sort(byCallCreated) }, as };
  }
  if (lc === 'registrations') {
    // the rows the core's db thread would have expired by now are gone
    core.registrations.expire(Math.floor(core.nowUs() / 1e6));
    const rows = core.registrations.rows();
    return { result: counted ? { count: rows.length } : { columns: REGISTRATION_COLUMNS, rows: [...rows] }, as: counted ? countAs : as };
  }
  if (lc === 'channels' && caseEqual(argv[1] ?? '', 'like')) {
    const text = argv[2];
    if (text === undefined) return { result: channels(core.channels.rows()), as };
    const cleaned = text.replace(/[';]/g, ' ');
    const like = sqlLike(cleaned.includes('%') ? cleaned : `%${cleaned}%`);
    const rows = core.channels
      .rows()
      .filter((r) => [r.uuid, r.name, r.cid_name, r.cid_num, r.presence_data, r.accountcode].some((v) => v !== undefined && like(v)));
    return { result: channels(rows), as: argv[4] !== undefined && caseEqual(argv[3] ?? '', 'as') ? argv[4] : undefined };
  }
  if (lc === 'channels') {
    if (counted) return { result: { count: core.channels.size }, as: countAs };
    return { result: channels(core.channels.rows()), as };
  }
  if (lc === 'detailed_calls' || lc === 'detailed_bridged_calls')
    return { result: { columns: DETAILED_COLUMNS, rows: callRows(core.channels, DETAILED_LEG, DETAILED_LEG, lc !== 'detailed_calls') }, as };
  if (lc === 'bridged_calls') return { result: { columns: CALL_COLUMNS, rows: callRows(core.channels, CALL_LEG, B_LEG, true) }, as };
  return undefined;
}

function showCommand(registry: ApiRegistry, tables: ConsoleTables): ApiCommand {
  return {
    name: 'show',
    run: async (args, env) => {
      const argv: (string | undefined)[] = args === '' ? [] : separateString(args, ' ', 6);
      const command = argv[0];
      if (!command) return SHOW_USAGE;
      const as = argv[2] !== undefined && caseEqual(argv[1] ?? '', 'as') ? argv[2] : undefined;
      // `show status` for those who type it: the status command with the word after it
      if (startsCase(command, 'status')) return (await registry.execute(command, as ?? argv[1] ?? '', env)).output;
      const query = select(command, argv, as, registry, tables, env);
      if (!query) return SHOW_USAGE;
      return render(query.result, { as: query.as, delim: argv[3], help: query.help ?? false });
    },
  };
}

function select(
  command: string,
  argv: readonly (string | undefined)[],
  as: string | undefined,
  registry: ApiRegistry,
  tables: ConsoleTables,
  { core, sw }: ApiEnv,
): Query | undefined {
  const lc = command.toLowerCase();
  const { hostname, switchname } = core.identity;
  const interfaces = () =>
    interfaceRows({ registry, applications: sw.services.applications, endpoints: sw.services.endpoints, speech: speechInterfaces(core) }).sort(
      byTypeAndName,
    );
  const filter = argv[1] !== undefined && !caseEqual(argv[1], 'as') ? argv[1] : undefined;
  const typeWord = TYPE_WORDS.find(([w, n]) => startsCase(command, w, n));
  if (typeWord) {
    // `codecs` is `codec`; the type compares with case, as SQLite's `=` does
    const type = command.endsWith('s') ? command.slice(0, -1) : command;
    return {
      result: pick(
        interfaces().filter((r) => r.type === type),
        ['type', 'name', 'ikey'],
      ),
      as,
    };
  }
  if (startsCase(command, 'module')) {
    const seen = new Set<string>();
    const rows = interfaces().filter((r) => {
      const key = [r.type, r.name, r.ikey, r.filename].join('\0');
      if (seen.has(key) || (filter !== undefined && r.ikey !== filter)) return false;
      seen.add(key);
      return true;
    });
    return { result: pick(rows, ['type', 'name', 'ikey', 'filename']), as };
  }
  if (lc === 'interfaces') return { result: pick(interfaces(), ['type', 'name', 'ikey']), as };
  if (lc === 'interface_types') {
    // the rows carry the host name, this query looks for the switch name
    const totals = new Map<string, number>();
    if (hostname === switchname) for (const r of interfaces()) totals.set(r.type, (totals.get(r.type) ?? 0) + 1);
    const rows = [...totals].map(([type, total]) => ({ type, total: String(total) }));
    return { result: { columns: ['type', 'total'], rows }, as };
  }
  if (lc === 'tasks') {
    const t = tasks(core);
    return { result: caseEqual(argv[1] ?? '', 'count') ? { count: t.rows.length } : t, as };
  }
  if (lc === 'application' || lc === 'api') {
    const rows = interfaces().filter((r) => r.type === command && r.description !== '' && (filter === undefined || r.name === filter));
    return { result: pick(rows, ['name', 'description', 'syntax', 'ikey']), as };
  }
  if (lc === 'aliases') {
    const rows = tables.aliases(switchname).sort((a, b) => binaryCompare(a.alias ?? '', b.alias ?? ''));
    return { result: { columns: ALIAS_COLUMNS, rows }, as };
  }
  if (lc === 'complete') {
    const words = COMPLETE_COLUMNS.slice(1, -1);
    const rows = tables.complete(switchname).sort((a, b) => words.reduce((d, w) => d || binaryCompare(a[w] ?? '', b[w] ?? ''), 0));
    return { result: { columns: COMPLETE_COLUMNS, rows }, as };
  }
  if (startsCase(command, 'help')) {
    // the name after `help` went to the next word, so this lists every command
    const rows = interfaces().filter((r) => r.type === 'api');
    return { result: pick(rows, ['name', 'syntax', 'description', 'ikey']), as, help: true };
  }
  if (lc === 'nat_map') return { result: { columns: NAT_COLUMNS, rows: [] }, as };
  return channelQuery(command, argv, as, core);
}

/** `show`, and the `alias` / `complete` commands whose tables it lists. */
export function showCommands(registry: ApiRegistry): ApiCommand[] {
  const tables = new ConsoleTables();
  return [showCommand(registry, tables), ...consoleTableCommands(tables)];
}
