%% OTP's own codec timed on the corpus the TypeScript bench writes (tools/bench/etf.ts).
%% main([CorpusFile, MinMillis]): the file holds <<Len:32, Bytes>> records (minor_version 2
%% encodings). Prints "EncodeNsPerPass DecodeNsPerPass" (CPU time) where a pass is one trip over all
%% records.
-module(etf_bench).
-export([main/1]).

main([File, MinMillisText]) ->
    MinNs = list_to_integer(MinMillisText) * 1000000,
    {ok, Data} = file:read_file(File),
    Bins = split(Data, []),
    Terms = [binary_to_term(B) || B <- Bins],
    Enc = fun() -> lists:foreach(fun(T) -> term_to_binary(T, [{minor_version, 2}]) end, Terms) end,
    Dec = fun() -> lists:foreach(fun(B) -> binary_to_term(B) end, Bins) end,
    _ = timed(Enc, MinNs div 4),
    EncNs = timed(Enc, MinNs),
    _ = timed(Dec, MinNs div 4),
    DecNs = timed(Dec, MinNs),
    io:format("~p ~p~n", [EncNs, DecNs]).

split(<<>>, Acc) -> lists:reverse(Acc);
split(<<Len:32, B:Len/binary, Rest/binary>>, Acc) -> split(Rest, [binary:copy(B) | Acc]).

%% CPU nanoseconds per pass: 8 rounds of MinNs/8 CPU time each, the best round counts (as the
%% TypeScript side does). Run with one scheduler and no busy-waiting so runtime is this work only.
timed(F, MinNs) ->
    lists:min([round_ns(F, MinNs div 8) || _ <- lists:seq(1, 8)]).

cpu_ns() ->
    {Ms, _} = erlang:statistics(runtime),
    Ms * 1000000.

round_ns(F, RoundNs) ->
    loop(F, cpu_ns(), RoundNs, 0).

loop(F, T0, RoundNs, N) ->
    F(),
    Elapsed = cpu_ns() - T0,
    case Elapsed >= RoundNs of
        true -> Elapsed / (N + 1);
        false -> loop(F, T0, RoundNs, N + 1)
    end.
