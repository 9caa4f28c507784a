%% A gen_statem (started through proc_lib by gen_statem:start) as the call handler: launch/1 is
%% the rpc target of `erlang shandler:launch <node>`. States: waiting (for {call, _}) → in_call;
%% every message is reported to `collector` with the state it arrived in.
-module(shandler).
-behaviour(gen_statem).
-export([launch/1, init/1, callback_mode/0, handle_event/4]).

launch(Ref) ->
    {ok, Pid} = gen_statem:start(?MODULE, [], []),
    {Ref, Pid}.

callback_mode() -> handle_event_function.
init([]) -> {ok, waiting, []}.

handle_event(info, {call, {event, [UUID | _]}}, waiting, D) ->
    collector ! {sm_call, self(), UUID, proc_lib:initial_call(self())},
    {next_state, in_call, D};
handle_event(info, {call_event, {event, [UUID | Rest]}}, in_call, D) ->
    collector ! {sm_call_event, UUID, proplists:get_value("Event-Name", Rest)},
    keep_state_and_data;
handle_event(info, {call_hangup, UUID}, State, D) ->
    collector ! {sm_call_hangup, UUID, State},
    {stop, normal, D};
handle_event(_Type, _Other, _State, _D) ->
    keep_state_and_data.
