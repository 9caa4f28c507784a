%% Test support for packages/erlang-event/erlang/freeswitch.erl: a handler body for its
%% start_*_handler functions that relays every message it gets to Owner as {relayed, self(), Msg}.
-module(fs_client_test).
-export([relay/2]).

relay(Node, Owner) ->
    receive
        Msg ->
            Owner ! {relayed, self(), Msg},
            relay(Node, Owner)
    end.
