/**
 * How mod_commands' `show` prints what its query returned (show_callback, show_as_xml_callback,
 * show_as_json_callback and the end of show_function): delimited text with a title line and
 * `\n<N> total.\n`, ezxml's `<result row_count>`, or cJSON's unformatted object.
 */
import { xmlText } from '../events/serialize.ts';

export type Row = Readonly<Record<string, string | undefined>>;

/** A select's columns and rows; missing values print as empty text (switch_str_nil). */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

/** A `select count(*)`: only the number is printed. */
export interface Count {
  readonly count: number;
}

export interface RenderOptions {
  /** `as <format>` as typed (none: delimited with `,`). */
  readonly as: string | undefined;
  /** The word after `as delim|csv` (the delimiter; `,` when none). */
  readonly delim: string | undefined;
  /** `help`'s query: no title, no total, `-ERR No such command` for no rows. */
  readonly help?: boolean;
}

/** ezxml's layout of the result (switch_xml_toxml). */
function xml(t: Table): string {
  let out = `<result row_count="${t.rows.length}">\n`;
  t.rows.forEach((r, i) => {
    out += `  <row row_id="${i + 1}">\n`;
    for (const c of t.columns) out += `    <${c}>${xmlText(r[c] ?? '')}</${c}>\n`;
    out += '  </row>\n';
  });
  return `${out}</result>\n`;
}

/** cJSON_PrintUnformatted: every value a string, keys in column order. */
function json(t: Table): string {
  const rows = t.rows.map((r) => `{${t.columns.map((c) => `${JSON.stringify(c)}:${JSON.stringify(r[c] ?? '')}`).join(',')}}`);
  return `{"row_count":${t.rows.length},"rows":[${rows.join(',')}]}`;
}

function delimited(t: Table, delim: string, title: boolean): string {
  if (t.rows.length === 0) return '';
  const lines = t.rows.map((r) => t.columns.map((c) => r[c] ?? '').join(delim));
  return `${title ? `${t.columns.join(delim)}\n` : ''}${lines.join('\n')}\n`;
}

export function render(result: Table | Count, o: RenderOptions): string {
  const as = (o.as ?? 'delim').toLowerCase();
  const counted = 'count' in result;
  const n = counted ? result.count : result.rows.length;
  if (as === 'delim' || as === 'csv') {
    const body = counted ? '' : delimited(result, o.as === undefined ? ',' : (o.delim ?? ','), !o.help);
    if (o.help) return n === 0 ? `${body}-ERR No such command\n` : body;
    return `${body}\n${n} total.\n`;
  }
  // a count's callback made the result before it saw the number: an element / array with no rows
  // (switch_xml_new's root has an empty text, not none, so switch_xml_toxml writes a close tag)
  if (as === 'xml') return counted ? `<result row_count="${n}"></result>\n` : n === 0 ? '<result row_count="0"/>\n' : xml(result);
  if (as === 'json') return counted ? `{"row_count":${n},"rows":[]}` : n === 0 ? '{"row_count": 0}\n' : json(result);
  return `-ERR Cannot find format ${o.as}\n`;
}
