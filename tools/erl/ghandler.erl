%% A gen_server (started through proc_lib by gen_server:start) as the call handler: launch/1 is the
%% rpc target of `erlang ghandler:launch <node>`; every message is reported to `collector`.
-module(ghandler).
-behaviour(gen_server).
-export([launch/1, init/1, handle_call/3, handle_cast/2, handle_info/2]).

launch(Ref) ->
    {ok, Pid} = gen_server:start(?MODULE, [], []),
    {Ref, Pid}.

init([]) -> {ok, []}.
handle_call(_Req, _From, S) -> {reply, ok, S}.
handle_cast(_Msg, S) -> {noreply, S}.
handle_info({call, {event, [UUID | _]}}, S) ->
    collector ! {gs_call, self(), UUID, proc_lib:initial_call(self())},
    {noreply, S};
handle_info({call_event, {event, [UUID | Rest]}}, S) ->
    collector ! {gs_call_event, self(), UUID, proplists:get_value("Event-Name", Rest)},
    {noreply, S};
handle_info({call_hangup, UUID}, S) ->
    collector ! {gs_call_hangup, self(), UUID},
    {stop, normal, S};
handle_info(_Other, S) -> {noreply, S}.
