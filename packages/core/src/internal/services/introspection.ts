/** process_info and the process tree as data (for the CLI and remote inspection). */
import { Pid } from '@beamline/etf';
import type { MonitorInfo, ProcessBehaviour, ProcessInfo, ProcessStatus, TreeNode } from '../basics/types.ts';
import { BUSY, EXITING, IN_RUNQ, STARTED, TRAP_EXIT, type Proc } from '../process/process.ts';

/** The process table as introspection reads it. */
export interface ProcessTable {
  lookup(pid: Pid): Proc | undefined;
  all(): Iterable<Proc>;
}

export function processStatus(p: Proc): ProcessStatus {
  const f = p.flags;
  if (f & EXITING) return 'exiting';
  if (f & IN_RUNQ || !(f & STARTED)) return 'runnable';
  if (p.wr !== null) return 'waiting';
  if (p.isAsync || f & BUSY) return 'running';
  return 'waiting';
}

function details(p: Proc): Record<string, unknown> | undefined {
  if (p.isAsync) return undefined;
  const code = p.code as ProcessBehaviour;
  if (typeof code.describe !== 'function') return undefined;
  try {
    return code.describe();
  } catch (e) {
    return { describeError: String(e) };
  }
}

export function ancestors(rt: Pick<ProcessTable, 'lookup'>, p: Proc): Pid[] {
  const out: Pid[] = [];
  let parent = p.parent;
  while (parent !== undefined && out.length < 1000) {
    out.push(parent);
    const q = rt.lookup(parent);
    parent = q?.parent;
  }
  return out;
}

export function processInfo(rt: ProcessTable, p: Proc): ProcessInfo {
  const links: Pid[] = [];
  if (p.links !== null) for (const l of p.links.values()) links.push(l instanceof Pid ? l : l.self);
  const monitors: MonitorInfo[] = [];
  const monitoredBy: Pid[] = [];
  if (p.mons !== null) {
    for (const m of p.mons.values()) {
      if (m.watcher === p) {
        const target = m.target;
        monitors.push({ ref: m.ref, target: target instanceof Pid ? target : Array.isArray(target) ? target : target.self });
      } else {
        monitoredBy.push(m.watcher instanceof Pid ? m.watcher : m.watcher.self);
      }
    }
  }
  return {
    pid: p.self,
    registeredName: p.name,
    status: processStatus(p),
    messageQueueLen: p.mb === null ? 0 : p.mb.size,
    links,
    monitors,
    monitoredBy,
    trapExit: (p.flags & TRAP_EXIT) !== 0,
    behaviour: p.behaviourName,
    parent: p.parent,
    ancestors: ancestors(rt, p),
    messagesIn: p.nIn,
    messagesOut: p.nOut,
    details: details(p),
  };
}

export function processTree(rt: ProcessTable): TreeNode[] {
  const nodes = new Map<Proc, TreeNode>();
  for (const p of rt.all()) {
    nodes.set(p, { pid: p.self, name: p.name, behaviour: p.behaviourName, status: processStatus(p), details: details(p), children: [] });
  }
  const roots: TreeNode[] = [];
  for (const [p, node] of nodes) {
    const parent = p.parent === undefined ? undefined : rt.lookup(p.parent);
    const parentNode = parent === undefined ? undefined : nodes.get(parent);
    if (parentNode === undefined) roots.push(node);
    else parentNode.children.push(node);
  }
  return roots;
}
