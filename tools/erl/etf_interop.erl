%% The Erlang side of the @beamline/etf interop suite (packages/etf/test/*.interop.test.ts).
%%
%% gen(Seed, Count, OutFile): makes Count random nested terms and writes, for each, four encodings
%%   of it, each as <<Len:32, Bytes/binary>>, in this order:
%%     term_to_binary(T, [{minor_version, 2}])   (UTF-8 atoms: the byte-exact target)
%%     term_to_binary(T)                         (OTP 25: latin-1 ATOM_EXT)
%%     term_to_binary(T, [{minor_version, 0}])   (old FLOAT_EXT floats)
%%     term_to_binary(T, [compressed])
%% check(InFile, OutFile): reads records <<Len:32, Bytes, TextLen:32, Text>> written by TypeScript.
%%   For each: T = binary_to_term(Bytes); when Text is not empty it is parsed as an Erlang term and
%%   must be =:= T. Writes <<Status:8, Len:32, Echo/binary>> per record, Echo being
%%   term_to_binary(T, [{minor_version, 2}]); Status 1 = text matched, 2 = no text, 0 = mismatch,
%%   3 = binary_to_term failed.
%% deep(Depth, OutFile): the deep terms (deep_terms/1, each nested Depth levels), each written as
%%   <<Len:32, (term_to_binary(T, [{minor_version, 2}]))/binary>>.
%% deep_check(Depth, InFile, OutFile): reads one <<Len:32, Bytes>> record per deep term, written by
%%   TypeScript in deep_terms/1's order. For each: T = binary_to_term(Bytes) must be =:= the term
%%   built here. Writes <<Status:8, Len:32, Echo/binary>> (Echo = term_to_binary(T, [{minor_version,
%%   2}])); Status 1 = the same term, 0 = another term, 3 = binary_to_term failed.
-module(etf_interop).
-export([gen/3, check/2, deep/2, deep_check/3, main/1]).

main([Mode | Args]) ->
    case Mode of
        "gen" ->
            [Seed, Count, Out] = Args,
            gen(list_to_integer(Seed), list_to_integer(Count), Out);
        "check" ->
            [In, Out] = Args,
            check(In, Out);
        "deep" ->
            [Depth, Out] = Args,
            deep(list_to_integer(Depth), Out);
        "deep_check" ->
            [Depth, In, Out] = Args,
            deep_check(list_to_integer(Depth), In, Out)
    end.

%% Terms nested Depth levels deep, the way ordinary accumulators build them:
%%   [[[...[]...]]]                          a list in a list, Depth times
%%   {Depth, {Depth - 1, ... {1, nil}}}      an {I, Prev} chain
%%   levels cycling through a map, an improper list and a 1-tuple around the rest
deep_terms(Depth) ->
    Seq = lists:seq(1, Depth),
    [lists:foldl(fun(_, Acc) -> [Acc] end, [], Seq),
     lists:foldl(fun(I, Prev) -> {I, Prev} end, nil, Seq),
     lists:foldl(fun(I, Acc) ->
                         case I rem 3 of
                             0 -> #{I => Acc, k => <<I:32>>};
                             1 -> [I, x | {Acc}];
                             2 -> {Acc}
                         end
                 end, [], Seq)].

deep(Depth, OutFile) ->
    Chunks = [begin B = term_to_binary(T, [{minor_version, 2}]), <<(byte_size(B)):32, B/binary>> end
              || T <- deep_terms(Depth)],
    ok = file:write_file(OutFile, Chunks).

deep_check(Depth, InFile, OutFile) ->
    {ok, Data} = file:read_file(InFile),
    ok = file:write_file(OutFile, deep_records(Data, deep_terms(Depth), [])).

deep_records(<<>>, [], Acc) ->
    lists:reverse(Acc);
deep_records(<<Len:32, Bytes:Len/binary, Rest/binary>>, [Expected | More], Acc) ->
    Out = case catch binary_to_term(Bytes) of
              {'EXIT', _} ->
                  <<3, 0:32>>;
              T ->
                  Echo = term_to_binary(T, [{minor_version, 2}]),
                  Status = case T =:= Expected of true -> 1; false -> 0 end,
                  <<Status, (byte_size(Echo)):32, Echo/binary>>
          end,
    deep_records(Rest, More, [Out | Acc]).

gen(Seed, Count, OutFile) ->
    rand:seed(exsss, {Seed, Seed * 7 + 1, Seed * 13 + 5}),
    Fixed = fixed_terms(),
    Random = [term(4) || _ <- lists:seq(1, Count)],
    Chunks = [record(T) || T <- Fixed ++ Random],
    ok = file:write_file(OutFile, Chunks).

record(T) ->
    Forms = [term_to_binary(T, [{minor_version, 2}]), term_to_binary(T),
             term_to_binary(T, [{minor_version, 0}]), term_to_binary(T, [compressed])],
    [<<(byte_size(B)):32, B/binary>> || B <- Forms].

check(InFile, OutFile) ->
    {ok, Data} = file:read_file(InFile),
    ok = file:write_file(OutFile, check_records(Data, [])).

check_records(<<>>, Acc) ->
    lists:reverse(Acc);
check_records(<<Len:32, Bytes:Len/binary, TextLen:32, Text:TextLen/binary, Rest/binary>>, Acc) ->
    Out = case catch binary_to_term(Bytes) of
              {'EXIT', _} ->
                  <<3, 0:32>>;
              T ->
                  Echo = term_to_binary(T, [{minor_version, 2}]),
                  Status = case Text of
                               <<>> -> 2;
                               _ ->
                                   case parse(Text) of
                                       {ok, Expected} when Expected =:= T -> 1;
                                       _ -> 0
                                   end
                           end,
                  <<Status, (byte_size(Echo)):32, Echo/binary>>
          end,
    check_records(Rest, [Out | Acc]).

parse(Text) ->
    {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(<<Text/binary, ".">>)),
    erl_parse:parse_term(Tokens).

%% Terms every run must contain, whatever the seed.
fixed_terms() ->
    [0, 255, 256, -1, 2147483647, 2147483648, -2147483648, -2147483649,
     1 bsl 64, -(1 bsl 64), 1 bsl 2040, -(1 bsl 2047), (1 bsl 53) - 1, 1 bsl 53,
     0.0, -0.0, 1.0, 1.0e300, -1.5, 5.0e-324, 1.7976931348623157e308,
     '', a, 'ö', 'hello world', 'EXIT', list_to_atom(lists:duplicate(255, $x)),
     list_to_atom(lists:duplicate(255, 246)), list_to_atom(lists:duplicate(255, 16#1F600)),
     [], "abc", [1, 2, 300], [1, 2 | "bc"], [a | "bc"], [a | b], [1 | 2],
     lists:duplicate(65535, $x), lists:duplicate(65536, $x), lists:seq(1, 70000),
     [16#1F600, 16#E9], <<>>, <<1:1>>, <<1, 2:3>>, binary:copy(<<7>>, 70000),
     {}, list_to_tuple(lists:seq(1, 255)), list_to_tuple(lists:seq(1, 256)),
     #{}, #{b => 1, a => 2}, #{1 => a, 1.0 => b, 2 => c, 1.5 => d},
     maps:from_list([{K, K * K} || K <- lists:seq(1, 33)]),
     maps:from_list([{{k, K}, [K]} || K <- lists:seq(1, 200)]),
     self(), make_ref(), hd(erlang:ports()), fun lists:map/2, fun() -> ok end,
     mk_fun(42, [x, <<"y">>]), ext_pid(), ext_ref(), ext_port(), ext_v4_port()].

%% ---- random terms ----

pick(L) -> lists:nth(rand:uniform(length(L)), L).

term(0) -> leaf();
term(Depth) ->
    case rand:uniform(20) of
        N when N =< 8 -> leaf();
        9 -> list_to_tuple([term(Depth - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)]);
        10 -> [term(Depth - 1) || _ <- lists:seq(1, rand:uniform(6) - 1)];
        11 -> improper(Depth - 1);
        12 -> small_map(Depth - 1);
        13 -> case rand:uniform(8) of 1 -> big_map(Depth - 1); _ -> small_map(Depth - 1) end;
        14 -> {pick([event, reply, call]), [term(Depth - 1) || _ <- lists:seq(1, rand:uniform(4))]};
        15 -> case rand:uniform(10) of
                  1 -> list_to_tuple([leaf() || _ <- lists:seq(1, 250 + rand:uniform(60))]);
                  _ -> list_to_tuple([term(Depth - 1), term(Depth - 1)])
              end;
        16 -> mk_fun(term(Depth - 1), [term(Depth - 1) || _ <- lists:seq(1, rand:uniform(3) - 1)]);
        17 -> [{key(), term(Depth - 1)} || _ <- lists:seq(1, rand:uniform(5))];
        _ -> leaf()
    end.

improper(Depth) ->
    Head = [term(Depth) || _ <- lists:seq(1, rand:uniform(4))],
    Tail = case rand:uniform(3) of 1 -> atom(); 2 -> int(); 3 -> {term(Depth)} end,
    Head ++ Tail.

key() -> case rand:uniform(3) of 1 -> atom(); 2 -> bin(); 3 -> int() end.

small_map(Depth) ->
    maps:from_list([{map_key(), term(Depth)} || _ <- lists:seq(1, rand:uniform(12) - 1)]).

big_map(Depth) ->
    maps:from_list([{map_key(), term(Depth)} || _ <- lists:seq(1, 33 + rand:uniform(80))]).

map_key() ->
    case rand:uniform(8) of
        1 -> {atom(), int()};
        2 -> [int(), atom()];
        3 -> ext_pid();
        4 -> float();
        5 -> bin();
        6 -> #{atom() => int()};
        _ -> pick([atom(), int()])
    end.

leaf() ->
    case rand:uniform(16) of
        1 -> int();
        2 -> int();
        3 -> bignum();
        4 -> float();
        5 -> atom();
        6 -> atom();
        7 -> bin();
        8 -> bits();
        9 -> charlist();
        10 -> unicode_list();
        11 -> pick([self(), ext_pid()]);
        12 -> pick([make_ref(), ext_ref()]);
        13 -> pick([hd(erlang:ports()), ext_port(), ext_v4_port()]);
        14 -> pick([fun lists:map/2, fun erlang:self/0, fun maps:get/3]);
        15 -> [];
        16 -> {}
    end.

int() ->
    case rand:uniform(4) of
        1 -> rand:uniform(256) - 1;
        2 -> rand:uniform(1 bsl 32) - (1 bsl 31) - 1;
        3 -> rand:uniform(1 bsl 53) - (1 bsl 52);
        4 -> -rand:uniform(300)
    end.

bignum() ->
    Bits = pick([33, 52, 53, 54, 63, 64, 65, 100, 500, 2048, 2100]),
    V = rand:uniform(1 bsl Bits) + (1 bsl 31),
    pick([V, -V]).

float() ->
    case rand:uniform(6) of
        1 -> pick([0.0, -0.0, 1.0, -1.0, 1.0e300, 2.0e-300, 1.0e16]);
        2 -> float(rand:uniform(1000000));
        3 -> rand:uniform() * math:pow(10, rand:uniform(600) - 300);
        _ -> (rand:uniform() - 0.5) * 1000
    end.

atom() ->
    case rand:uniform(10) of
        1 -> list_to_atom([pick(unicode_chars()) || _ <- lists:seq(1, rand:uniform(20))]);
        2 -> list_to_atom([rand:uniform(255) || _ <- lists:seq(1, rand:uniform(10))]);
        3 -> list_to_atom([pick(unicode_chars()) || _ <- lists:seq(1, 255)]);
        4 -> '';
        _ -> list_to_atom([$a + rand:uniform(26) - 1 || _ <- lists:seq(1, rand:uniform(12))])
    end.

unicode_chars() -> [$a, $Z, $_, $@, $\s, $', $\\, 16#E9, 16#F6, 16#3B1, 16#4E2D, 16#1F600, 16#10FFFF].

bin() ->
    case rand:uniform(30) of
        1 -> crypto_free_bytes(200 + rand:uniform(400));
        _ -> crypto_free_bytes(rand:uniform(40) - 1)
    end.

crypto_free_bytes(N) -> list_to_binary([rand:uniform(256) - 1 || _ <- lists:seq(1, N)]).

bits() ->
    B = crypto_free_bytes(rand:uniform(10) - 1),
    Extra = rand:uniform(7),
    <<B/binary, (rand:uniform(1 bsl Extra) - 1):Extra>>.

charlist() ->
    case rand:uniform(1500) of
        1 -> [rand:uniform(256) - 1 || _ <- lists:seq(1, 65530 + rand:uniform(10))];
        _ -> [rand:uniform(256) - 1 || _ <- lists:seq(1, rand:uniform(30))]
    end.

unicode_list() -> [pick(unicode_chars()) || _ <- lists:seq(1, rand:uniform(10))].

node_name() -> pick(['n1@host', 'other@127.0.0.1', 'ö@h', 'a@b']).

ext_pid() ->
    binary_to_term(<<131, 88, (term_to_binary_noversion(node_name()))/binary,
                     (rand:uniform(1 bsl 32) - 1):32, (rand:uniform(1 bsl 32) - 1):32, (rand:uniform(1 bsl 32) - 1):32>>).

ext_ref() ->
    Len = rand:uniform(5),
    Ids = << <<(rand:uniform(1 bsl 32) - 1):32>> || _ <- lists:seq(1, Len) >>,
    binary_to_term(<<131, 90, Len:16, (term_to_binary_noversion(node_name()))/binary,
                     (rand:uniform(1 bsl 32) - 1):32, Ids/binary>>).

ext_port() ->
    binary_to_term(<<131, 89, (term_to_binary_noversion(node_name()))/binary,
                     (rand:uniform(1 bsl 32) - 1):32, (rand:uniform(1 bsl 32) - 1):32>>).

ext_v4_port() ->
    binary_to_term(<<131, 120, (term_to_binary_noversion(node_name()))/binary,
                     (rand:uniform(1 bsl 40) + (1 bsl 32)):64, (rand:uniform(1 bsl 32) - 1):32>>).

term_to_binary_noversion(T) ->
    <<131, B/binary>> = term_to_binary(T, [{minor_version, 2}]),
    B.

mk_fun(X, Ys) ->
    case Ys of
        [] -> fun(A) -> {A, X} end;
        [Y] -> fun(A, B) -> {A, B, X, Y} end;
        [Y, Z | _] -> fun() -> [X, Y, Z] end
    end.
