/**
 * What beamctl prints: the terms of the `beamline` module (see @beamline/distribution's README)
 * read into plain rows, the supervision tree indented, the process table (cli-table3), one
 * process's info.
 */
import Table from 'cli-table3';
import { Atom, Binary, ErlMap, Pid, mapGet, text, type Term } from '@beamline/etf';

export interface TreeRow {
  id: string | undefined;
  pid: string;
  type: string;
  restart: string | undefined;
  restarts: number;
  behaviour: string;
  name: string | undefined;
  mailbox: number;
  strategy?: string;
  children: TreeRow[];
}

export interface PsRow {
  pid: string;
  name: string;
  behaviour: string;
  status: string;
  mailbox: number;
  in: number;
  out: number;
  memory: number;
  supervised: boolean;
}

const atomOrUndefined = (x: Term | undefined): string | undefined => (x instanceof Atom && x.name !== 'undefined' ? x.name : undefined);

/** A pid as erl prints it on the target: `<0.42.0>`. */
export function pidText(x: Term | undefined, target: string): string {
  if (x instanceof Pid) return x.format(target);
  return x instanceof Atom ? x.name : String(x);
}

export function toTreeRow(t: Term, target: string): TreeRow {
  const get = (k: string) => mapGet(t, k);
  const row: TreeRow = {
    id: atomOrUndefined(get('id')),
    pid: pidText(get('pid'), target),
    type: atomOrUndefined(get('type')) ?? 'worker',
    restart: atomOrUndefined(get('restart')),
    restarts: Number(get('restarts') ?? 0),
    behaviour: text(get('behaviour') ?? '') ?? '',
    name: atomOrUndefined(get('name')),
    mailbox: Number(get('mailbox') ?? 0),
    children: ((get('children') as Term[] | undefined) ?? []).map((c) => toTreeRow(c, target)),
  };
  const strategy = atomOrUndefined(get('strategy'));
  if (strategy !== undefined) row.strategy = strategy;
  return row;
}

export function toPsRow(t: Term, target: string): PsRow {
  const get = (k: string) => mapGet(t, k);
  return {
    pid: pidText(get('pid'), target),
    name: atomOrUndefined(get('name')) ?? '',
    behaviour: text(get('behaviour') ?? '') ?? '',
    status: atomOrUndefined(get('status')) ?? '',
    mailbox: Number(get('mailbox') ?? 0),
    in: Number(get('messages_in') ?? 0),
    out: Number(get('messages_out') ?? 0),
    memory: Number(get('memory') ?? 0),
    supervised: get('supervisor') instanceof Pid,
  };
}

function label(n: TreeRow): string {
  const parts = [n.id ?? n.name, n.pid].filter((x): x is string => x !== undefined);
  parts.push(n.type === 'supervisor' ? `supervisor${n.strategy ? ` ${n.strategy}` : ''}` : `worker [${n.behaviour || '?'}]`);
  if (n.name !== undefined && n.id !== undefined && n.name !== n.id) parts.push(`name=${n.name}`);
  if (n.restart !== undefined) parts.push(n.restart);
  parts.push(`restarts=${n.restarts}`, `mailbox=${n.mailbox}`);
  return parts.join('  ');
}

/** The forest indented with box-drawing lines, then the processes outside any tree. */
export function formatTree(roots: TreeRow[], unsupervised: PsRow[] = []): string {
  const lines: string[] = [];
  const walk = (n: TreeRow, prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? label(n) : `${prefix}${last ? '└─ ' : '├─ '}${label(n)}`);
    const next = top ? '' : prefix + (last ? '   ' : '│  ');
    n.children.forEach((c, i) => {
      walk(c, next, i === n.children.length - 1, false);
    });
  };
  for (const r of roots) walk(r, '', true, true);
  const named = unsupervised.filter((p) => p.name !== '' && p.behaviour !== 'supervisor');
  if (named.length > 0) {
    lines.push('', 'not supervised:');
    for (const p of named) lines.push(`  ${p.name}  ${p.pid}  [${p.behaviour}]  mailbox=${p.mailbox}`);
  }
  return lines.join('\n');
}

export const PS_SORT_KEYS = ['pid', 'name', 'behaviour', 'status', 'mailbox', 'in', 'out', 'memory'] as const;
export type PsSortKey = (typeof PS_SORT_KEYS)[number];

function pidOrder(p: string): number[] {
  return p.replace(/[<>]/g, '').split('.').map(Number);
}

/** Pids in number order, as erl sorts them: `<0.2.0>` before `<0.10.0>`. */
export function comparePids(a: string, b: string): number {
  const [x, y] = [pidOrder(a), pidOrder(b)];
  return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0);
}

/** Numbers sort largest first (top-like), text ascending; ties (and the pid key) in pid number order. */
export function sortPs(rows: PsRow[], key: PsSortKey): PsRow[] {
  const out = [...rows];
  out.sort((a, b) => {
    if (key === 'pid') return comparePids(a.pid, b.pid);
    const va = a[key];
    const vb = b[key];
    if (typeof va === 'number' && typeof vb === 'number') return vb - va || comparePids(a.pid, b.pid);
    return String(va).localeCompare(String(vb)) || comparePids(a.pid, b.pid);
  });
  return out;
}

export function formatPs(rows: PsRow[]): string {
  const table = new Table({
    head: ['PID', 'NAME', 'BEHAVIOUR', 'STATUS', 'MAILBOX', 'MSGS IN', 'MSGS OUT', 'MEM~ (B)'],
    colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) table.push([r.pid, r.name, r.behaviour, r.status, r.mailbox, r.in, r.out, r.memory]);
  return table.toString();
}

function show(x: Term, target: string): string {
  if (x instanceof Pid) return x.format(target);
  if (x instanceof Atom) return x.name;
  if (Array.isArray(x)) return `[${x.map((e) => show(e as Term, target)).join(', ')}]`;
  if (x instanceof ErlMap) return `#{${[...x.entries()].map(([k, v]) => `${show(k, target)} => ${show(v, target)}`).join(', ')}}`;
  if (x instanceof Binary || x instanceof Uint8Array) return text(x) ?? '';
  return String(x);
}

/** One process, one `key: value` per line, in a fixed order. */
export function formatInfo(info: Term, target: string): string {
  const order = [
    'pid',
    'name',
    'behaviour',
    'status',
    'mailbox',
    'messages_in',
    'messages_out',
    'memory',
    'trap_exit',
    'parent',
    'supervisor',
    'ancestors',
    'links',
    'monitors',
    'monitored_by',
    'details',
  ];
  const lines: string[] = [];
  for (const k of order) {
    const v = mapGet(info, k);
    if (v !== undefined) lines.push(`${`${k}:`.padEnd(14)}${show(v, target)}`);
  }
  return lines.join('\n');
}
