%% The seed document's myhandler (all three outbound forms), with its INFO reports, plus what a
%% test needs: every message it gets is also reported to the registered process `collector` (if
%% one runs), and on {call, _} it answers the call through sendmsg when persistent_term `fs` names
%% the switch node.
-module(myhandler).
-export([start/0, run/0, launch/1]).

start() ->
    %% start our handler process running
    Pid = spawn(?MODULE, run, []),
    %% register it with the same name as the module - myhandler
    register(?MODULE, Pid),
    {ok, Pid}.

run() ->
    %% wait for messages from FreeSWITCH
    receive
        {call, Data} ->
            %% a new call is starting, find the UUID
            {event, [UUID | _Rest]} = Data,
            error_logger:info_msg("myhandler ~p: new call received, UUID is ~p~n", [self(), UUID]),
            report({call, self(), UUID}),
            case persistent_term:get(fs, undefined) of
                undefined -> ok;
                Fs -> {myhandler, Fs} ! {sendmsg, UUID, [{"call-command", "execute"}, {"execute-app-name", "answer"}]}
            end,
            run();
        {call_event, Data} ->
            %% we've got an event for a call we've been notified of already
            {event, [UUID | Rest]} = Data,
            %% find out the name of the event
            Name = proplists:get_value("Event-Name", Rest),
            error_logger:info_msg("myhandler ~p: UUID ~p, event ~p~n", [self(), UUID, Name]),
            report({call_event, self(), UUID, Name}),
            run();
        {call_hangup, UUID} ->
            error_logger:info_msg("myhandler ~p: UUID ~p, call hung up~n", [self(), UUID]),
            report({call_hangup, self(), UUID}),
            run();
        {get_pid, UUID, Ref, Pid} ->
            %% request from FreeSWITCH for an outbound process to handle call at 'UUID'
            NewPid = spawn(?MODULE, run, []),
            error_logger:info_msg("myhandler ~p: request to spawn new handler process, returning ~p~n", [self(), NewPid]),
            report({get_pid, UUID, NewPid}),
            Pid ! {Ref, NewPid},
            run();
        stop ->
            ok;
        Other ->
            report({other, self(), Other}),
            run()
    end.

launch(Ref) ->
    %% rpc call to a function to return a new outbound call pid
    NewPid = spawn(?MODULE, run, []),
    error_logger:info_msg("myhandler ~p: launch request, returning ~p~n", [self(), NewPid]),
    report({launch, NewPid}),
    {Ref, NewPid}.

report(M) ->
    case whereis(collector) of
        undefined -> ok;
        C -> C ! M
    end.
