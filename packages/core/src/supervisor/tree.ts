/**
 * The supervision tree as data, for a CLI to print: supervisors with their children (ids, pids,
 * restart types, child types, shutdowns) and, for each running process, its behaviour and
 * registered name. Built synchronously from `rt.processInfo` (a supervisor's `details` are its
 * children), so it is a consistent snapshot of one moment and needs no messages.
 */
import type { Pid } from '@beamline/etf';
import type { Runtime } from '../internal/runtime.ts';
import type { ChildType, RestartType, Shutdown, Strategy } from './policy.ts';

export interface SupervisionNode {
  /** The child id in its supervisor; `undefined` for a root and for simple_one_for_one children. */
  id: string | undefined;
  /** `'restarting'` while a failed restart waits for its retry; `undefined` when not running. */
  pid: Pid | 'restarting' | undefined;
  /** As declared in the child spec ('supervisor' for a root). */
  type: ChildType;
  /** Child spec fields (absent for a root). */
  restart?: RestartType;
  /** Times its supervisor started it again after an exit (absent for a root). */
  restarts?: number;
  shutdown?: Shutdown;
  /** Of the running process: 'supervisor', 'state_machine', a GenServer's class name, 'async'. */
  behaviour?: string;
  registeredName?: string;
  /** What a non-supervisor behaviour describes about itself (a StateMachine: machine, value, status). */
  details?: Record<string, unknown>;
  /** For supervisors. */
  strategy?: Strategy;
  intensity?: number;
  period?: number;
  children?: SupervisionNode[];
}

interface DescribedChild {
  id: string | undefined;
  pid: Pid | 'restarting' | undefined;
  restart: RestartType;
  shutdown: Shutdown;
  type: ChildType;
  restarts: number;
}

interface Described {
  strategy: Strategy;
  intensity: number;
  period: number;
  children: DescribedChild[];
}

function described(rt: Runtime, pid: Pid): Described | undefined {
  const info = rt.processInfo(pid);
  const d = info?.details as Partial<Described> | undefined;
  if (info?.behaviour !== 'supervisor' || d === undefined || !Array.isArray(d.children)) return undefined;
  return d as Described;
}

function node(rt: Runtime, base: Omit<SupervisionNode, 'behaviour' | 'registeredName' | 'details'>, depth: number): SupervisionNode {
  const out: SupervisionNode = { ...base };
  if (typeof base.pid !== 'object') return out;
  const info = rt.processInfo(base.pid);
  if (info === undefined) return out;
  out.behaviour = info.behaviour;
  if (info.registeredName !== undefined) out.registeredName = info.registeredName;
  const d = described(rt, base.pid);
  if (d !== undefined && depth < 100) {
    out.strategy = d.strategy;
    out.intensity = d.intensity;
    out.period = d.period;
    out.children = d.children.map((c) =>
      node(rt, { id: c.id, pid: c.pid, type: c.type, restart: c.restart, shutdown: c.shutdown, restarts: c.restarts }, depth + 1),
    );
  } else if (info.details !== undefined && Object.keys(info.details).length > 0) {
    out.details = info.details;
  }
  return out;
}

/**
 * The tree under supervisor `root` (a pid or registered name), or, without `root`, every top
 * supervisor (a supervisor whose parent is not a supervisor) in start order.
 */
export function supervisionTree(rt: Runtime, root?: Pid | string): SupervisionNode[] {
  if (root !== undefined) {
    const pid = typeof root === 'string' ? rt.whereis(root) : root;
    if (pid === undefined || described(rt, pid) === undefined) return [];
    return [node(rt, { id: undefined, pid, type: 'supervisor' }, 0)];
  }
  const tops = rt
    .processes()
    .filter((pid) => {
      if (described(rt, pid) === undefined) return false;
      const parent = rt.processInfo(pid)?.parent;
      return parent === undefined || described(rt, parent) === undefined;
    })
    .sort((a, b) => a.serial - b.serial || a.id - b.id);
  return tops.map((pid) => node(rt, { id: undefined, pid, type: 'supervisor' }, 0));
}

/** A plain-text rendering, one process per line:  `├─ id <0.12.0> worker permanent [GenServerName] name`. */
export function formatSupervisionTree(nodes: SupervisionNode[]): string {
  const lines: string[] = [];
  const label = (n: SupervisionNode): string => {
    const parts: string[] = [];
    if (n.id !== undefined) parts.push(n.id);
    parts.push(n.pid === undefined ? 'undefined' : String(n.pid));
    if (n.restart !== undefined) parts.push(n.type, n.restart);
    if (n.strategy !== undefined) parts.push(n.strategy);
    if (n.behaviour !== undefined) parts.push(`[${n.behaviour}]`);
    if (n.registeredName !== undefined) parts.push(`(${n.registeredName})`);
    return parts.join(' ');
  };
  const walk = (n: SupervisionNode, prefix: string, last: boolean, top: boolean): void => {
    lines.push(top ? label(n) : `${prefix}${last ? '└─ ' : '├─ '}${label(n)}`);
    const kids = n.children ?? [];
    const next = top ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((k, i) => {
      walk(k, next, i === kids.length - 1, false);
    });
  };
  for (const n of nodes) walk(n, '', true, true);
  return lines.join('\n');
}
