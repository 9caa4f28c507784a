#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell +P 4000000
%% The BEAM anchor for tools/bench/spawn.ts. Usage: escript spawn.escript N [gen_server]
%% Spawns N idle processes (each blocked in receive), prints
%% "spawn N Micros ProcessesMemoryDeltaBytes" (erlang:memory(processes) before/after).
%% With `gen_server`: N idle gen_servers started one after the other with gen_server:start
%% (acknowledged, as a supervisor starts its children); prints "gen_server N Micros Bytes".
-mode(compile).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

init(S) -> {ok, S}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.

main([NStr, "gen_server"]) ->
    N = list_to_integer(NStr),
    erlang:garbage_collect(),
    M0 = erlang:memory(processes),
    T0 = erlang:monotonic_time(microsecond),
    Pids = [begin {ok, P} = gen_server:start(?MODULE, 0, []), P end || _ <- lists:seq(1, N)],
    T1 = erlang:monotonic_time(microsecond),
    erlang:garbage_collect(),
    M1 = erlang:memory(processes),
    io:format("gen_server ~b ~b ~b~n", [N, T1 - T0, M1 - M0]),
    [exit(P, kill) || P <- Pids],
    ok;
main([NStr]) ->
    N = list_to_integer(NStr),
    erlang:garbage_collect(),
    M0 = erlang:memory(processes),
    T0 = erlang:monotonic_time(microsecond),
    Pids = spawn_n(N, []),
    T1 = erlang:monotonic_time(microsecond),
    %% make sure all of them have run up to their receive
    Last = hd(Pids),
    Last ! {sync, self()},
    receive synced -> ok end,
    erlang:garbage_collect(),
    M1 = erlang:memory(processes),
    io:format("spawn ~b ~b ~b~n", [N, T1 - T0, M1 - M0]),
    [exit(P, kill) || P <- Pids],
    ok.

spawn_n(0, Acc) -> Acc;
spawn_n(K, Acc) -> spawn_n(K - 1, [spawn(fun idle/0) | Acc]).

idle() ->
    receive
        {sync, From} -> From ! synced, idle();
        stop -> ok
    end.
