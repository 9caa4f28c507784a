/**
 * Bytes in, the same bytes out (DECISIONS.md O24–O26): a header value, an api argument or a sendmsg
 * header that is no UTF-8 (Latin-1 "héllo") comes back byte for byte; UTF-8 stays UTF-8; atoms
 * (the api command, a CUSTOM subclass, a filter) are their Latin-1 bytes, as ei_decode_atom gives
 * them, and an atom past U+00FF is `badarg`. The test's Erlang text is ASCII: every non-ASCII
 * string is written as its bytes, every such atom made with list_to_atom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('bytes');
  await rig.shell(ERL_DEFS);
  // W(X): X as ~w prints it (no string guessing); the Latin-1 and UTF-8 forms of "héllo"
  await rig.shell('W = fun(Xw_) -> lists:flatten(io_lib:format("~w", [Xw_])) end, L1 = [104,233,108,108,111], U8 = [104,195,169,108,108,111], ok');
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const L1 = '[104,233,108,108,111]';
const U8 = '[104,195,169,108,108,111]';

describe('byte strings keep their bytes', () => {
  it('sendevent: a Latin-1 header value and body come back as sent, UTF-8 ones too; a Latin-1 subclass atom matches and is sent as Latin-1', async () => {
    await sh(`Pb = Coll(), Sub = list_to_atom("my::s" ++ [252] ++ "b"), ok = Do(Pb, register_event_handler), ok = Do(Pb, {event, 'CUSTOM', Sub})`);
    expect(await sh(`Do(Pb, {sendevent, 'CUSTOM', Sub, [{"k", L1}, {"u", U8}, {"body", L1}]})`)).toBe('ok');
    expect(await sh(`[{event, [_ | Hb]}] = WaitEv(Pb, 1), W([proplists:get_value(K, Hb) || K <- ["k", "u", "Event-Subclass", "body"]])`)).toBe(
      `"[${L1},${U8},[109,121,58,58,115,252,98],${L1}]"`,
    );
  });

  it('api: a Latin-1 argument (string or binary) is echoed as its bytes; UTF-8 as UTF-8', async () => {
    expect(await sh(`W(Do(Coll(), {api, echo, L1}))`)).toBe(`"{ok,${L1}}"`);
    expect(await sh(`W(Do(Coll(), {api, echo, list_to_binary(L1)}))`)).toBe(`"{ok,${L1}}"`);
    expect(await sh(`W(Do(Coll(), {api, echo, U8}))`)).toBe(`"{ok,${U8}}"`);
  });

  it('bytes that are no UTF-8 keep their bytes through url_encode, url_decode and md5 (as erlang:md5 hashes them)', async () => {
    expect(await sh(`Do(Coll(), {api, url_encode, L1})`)).toBe('{ok,"h%E9llo"}');
    expect(await sh(`W(Do(Coll(), {api, url_decode, "h%E9llo"}))`)).toBe(`"{ok,${L1}}"`);
    expect(await sh(`{ok, Md} = Do(Coll(), {api, md5, L1}), Md =:= lists:flatten([io_lib:format("~2.16.0b", [B]) || <<B>> <= erlang:md5(L1)])`)).toBe(
      'true',
    );
  });

  it('a NUL ends what the module reads, as a C string does: in a string, a binary, a header value', async () => {
    expect(await sh(`Do(Coll(), {api, echo, "ab" ++ [0] ++ "cd"})`)).toBe('{ok,"ab"}');
    expect(await sh(`Do(Coll(), {api, echo, <<"xy", 0, "z">>})`)).toBe('{ok,"xy"}');
    await sh(`Pn = Coll(), ok = Do(Pn, register_event_handler), ok = Do(Pn, {event, 'CUSTOM', 'nul::t'})`);
    expect(await sh(`Do(Pn, {sendevent, 'CUSTOM', 'nul::t', [{"k", "v" ++ [0] ++ "w"}]})`)).toBe('ok');
    expect(await sh(`[{event, [_ | Hn]}] = WaitEv(Pn, 1), proplists:get_value("k", Hn)`)).toBe('"v"');
    // header values go out through switch_url_decode: sscanf("%2x") per %, a decoded NUL ends the value
    expect(await sh(`Do(Pn, {sendevent, 'CUSTOM', 'nul::t', [{"V1", "ab%00cd"}, {"V2", "% 41"}, {"V3", "%-1x"}, {"V4", "%+41"}]})`)).toBe('ok');
    expect(await sh(`{event, [_ | Hv]} = lists:last(WaitEv(Pn, 2)), W([proplists:get_value(K, Hv) || K <- ["V1", "V2", "V3", "V4"]])`)).toBe(
      '"[[97,98],[65,49],[255,120],[4,49]]"',
    );
  });

  it('sendmsg: a Latin-1 execute-app-arg sets a channel variable of those bytes', async () => {
    const out = await rig.fs.sw.originate('null/1234 &park()');
    const uuid = /^\+OK (\S+)/.exec(out)?.[1] as string;
    expect(uuid).toBeDefined();
    try {
      expect(
        await sh(
          `Do(Coll(), {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "set"}, {"execute-app-arg", "v=" ++ L1}, {"event-lock", "true"}]})`,
        ),
      ).toBe('ok');
      let got = '';
      for (let i = 0; i < 50 && !got.includes(L1); i++) {
        got = await sh(`W(Do(Coll(), {api, uuid_getvar, "${uuid} v"}))`);
        if (!got.includes(L1)) await new Promise((r) => setTimeout(r, 20));
      }
      expect(got).toBe(`"{ok,${L1}}"`);
    } finally {
      await rig.fs.sw.api(`uuid_kill ${uuid}`);
    }
  });
});

describe('atoms are read as Latin-1', () => {
  it('an unknown command atom answers its Latin-1 bytes: {api, \'ëcho\', ""}', async () => {
    expect(await sh(`W(Do(Coll(), {api, list_to_atom([235 | "cho"]), ""}))`)).toBe(
      `"{error,[235,99,104,111,58,32,67,111,109,109,97,110,100,32,110,111,116,32,102,111,117,110,100,33,10]}"`,
    );
    // the same with bgapi: the job's output
    expect(
      await sh(
        `Pg = Coll(), {ok, _} = Do(Pg, {bgapi, list_to_atom([235 | "cho"]), ""}), timer:sleep(200), [{bgerror, _, Og}] = [M || M <- Msgs(Pg), element(1, M) =:= bgerror], W(lists:sublist(Og, 5))`,
      ),
    ).toBe('"[235,99,104,111,58]"');
  });

  it('an atom past U+00FF is badarg: as the command, the subclass, the tag, the whole message', async () => {
    await sh('Wide = list_to_atom([349, 111]), ok');
    expect(await sh(`Do(Coll(), {api, Wide, ""})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Coll(), {bgapi, Wide, ""})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Coll(), {sendevent, 'CUSTOM', Wide, []})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Coll(), {Wide, x})`)).toBe('{error,badarg}');
    expect(await sh(`Do(Coll(), Wide)`)).toBe('{error,badarg}');
    // an atom of Latin-1 characters that is no command stays undef
    expect(await sh(`Do(Coll(), {list_to_atom([235]), x})`)).toBe('{error,undef}');
  });

  it('a filter atom with a Latin-1 value: the log shows its bytes and an event with that value passes', async () => {
    await sh(`Pf = Coll(), ok = Do(Pf, register_event_handler), ok = Do(Pf, {event, 'CUSTOM', 'flt::x'})`);
    expect(await sh(`W(Do(Pf, {filter, list_to_atom("add k " ++ L1)}))`)).toBe(
      `"{filter_command_processing_log,[{[97,100,100,101,100],[107],${L1}}]}"`,
    );
    await sh(`Do(Pf, {sendevent, 'CUSTOM', 'flt::x', [{"k", U8}, {"n", "1"}]}), Do(Pf, {sendevent, 'CUSTOM', 'flt::x', [{"k", L1}, {"n", "2"}]})`);
    expect(await sh(`timer:sleep(150), [proplists:get_value("n", Hf) || {event, [_ | Hf]} <- Evs(Pf)]`)).toBe('["2"]');
  });
});
