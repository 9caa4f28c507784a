/** Erlang-style printing, close to `io_lib:format("~p", [T])` on one line, for logs and test output. */
import { Atom, formatAtomName } from './atoms.ts';
import { compareKeys, listParts } from './compare.ts';
import { ErlMap } from './map.ts';
import { BitBinary, ErlFloat, ExportFun, ImproperList, OpaqueFun, Pid, Port, Ref, Tuple, type Term } from './terms.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function formatFloat(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s.includes('.') ? s : `${s}.0`;
  const mantissa = s.slice(0, e);
  const exponent = s.slice(e + 1).replace('+', '');
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${digits}e${exponent}`;
}

function isPrintable(c: number): boolean {
  return (c >= 32 && c <= 126) || (c >= 8 && c <= 13) || c === 27 || (c >= 160 && c <= 255);
}

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch.charCodeAt(0) < 32) out += `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function formatBytes(bytes: Uint8Array, bits = 8): string {
  if (bits === 8 && bytes.length > 0) {
    let printable = true;
    for (const c of bytes) if (!isPrintable(c) && c < 128) printable = false;
    if (printable) {
      try {
        return `<<${quoteString(utf8.decode(bytes))}/utf8>>`;
      } catch {
        // not UTF-8: fall through to the byte list
      }
    }
  }
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const last = i === bytes.length - 1 && bits !== 8;
    parts.push(last ? `${bytes[i] >> (8 - bits)}:${bits}` : String(bytes[i]));
  }
  return `<<${parts.join(',')}>>`;
}

export interface FormatOptions {
  /**
   * The node the text is for (a runtime's own node): its pids, refs and ports print with `0` as
   * node (`<0.42.0>`), as Erlang prints local ones. Without it, and for every other node, they
   * print with the node's name (`<ts@localhost.42.0>`); see `Pid.format`.
   */
  localNode?: Atom | string;
}

/** One-line Erlang syntax for a term. */
export function format(x: Term, opts?: FormatOptions): string {
  return fmt(x, opts?.localNode);
}

function fmt(x: Term, local: Atom | string | undefined): string {
  switch (typeof x) {
    case 'number':
      return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : formatFloat(x);
    case 'bigint':
      return x.toString();
    case 'string':
      return `<<${quoteString(x)}/utf8>>`;
  }
  if (x instanceof Atom) return formatAtomName(x.name);
  if (x instanceof Tuple) return '{' + x.elements.map((e) => fmt(e, local)).join(',') + '}';
  if (Array.isArray(x) || x instanceof ImproperList) {
    const { elements, tail } = listParts(x);
    const proper = Array.isArray(tail);
    if (elements.length === 0) return proper ? '[]' : fmt(tail, local);
    if (proper && elements.every((c) => typeof c === 'number' && Number.isInteger(c) && isPrintable(c))) {
      return quoteString(String.fromCharCode(...(elements as number[])));
    }
    return '[' + elements.map((e) => fmt(e, local)).join(',') + (proper ? '' : '|' + fmt(tail, local)) + ']';
  }
  if (x instanceof Uint8Array) return formatBytes(x);
  if (x instanceof ErlFloat) return formatFloat(x.value);
  if (x instanceof ErlMap) {
    const pairs = [...x.entries()].sort((a, b) => compareKeys(a[0], b[0]));
    return '#{' + pairs.map(([k, v]) => `${fmt(k, local)} => ${fmt(v, local)}`).join(',') + '}';
  }
  if (x instanceof Pid || x instanceof Ref || x instanceof Port) return x.format(local);
  if (x instanceof BitBinary) return formatBytes(x.bytes, x.bits);
  if (x instanceof ExportFun) return `fun ${formatAtomName(x.module.name)}:${formatAtomName(x.name.name)}/${x.arity}`;
  if (x instanceof OpaqueFun) return `#Fun<${formatAtomName(x.fun.module.name)}.${x.fun.oldIndex}.${x.fun.oldUniq}>`;
  return `<not a term: ${String(x)}>`;
}
