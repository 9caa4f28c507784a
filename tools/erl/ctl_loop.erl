%% beamline control loop for tools/erl/node.ts, passed to erl as one -eval expression sequence
%% (lines starting with % are stripped before use). Protocol on stdin, one request per line:
%%   <Id> <base64 of Erlang expressions>
%% answered on stdout with one line:
%%   BEAMLINE_RESULT <Id> ok <base64 of ~tp of the value>
%%   BEAMLINE_RESULT <Id> error <base64 of Class:Reason>
%% Bindings persist between requests. EOF on stdin halts the node.
BeamlineEnc = fun(Fmt, Args) -> base64:encode(unicode:characters_to_binary(io_lib:format(Fmt, Args))) end,
BeamlineLoop = fun BeamlineLoop(Bs) ->
    case io:get_line(standard_io, '') of
        eof -> halt();
        {error, _} -> halt();
        Line ->
            case string:split(string:trim(Line), " ") of
                [IdS, B64] ->
                    {Status, Text, Bs2} =
                        try
                            Src = unicode:characters_to_list(base64:decode(B64)),
                            {ok, Toks, _} = erl_scan:string(Src),
                            {ok, Exprs} = erl_parse:parse_exprs(Toks),
                            {value, V, NewBs} = erl_eval:exprs(Exprs, Bs),
                            {"ok", BeamlineEnc("~tp", [V]), NewBs}
                        catch C:R ->
                            {"error", BeamlineEnc("~tP:~tP", [C, 20, R, 40]), Bs}
                        end,
                    io:format("~nBEAMLINE_RESULT ~s ~s ~s~n", [IdS, Status, Text]),
                    BeamlineLoop(Bs2);
                _ ->
                    BeamlineLoop(Bs)
            end
    end
end,
io:format("~nBEAMLINE_READY ~s~n", [node()]),
BeamlineLoop(erl_eval:new_bindings()).
