/**
 * The `erlang` and `os` BIFs a node answers over rpc (erlang_bifs.ts), differentially: one
 * script of rpc calls runs in a real erl against erl's own node and against the TS node, and both
 * must print the same. The script prints what does not depend on which node answers (a pid is
 * checked for its node, the node lists for who is in them).
 */
import { GenServer, Runtime, ok } from '@beamline/core';
import { type Pid, atom, t } from '@beamline/etf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erlangBifs } from '../src/erlang_bifs.ts';
import { processInfoBifs } from '../src/process_info_bif.ts';
import { COOKIE, ev, freePort, startPair, until, type Pair } from './helpers/node_pair.ts';
import { execFile } from 'node:child_process';
import { erlBinary } from '../../../tools/erl/erl.ts';

let p: Pair;
let EPMD = 0;
beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('bifs', EPMD);
});
afterAll(async () => {
  await p?.stop();
});

/** The script, for the node `target`; `other` is a pid of the other node of the pair. */
function script(target: string, other: string): string {
  const N = `'${target}'`;
  const rpc = (m: string, f: string, a: string) => `rpc:call(${N}, ${m}, ${f}, ${a})`;
  const reason = (m: string, f: string, a: string) => `case ${rpc(m, f, a)} of {badrpc, {'EXIT', {$R, _}}} -> $R; $V -> {returned, $V} end`;
  return `$Rex = ${rpc('erlang', 'whereis', '[rex]')}, $Ps = ${rpc('erlang', 'processes', '[]')}, [
    ${rpc('erlang', 'node', '[]')} =:= ${N},
    ${rpc('erlang', 'node', '[self()]')} =:= node(),
    ${reason('erlang', 'node', '[foo]')},
    is_pid($Rex) andalso node($Rex) =:= ${N},
    ${rpc('erlang', 'whereis', '[no_such_name]')},
    ${reason('erlang', 'whereis', '["rex"]')},
    lists:member(rex, ${rpc('erlang', 'registered', '[]')}),
    lists:all(fun(X) -> is_pid(X) andalso node(X) =:= ${N} end, $Ps) andalso lists:member($Rex, $Ps),
    ${rpc('erlang', 'is_process_alive', '[$Rex]')},
    ${reason('erlang', 'is_process_alive', `[${other}]`)},
    ${reason('erlang', 'is_process_alive', '[rex]')},
    ${rpc('erlang', 'nodes', '[]')},
    lists:sort([${N} | ${rpc('erlang', 'nodes', '[connected]')}]) =:= lists:sort([node(), '${p.ts}']),
    lists:sort([${N} | ${rpc('erlang', 'nodes', '[[hidden, this]]')}]) =:= lists:sort([${N}, node(), '${p.ts}']),
    ${rpc('erlang', 'nodes', '[this]')} =:= [${N}],
    ${reason('erlang', 'nodes', '[everything]')},
    lists:last(${rpc('erlang', 'nodes', '[[this, connected]]')}) =:= ${N},
    [$Ty || {_, #{node_type := $Ty}} <- ${rpc('erlang', 'nodes', '[[this, connected], #{node_type => true}]')}],
    [is_integer($Id) || {_, #{connection_id := $Id}} <- ${rpc('erlang', 'nodes', '[connected, #{connection_id => true}]')}],
    ${rpc('erlang', 'nodes', '[this, #{connection_id => true, node_type => false}]')} =:= [{${N}, #{connection_id => undefined}}],
    ${reason('erlang', 'nodes', '[this, #{foo => true}]')},
    ${reason('erlang', 'nodes', '[this, [node_type]]')},
    is_integer(list_to_integer(${rpc('os', 'getpid', '[]')}))
  ]`;
}

describe('erlang and os BIFs over rpc, erl against itself and against the TS node', () => {
  it('answer the same', async () => {
    // a pid of the TS node, as erl writes it: rpc:call(TS, erlang, whereis, [rex]) from erl
    const onErl = await ev(p.erl, script(p.erlName, `rpc:call('${p.ts}', erlang, whereis, [rex])`));
    const onTs = await ev(p.erl, script(p.ts, 'self()'));
    expect(onErl).toMatch(/^\[true,true,badarg,true,undefined,badarg,true,true,true,badarg,badarg,/);
    expect(onTs).toBe(onErl);
    expect(onErl).toBe(await ev(p.erl, script(p.ts, 'self()'))); // answered twice alike
  });

  it("a BIF's badarg names its arguments and error_info in the stack, as erts' do (rpc and erpc)", async () => {
    const cases = [
      '{erlang, whereis, [1]}',
      '{erlang, node, [1]}',
      '{erlang, nodes, [foo]}',
      '{erlang, is_process_alive, [rex]}',
      '{erlang, process_info, [rex, messages]}',
      '{erlang, system_info, [{no, such, item}]}',
      '{erlang, memory, [foo]}',
      '{erlang, statistics, [foo]}',
      '{erlang, system_time, [foo]}',
      '{os, system_time, [foo]}',
      '{erlang, apply, [1, 2, 3]}',
      '{erlang, apply, [1, 2]}',
    ];
    const errors = async (target: string) =>
      (
        await ev(
          p.erl,
          `[{rpc:call('${target}', $M, $F, $A), try erpc:call('${target}', $M, $F, $A) catch error:{exception, $R, $S} -> {$R, $S} end}
            || {$M, $F, $A} <- [${cases.join(', ')}]]`,
        )
      ).replace(/\s+/g, '');
    const onErl = await errors(p.erlName);
    expect(onErl).toContain("{badrpc,{'EXIT',{badarg,[{erlang,whereis,[1],[{error_info,#{module=>erl_erts_errors}}]}]}}}");
    expect(onErl).toContain('{os,system_time,[foo],[{error_info,#{module=>erl_kernel_errors}}]}');
    expect(await errors(p.ts)).toBe(onErl);
  });

  it('net_adm, net_kernel and the dist BIFs an operator asks a node for answer as on erl', async () => {
    const netScript = (target: string, other: string) => {
      const N = `'${target}'`;
      const rpc = (m: string, f: string, a: string) => `rpc:call(${N}, ${m}, ${f}, ${a})`;
      const reason = (m: string, f: string, a: string) => `case ${rpc(m, f, a)} of {badrpc, {'EXIT', {$R, _}}} -> $R; $V -> {returned, $V} end`;
      return `[
        case ${rpc('net_adm', 'names', '[]')} of {ok, $Ns} -> lists:sort($Ns); $E -> $E end,
        ${rpc('net_adm', 'names', '[localhost]')} =:= ${rpc('net_adm', 'names', '["localhost"]')},
        ${rpc('net_adm', 'names', "['no-such-host.invalid']")},
        ${reason('net_adm', 'names', '[1]')},
        ${rpc('net_adm', 'localhost', '[]')} =:= net_adm:localhost(),
        ${rpc('net_adm', 'ping', `['${other}']`)},
        ${rpc('net_adm', 'ping', "['nobody@localhost']")},
        ${reason('net_adm', 'ping', '["x@y"]')},
        ${rpc('net_kernel', 'get_net_ticktime', '[]')},
        ${rpc('net_kernel', 'connect_node', `['${other}']`)},
        ${rpc('net_kernel', 'connect_node', "['nobody@localhost']")},
        ${reason('net_kernel', 'connect_node', '[1]')},
        ${rpc('net_kernel', 'nodename', '[]')} =:= ${N},
        ${rpc('net_kernel', 'longnames', '[]')},
        ${rpc('erlang', 'is_alive', '[]')},
        ${rpc('erlang', 'disconnect_node', "['nobody@localhost']")},
        ${reason('erlang', 'disconnect_node', '[1]')},
        ${rpc('global', 'whereis_name', '[no_such_global_name]')},
        ${rpc('global', 'registered_names', '[]')}
      ]`;
    };
    const onErl = await ev(p.erl, netScript(p.erlName, p.ts));
    expect(onErl.replace(/\s+/g, '')).toMatch(/^\[\[\{"/);
    expect(onErl.replace(/\s+/g, '')).toContain(
      ',true,{error,nxdomain},function_clause,true,pong,pang,function_clause,60,true,false,function_clause,true,false,true,false,{returned,false},undefined,[]]',
    );
    expect(await ev(p.erl, netScript(p.ts, p.erlName))).toBe(onErl);
    // what a booted erl node answers (the test's erl evaluates during its boot: {starting, started})
    expect(await ev(p.erl, `rpc:call('${p.ts}', init, get_status, [])`)).toBe('{started,started}');
  });

  it('code:ensure_loaded / is_loaded / which and erlang:module_loaded / function_exported answer as on erl', async () => {
    const codeScript = (target: string) => {
      const N = `'${target}'`;
      const rpc = (m: string, f: string, a: string) => `rpc:call(${N}, ${m}, ${f}, ${a})`;
      let k = 0; // a case's variables stay bound after it: each case gets its own
      const reason = (m: string, f: string, a: string) => {
        k++;
        return `case ${rpc(m, f, a)} of {badrpc, {'EXIT', {$R${k}, _}}} -> $R${k}; $V${k} -> {returned, $V${k}} end`;
      };
      return `[
        ${rpc('code', 'ensure_loaded', '[erlang]')}, ${rpc('code', 'ensure_loaded', '[no_such_module]')}, ${reason('code', 'ensure_loaded', '[1]')},
        ${rpc('code', 'is_loaded', '[erlang]')}, ${rpc('code', 'is_loaded', '[no_such_module]')}, ${reason('code', 'is_loaded', '["x"]')},
        ${rpc('code', 'which', '[erlang]')}, ${rpc('code', 'which', '[no_such_module]')}, ${reason('code', 'which', '[1]')},
        ${rpc('erlang', 'module_loaded', '[erlang]')}, ${rpc('erlang', 'module_loaded', '[no_such_module]')}, ${reason('erlang', 'module_loaded', '[1]')},
        ${rpc('erlang', 'function_exported', '[erlang, node, 0]')}, ${rpc('erlang', 'function_exported', '[erlang, apply, 3]')},
        ${rpc('erlang', 'function_exported', '[erlang, node, 7]')}, ${rpc('erlang', 'function_exported', '[no_such_module, f, 0]')},
        ${rpc('erlang', 'function_exported', '[a, b, -1]')}, ${reason('erlang', 'function_exported', '[1, 2, 3]')}
      ]`;
    };
    const onErl = await ev(p.erl, codeScript(p.erlName));
    expect(onErl.replace(/\s+/g, '')).toBe(
      '[{module,erlang},{error,nofile},function_clause,{file,preloaded},false,function_clause,preloaded,non_existing,function_clause,true,false,badarg,true,true,false,false,false,badarg]',
    );
    expect(await ev(p.erl, codeScript(p.ts))).toBe(onErl);
  });

  it("erl -remsh at the node ends with erl's own refusal, not a crash (OTP 26+ asks code:ensure_loaded(shell) first)", async () => {
    const release = Number(JSON.parse(await ev(p.erl, 'erlang:system_info(otp_release)')));
    if (release < 26) return; // OTP 25's remsh starts the shell without asking
    const args = ['-sname', 'remsh_bifs@localhost', '-setcookie', COOKIE, '-remsh', p.ts];
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(erlBinary, args, { env: { ...process.env, ERL_EPMD_PORT: String(EPMD) }, timeout: 20_000 }, (err, _o, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
      child.stdin?.end();
    });
    expect(out.stderr).toContain(`Could not load "${p.ts}" on shell (nofile)`);
    expect(out.code).toBe(1);
  });

  it("io:format / fwrite / put_chars / nl / write over rpc write to the caller's group leader, as on erl", async () => {
    const io = (target: string) => {
      const N = `'${target}'`;
      return `$Old = group_leader(),
        $GL = spawn(fun() -> (fun $Loop(Acc) -> receive
            {io_request, From, RA, Req} -> From ! {io_reply, RA, ok}, $Loop([Req | Acc]);
            {get, P} -> P ! {reqs, lists:reverse(Acc)}
          end end)([]) end),
        group_leader($GL, self()),
        $Rs = try [catch rpc:call(${N}, io, format, ["~p ~s~n", [x, "y"]]), catch rpc:call(${N}, io, put_chars, ["pc"]),
               catch rpc:call(${N}, io, nl, []), catch erpc:call(${N}, io, fwrite, ["w~n"]), catch rpc:block_call(${N}, io, write, [{a, 1}]),
               catch rpc:call(${N}, io, put_chars, [[<<"a">>, "b", [$c]]]), catch rpc:call(${N}, io, put_chars, [[16#1F600]])]
          after group_leader($Old, self()) end,
        $GL ! {get, self()},
        $Bad = [case rpc:call(${N}, io, $F, $A) of {badrpc, {'EXIT', {$R, [{io, $F, $Args, $Info} | _]}}} ->
                  {$R, $Args, maps:get(cause, proplists:get_value(error_info, $Info))}; $Other -> $Other end
                || {$F, $A} <- [{format, ["~p~n"]}, {format, [1, 2]}, {put_chars, [[1|2]]}, {put_chars, [<<255>>]}]],
        receive {reqs, $Reqs} -> {$Rs, $Reqs, $Bad} end`;
    };
    const onErl = (await ev(p.erl, io(p.erlName))).replace(/\s+/g, '');
    expect(onErl).toContain('{[ok,ok,ok,ok,ok,ok,ok],[{put_chars,unicode,io_lib,format,["~p~s~n",[x,"y"]]},');
    expect((await ev(p.erl, io(p.ts))).replace(/\s+/g, '')).toBe(onErl);
  });

  it('erlang:exit/2 and send/2 over rpc signal from the node as on erl', async () => {
    p.node.runtime.spawn(
      async (ctx) => {
        await ctx.receive();
      },
      { name: 'signals_victim' },
    );
    const signals = (target: string, victim: string) => {
      const N = `'${target}'`;
      let k = 0;
      const reason = (f: string, a: string) => {
        k++;
        return `case rpc:call(${N}, erlang, ${f}, ${a}) of {badrpc, {'EXIT', {$R${k}, _}}} -> $R${k}; $V${k} -> {returned, $V${k}} end`;
      };
      return `[rpc:call(${N}, erlang, send, [self(), hello]), receive hello -> got after 2000 -> none end,
        rpc:call(${N}, erlang, send, [{no_such_name, ${N}}, x]),
        ${reason('send', '[no_such_name, x]')}, ${reason('send', '[1, x]')}, ${reason('exit', '[1, x]')},
        rpc:call(${N}, erlang, exit, [${victim}, kill]), timer:sleep(100), rpc:call(${N}, erlang, is_process_alive, [${victim}])]`;
    };
    const onErl = await ev(p.erl, `$EV = spawn('${p.erlName}', timer, sleep, [infinity]), ${signals(p.erlName, '$EV')}`);
    expect(onErl).toBe('[hello,got,x,badarg,badarg,badarg,true,ok,false]');
    expect(await ev(p.erl, `$TV = rpc:call('${p.ts}', erlang, whereis, [signals_victim]), ${signals(p.ts, '$TV')}`)).toBe(onErl);
  });

  it('erlang:apply/3 runs M:F(A) as on erl; refusals and undef with the same stacks (locations aside)', async () => {
    const applyScript = (target: string) => {
      const N = `'${target}'`;
      const cases = [
        `[erlang, whereis, [no_such_name]]`,
        `[erlang, node, []]`,
        `[erlang, apply, [erlang, node, []]]`,
        `[erlang, apply, [fun erlang:node/0, []]]`,
        `[nomod, f, [1]]`,
        `[erlang, no_such_bif, []]`,
        `[erlang, whereis, notlist]`,
        `[erlang, whereis, [a|b]]`,
        `[1, f, []]`,
        `[erlang, 1, []]`,
      ];
      return `[case rpc:call(${N}, erlang, apply, $A) of
          {badrpc, {'EXIT', {$R, $St}}} -> {$R, [{$M, $F, $X} || {$M, $F, $X, _} <- $St]};
          ${N} -> this_node;
          $V -> {returned, $V}
        end || $A <- [${cases.join(', ')}]]`;
    };
    const onErl = (await ev(p.erl, applyScript(p.erlName))).replace(/\s+/g, '');
    expect(onErl).toContain('this_node,this_node,this_node,{undef,[{nomod,f,[1]},{erlang,apply,3}]}');
    expect((await ev(p.erl, applyScript(p.ts))).replace(/\s+/g, '')).toBe(onErl);
  });

  it('os:getpid is this process', async () => {
    expect(await ev(p.erl, `rpc:call('${p.ts}', os, getpid, [])`)).toBe(`"${process.pid}"`);
  });
});

/**
 * process_info/1,2 of `target`'s rex (registered, a behaviour process on both) and of one of its
 * unregistered processes, and of a pid no process has (rex's, with number 32000): the items and
 * their order, the kinds of the values, and every refusal.
 */
function processInfoScript(target: string, other: string): string {
  const N = `'${target}'`;
  const rpc = (f: string, a: string) => `rpc:call(${N}, erlang, ${f}, ${a})`;
  const reason = (f: string, a: string) => `case ${rpc(f, a)} of {badrpc, {'EXIT', {$R, _}}} -> $R; $V -> {returned, $V} end`;
  const pi = (a: string) => rpc('process_info', a);
  return `$Rex = ${rpc('whereis', '[rex]')},
    $B = term_to_binary($Rex), $S = byte_size($B) - 12, <<$H:$S/binary, _:32, $Tail:8/binary>> = $B,
    $Dead = binary_to_term(<<$H/binary, 32000:32, $Tail/binary>>),
    $Unreg = hd([$P || $P <- ${rpc('processes', '[]')}, ${pi('[$P, registered_name]')} =:= []]),
    $Keys = fun(L) -> [K || {K, _} <- L] end,
    $Kinds = fun(L) -> [{K, if is_integer(V) -> integer; is_pid(V) -> pid; is_atom(V) -> atom; is_list(V) -> list; true -> other end} || {K, V} <- L] end,
    [
    $Keys(${pi('[$Rex]')}),
    $Keys(${pi('[$Unreg]')}),
    $Kinds(${pi('[$Rex]')}),
    ${pi('[$Rex, registered_name]')},
    ${pi('[$Rex, [registered_name, priority, error_handler, suspending]]')},
    is_boolean(element(2, ${pi('[$Rex, trap_exit]')})),
    ${pi('[$Unreg, registered_name]')},
    ${pi('[$Unreg, [registered_name]]')},
    lists:member(element(2, ${pi('[$Rex, status]')}), [waiting, running, runnable]),
    $Kinds(${pi('[$Rex, [memory, message_queue_len, links, monitors, monitored_by, group_leader, reductions]]')}),
    lists:sort($Keys(element(2, ${pi('[$Rex, dictionary]')}))),
    case ${pi('[$Rex, parent]')} of {parent, $Parent} when is_pid($Parent); $Parent =:= undefined -> parent end,
    case ${pi('[$Rex, initial_call]')} of {initial_call, {$M, $F, $A}} when is_atom($M), is_atom($F), is_integer($A) -> mfa end,
    ${pi('[$Rex, []]')},
    ${pi('[$Dead]')},
    ${pi('[$Dead, memory]')},
    ${pi('[$Dead, [memory, status]]')},
    ${pi('[$Dead, []]')},
    ${reason('process_info', '[$Rex, foo]')},
    ${reason('process_info', '[$Rex, [memory, foo]]')},
    ${reason('process_info', '[$Rex, "memory"]')},
    ${reason('process_info', '[$Dead, foo]')},
    ${reason('process_info', `[${other}]`)},
    ${reason('process_info', `[${other}, memory]`)},
    ${reason('process_info', '[rex]')}
  ]`;
}

/** memory, system_info, statistics and the clocks of `target`, against erl's own clock. */
function systemScript(target: string): string {
  const N = `'${target}'`;
  const rpc = (m: string, f: string, a: string) => `rpc:call(${N}, ${m}, ${f}, ${a})`;
  const reason = (m: string, f: string, a: string) => `case ${rpc(m, f, a)} of {badrpc, {'EXIT', {$R, _}}} -> $R; $V -> {returned, $V} end`;
  const near = (a: string, b: string, tolerance: number) => `abs((${a}) - (${b})) =< ${tolerance}`;
  let n = 0;
  const pair = (x: string) => {
    n++;
    return `case ${x} of {$X${n}, $Y${n}} when is_integer($X${n}), is_integer($Y${n}) -> pair end`;
  };
  const secs = (dt: string) => `calendar:datetime_to_gregorian_seconds(${dt})`;
  return `[
    [K || {K, _} <- ${rpc('erlang', 'memory', '[]')}],
    lists:all(fun({_, V}) -> is_integer(V) andalso V >= 0 end, ${rpc('erlang', 'memory', '[]')}),
    is_integer(${rpc('erlang', 'memory', '[total]')}),
    [K || {K, _} <- ${rpc('erlang', 'memory', '[[total, atom]]')}],
    ${reason('erlang', 'memory', '[foo]')},
    ${reason('erlang', 'memory', '[[total, foo]]')},
    is_integer(${rpc('erlang', 'system_info', '[process_count]')}),
    length(${rpc('erlang', 'ports', '[]')}) =:= ${rpc('erlang', 'system_info', '[port_count]')},
    is_integer(${rpc('erlang', 'system_info', '[atom_count]')}),
    is_integer(${rpc('erlang', 'system_info', '[schedulers]')}),
    is_integer(${rpc('erlang', 'system_info', '[logical_processors]')}),
    ${rpc('erlang', 'system_info', '[wordsize]')},
    io_lib:printable_list(${rpc('erlang', 'system_info', '[system_version]')}),
    ${reason('erlang', 'system_info', '[no_such_item]')},
    ${pair(rpc('erlang', 'statistics', '[wall_clock]'))},
    ${pair(rpc('erlang', 'statistics', '[runtime]'))},
    ${reason('erlang', 'statistics', '[foo]')},
    begin
      $Sch = ${rpc('erlang', 'system_info', '[schedulers]')},
      $St = fun($I) -> ${rpc('erlang', 'statistics', '[$I]')} end,
      $Count = fun($L) -> is_list($L) andalso lists:all(fun erlang:is_integer/1, $L) end,
      {is_integer($St(run_queue)), is_integer($St(total_run_queue_lengths)), is_integer($St(total_run_queue_lengths_all)),
       $St(total_active_tasks) >= 1, $St(total_active_tasks_all) >= 1,
       [length($L) - $Sch || $L <- [$St(run_queue_lengths), $St(run_queue_lengths_all), $St(active_tasks), $St(active_tasks_all)]],
       lists:all($Count, [$St(run_queue_lengths), $St(run_queue_lengths_all), $St(active_tasks), $St(active_tasks_all)]),
       $St(scheduler_wall_time), $St(scheduler_wall_time_all)}
    end,
    ${rpc('os', 'type', '[]')},
    ${near(rpc('erlang', 'system_time', '[]'), 'erlang:system_time(nanosecond)', 2_000_000_000)},
    ${near(rpc('erlang', 'system_time', '[second]'), 'erlang:system_time(second)', 2)},
    ${near(rpc('erlang', 'system_time', '[1000]'), 'erlang:system_time(millisecond)', 2000)},
    ${near(rpc('erlang', 'system_time', '[milli_seconds]'), 'erlang:system_time(millisecond)', 2000)},
    ${near(rpc('os', 'system_time', '[microsecond]'), 'os:system_time(microsecond)', 2_000_000)},
    ${near(rpc('os', 'system_time', '[]'), 'os:system_time()', 2_000_000_000)},
    ${reason('erlang', 'system_time', '[foo]')},
    ${reason('erlang', 'system_time', '[constructor]')},
    ${reason('erlang', 'system_time', '[0]')},
    ${reason('os', 'system_time', '[-1]')},
    is_integer(${rpc('erlang', 'monotonic_time', '[]')}),
    begin $M1 = ${rpc('erlang', 'monotonic_time', '[microsecond]')}, $M2 = ${rpc('erlang', 'monotonic_time', '[microsecond]')}, $M2 >= $M1 end,
    ${near(`${rpc('erlang', 'monotonic_time', '[]')} + ${rpc('erlang', 'time_offset', '[]')}`, 'erlang:system_time()', 2_000_000_000)},
    ${near(`${rpc('erlang', 'monotonic_time', '[second]')} + ${rpc('erlang', 'time_offset', '[second]')}`, 'erlang:system_time(second)', 3)},
    ${near(`timer:now_diff(${rpc('erlang', 'timestamp', '[]')}, os:timestamp())`, '0', 2_000_000)},
    ${near(`timer:now_diff(${rpc('os', 'timestamp', '[]')}, os:timestamp())`, '0', 2_000_000)},
    ${near(secs(rpc('erlang', 'localtime', '[]')), secs('calendar:local_time()'), 2)},
    ${near(secs(rpc('erlang', 'universaltime', '[]')), secs('calendar:universal_time()'), 2)},
    ${near(secs(`{${rpc('erlang', 'date', '[]')}, ${rpc('erlang', 'time', '[]')}}`), secs('calendar:local_time()'), 2)}
  ]`;
}

describe('process_info, memory, system_info, statistics and the clocks over rpc, erl against itself and against the TS node', () => {
  it('process_info/1,2 answer alike', async () => {
    // every process the TS node starts is registered; this one is not
    const idle = p.node.runtime.spawn(async (ctx) => {
      await ctx.receive();
    });
    const onErl = await ev(p.erl, processInfoScript(p.erlName, `rpc:call('${p.ts}', erlang, whereis, [rex])`));
    const onTs = await ev(p.erl, processInfoScript(p.ts, 'self()'));
    expect(onErl.replace(/\s+/g, '')).toContain('[registered_name,current_function,initial_call,status,message_queue_len,links,dictionary,');
    expect(onErl.replace(/\s+/g, '')).toMatch(/undefined,undefined,undefined,undefined,badarg,badarg,badarg,badarg,badarg,badarg,badarg\]$/);
    expect(onTs).toBe(onErl);
    p.node.runtime.exit(idle, atom('kill'));
  });

  it('process_info {dictionary, Key} (OTP 26+) and label (OTP 27) answer as on erl', async () => {
    const items = (target: string) => {
      const pi = (a: string) => `rpc:call('${target}', erlang, process_info, [$Rex, ${a}])`;
      return `$Rex = rpc:call('${target}', erlang, whereis, [rex]), [
        ${pi("{dictionary, '$initial_call'}")}, ${pi('{dictionary, no_such_key}')}, ${pi('[{dictionary, no_such_key}, registered_name]')}, ${pi('label')}]`;
    };
    const onTs = (await ev(p.erl, items(p.ts))).replace(/\s+/g, '');
    expect(onTs).toBe(
      "[{{dictionary,'$initial_call'},{rpc,init,1}},{{dictionary,no_such_key},undefined},[{{dictionary,no_such_key},undefined},{registered_name,rex}],{label,undefined}]",
    );
    const release = Number(JSON.parse(await ev(p.erl, 'erlang:system_info(otp_release)')));
    if (release >= 27) expect((await ev(p.erl, items(p.erlName))).replace(/\s+/g, '')).toBe(onTs); // OTP 25 knows neither item
  });

  it('memory, system_info, statistics and the clocks answer alike', async () => {
    const onErl = await ev(p.erl, systemScript(p.erlName));
    const onTs = await ev(p.erl, systemScript(p.ts));
    expect(onErl.replace(/\s+/g, '')).toMatch(
      /^\[\[total,processes,processes_used,system,atom,atom_used,binary,code,ets\],true,true,\[total,atom\],badarg,badarg,/,
    );
    expect(onErl).not.toContain('false');
    expect(onErl.replace(/\s+/g, '')).toContain('{true,true,true,true,true,[1,2,1,2],true,undefined,undefined}');
    expect(onTs).toBe(onErl);
  });
});

describe('nodes/0,1 on a visible node', () => {
  it('lists visible peers by default, hidden ones on request', () => {
    const rt = new Runtime({ logger: null });
    const peers = () => [
      { name: 'a@localhost', hidden: false, id: 1 },
      { name: 'b@localhost', hidden: true, id: 2 },
    ];
    const visible = erlangBifs(rt, { name: 'me@localhost', hidden: false, peers });
    const call = (f: string, ...args: unknown[]) => (visible[f] as (...a: unknown[]) => unknown)(...args);
    expect(call('nodes/0')).toEqual([atom('a@localhost')]);
    expect(call('nodes/1', atom('hidden'))).toEqual([atom('b@localhost')]);
    // erts' order: hidden peers, visible peers, this node last, whatever the order asked in
    expect(call('nodes/1', [atom('this'), atom('connected')])).toEqual([atom('b@localhost'), atom('a@localhost'), atom('me@localhost')]);
    expect(call('nodes/1', [atom('visible'), atom('this'), atom('hidden')])).toEqual([
      atom('b@localhost'),
      atom('a@localhost'),
      atom('me@localhost'),
    ]);
    const hidden = erlangBifs(rt, { name: 'me@localhost', hidden: true, peers });
    expect((hidden['nodes/0'] as () => unknown)()).toEqual([]);
    expect((hidden['nodes/1'] as (k: unknown) => unknown)(atom('hidden'))).toEqual([atom('a@localhost'), atom('b@localhost')]);
  });
});

class Counter extends GenServer<number> {
  init() {
    return ok(0);
  }
}

describe('process_info/2 of TS processes', () => {
  it('names a behaviour by its class, its ancestors as proc_lib does, and its monitors', async () => {
    const rt = new Runtime({ logger: null });
    let server: Pid | undefined;
    const boss = rt.spawn(
      async (ctx) => {
        server = await GenServer.startLink(ctx, Counter);
        ctx.monitor(server);
        await ctx.receive();
      },
      { name: 'boss' },
    );
    await until(() => (rt.processInfo(boss)?.monitors.length ?? 0) === 1);
    const info = processInfoBifs(rt)['process_info/2'] as (p: unknown, i: unknown) => unknown;
    const s = server as Pid;
    expect(info(s, [atom('initial_call'), atom('dictionary'), atom('monitored_by'), atom('links'), atom('parent')])).toEqual([
      t(atom('initial_call'), t(atom('Counter'), atom('init'), 1)),
      t(atom('dictionary'), [t(atom('$initial_call'), t(atom('Counter'), atom('init'), 1)), t(atom('$ancestors'), [atom('boss')])]),
      t(atom('monitored_by'), [boss]),
      t(atom('links'), [boss]),
      t(atom('parent'), boss),
    ]);
    expect(info(boss, [atom('initial_call'), atom('dictionary'), atom('monitors'), atom('parent')])).toEqual([
      t(atom('initial_call'), t(atom('beamline'), atom('async'), 0)),
      t(atom('dictionary'), []),
      t(atom('monitors'), [t(atom('process'), s)]),
      t(atom('parent'), atom('undefined')),
    ]);
    expect(() => info(boss, atom('messages'))).toThrow(expect.objectContaining({ value: t(atom('not_supported'), atom('messages')) }));
    await rt.stop();
  });
});
