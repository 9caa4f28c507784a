#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%% The BEAM anchor for tools/bench/ring.ts. Usage:
%%   [ERL_FLAGS="+S 1"] escript ring.escript N:Tokens:Hops [N:Tokens:Hops ...]
%% For each config: N processes in a ring; Tokens tokens each travel Hops hops ({Token, HopsLeft}
%% messages). Only the message passing is timed (the ring is built first). Prints one line per
%% config (best of two runs): "ring N Tokens Hops Messages Micros Schedulers".
-mode(compile).

main(Args) ->
    lists:foreach(fun(A) ->
        [N, T, H] = [list_to_integer(X) || X <- string:split(A, ":", all)],
        %% best of two runs (the TS side does the same)
        {Msgs, Micros} = lists:min([run(N, T, H), run(N, T, H)]),
        io:format("ring ~b ~b ~b ~b ~b ~b~n", [N, T, H, Msgs, Micros, erlang:system_info(schedulers_online)])
    end, Args).

run(N, Tokens, Hops) ->
    Main = self(),
    Pids = [spawn(fun() -> receive {next, Next} -> loop(Next, Main) end end) || _ <- lists:seq(1, N)],
    [First | _] = Pids,
    link_ring(Pids, First),
    %% let every node reach its loop before timing
    [P ! {ping, Main} || P <- Pids],
    [receive pong -> ok end || _ <- Pids],
    T0 = erlang:monotonic_time(microsecond),
    [First ! {T, Hops} || T <- lists:seq(1, Tokens)],
    wait(Tokens),
    T1 = erlang:monotonic_time(microsecond),
    [exit(P, kill) || P <- Pids],
    {Tokens * Hops, T1 - T0}.

link_ring([A], First) -> A ! {next, First};
link_ring([A, B | Rest], First) -> A ! {next, B}, link_ring([B | Rest], First).

loop(Next, Main) ->
    receive
        {ping, From} -> From ! pong, loop(Next, Main);
        {T, 0} -> Main ! {done, T}, loop(Next, Main);
        {T, K} -> Next ! {T, K - 1}, loop(Next, Main)
    end.

wait(0) -> ok;
wait(K) -> receive {done, _} -> wait(K - 1) end.
