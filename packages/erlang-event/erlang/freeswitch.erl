%% freeswitch: the client helper the mod_erlang_event documentation refers to, for an erl shell
%% or an Erlang application talking to a switch node (FreeSWITCH's or beamline's switchd).
%% Written for beamline from the API the original helper offers (the same functions, arguments and
%% return values), with three things done differently, each noted where it happens:
%% fetch_reply/3 also returns the two-element errors, get_event_header/2 also reads binary-encoded
%% events, and a bgapi helper stops waiting when the node goes down.
%%
%% Load it into a shell started from the repository's root:
%%     c("packages/erlang-event/erlang/freeswitch.erl").
%% then, for example:  freeswitch:api(freeswitch@myhost, status).
%%
%% Every command goes to {freeswitch, Node} (the module answers any registered name) and waits
%% up to 5 s for the module's answer, which comes to the calling process; the answer is picked out
%% of the caller's mailbox by its shape, so run one command at a time per process.
-module(freeswitch).

-export([send/2, api/2, api/3, bgapi/3, bgapi/4]).
-export([event/2, session_event/2, nixevent/2, session_nixevent/2, noevents/1, session_noevents/1]).
-export([close/1, sendevent/3, sendevent_custom/3, sendmsg/3, getpid/1]).
-export([handlecall/2, handlecall/3, fetch_reply/3]).
-export([start_event_handler/4, start_log_handler/4, start_fetch_handler/5]).
-export([get_event_header/2, get_event_name/1, get_event_body/1]).

-define(TIMEOUT, 5000).

-type node_name() :: atom().

%% ---- commands ---------------------------------------------------------------------------

%% @doc Send any term to the module; the first message that arrives within 5 s, or `timeout'.
-spec send(node_name(), term()) -> term() | timeout.
send(Node, Term) ->
    to(Node, Term),
    receive
        Reply -> Reply
    after ?TIMEOUT -> timeout
    end.

%% @doc `api Cmd' with no arguments: {ok, Text} | {error, Text} | timeout.
-spec api(node_name(), atom()) -> {ok, term()} | {error, term()} | timeout.
api(Node, Cmd) ->
    api(Node, Cmd, "").

%% @doc `api Cmd Args': {ok, Text} | {error, Text} | timeout ({error, nodedown} when the node
%% goes meanwhile). Asked from a process of its own, so a reply that comes after the timeout goes
%% nowhere instead of answering the caller's next api (the original read replies by shape only).
-spec api(node_name(), atom(), string() | binary()) -> {ok, term()} | {error, term()} | timeout.
api(Node, Cmd, Args) ->
    request(Node, {api, Cmd, Args}, fun({ok, _} = Ok, Answer) -> Answer(Ok) end).

%% @doc `bgapi Cmd Args': {ok, JobID} | {error, Reason} | timeout at once; the result comes later
%% to the caller as {bgok, JobID, Text} or {bgerror, JobID, Text}.
-spec bgapi(node_name(), atom(), string() | binary()) -> {ok, term()} | {error, term()} | timeout.
bgapi(Node, Cmd, Args) ->
    Caller = self(),
    background(Node, Cmd, Args, fun(Status, JobID, Text) -> Caller ! {result_tag(Status), JobID, Text} end).

%% @doc As bgapi/3, but the result is handed to Fun(ok, Text) or Fun(error, Text), called in a
%% process of its own; returns ok | {error, Reason} | timeout.
-spec bgapi(node_name(), atom(), string() | binary(), fun((ok | error, term()) -> term())) ->
    ok | {error, term()} | timeout.
bgapi(Node, Cmd, Args, Fun) ->
    case background(Node, Cmd, Args, fun(Status, _JobID, Text) -> Fun(Status, Text) end) of
        {ok, _JobID} -> ok;
        Other -> Other
    end.

%% @doc Subscribe the calling process (a registered event handler) to event types:
%% a list of atoms ('ALL', 'CHANNEL_CREATE', 'CUSTOM', subclass names, ...) or one atom.
-spec event(node_name(), atom() | [atom()]) -> ok | {error, term()} | timeout.
event(Node, Events) -> command(Node, tagged(event, Events)).

-spec session_event(node_name(), atom() | [atom()]) -> ok | {error, term()} | timeout.
session_event(Node, Events) -> command(Node, tagged(session_event, Events)).

-spec nixevent(node_name(), atom() | [atom()]) -> ok | {error, term()} | timeout.
nixevent(Node, Events) -> command(Node, tagged(nixevent, Events)).

-spec session_nixevent(node_name(), atom() | [atom()]) -> ok | {error, term()} | timeout.
session_nixevent(Node, Events) -> command(Node, tagged(session_nixevent, Events)).

-spec noevents(node_name()) -> ok | {error, term()} | timeout.
noevents(Node) -> command(Node, noevents).

-spec session_noevents(node_name()) -> ok | {error, term()} | timeout.
session_noevents(Node) -> command(Node, session_noevents).

%% @doc Ask the module to close this node's connection (`exit').
-spec close(node_name()) -> ok | timeout.
close(Node) ->
    to(Node, exit),
    receive
        ok -> ok
    after ?TIMEOUT -> timeout
    end.

%% @doc Fire an event of a core type with the given [{Name, Value}] headers.
-spec sendevent(node_name(), atom(), [{string(), string()}]) -> ok | {error, term()} | timeout.
sendevent(Node, EventName, Headers) -> command(Node, {sendevent, EventName, Headers}).

%% @doc Fire a CUSTOM event of the given subclass.
-spec sendevent_custom(node_name(), atom(), [{string(), string()}]) -> ok | {error, term()} | timeout.
sendevent_custom(Node, SubClass, Headers) -> command(Node, {sendevent, 'CUSTOM', SubClass, Headers}).

%% @doc Send a call a message (call-command execute / hangup / ...), as event socket's sendmsg.
-spec sendmsg(node_name(), string() | binary(), [{string(), string()}]) -> ok | {error, term()} | timeout.
sendmsg(Node, UUID, Headers) -> command(Node, {sendmsg, UUID, Headers}).

%% @doc The module's own pid (FsPid): {ok, Pid} | timeout.
-spec getpid(node_name()) -> {ok, pid()} | timeout.
getpid(Node) ->
    to(Node, getpid),
    receive
        {ok, Pid} when is_pid(Pid) -> {ok, Pid}
    after ?TIMEOUT -> timeout
    end.

%% @doc Attach the calling process to a call: it gets {call, _}, {call_event, _}, {call_hangup, _}.
-spec handlecall(node_name(), string() | binary()) -> ok | {error, term()} | timeout.
handlecall(Node, UUID) -> command(Node, {handlecall, UUID}).

%% @doc Attach the registered process Process to a call (the module takes either argument order).
-spec handlecall(node_name(), string() | binary(), atom()) -> ok | {error, term()} | timeout.
handlecall(Node, UUID, Process) -> command(Node, {handlecall, UUID, Process}).

%% @doc Answer an XML fetch request: ok | {error, Reason} | timeout.
-spec fetch_reply(node_name(), string() | binary(), string() | binary()) -> ok | {error, term()} | timeout.
fetch_reply(Node, FetchID, Reply) ->
    to(Node, {fetch_reply, FetchID, Reply}),
    receive
        {ok, _FetchID} -> ok;
        {error, _FetchID, Reason} -> {error, Reason};
        %% invalid_uuid (a late or unknown reply) and badarg: the original left these to time out
        {error, Reason} -> {error, Reason}
    after ?TIMEOUT -> timeout
    end.

%% ---- handlers -------------------------------------------------------------------------

%% @doc Start a process that registers as an event handler, then runs Module:Function(Node, State):
%% {ok, Pid} | {error, Reason} | timeout. Subscribe it with event/2 (from it, or from the caller).
-spec start_event_handler(node_name(), module(), atom(), term()) -> {ok, pid()} | {error, term()} | timeout.
start_event_handler(Node, Module, Function, State) ->
    start_handler(Node, register_event_handler, Module, Function, State).

%% @doc The same for log messages ({log, [...]}).
-spec start_log_handler(node_name(), module(), atom(), term()) -> {ok, pid()} | {error, term()} | timeout.
start_log_handler(Node, Module, Function, State) ->
    start_handler(Node, register_log_handler, Module, Function, State).

%% @doc The same for XML fetch requests of Section (directory, dialplan, configuration, ...).
-spec start_fetch_handler(node_name(), atom(), module(), atom(), term()) -> {ok, pid()} | {error, term()} | timeout.
start_fetch_handler(Node, Section, Module, Function, State) ->
    start_handler(Node, {bind, Section}, Module, Function, State).

%% ---- reading events --------------------------------------------------------------------

%% @doc The value of the first header named Needle in an event ({event, [UUID | Headers]} or the
%% list itself), or {error, notfound}. Reads string- and binary-encoded events alike (the original
%% crashed on a binary UUID); a string Needle finds a binary name and the other way round.
-spec get_event_header({event, list() | map()} | list(), string() | binary()) -> term() | {error, notfound}.
get_event_header({event, Map}, Needle) when is_map(Map) ->
    %% event-format=map (a beamline option): #{Name => Value}
    find_header(maps:to_list(Map), Needle);
get_event_header({event, Headers}, Needle) ->
    get_event_header(Headers, Needle);
get_event_header([First | Headers], Needle) when not is_tuple(First) ->
    %% the UUID: undefined, a string or a binary
    find_header(Headers, Needle);
get_event_header(Headers, Needle) when is_list(Headers) ->
    find_header(Headers, Needle).

-spec get_event_name({event, list()} | list()) -> term() | {error, notfound}.
get_event_name(Event) -> get_event_header(Event, "Event-Name").

-spec get_event_body({event, list()} | list()) -> term() | {error, notfound}.
get_event_body(Event) -> get_event_header(Event, "body").

%% ---- internals -------------------------------------------------------------------------

to(Node, Term) -> {freeswitch, Node} ! Term.

%% A command answered by ok or {error, Reason}.
command(Node, Term) ->
    to(Node, Term),
    receive
        ok -> ok;
        {error, _} = Error -> Error
    after ?TIMEOUT -> timeout
    end.

tagged(Tag, Events) when is_list(Events) -> list_to_tuple([Tag | Events]);
tagged(Tag, Event) -> {Tag, Event}.

result_tag(ok) -> bgok;
result_tag(error) -> bgerror.

%% The bgapi is sent by a process of its own, so the job's result comes to it: the caller gets
%% {ok, JobID} or the error, and the result goes to Deliver. It stops waiting if the node goes down
%% (the original waited forever), delivering {error, nodedown}.
background(Node, Cmd, Args, Deliver) ->
    request(Node, {bgapi, Cmd, Args}, fun({ok, JobID} = Accepted, Answer) ->
        Answer(Accepted),
        receive
            {bgok, JobID, Text} -> Deliver(ok, JobID, Text);
            {bgerror, JobID, Text} -> Deliver(error, JobID, Text);
            {nodedown, Node} -> Deliver(error, JobID, nodedown)
        end
    end).

%% A process registers itself with Register (so it is the handler or binding), tells the caller
%% {ok, Pid}, and runs Module:Function(Node, State). It gets {nodedown, Node} when the connection goes.
start_handler(Node, Register, Module, Function, State) ->
    request(Node, Register, fun(ok, Answer) ->
        Answer({ok, self()}),
        Module:Function(Node, State)
    end).

%% Sends Request from a new process that watches Node, and returns its answer: {error, nodedown}
%% when the node goes, an {error, _} reply as it is, timeout after ?TIMEOUT; any other reply goes to
%% Accept(Reply, Answer) in that process, which answers the caller with Answer(Term) and goes on.
request(Node, Request, Accept) ->
    Caller = self(),
    Ref = make_ref(),
    Answer = fun(Reply) -> Caller ! {Ref, Reply} end,
    Pid = spawn(fun() ->
        monitor_node(Node, true),
        to(Node, Request),
        receive
            {error, _} = Error -> Answer(Error);
            {nodedown, Node} -> Answer({error, nodedown});
            Reply -> Accept(Reply, Answer)
        after ?TIMEOUT ->
            Answer(timeout)
        end
    end),
    receive
        {Ref, Reply} -> Reply
    after ?TIMEOUT + 1000 ->
        exit(Pid, kill),
        timeout
    end.

find_header([], _Needle) ->
    {error, notfound};
find_header([{Name, Value} | Rest], Needle) ->
    case same_text(Name, Needle) of
        true -> Value;
        false -> find_header(Rest, Needle)
    end;
find_header([_ | Rest], Needle) ->
    find_header(Rest, Needle).

same_text(A, A) -> true;
same_text(A, B) when is_binary(A), is_list(B) -> A =:= bytes(B);
same_text(A, B) when is_list(A), is_binary(B) -> bytes(A) =:= B;
same_text(_, _) -> false.

%% A string event's texts are byte lists; a needle typed in the shell may hold code points.
bytes(List) ->
    try iolist_to_binary(List)
    catch error:badarg -> unicode:characters_to_binary(List)
    end.
