/**
 * The module's supervisors killed from outside (`exit(Pid, kill)`, as an operator does from erl):
 * the restarted ones are used, so the node goes on answering its peers.
 */
import { type Pid, atom } from '@beamline/etf';
import { Supervisor } from '@beamline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('rst');
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);

/** Kills the module's child `id` and waits until its supervisor has a new one. */
async function kill(id: string): Promise<void> {
  const rt = rig.fs.runtime;
  const pidOf = async () => (await Supervisor.whichChildren(rt, rig.fs.module.supervisor)).find((k) => k.id === id)?.pid;
  const old = (await pidOf()) as Pid;
  rt.exit(old, atom('kill'));
  for (let i = 0; i < 100; i++) {
    const now = await pidOf();
    if (now && now !== 'restarting' && now !== old && rt.isAlive(now)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${id} was not restarted`);
}

describe('the module after a supervisor of its own is killed', () => {
  it('listeners: the next message from the peer starts its listener under the new one', async () => {
    expect(await sh(`{r, FS} ! {api, echo, "before"}, receive Ra1 -> Ra1 after 1000 -> timeout end`)).toBe('{ok,"before"}');
    await kill('listeners');
    expect(await sh(`{r, FS} ! {api, echo, "after"}, receive Ra2 -> Ra2 after 1000 -> timeout end`)).toBe('{ok,"after"}');
  });

  it('calls: a handlecall after the restart attaches the call under the new one', async () => {
    await kill('calls');
    const made = await sh(`{r, FS} ! {api, originate, "null/1000 &park()"}, receive Rb1 -> Rb1 after 2000 -> timeout end`);
    const uuid = /^\{ok,"\+OK ([0-9a-f-]{36})\\n"\}$/.exec(made)?.[1];
    expect(uuid, made).toBeDefined();
    expect(await sh(`{r, FS} ! {handlecall, "${uuid}"}, receive Rb2 -> Rb2 after 1000 -> timeout end`)).toBe('ok');
    expect(await sh(`receive {call, _} -> call after 1000 -> timeout end`)).toBe('call');
    expect(await sh(`{r, FS} ! {api, uuid_kill, "${uuid}"}, receive Rb3 -> Rb3 after 2000 -> timeout end`)).toBe('{ok,"+OK\\n"}');
    expect(await sh(`receive {call_hangup, Rb4} -> Rb4 after 2000 -> timeout end`)).toBe(`"${uuid}"`);
  });
});
