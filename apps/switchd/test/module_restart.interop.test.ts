/**
 * An operator (or a bug) kills one process of the Erlang event module's group from erl: the group
 * is started again under switchd_sup and the module answers as before. The `unload` worker, killed
 * outright, never runs its stop; the next load must not find the last one's hooks still installed
 * (it did: every restart failed on the node's message interceptor, and switchd_sup gave up, taking
 * the node down).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';

const NAME = 'fs_modkill@localhost';
let sw: Proc | undefined;
let erl: ErlNode;

beforeAll(async () => {
  const started = await startSwitchd(NAME);
  sw = started.proc;
  erl = await startErl({ name: 'modkill_erl@localhost', cookie: 'ClueCon', epmdPort: started.epmdPort });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

const loads = () => sw?.out().match(/module erlang_event loaded/g)?.length ?? 0;

/** Kills the group's child `id` from erl; resolves once the module has loaded again and answers. */
async function killAndAsk(id: string): Promise<void> {
  const loadsBefore = loads();
  const children = `supervisor:which_children({erlang_event_sup, '${NAME}'})`;
  const killed = await erl.eval(`(fun() -> P = hd([C || {${id}, C, _, _} <- ${children}]), exit(P, kill), P end)()`);
  expect(killed).toMatch(/^<\d+\.\d+\.\d+>$/);
  for (const end = Date.now() + 10_000; loads() === loadsBefore && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
  expect(loads()).toBe(loadsBefore + 1);
  expect(await erl.eval(`net_adm:ping('${NAME}')`)).toBe('pong');
  expect(
    await erl.eval(`(fun() -> {foo, '${NAME}'} ! {api, status, ""}, receive {ok, S} -> lists:prefix("UP ", S) after 3000 -> timeout end end)()`),
  ).toBe('true');
  const now = await erl.eval(`[C || {${id}, C, _, _} <- ${children}]`);
  expect(now).toMatch(/^\[<\d+\.\d+\.\d+>\]$/);
  expect(now).not.toBe(`[${killed}]`);
  expect(sw?.out()).not.toMatch(/switchd_sup ended|interceptor is already installed/);
}

describe('a process of the Erlang event module killed from erl', { timeout: 60_000 }, () => {
  it('the unload worker: the group loads again and answers', () => killAndAsk('unload'));
  it("the module's own supervisor: the same", () => killAndAsk('module'));
});
