#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell +P 4000000
%% The BEAM anchor for tools/bench/spawn.ts. Usage: escript spawn.escript N
%% Spawns N idle processes (each blocked in receive), prints
%% "spawn N Micros ProcessesMemoryDeltaBytes" (erlang:memory(processes) before/after).
-mode(compile).

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
