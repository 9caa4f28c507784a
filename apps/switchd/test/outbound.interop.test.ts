/**
 * The seed document's outbound example against switchd as `pnpm start` runs it (a child process,
 * the default conf): an erl node `myhandler@localhost` runs tools/erl/myhandler.erl (the seed's
 * myhandler, reporting what it gets to a registered `collector`); a call to 123456 / 123457 /
 * 123458 through the default dialplan reaches it by registered name, by module:function
 * (myhandler:launch) and by module:! (get_pid), and the handler gets {call, …} first, then
 * {call_event, …}s, then {call_hangup, UUID}.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { root, run, type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';

const NAME = 'fs_out@localhost';
const HANDLER = 'myhandler@localhost'; // what conf/dialplan/default/123456_erlang.xml names
let EPMD = 0;
let sw: Proc;
let erl: ErlNode;

const ctl = (...args: string[]) => run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), ...args]);
const sh = (line: string) => erl.eval(line, 10_000);

// the shell keeps its bindings: each query runs in a fun, so its variables stay unbound outside
const KEPT = '(fun() -> collector ! {get, self()}, receive {kept, K} -> K after 2000 -> timeout end end)()';

/** What the collector kept, as `~p` text, once `done(text)` holds (or after 8 s). */
async function collected(done: (text: string) => boolean): Promise<string> {
  const until = Date.now() + 8000;
  for (;;) {
    // erl's printer breaks long terms across lines (between elements): join them back
    const text = (await sh(KEPT)).replace(/\n\s*/g, '');
    if (done(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The collector's terms about `uuid`, in order: call, event names, {hangup, UUID}. */
const trace = (uuid: string) =>
  sh(
    `(fun() -> [case M of {call, _, _} -> call; {call_event, _, _, N} -> N; {call_hangup, _, U} -> {hangup, U} end || M <- ${KEPT}, lists:member(element(1, M), [call, call_event, call_hangup]), lists:member("${uuid}", tuple_to_list(M))] end)()`,
  );

beforeAll(async () => {
  ({ proc: sw, epmdPort: EPMD } = await startSwitchd(NAME));
  erl = await startErl({ name: HANDLER, cookie: 'ClueCon', epmdPort: EPMD });
  await erl.loadModule(join(root, 'tools/erl/myhandler.erl'));
  // the collector keeps what myhandler reports; myhandler answers each call through sendmsg to FS
  await sh(
    `register(collector, spawn(fun() -> (fun Lp(Acc) -> receive {get, From} -> From ! {kept, lists:reverse(Acc)}, Lp(Acc); reset -> Lp([]); M -> Lp([M | Acc]) end end)([]) end)), persistent_term:put(fs, '${NAME}'), {ok, _} = myhandler:start(), ok`,
  );
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

/** Call `exten` through the default dialplan (loopback: its B leg runs the dialplan); hang it up; the handler's trace. */
async function callThrough(exten: string): Promise<{ uuid: string; text: string; order: string }> {
  await sh('collector ! reset, ok');
  const orig = await ctl('api', 'originate', `loopback/${exten}`, '&park()');
  expect(orig.stdout).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
  const text = await collected((t) => t.includes('"CHANNEL_ANSWER"'));
  const uuid = /\{call,<[\d.]+>,"([0-9a-f-]{36})"\}/.exec(text)?.[1];
  expect(uuid, text).toBeDefined();
  const sessions = await ctl('sessions', HANDLER);
  expect(sessions.stdout).toMatch(new RegExp(`^Outbound session for ${uuid} in state CS_\\w+\\n$`));
  expect((await ctl('api', 'uuid_kill', uuid as string)).stdout).toBe('+OK\n');
  await collected((t) => t.includes(`{call_hangup,`) && t.includes(uuid as string));
  const order = await trace(uuid as string);
  expect(order.startsWith('[call,'), order).toBe(true);
  expect(order.endsWith(`{hangup,"${uuid}"}]`), order).toBe(true);
  for (const name of ['CHANNEL_ANSWER', 'CHANNEL_PARK', 'CHANNEL_HANGUP']) expect(order).toContain(`"${name}"`);
  expect(order.indexOf('"CHANNEL_ANSWER"')).toBeLessThan(order.indexOf('"CHANNEL_HANGUP"'));
  return { uuid: uuid as string, text, order };
}

describe("switchd runs the seed's outbound example (the erlang application, default dialplan)", { timeout: 60_000 }, () => {
  it('123456: registered name myhandler on myhandler@localhost — {call, …}, call_events, {call_hangup, UUID}', async () => {
    const { text, uuid } = await callThrough('123456');
    // the registered process itself got the call
    const registered = await sh('whereis(myhandler)');
    expect(text).toContain(`{call,${registered},`);
    // and printed the seed's INFO reports on the erl console
    const pid = registered.replace(/[<>.]/g, (c) => `\\${c}`);
    await erl.waitForOutput(new RegExp(`myhandler ${pid}: new call received, UUID is "${uuid}"`), 5000);
    await erl.waitForOutput(new RegExp(`myhandler ${pid}: UUID "${uuid}", event "CHANNEL_PARK"`), 5000);
    expect((await ctl('listeners')).stdout).toMatch(new RegExp(`^Listener to ${HANDLER} with outbound sessions: 0 `, 'm'));
  });

  it('123457: module:function — rpc myhandler:launch(Ref); the pid it returns handles the call', async () => {
    const { text, uuid } = await callThrough('123457');
    const launched = /\{launch,(<[\d.]+>)\}/.exec(text)?.[1];
    expect(launched).toBeDefined();
    await erl.waitForOutput(new RegExp(`myhandler <[\\d.]+>: launch request, returning ${launched!.replace(/[<>.]/g, (c) => `\\${c}`)}`), 5000);
    expect(text).toContain(`{call,${launched},"${uuid}"}`);
  });

  it('123458: module:! — {get_pid, UUID, Ref, Pid} to myhandler; the pid it answers handles the call', async () => {
    const { text, uuid } = await callThrough('123458');
    const got = new RegExp(`\\{get_pid,"${uuid}",(<[\\d.]+>)\\}`).exec(text)?.[1];
    expect(got).toBeDefined();
    expect(text).toContain(`{call,${got},"${uuid}"}`);
  });
});

describe('the node restarted under the module (beamctl kill dist)', { timeout: 60_000 }, () => {
  it('rest_for_one restarts the switch and erlang_event: each attached call’s handler gets {call_hangup, UUID}; no session is left', async () => {
    await sh('collector ! reset, ok');
    const uuids: string[] = [];
    for (const exten of ['123456', '123458']) {
      expect((await ctl('api', 'originate', `loopback/${exten}`, '&park()')).stdout).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
      const text = await collected((t) => (t.match(/\{call,/g) ?? []).length > uuids.length);
      const found = [...text.matchAll(/\{call,<[\d.]+>,"([0-9a-f-]{36})"\}/g)].map((m) => m[1] as string).filter((u) => !uuids.includes(u));
      expect(found).toHaveLength(1);
      uuids.push(found[0] as string);
    }
    expect((await ctl('kill', 'dist', '--yes')).stdout).toMatch(/^killed <0\.\d+\.0> \(dist\)/);
    const text = await collected((t) => uuids.every((u) => t.includes(`{call_hangup,`) && new RegExp(`\\{call_hangup,<[\\d.]+>,"${u}"\\}`).test(t)));
    for (const u of uuids) expect(text).toMatch(new RegExp(`\\{call_hangup,<[\\d.]+>,"${u}"\\}`));
    await expect.poll(async () => (await ctl('sessions', HANDLER)).stdout, { timeout: 5000 }).toBe(`No active sessions for ${HANDLER}\n`);
  });
});

describe('switchd stopped with a call attached to the handler (last: it stops switchd)', { timeout: 60_000 }, () => {
  it('SIGTERM hangs the call up with SYSTEM_SHUTDOWN before the module goes, as FreeSWITCH does; the handler gets call_hangup; nothing at ERR; exit 0', async () => {
    await sh('collector ! reset, ok');
    const orig = await ctl('api', 'originate', 'loopback/123456', '&park()');
    expect(orig.stdout).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const text = await collected((t) => t.includes('"CHANNEL_ANSWER"'));
    const uuid = /\{call,<[\d.]+>,"([0-9a-f-]{36})"\}/.exec(text)?.[1];
    expect(uuid, text).toBeDefined();
    // what the shutdown logs (the kill dist above logs its own restart)
    const mark = sw.out().length;
    sw.child.kill('SIGTERM');
    expect((await sw.exited).code).toBe(0);
    const after = await collected((t) => t.includes(`{call_hangup,`) && t.includes(uuid as string));
    expect(after).toContain(`"${uuid}"}`);
    const order = (await trace(uuid as string)).replace(/\s+/g, '');
    expect(order).toContain('"CHANNEL_HANGUP"');
    expect(order.endsWith(`{hangup,"${uuid}"}]`), order).toBe(true);
    expect(sw.out()).toMatch(new RegExp(`${uuid} Hangup loopback/123456-b \\[CS_\\w+\\] \\[SYSTEM_SHUTDOWN\\]`));
    expect(sw.out().slice(mark)).not.toMatch(/\[(ERR|CRIT)\]/);
  });
});
