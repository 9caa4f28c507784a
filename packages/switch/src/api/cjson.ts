/**
 * JSON as FreeSWITCH's cJSON (1.7.12) reads and writes it, for the `json` API: an item is a
 * node with a type, a value and a list of children that may have keys — an object keeps its
 * members in insertion order, duplicates included; adding a keyed item to an array or a
 * scalar appends it there too (printing then ignores the key, or the children). Lookups by key
 * are case-insensitive and find the first match (cJSON_GetObjectItem).
 */

export type CJsonType = 'null' | 'false' | 'true' | 'number' | 'string' | 'array' | 'object';

export class CJson {
  key: string | undefined;
  readonly children: CJson[] = [];

  private constructor(
    readonly type: CJsonType,
    readonly number = 0,
    readonly text: string | undefined = undefined,
  ) {}

  static null(): CJson {
    return new CJson('null');
  }
  static bool(value: boolean): CJson {
    return new CJson(value ? 'true' : 'false');
  }
  static number(value: number): CJson {
    return new CJson('number', value);
  }
  /** cJSON_CreateString: a C string ends at its first NUL. */
  static string(value: string): CJson {
    const nul = value.indexOf('\0');
    return new CJson('string', 0, nul < 0 ? value : value.slice(0, nul));
  }
  static array(): CJson {
    return new CJson('array');
  }
  static object(): CJson {
    return new CJson('object');
  }

  /** cJSON_AddItemToObject: appended under `key`, whatever this item is. */
  add(key: string, item: CJson): this {
    item.key = key;
    this.children.push(item);
    return this;
  }

  /** cJSON_AddItemToArray. */
  push(item: CJson): this {
    this.children.push(item);
    return this;
  }

  /** cJSON_GetObjectItem: the first child whose key matches, ignoring ASCII case. */
  get(key: string): CJson | undefined {
    const want = asciiLower(key);
    return this.children.find((c) => c.key !== undefined && asciiLower(c.key) === want);
  }

  /** cJSON_GetObjectCstr: the member's text when it is a string. */
  getString(key: string): string | undefined {
    const item = this.get(key);
    return item?.type === 'string' ? item.text : undefined;
  }

  /** cJSON's valueint: the number truncated and saturated to a C int; 1 for true. */
  get int(): number {
    if (this.type === 'true') return 1;
    if (this.type !== 'number') return 0;
    if (this.number >= 2147483647) return 2147483647;
    if (this.number <= -2147483648) return -2147483648;
    return Math.trunc(this.number);
  }
}

const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

// -- parsing (cJSON_Parse: one value after optional whitespace and a UTF-8 BOM; what follows it is ignored) --

const NESTING_LIMIT = 1000;

class Reader {
  pos = 0;
  depth = 0;
  constructor(readonly s: string) {}

  /** Whitespace is every byte up to and including space. */
  skip(): void {
    while (this.pos < this.s.length && this.s.charCodeAt(this.pos) <= 32) this.pos++;
  }
}

/** cJSON_Parse; undefined for a parse error. The text ends at its first NUL, as a C string does. */
export function parseCJson(input: string): CJson | undefined {
  const nul = input.indexOf('\0');
  const r = new Reader(nul < 0 ? input : input.slice(0, nul));
  if (r.s.charCodeAt(0) === 0xfeff && r.s.length > 1) r.pos = 1;
  r.skip();
  return parseValue(r);
}

function parseValue(r: Reader): CJson | undefined {
  const rest = (n: number) => r.s.slice(r.pos, r.pos + n);
  if (rest(4) === 'null') {
    r.pos += 4;
    return CJson.null();
  }
  if (rest(5) === 'false') {
    r.pos += 5;
    return CJson.bool(false);
  }
  if (rest(4) === 'true') {
    r.pos += 4;
    return CJson.bool(true);
  }
  const c = r.s[r.pos];
  if (c === '"') {
    const text = parseString(r);
    return text === undefined ? undefined : CJson.string(text);
  }
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber(r);
  if (c === '[') return parseContainer(r, CJson.array(), ']', false);
  if (c === '{') return parseContainer(r, CJson.object(), '}', true);
  return undefined;
}

/** The characters cJSON copies for strtod (at most 63), then strtod's longest number at their start. */
function parseNumber(r: Reader): CJson | undefined {
  const chars = /^[0-9+\-eE.]{0,63}/.exec(r.s.slice(r.pos, r.pos + 63))?.[0] ?? '';
  const m = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(chars);
  if (!m) return undefined;
  r.pos += m[0].length;
  return CJson.number(Number(m[0]));
}

function parseString(r: Reader): string | undefined {
  // the closing quote: the first one not escaped by a backslash
  let end = r.pos + 1;
  while (end < r.s.length && r.s[end] !== '"') end += r.s[end] === '\\' ? 2 : 1;
  if (end >= r.s.length) return undefined;
  let out = '';
  let i = r.pos + 1;
  while (i < end) {
    const c = r.s[i] as string;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = r.s[i + 1];
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (e === 'u') {
      const decoded = utf16Literal(r.s, i, end);
      if (!decoded) return undefined;
      out += decoded.text;
      i += decoded.length;
    } else return undefined;
  }
  r.pos = end + 1;
  // the value is a C string: it ends at a \u0000
  const nul = out.indexOf('\0');
  return nul < 0 ? out : out.slice(0, nul);
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', '/': '/' };

/** parse_hex4: a digit that is not hex makes the whole number 0 (not an error). */
function hex4(s: string): number {
  return /^[0-9a-fA-F]{4}$/.test(s) ? Number.parseInt(s, 16) : 0;
}

/** One `\uXXXX`, or a surrogate pair of two; undefined where cJSON fails. */
function utf16Literal(s: string, at: number, end: number): { text: string; length: number } | undefined {
  if (end - at < 6) return undefined;
  const first = hex4(s.slice(at + 2, at + 6));
  if (first >= 0xdc00 && first <= 0xdfff) return undefined;
  if (first < 0xd800 || first > 0xdbff) return { text: String.fromCodePoint(first), length: 6 };
  if (end - (at + 6) < 6 || s[at + 6] !== '\\' || s[at + 7] !== 'u') return undefined;
  const second = hex4(s.slice(at + 8, at + 12));
  if (second < 0xdc00 || second > 0xdfff) return undefined;
  return { text: String.fromCodePoint(0x10000 + (((first & 0x3ff) << 10) | (second & 0x3ff))), length: 12 };
}

function parseContainer(r: Reader, item: CJson, close: string, keyed: boolean): CJson | undefined {
  if (r.depth >= NESTING_LIMIT) return undefined;
  r.depth++;
  r.pos++;
  r.skip();
  if (r.s[r.pos] === close) {
    r.pos++;
    r.depth--;
    return item;
  }
  for (;;) {
    let key: string | undefined;
    if (keyed) {
      if (r.s[r.pos] !== '"') return undefined;
      key = parseString(r);
      if (key === undefined) return undefined;
      r.skip();
      if (r.s[r.pos] !== ':') return undefined;
      r.pos++;
      r.skip();
    }
    const value = parseValue(r);
    if (!value) return undefined;
    if (key !== undefined) item.add(key, value);
    else item.push(value);
    r.skip();
    if (r.s[r.pos] !== ',') break;
    r.pos++;
    r.skip();
  }
  if (r.s[r.pos] !== close) return undefined;
  r.pos++;
  r.depth--;
  return item;
}

// -- printing (cJSON_PrintUnformatted / cJSON_Print) --

/** cJSON_PrintUnformatted (`pretty` false) or cJSON_Print: objects one member a line, tab-indented, `:\t` after keys; arrays on one line. */
export function printCJson(item: CJson, pretty = false): string {
  const out: string[] = [];
  printValue(item, pretty, 0, out);
  return out.join('');
}

function printValue(item: CJson, pretty: boolean, depth: number, out: string[]): void {
  switch (item.type) {
    case 'null':
    case 'false':
    case 'true':
      out.push(item.type);
      return;
    case 'number':
      out.push(formatNumber(item.number));
      return;
    case 'string':
      out.push(quote(item.text ?? ''));
      return;
    case 'array': {
      out.push('[');
      item.children.forEach((c, i) => {
        if (i > 0) out.push(pretty ? ', ' : ',');
        printValue(c, pretty, depth + 1, out);
      });
      out.push(']');
      return;
    }
    case 'object': {
      const inner = depth + 1;
      out.push(pretty ? '{\n' : '{');
      item.children.forEach((c, i) => {
        if (pretty) out.push('\t'.repeat(inner));
        out.push(quote(c.key ?? ''), pretty ? ':\t' : ':');
        printValue(c, pretty, inner, out);
        if (i < item.children.length - 1) out.push(',');
        if (pretty) out.push('\n');
      });
      if (pretty) out.push('\t'.repeat(depth));
      out.push('}');
      return;
    }
  }
}

/** print_string_ptr: `"` `\` and \b \f \n \r \t escaped by letter, other controls as \u00xx; everything else as it is. */
function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (code > 31 && c !== '"' && c !== '\\') out += c;
    else out += LETTER_ESCAPES[c] ?? `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

const LETTER_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** print_number: `%1.15g`, or `%1.17g` when that does not read back as the same double; NaN and infinities as null. */
export function formatNumber(d: number): string {
  if (!Number.isFinite(d)) return 'null';
  const short = formatG(d, 15);
  return Number(short) === d ? short : formatG(d, 17);
}

/** C's `%1.<precision>g`, rounding the double's exact decimal value half to even as glibc does. */
export function formatG(d: number, precision: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const { digits, exponent } = roundDigits(exactDecimal(Math.abs(d)), precision);
  let text: string;
  if (exponent < -4 || exponent >= precision) {
    const mantissa = stripZeros(`${digits[0]}.${digits.slice(1)}`);
    const e = Math.abs(exponent);
    text = `${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  } else if (exponent < 0) {
    text = stripZeros(`0.${'0'.repeat(-exponent - 1)}${digits}`);
  } else {
    text = stripZeros(`${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`);
  }
  return sign + text;
}

const stripZeros = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

/** A positive finite double's exact value: its decimal digits and the power of ten of the first one. */
function exactDecimal(d: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  // d = mantissa · 2^power = mantissa · 5^-power / 10^-power when power < 0
  const scaled = power >= 0 ? mantissa << BigInt(power) : mantissa * 5n ** BigInt(-power);
  const digits = scaled.toString();
  const pointShift = power >= 0 ? 0 : -power;
  return { digits, exponent: digits.length - 1 - pointShift };
}

/** The first `n` significant digits, rounded half to even (a carry raises the exponent). */
function roundDigits(x: { digits: string; exponent: number }, n: number): { digits: string; exponent: number } {
  const { digits } = x;
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), exponent: x.exponent };
  const kept = digits.slice(0, n);
  const next = digits.charCodeAt(n) - 48;
  const restNonZero = /[1-9]/.test(digits.slice(n + 1));
  const odd = (kept.charCodeAt(n - 1) - 48) % 2 === 1;
  const up = next > 5 || (next === 5 && (restNonZero || odd));
  if (!up) return { digits: kept, exponent: x.exponent };
  const bumped = (BigInt(kept) + 1n).toString();
  return bumped.length > n ? { digits: bumped.slice(0, n), exponent: x.exponent + 1 } : { digits: bumped, exponent: x.exponent };
}
