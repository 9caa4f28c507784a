/**
 * The wiring point for optional modules (modules.ts): a module child loads after the node and
 * the switch, is stopped before them, and a module whose own supervisor dies is loaded again by
 * switchd_sup. In process: the tree of main.ts with a stand-in module (the Erlang event module's
 * place), on a private EPMD port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, kill, supervisionTree } from '@beamline/core';
import type { Pid } from '@beamline/etf';
import { ConsoleLog, moduleChild, resolveSettings, startTree, type SwitchdTree, type TreeOptions } from '../src/index.ts';
import { freePort } from '../../../tools/apps/run.ts';

let tree: SwitchdTree | undefined;
afterEach(async () => {
  await tree?.stop();
  tree = undefined;
});

async function start(name: string, modules: NonNullable<TreeOptions['modules']>): Promise<{ tree: SwitchdTree; lines: string[] }> {
  const lines: string[] = [];
  const settings = resolveSettings({ name, epmdPort: await freePort(), listenPort: 0, logLevel: 'debug' });
  const log = new ConsoleLog(settings.logLevel, (l) => lines.push(l));
  tree = await startTree(settings, log, { modules });
  return { tree, lines };
}

describe('optional modules', () => {
  it('load after the node and the switch, with both; stop first, while the switch still runs', async () => {
    const seen: string[] = [];
    const { tree: t, lines } = await start('fs_mod1@localhost', (env) => [
      moduleChild('stand_in', env, (sw, node) => {
        seen.push(`load ${node.name} ${typeof sw.api}`);
        return {
          stop: () => {
            seen.push(`stop (switch alive: ${node.runtime.isAlive(sw.supervisor)})`);
          },
        };
      }),
    ]);
    const [top] = supervisionTree(t.runtime, 'switchd_sup');
    expect(top.children!.map((c) => [c.id, c.behaviour])).toEqual([
      ['dist', 'Distribution'],
      ['switch', 'supervisor'],
      ['stand_in', 'LoadedModule'],
    ]);
    expect(top.children![2].registeredName).toBe('mod_stand_in');
    expect(lines.some((l) => l.includes('[NOTICE] switchd: module stand_in loaded'))).toBe(true);
    await t.stop();
    expect(seen).toEqual(['load fs_mod1@localhost function', 'stop (switch alive: true)']);
  });

  it('a module that returns its supervisor is linked to it: the supervisor dying reloads the module', async () => {
    let loads = 0;
    const sups: Pid[] = [];
    const { tree: t } = await start('fs_mod2@localhost', (env) => [
      moduleChild('with_sup', env, async (_sw, node) => {
        loads++;
        const sup = await Supervisor.start(node.runtime, { children: [] });
        sups.push(sup);
        return sup;
      }),
    ]);
    expect(loads).toBe(1);
    t.runtime.exit(sups[0], 'boom');
    await expect.poll(() => loads).toBe(2);
    expect(t.runtime.isAlive(sups[1])).toBe(true);
    await t.stop();
    expect(t.runtime.isAlive(sups[1])).toBe(false);
  });

  it('a module process killed outright: the next load stops what the last one left first', async () => {
    const seen: string[] = [];
    let n = 0;
    const { tree: t } = await start('fs_mod3@localhost', (env) => [
      moduleChild('stand_in', env, () => {
        const k = ++n;
        seen.push(`load ${k}`);
        return { stop: () => void seen.push(`stop ${k}`) };
      }),
    ]);
    t.runtime.exit(t.runtime.whereis('mod_stand_in')!, kill);
    await expect.poll(() => n).toBe(2);
    expect(seen).toEqual(['load 1', 'stop 1', 'load 2']);
    await t.stop();
    expect(seen).toEqual(['load 1', 'stop 1', 'load 2', 'stop 2']);
  });
});
