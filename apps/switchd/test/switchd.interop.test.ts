/**
 * End to end: switchd as a child process (as `pnpm start` runs it; on a private EPMD port and a
 * free listen port, the conf's cookie ClueCon), reached from a real erl (ping, rpc into the
 * `beamline` and `switchd` modules) and from beamctl (tree, ps, info, kill, api, error exits);
 * SIGTERM hangs up the calls, the erl peer sees nodedown, and switchd exits 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { run, type Proc, startSwitchd } from '../../../tools/apps/run.ts';

const NAME = 'fs_e2e@localhost';
let EPMD = 0;
let sw: Proc;
let erl: ErlNode;

const ctl = (...args: string[]) => run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), ...args]);

beforeAll(async () => {
  ({ proc: sw, epmdPort: EPMD } = await startSwitchd(NAME));
  erl = await startErl({ name: 'e2e_erl@localhost', cookie: 'ClueCon', epmdPort: EPMD });
});

afterAll(async () => {
  await erl?.stop();
  if (sw && sw.child.exitCode === null) sw.child.kill('SIGKILL');
});

describe('switchd', { timeout: 90_000 }, () => {
  it('prints a banner: node, cookie and its source, ports, conf dir, the erl command', () => {
    const out = sw.stdout();
    expect(out).toContain(`switchd is up: ${NAME}`);
    expect(out).toMatch(/cookie +ClueCon \(from autoload_configs\/erlang_event\.conf\.xml cookie\)/);
    expect(out).toMatch(/listen +0\.0\.0\.0:\d+ \(distribution\)/);
    expect(out).toContain(`embedded EPMD on port ${EPMD}`);
    expect(out).toMatch(/conf +\S+apps\/switchd\/conf/);
    expect(out).toContain(`ERL_EPMD_PORT=${EPMD} erl -sname debug -setcookie 'ClueCon' -eval "pong = net_adm:ping('${NAME}')."`);
  });

  it('answers a real erl: net_adm:ping, rpc into beamline and switchd', async () => {
    expect(await erl.eval(`net_adm:ping('${NAME}')`)).toBe('pong');
    expect(await erl.eval(`rpc:call('${NAME}', beamline, ping, [])`)).toBe('pong');
    expect(await erl.eval(`[T] = rpc:call('${NAME}', beamline, tree, []), maps:get(name, T)`)).toBe('switchd_sup');
    expect(await erl.eval(`[maps:get(id, C) || C <- maps:get(children, T)]`)).toBe('[dist,switch,erlang_event,sofia]');
    const status = await erl.eval(`rpc:call('${NAME}', switchd, api, [<<"status">>])`);
    expect(status).toMatch(/^<<"UP 0 years, 0 days/);
    expect(status).toContain('FreeSWITCH (Version 1.10.12-release  64bit) is ready');
  });

  it('a call or cast no one defined to the node owner (dist) gets an error reply or is dropped, and restarts nothing', async () => {
    expect(await erl.eval(`Dist0 = rpc:call('${NAME}', erlang, whereis, [dist]), is_pid(Dist0)`)).toBe('true');
    expect(await erl.eval(`gen_server:call({dist, '${NAME}'}, hello)`)).toBe('{error,{unknown_call,hello}}');
    expect(await erl.eval(`gen_server:call({dist, '${NAME}'}, {x, <<"y">>})`)).toBe('{error,{unknown_call,{x,<<"y">>}}}');
    expect(await erl.eval(`gen_server:cast({dist, '${NAME}'}, hello)`)).toBe('ok');
    expect(await erl.eval(`rpc:call('${NAME}', erlang, whereis, [dist]) =:= Dist0`)).toBe('true');
    expect(await erl.eval(`rpc:call('${NAME}', switchd, api, [<<"version">>])`)).toMatch(/FreeSWITCH Version/);
    expect(sw.stdout()).toContain('dist: unknown call hello');
  });

  it("a stray cast or call to switchd's supervisors (switchd_sup, erlang_event_sup, sofia) ends nothing", async () => {
    const names = ['switchd_sup', 'erlang_event_sup', 'sofia'];
    const pids = `[rpc:call('${NAME}', erlang, whereis, [N]) || N <- [${names.join(', ')}]]`;
    expect(await erl.eval(`Sups0 = ${pids}, lists:all(fun erlang:is_pid/1, Sups0)`)).toBe('true');
    for (const name of names) {
      expect(await erl.eval(`{${name}, '${NAME}'} ! {'$gen_cast', x}, gen_server:cast({${name}, '${NAME}'}, {y, 1})`)).toBe('ok');
      expect(await erl.eval(`gen_server:call({${name}, '${NAME}'}, hello)`)).toBe('{error,{bad_request,hello}}');
    }
    expect(await erl.eval(`${pids} =:= Sups0`)).toBe('true');
    expect(await erl.eval(`rpc:call('${NAME}', switchd, api, [<<"version">>])`)).toMatch(/FreeSWITCH Version/);
  });

  it('beamctl tree: the whole node as one indented tree, and as JSON', async () => {
    const r = await ctl('tree');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^switchd_sup +<0\.\d+\.0> +supervisor rest_for_one/);
    expect(lines[1]).toMatch(/^├─ dist +<0\.\d+\.0> +worker \[Distribution\] +permanent +restarts=0 +mailbox=0/);
    expect(lines[2]).toMatch(/^├─ switch +<0\.\d+\.0> +supervisor one_for_one/);
    expect(lines[3]).toMatch(/^│ {2}├─ scheduler +<0\.\d+\.0> +worker .*permanent/);
    expect(lines[4]).toMatch(/^│ {2}├─ media_clock +<0\.\d+\.0> +worker .*permanent/);
    expect(lines[5]).toMatch(/^│ {2}├─ reaper +<0\.\d+\.0> +worker .*permanent/);
    // the conf's two local streams (default, moh/8000), a process each
    expect(lines[6]).toMatch(/^│ {2}├─ local_streams +<0\.\d+\.0> +supervisor simple_one_for_one/);
    // transient: a killed stream's process is started again (packages/switch's local_stream supervisor)
    expect(lines[7]).toMatch(/^│ {2}│ {2}├─ <0\.\d+\.0> +worker .*transient/);
    expect(lines[8]).toMatch(/^│ {2}│ {2}└─ <0\.\d+\.0> +worker .*transient/);
    expect(lines[9]).toMatch(/^│ {2}├─ conferences +<0\.\d+\.0> +supervisor simple_one_for_one/);
    expect(lines[10]).toMatch(/^│ {2}└─ channels +<0\.\d+\.0> +supervisor simple_one_for_one/);
    expect(lines[11]).toMatch(/^├─ erlang_event +<0\.\d+\.0> +supervisor one_for_all +name=erlang_event_sup +permanent/);
    expect(lines[12]).toMatch(/^│ {2}├─ module +<0\.\d+\.0> +supervisor one_for_one/);
    const j = await ctl('tree', '--json');
    const parsed = JSON.parse(j.stdout) as { node: string; tree: { name: string; children: { id: string }[] }[] };
    expect(parsed.node).toBe(NAME);
    expect(parsed.tree[0].name).toBe('switchd_sup');
    expect(parsed.tree[0].children.map((c) => c.id)).toEqual(['dist', 'switch', 'erlang_event', 'sofia']);
  });

  it('beamctl ps (sorted) and info', async () => {
    const [ps, info] = await Promise.all([ctl('ps', '--sort', 'name'), ctl('info', 'switchd_sup')]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/PID +│ NAME +│ BEHAVIOUR +│ STATUS +│ MAILBOX +│ MSGS IN +│ MSGS OUT +│ MEM~ \(B\)/);
    const names = ps.stdout
      .split('\n')
      .map((l) => l.split('│')[2]?.trim())
      .filter((n): n is string => n !== undefined && n !== '' && n !== 'NAME');
    expect(names).toEqual([...names].sort());
    for (const n of ['dist', 'net_kernel', 'rex', 'switchd_sup']) expect(names).toContain(n);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^pid: +<0\.\d+\.0>$/m);
    expect(info.stdout).toMatch(/^behaviour: +supervisor$/m);
    expect(info.stdout).toMatch(/^trap_exit: +true$/m);
    expect(info.stdout).toMatch(/^details: +#\{children => \[/m);
  });

  it('beamctl api: status and originate through the switch; -ERR exits 1', async () => {
    const status = await ctl('api', 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^UP 0 years/);
    const orig = await ctl('api', 'originate', 'null/1234', '&park()');
    expect(orig.stdout).toMatch(/^\+OK [0-9a-f-]{36}/);
    const count = await ctl('api', 'show', 'channels', 'count');
    expect(count.stdout).toContain('1 total.');
    const bad = await ctl('api', 'wtf');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('-ERR wtf Command not found!');
  });

  it('beamctl kill asks (no terminal: refuses), --yes kills, the supervisor restarts and counts it', async () => {
    const refused = await ctl('kill', 'dist');
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain('add --yes');
    // a process that traps exits gets a non-kill reason as a message, as in Erlang: it lives on
    const trapped = await ctl('kill', 'dist', 'boom', '--yes');
    expect(trapped.code).toBe(0);
    expect(trapped.stdout).toContain('traps exits');
    const before = await erl.eval(`maps:get(pid, rpc:call('${NAME}', beamline, info, [dist]))`);
    const killed = await ctl('kill', 'dist', '--yes');
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/^killed <0\.\d+\.0> \(dist\) \[Distribution\] with reason kill/);
    // the node survives its owner's restart: the same erl connection still answers
    await expect.poll(() => erl.eval(`maps:get(pid, rpc:call('${NAME}', beamline, info, [dist]))`), { timeout: 5000 }).not.toBe(before);
    const tree = await ctl('tree');
    expect(tree.stdout).toMatch(/├─ dist .* restarts=1 /);
    // rest_for_one: the switch and the modules stand on the node
    expect(tree.stdout).toMatch(/├─ switch .* restarts=1 /);
    expect(tree.stdout).toMatch(/├─ erlang_event .* restarts=1 /);
    expect(tree.stdout).toMatch(/└─ sofia .* restarts=1 /);
    expect(sw.out()).toMatch(/\[WARNING\] supervisor: switchd_sup: child_terminated dist <0\.\d+\.0> reason killed/);
    const status = await ctl('api', 'status');
    expect(status.stdout).toMatch(/^UP 0 years/);
  });

  it('beamctl error exits: no such process 5, wrong cookie 4, unknown node 3; listeners / sessions answer (the Erlang module is loaded; a node without a listener exits 1)', async () => {
    const [noproc, listeners, sessions, cookie, unknown] = await Promise.all([
      ctl('info', 'nobody'),
      ctl('listeners'),
      ctl('sessions', 'x@localhost'),
      run('beamctl', ['--node', NAME, '--cookie', 'wrong', '--epmd-port', String(EPMD), 'ping']),
      run('beamctl', ['--node', 'nobody_here@localhost', '--cookie', 'ClueCon', '--epmd-port', String(EPMD), 'ping']),
    ]);
    expect([noproc.code, noproc.stderr.trim()]).toEqual([
      5,
      `beamctl: no process nobody on ${NAME}: give a pid (<0.42.0>), a registered name, or a child id as \`beamctl tree\` shows it (id, or ids/down/to/it)`,
    ]);
    expect(listeners.code).toBe(0);
    expect(listeners.stdout).toMatch(/^Listener to e2e_erl@localhost with outbound sessions: 0 /m);
    expect([sessions.code, sessions.stdout]).toEqual([1, 'Could not find a listener for x@localhost\n']);
    expect([cookie.code, cookie.stderr]).toEqual([
      4,
      `beamctl: ${NAME} refused our cookie (wrong cookie): give --cookie, or set the one in ~/.erlang.cookie\n`,
    ]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('does not know it');
  });

  it('beamctl console: API commands, /log follows the remote log, /quit', async () => {
    const input = ['status', '/nolog', '/log notice', 'originate null/555 &park()', 'show channels count', '/nolog', '/bogus', '/quit', ''].join(
      '\n',
    );
    const home = await mkdtemp(join(tmpdir(), 'beamctl-home-')); // the console's history file goes there
    const r = await run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), 'console'], { HOME: home }, input);
    await rm(home, { recursive: true, force: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^UP 0 years/m);
    // mod_event_socket's replies to fs_cli: not following yet, then the level as typed
    expect(r.stdout).toContain('-ERR not loging');
    expect(r.stdout).toContain('+OK log level notice [5]');
    expect(r.stdout).toMatch(/\[NOTICE\] switch: [0-9a-f-]{36} New Channel null\/555/);
    expect(r.stdout).toMatch(/^\d+ total\./m);
    expect(r.stdout).toContain('+OK no longer logging');
    expect(r.stdout).toContain('Unknown command [bogus]');
    expect((await ctl('api', 'hupall')).stdout).toContain('+OK');
  });

  it('mod_db, mod_hash and cond from a real erl: {api, db | hash | cond, Args} and the replies as FreeSWITCH writes them', async () => {
    // a fun of its own per call, so the shell keeps no binding of the reply; 'cond' is a reserved word: quoted
    const api = (cmd: string, args: string) =>
      erl.eval(`(fun() -> {foo, '${NAME}'} ! {api, '${cmd}', ${JSON.stringify(args)}}, receive {ok, R} -> R after 3000 -> timeout end end)()`);
    expect(await api('db', 'insert/e2e/caller/1000 busy')).toBe('"+OK"');
    expect(await api('db', 'select/e2e/caller')).toBe('"1000 busy"');
    expect(await api('db', 'exists/e2e/nobody')).toBe('"false"');
    expect(await api('hash', 'insert/e2e/k/v')).toBe('"+OK\\n"');
    expect(await api('hash', 'select/e2e/k')).toBe('"v"');
    expect(await api('cond', '3 >= 12 ? yes : no')).toBe('"no"');
    expect(await api('expand', `cond \${hash(select/e2e/k)} == v ? yes : no`)).toBe('"yes"');
  });

  it('the README’s call-centre steps from a real erl: the shipped support@default queue takes an agent and its tier', async () => {
    const api = (args: string) =>
      erl.eval(
        `(fun() -> {foo, '${NAME}'} ! {api, callcenter_config, ${JSON.stringify(args)}}, receive CcReply -> CcReply after 3000 -> timeout end end)()`,
      );
    expect(await api('queue list')).toMatch(/^\{ok,"name\|strategy\|.*\\nsupport@default\|longest-idle-agent\|/);
    expect(await api('agent add 1000@default Callback')).toBe('{ok,"+OK\\n"}');
    expect(await api('tier add support@default 1000@default 1 1')).toBe('{ok,"+OK\\n"}');
    expect(await api('tier list')).toMatch(/\\nsupport@default\|1000@default\|/);
  });

  it('show api and expr from a real erl: {api, show, "api"} lists the modules’ commands (mod_erlang_event’s too), {api, expr, "1+2*3"} is "7"', async () => {
    // names of their own inside each fun: a name the shell has bound would be matched, not bound
    const show = await erl.eval(
      `(fun() -> {foo, '${NAME}'} ! {api, show, "api"}, receive {ok, ShowApiReply} -> ShowApiLines = string:split(ShowApiReply, "\\n", all), ` +
        `{hd(ShowApiLines), lists:member("expr,Eval an expression,<expr>,mod_expr", ShowApiLines), ` +
        `lists:member("erlang,erlang information,<command> [<args>],mod_erlang_event", ShowApiLines), lists:nth(length(ShowApiLines) - 1, ShowApiLines)} ` +
        'after 3000 -> timeout end end)()',
    );
    expect(show).toMatch(/^\{"name,description,syntax,ikey",true,true,"\d+ total\."\}$/);
    expect(
      await erl.eval(`(fun() -> {foo, '${NAME}'} ! {api, expr, "1+2*3"}, receive {ok, ExprReply} -> ExprReply after 3000 -> timeout end end)()`),
    ).toBe('"7"');
  });

  it('a pickup group from a real erl: {bgapi, originate} rings pickup/e2e until {sendmsg, …} executes pickup on a parked call; the job answers with the picker', async () => {
    const leg = 'c0000000-0000-4000-8000-0000000000e2';
    const picker = 'd0000000-0000-4000-8000-0000000000e2';
    // each exchange in a fun of its own, with names no other test binds
    const ask = (send: string, pattern: string) =>
      erl.eval(`(fun() -> {foo, '${NAME}'} ! ${send}, receive ${pattern} -> Pk after 5000 -> timeout end end)()`);
    const job = /^"([0-9a-f-]{36})"$/.exec(await ask(`{bgapi, originate, "{origination_uuid=${leg}}pickup/e2e &park()"}`, '{ok, Pk}'))?.[1];
    expect(job).toBeDefined();
    expect(await ask(`{api, originate, "{origination_uuid=${picker}}null/e2e &park()"}`, '{ok, Pk}')).toBe(`"+OK ${picker}\\n"`);
    const execute = `[{"call-command", "execute"}, {"execute-app-name", "pickup"}, {"execute-app-arg", "e2e"}]`;
    expect(await ask(`{sendmsg, "${picker}", ${execute}}`, 'Pk = ok')).toBe('ok');
    expect(await erl.eval(`(fun() -> receive {bgok, "${job}", Pk} -> Pk after 5000 -> timeout end end)()`)).toBe(`"+OK ${picker}\\n"`);
    expect(await ask(`{api, uuid_getvar, "${picker} picked_up_uuid"}`, '{ok, Pk}')).toBe(`"${leg}"`);
    expect(await ask(`{api, uuid_kill, "${picker}"}`, '{ok, Pk}')).toBe('"+OK\\n"');
  });

  it('SIGTERM: calls hung up, the erl peer sees nodedown, exit code 0', async () => {
    // the erl shell process monitors the node, then we stop switchd
    expect(await erl.eval(`monitor_node('${NAME}', true)`)).toBe('true');
    expect((await ctl('api', 'originate', 'null/4321', '&park()')).stdout).toMatch(/^\+OK /);
    sw.child.kill('SIGTERM');
    const { code } = await sw.exited;
    expect(code).toBe(0);
    expect(await erl.eval(`receive {nodedown, '${NAME}'} -> down after 5000 -> still_up end`)).toBe('down');
    const out = sw.out();
    expect(out).toContain('SIGTERM: shutting down');
    expect(out).toMatch(/\[NOTICE\] switch: [0-9a-f-]{36} Hangup null\/4321 \[CS_\w+\] \[SYSTEM_SHUTDOWN\]/);
    expect(out).toMatch(/\[NOTICE\] switchd: stopped\n$/);
  });
});
