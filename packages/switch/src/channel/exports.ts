/**
 * switch_channel_process_export: what a channel hands on through an export list (`export_vars`,
 * `bridge_export_vars`, `conference_auto_outcall_export_vars`) — the list itself, then each
 * variable it names that is set, a `nolocal:` / `_nolocal_` prefix dropped from the name the other
 * side gets.
 */
import { separateString } from '../internal/strings.ts';

/** Variables one channel hands another, in order. */
export type Exports = readonly (readonly [string, string])[];

export function exportedVariables(variable: (name: string) => string | undefined, listName: string): [string, string][] {
  const names = variable(listName);
  if (!names) return [];
  const exported: [string, string][] = [[listName, names]];
  for (const name of separateString(names, ',', 256)) {
    const v = name ? variable(name) : undefined;
    if (v === undefined) continue;
    const lower = name.toLowerCase();
    exported.push([lower.startsWith('nolocal:') ? name.slice(8) : lower.startsWith('_nolocal_') ? name.slice(9) : name, v]);
  }
  return exported;
}
