%% Erlang side of `pnpm bench erlang-event` (tools/bench/erlang-event.ts).
%%
%%   start_counter(N, FS, Owner)  a process that counts {event, _} messages; with FS (the switch
%%                                node) it first registers itself as the event handler for
%%                                CUSTOM bench::x; after N events it sends Owner
%%                                {counted, self(), N, FirstUs, LastUs}. Returns once it is ready.
%%   wait(Pid, Timeout)           {N, Micros between the first and the last event} | timeout
%%   flood(Dest, Term, N)         send Term N times to Dest
%%   api_rtt(FS, N)               2,000 unmeasured, then N sequential {api, status, ""} round trips;
%%                                sorted latencies (ns)
%%   start_gen()                  a process answering gen_server calls with a status-like text
%%   gen_rtt(Dest, N)             the same with gen_server:call
%%   start_ob(N)                  registers mee_ob, which waits for N outbound calls: each call's
%%                                handler (ob_launch/1, the `module:function` form) reports its
%%                                {call, _}, then at {call_hangup, _} its UUID, the Event-Sequence
%%                                of its first and last call_event and how many it got
%%   wait_ob(What, Timeout)       calls | hangups: blocks until all N have arrived
%%   ob_report()                  [{UUID, FirstSeq, LastSeq, Count}] of the calls hung up
-module(mee_bench).
-export([start_counter/3, counter/4, wait/2, flood/3, api_rtt/2, start_gen/0, gen_loop/1, gen_rtt/2]).
-export([start_ob/1, ob_launch/1, ob_handler/3, wait_ob/2, ob_report/0]).

start_counter(N, FS, Owner) ->
    Me = self(),
    Pid = spawn(fun() ->
        case FS of
            undefined -> ok;
            _ ->
                {foo, FS} ! register_event_handler,
                ok = receive R1 -> R1 after 5000 -> timeout end,
                {foo, FS} ! {event, 'CUSTOM', 'bench::x'},
                ok = receive R2 -> R2 after 5000 -> timeout end
        end,
        Me ! {ready, self()},
        counter(Owner, N, 0, undefined)
    end),
    receive {ready, Pid} -> Pid after 10000 -> timeout end.

counter(Owner, N, C, First) ->
    receive
        {event, _} ->
            T = erlang:monotonic_time(microsecond),
            F = case First of undefined -> T; _ -> First end,
            case C + 1 of
                N -> Owner ! {counted, self(), N, F, T};
                C1 -> counter(Owner, N, C1, F)
            end;
        _ ->
            counter(Owner, N, C, First)
    end.

wait(Pid, Timeout) ->
    receive {counted, Pid, N, F, L} -> {N, L - F} after Timeout -> timeout end.

flood(_Dest, _Term, 0) -> ok;
flood(Dest, Term, N) -> Dest ! Term, flood(Dest, Term, N - 1).

api_rtt(FS, N) ->
    [api_once(FS) || _ <- lists:seq(1, 2000)],
    lists:sort([api_once(FS) || _ <- lists:seq(1, N)]).

api_once(FS) ->
    T0 = erlang:monotonic_time(nanosecond),
    {foo, FS} ! {api, status, ""},
    receive {ok, _} -> erlang:monotonic_time(nanosecond) - T0 after 5000 -> exit(api_timeout) end.

start_gen() ->
    Text = "UP 0 years, 0 days, 0 hours, 0 minutes, 1 second, 0 milliseconds, 0 microseconds\n"
           "FreeSWITCH (Version 1.10.12-release  64bit) is ready\n0 session(s) since startup\n"
           "0 session(s) - peak 0, last 5min 0 \n0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n"
           "1000 session(s) max\nmin idle cpu 0.00/100.00\n",
    spawn(fun() -> gen_loop(Text) end).

gen_loop(Text) ->
    receive
        {'$gen_call', From, _Req} -> gen:reply(From, {ok, Text}), gen_loop(Text);
        stop -> ok
    end.

gen_rtt(Dest, N) ->
    [gen_server:call(Dest, status) || _ <- lists:seq(1, 2000)],
    lists:sort([gen_once(Dest) || _ <- lists:seq(1, N)]).

gen_once(Dest) ->
    T0 = erlang:monotonic_time(nanosecond),
    {ok, _} = gen_server:call(Dest, status),
    erlang:monotonic_time(nanosecond) - T0.

start_ob(N) ->
    catch exit(whereis(mee_ob), kill),
    timer:sleep(10),
    Pid = spawn(fun() -> ob_loop(N, 0, [], []) end),
    register(mee_ob, Pid),
    ok.

ob_loop(N, Calls, Done, Waiters) ->
    receive
        {call, _} ->
            C = Calls + 1,
            ob_loop(N, C, Done, ob_notify(N, C, length(Done), Waiters));
        {hangup, R} ->
            D = [R | Done],
            ob_loop(N, Calls, D, ob_notify(N, Calls, length(D), Waiters));
        {wait, What, From} ->
            ob_loop(N, Calls, Done, ob_notify(N, Calls, length(Done), [{What, From} | Waiters]));
        {report, From} ->
            From ! {ob_report, Done},
            ob_loop(N, Calls, Done, Waiters)
    end.

ob_notify(N, Calls, Hangups, Waiters) ->
    lists:filter(
        fun({calls, From}) when Calls >= N -> From ! {ob, calls}, false;
           ({hangups, From}) when Hangups >= N -> From ! {ob, hangups}, false;
           (_) -> true
        end, Waiters).

wait_ob(What, Timeout) ->
    mee_ob ! {wait, What, self()},
    receive {ob, What} -> ok after Timeout -> timeout end.

ob_report() ->
    mee_ob ! {report, self()},
    receive {ob_report, R} -> R after 10000 -> timeout end.

ob_launch(Ref) ->
    {Ref, spawn(?MODULE, ob_handler, [undefined, 0, undefined])}.

ob_handler(First, Count, Last) ->
    receive
        {call, _} ->
            mee_ob ! {call, self()},
            ob_handler(First, Count, Last);
        {call_event, {event, [_UUID | Headers]}} ->
            Seq = ob_seq(Headers),
            F = case First of undefined -> Seq; _ -> First end,
            ob_handler(F, Count + 1, Seq);
        {call_hangup, UUID} ->
            mee_ob ! {hangup, {UUID, First, Last, Count}};
        _ ->
            ob_handler(First, Count, Last)
    end.

ob_seq(Headers) ->
    case lists:keyfind("Event-Sequence", 1, Headers) of
        {_, S} -> list_to_integer(S);
        false ->
            case lists:keyfind(<<"Event-Sequence">>, 1, Headers) of
                {_, B} -> binary_to_integer(B);
                false -> undefined
            end
    end.
