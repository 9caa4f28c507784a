%% Erlang side of `pnpm bench dist` (tools/bench/dist.ts).
%%
%% The driver node (started by the bench with -s dist_bench ... or driven through rpc) runs:
%%   flood(Dest, N)          send N event-like messages to Dest ({Name, Node}), then a
%%                           {done, self()} marker; returns {Micros, Count} once the sink
%%                           answers {count, Count} (the sink saw every message).
%%   start_sink(Name)        registers a counting sink under Name on this node.
%%   start_echo(Name)        registers an echo process: {ping, From, X} -> From ! {pong, X}.
%%   pingpong(Dest, N)       N sequential round trips to an echo; returns sorted latencies (us).
%%   event()                 the message the flood sends (also used by the TS side).
-module(dist_bench).
-export([flood/2, start_sink/1, sink_loop/1, start_echo/1, echo_loop/0, pingpong/2, event/0,
         run/1]).

event() ->
    {event, [<<"5f0c3a2e-8f2b-4b5e-9a51-1d2c3b4a5f60">>,
             {<<"Event-Name">>, <<"CHANNEL_PARK">>},
             {<<"Core-UUID">>, <<"0b9d6c52-2f8e-4a7c-8d9b-7e6f5a4b3c2d">>},
             {<<"FreeSWITCH-Hostname">>, <<"switch01">>},
             {<<"Event-Date-Timestamp">>, <<"1700000000000000">>},
             {<<"Channel-State">>, <<"CS_EXECUTE">>},
             {<<"Caller-Caller-ID-Number">>, <<"1000">>},
             {<<"Caller-Destination-Number">>, <<"9999">>}]}.

flood(Dest, N) ->
    Ev = event(),
    T0 = erlang:monotonic_time(microsecond),
    send_n(Dest, Ev, N),
    Dest ! {done, self()},
    receive
        {count, C} ->
            T1 = erlang:monotonic_time(microsecond),
            {T1 - T0, C}
    after 300000 ->
        timeout
    end.

send_n(_Dest, _Ev, 0) -> ok;
send_n(Dest, Ev, N) ->
    Dest ! Ev,
    send_n(Dest, Ev, N - 1).

start_sink(Name) ->
    Pid = spawn(fun() -> sink_loop(0) end),
    register(Name, Pid),
    Pid.

sink_loop(C) ->
    receive
        {done, From} ->
            From ! {count, C},
            sink_loop(0);
        _ ->
            sink_loop(C + 1)
    end.

start_echo(Name) ->
    Pid = spawn(fun echo_loop/0),
    register(Name, Pid),
    Pid.

echo_loop() ->
    receive
        {ping, From, X} ->
            From ! {pong, X},
            echo_loop();
        stop ->
            ok
    end.

pingpong(Dest, N) ->
    %% warm up
    [rt(Dest, I) || I <- lists:seq(1, 1000)],
    Ls = [rt(Dest, I) || I <- lists:seq(1, N)],
    lists:sort(Ls).

rt(Dest, I) ->
    T0 = erlang:monotonic_time(nanosecond),
    Dest ! {ping, self(), I},
    receive
        {pong, I} -> erlang:monotonic_time(nanosecond) - T0
    after 10000 ->
        exit(pingpong_timeout)
    end.

%% `erl -s dist_bench run Cmd ...` entry point is not used; the bench drives everything by rpc.
run(_) -> ok.
