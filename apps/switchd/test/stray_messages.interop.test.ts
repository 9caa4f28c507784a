/**
 * A peer's stray messages to every process of switchd (looked up with erlang:processes/0 over
 * rpc): gen calls and casts it does not know, `{system, …}`, and plain messages shaped like the
 * signals Erlang turns into messages (`{'EXIT', …}`, `{'DOWN', …}` with a reference of the
 * sender's). As on an OTP node, a process matches its own monitor's reference and its own links,
 * so none of them ends a process (nor a log follower's following); switchd keeps answering and its
 * tree keeps its pids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';

const NAME = 'fs_stray@localhost';
let sw: Proc | undefined;
let erl: ErlNode;

beforeAll(async () => {
  const started = await startSwitchd(NAME);
  sw = started.proc;
  erl = await startErl({ name: 'stray_erl@localhost', cookie: 'ClueCon', epmdPort: started.epmdPort });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

describe('stray messages from a peer', { timeout: 90_000 }, () => {
  it('end no process: switchd answers and its processes are the same', async () => {
    // a log follower: its DOWN-shaped message below must not end the following
    await erl.eval(`Me = self(), F = spawn(fun L() -> receive {switchd_log, _, Line} -> Me ! {followed, Line}, L() end end),
      ok = rpc:call('${NAME}', switchd, log_follow, [F, notice])`);
    const before = await erl.eval(`lists:sort(rpc:call('${NAME}', erlang, processes, []))`);
    await erl.eval(`[begin
        catch gen_server:call(P, {stray, 1}, 300),
        gen_server:cast(P, {stray, 2}),
        P ! {stray, 3},
        P ! {system, {self(), make_ref()}, {stray, 4}},
        P ! {'EXIT', self(), stray},
        P ! {'EXIT', P, stray},
        P ! {'DOWN', make_ref(), process, self(), stray},
        P ! {'DOWN', make_ref(), process, P, stray},
        P ! {'DOWN', make_ref(), process, F, stray}
      end || P <- rpc:call('${NAME}', erlang, processes, [])], ok`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sw?.out()).not.toMatch(/switchd_sup ended/);
    expect(await erl.eval(`net_adm:ping('${NAME}')`)).toBe('pong');
    const after = await erl.eval(`lists:sort(rpc:call('${NAME}', erlang, processes, []))`);
    // the rpc that listed them is one process more or less; every other one is still there
    const pids = (s: string) => new Set(s.match(/<\d+\.\d+\.\d+>/g));
    const missing = [...pids(before)].filter((p) => !pids(after).has(p));
    expect(missing.length).toBeLessThanOrEqual(1);
    expect(
      await erl.eval(`rpc:call('${NAME}', switchd, api, [<<"log NOTICE still-followed">>]),
        (fun W() -> receive {followed, L} -> string:find(L, <<"still-followed">>) =/= nomatch orelse W() after 3000 -> timeout end end)()`),
    ).toBe('true');
  });
});
