/**
 * Test support: the switch node brought up as startErlangEvent does (private EPMD port, free
 * distribution port), a real erl node beside it, and `shell(expr)`: an expression typed into the
 * erl node (its bindings persist, like a shell's).
 */
import { Runtime } from '@beamline/core';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { type ErlangEventConfig, type StartOptions, type Started, startErlangEvent } from '../src/index.ts';
import { freePort } from '../../../tools/erl/free_port.ts';

export const COOKIE = 'ClueCon';

export { freePort };

export interface Rig {
  fs: Started;
  erl: ErlNode;
  /** The switch node's name (`fs_<tag>@localhost`). */
  fsName: string;
  epmdPort: number;
  /** Evaluate on erl (a shell line); resolves with the `~p` text of the value. */
  shell(expr: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export const quietEnv = {
  hostname: 'localhost',
  home: undefined,
  readCookieFile: () => undefined,
  log: () => {},
};

/** Switch node `fs_<tag>@localhost` + erl `t_<tag>@localhost` on a private EPMD. */
export async function startRig(tag: string, config: Partial<ErlangEventConfig> = {}, opts: Partial<StartOptions> = {}): Promise<Rig> {
  const epmdPort = await freePort();
  const listenPort = await freePort();
  const fsName = `fs_${tag}@localhost`;
  const fs = await startErlangEvent({
    env: quietEnv,
    runtime: new Runtime({ logger: null }),
    ...opts,
    config: { nodeName: fsName, cookie: COOKIE, listenPort, ...config },
    node: { epmdPort, ...opts.node },
    switch: { timers: false, ...opts.switch },
  });
  let erl: ErlNode;
  try {
    erl = await startErl({ name: `t_${tag}@localhost`, cookie: COOKIE, epmdPort, echo: process.env.BEAMLINE_TEST_ECHO === '1' });
  } catch (e) {
    await fs.stop();
    throw e;
  }
  await erl.eval(`FS = '${fsName}'`);
  return {
    fs,
    erl,
    fsName,
    epmdPort,
    shell: (expr, timeoutMs) => erl.eval(expr, timeoutMs),
    async stop() {
      await erl.stop().catch(() => {});
      await fs.stop();
    },
  };
}

/**
 * Erlang shell definitions (variable names unlikely to clash with a test's):
 *  Coll()          a process that keeps every message; `P ! {do, Fun}` runs Fun inside it
 *  Do(P, Term)     P sends Term to {foo, FS} and returns the reply P received
 *  Msgs(P)         what P kept so far;  Evs(P): its {event, _} messages
 *  WaitEv(P, N)    its events once there are N (3 s max)
 *  Names(P)        the Event-Name of each of its events
 */
export const ERL_DEFS = `
Coll = fun() -> spawn(fun() -> (fun Lp_(Acc_) -> receive {get, Fr_} -> Fr_ ! {msgs, lists:reverse(Acc_)}, Lp_(Acc_); {do, Fn_} -> Fn_(), Lp_(Acc_); M_ -> Lp_([M_ | Acc_]) end end)([]) end) end,
Msgs = fun(Pm_) -> Pm_ ! {get, self()}, receive {msgs, Lm_} -> Lm_ after 5000 -> timeout end end,
Do = fun(Pd_, Td_) -> Me_ = self(), Pd_ ! {do, fun() -> {foo, FS} ! Td_, receive Rd_ -> Me_ ! {done, Rd_} after 3000 -> Me_ ! {done, timeout} end end}, receive {done, Xd_} -> Xd_ after 5000 -> timeout end end,
Evs = fun(Pe_) -> [Ee_ || {event, _} = Ee_ <- Msgs(Pe_)] end,
WaitEv = fun(Pw_, Nw_) -> (fun Ww_(Left_) -> Lw_ = Evs(Pw_), case length(Lw_) >= Nw_ orelse Left_ =< 0 of true -> Lw_; false -> timer:sleep(10), Ww_(Left_ - 10) end end)(3000) end,
Names = fun(Pn_) -> [proplists:get_value("Event-Name", Hn_) || {event, [_ | Hn_]} <- Evs(Pn_)] end,
ok`;
