/**
 * What `info` and `kill` accept besides a pid or a registered name: a child id as `beamctl tree`
 * shows it (`reaper`), or, where one id is used in several places, the ids down to it
 * (`switch/reaper`, `switchd_sup/switch/reaper`). The tree's rows are read here; the rpc is main's.
 */
import type { TreeRow } from './render.ts';

export interface ChildMatch {
  /** From the top: `switchd_sup/switch/reaper`. */
  path: string;
  pid: string;
}

/** Every running child whose id path ends with `target`'s ids. */
export function findChild(roots: readonly TreeRow[], target: string): ChildMatch[] {
  const want = target.split('/').filter(Boolean);
  if (want.length === 0) return [];
  const out: ChildMatch[] = [];
  const walk = (n: TreeRow, path: string[]) => {
    const here = [...path, n.id ?? n.name ?? n.pid];
    const tail = here.slice(-want.length);
    if (n.id !== undefined && n.pid.startsWith('<') && tail.length === want.length && tail.every((x, i) => x === want[i]))
      out.push({ path: here.join('/'), pid: n.pid });
    for (const c of n.children) walk(c, here);
  };
  for (const r of roots) walk(r, []);
  return out;
}

export const TARGET_HINT = 'give a pid (<0.42.0>), a registered name, or a child id as `beamctl tree` shows it (id, or ids/down/to/it)';
