/**
 * XML fetch from a real erl (spec §1.14–§1.15, §2.4, §9 item 14): `{bind, Section}`, requests with
 * their params, `{fetch_reply, ID, XML}` (first reply wins, later ones invalid_uuid), the 5 s
 * timeout and the fallback to static XML, bindings removed with their pid or node, and a call
 * routed by a dialplan an Erlang process serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from './helpers.ts';
import { collected, resetCollector, startOutboundRig, uuidOf } from './outbound_helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startOutboundRig('fb', { '1000': [['set', 'served_by=static'], ['park']] });
  // MkBinder(Section, Xml, DelayMs, Replies): a process that binds Section and answers each request
  // Replies times with Xml after DelayMs (none: never), reporting requests and the switch's answers
  await rig.shell(`
MkBinder = fun(Sec_b, Xml_b, Delay_b, N_b) -> Me_b = self(), P_b = spawn(fun() -> {foo, FS} ! {bind, Sec_b}, receive Rb_ -> Me_b ! {bound, Rb_} end, (fun Lb_() -> receive {fetch, S1_, T1_, K1_, V1_, Id1_, Ps1_} -> collector ! {fetch, self(), S1_, T1_, K1_, V1_, Id1_, Ps1_}, timer:sleep(Delay_b), [begin {foo, FS} ! {fetch_reply, Id1_, Xml_b}, receive R1_ -> collector ! {replied, self(), R1_} after 2000 -> collector ! {replied, self(), timeout} end end || Xml_b =/= none, _ <- lists:seq(1, N_b)], Lb_() end end)() end), receive {bound, Xb_} -> {Xb_, P_b} end end,
ok`);
}, 30_000);
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string) => rig.shell(e);
const DIRECTORY =
  '<document type="freeswitch/xml"><section name="directory"><domain name="example.com"><user id="1000"/></domain></section></document>';
const ACL_XML =
  '<document type="freeswitch/xml"><section name="configuration"><configuration name="acl.conf"><network-lists><list name="from_erl" default="deny"><node type="allow" cidr="10.1.0.0/16"/></list></network-lists></configuration></section></document>';
const ANSWERING_XML =
  '<document type="freeswitch/xml"><section name="dialplan"><context name="default"><extension name="erl"><condition field="destination_number" expression="^9998$"><action application="answer"/><action application="park"/></condition></extension></context></section></document>';
const dialplanXml = (exten: string) =>
  `<document type="freeswitch/xml"><section name="dialplan"><context name="default"><extension name="erl"><condition field="destination_number" expression="^${exten}$"><action application="set" data="served_by=erlang"/><action application="park"/></condition></extension></context></section></document>`;

describe('{bind, Section}', () => {
  it('sections by substring (configuration → config); unknown names and non-atoms → badarg; erlang bindings lists them', async () => {
    expect(await sh(`{Bd1, Pd1} = MkBinder(directory, none, 0, 0), Bd1`)).toBe('ok');
    expect(await sh(`{Bc1, Pc1} = MkBinder(configuration, none, 0, 0), Bc1`)).toBe('ok');
    expect(await sh(`element(1, MkBinder(phrases, none, 0, 0))`)).toBe('{error,badarg}');
    expect(await sh(`element(1, MkBinder("dialplan", none, 0, 0))`)).toBe('{error,badarg}');
    // elements after the section are ignored (the original does not check the arity)
    expect(
      await sh(
        `Me_x = self(), Pch = spawn(fun() -> {foo, FS} ! {bind, chatplan, extra}, receive Rx_ -> Me_x ! {bx, Rx_} end, receive stop -> ok end end), receive {bx, Bx_} -> Bx_ after 1000 -> timeout end`,
      ),
    ).toBe('ok');
    expect(await rig.fs.sw.api('erlang bindings')).toBe('t_fb@localhost directory\nt_fb@localhost config\nt_fb@localhost chatplan\n');

    // a binding goes with its pid
    await sh('exit(Pd1, kill), exit(Pc1, kill), exit(Pch, kill), timer:sleep(100)');
    expect(await rig.fs.sw.api('erlang bindings')).toBe('No bindings\n');
  });
});

describe('fetch requests and replies', () => {
  it('a directory lookup: {fetch, directory, "domain", "name", "example.com", ID, []}; the reply is used; a second one is invalid_uuid', async () => {
    await resetCollector(rig);
    await sh(`{ok, Pd2} = MkBinder(directory, "${DIRECTORY.replaceAll('"', '\\"')}", 0, 2), ok`);
    const section = await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'example.com');
    expect(section?.children[0]?.attributes).toEqual({ name: 'example.com' });
    const text = await collected(rig, (t) => (t.match(/replied/g) ?? []).length >= 2);
    expect(
      await sh(
        `[{fetch, _, S_, T_, K_, V_, Id_, Ps_}] = [M || M <- Msgs(whereis(collector)), element(1, M) =:= fetch], {S_, T_, K_, V_, length(Id_), Ps_}`,
      ),
    ).toBe('{directory,"domain","name","example.com",36,[]}');
    expect(await sh(`[R || {replied, _, R} <- Msgs(whereis(collector))]`)).toBe('[{ok,Id_},{error,invalid_uuid}]'.replace('Id_', await sh('Id_')));
    expect(text).toContain('invalid_uuid');
    await sh('exit(Pd2, kill), timer:sleep(50)');
  });

  it('a user looked up in the directory (user_data) is found in the document the erl process serves', async () => {
    await resetCollector(rig);
    const users =
      '<document type="freeswitch/xml"><section name="directory"><domain name="erl.example"><users><user id="2000"><params><param name="password" value="from-erl"/></params></user></users></domain></section></document>';
    await sh(`{ok, Pu} = MkBinder(directory, "${users.replaceAll('"', '\\"')}", 0, 1), ok`);
    expect(await rig.fs.sw.api('user_data 2000@erl.example param password')).toBe('from-erl');
    expect(
      await sh(
        `[{fetch, _, Su_, Tu_, Ku_, Vu_, _, [undefined | Hu_]}] = [M || M <- Msgs(whereis(collector)), element(1, M) =:= fetch], {Su_, Tu_, Ku_, Vu_, proplists:get_value("user", Hu_), proplists:get_value("domain", Hu_)}`,
      ),
    ).toBe('{directory,"domain","name","erl.example","2000","erl.example"}');
    await sh('exit(Pu, kill), timer:sleep(50)');
  });

  it('no reply within 5 s: the lookup falls back to the static XML (none here); a late reply is invalid_uuid', async () => {
    await resetCollector(rig);
    await sh(`{ok, Pd3} = MkBinder(directory, "${DIRECTORY.replaceAll('"', '\\"')}", 5500, 1), ok`);
    const started = Date.now();
    expect(await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'example.com')).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(await collected(rig, (t) => t.includes('replied'))).toContain('{replied,');
    expect(await sh(`[R || {replied, _, R} <- Msgs(whereis(collector))]`)).toBe('[{error,invalid_uuid}]');
    await sh('exit(Pd3, kill), timer:sleep(50)');
  }, 15_000);

  it('two bindings: both are asked, the first reply wins, the other gets invalid_uuid', async () => {
    await resetCollector(rig);
    await sh(
      `{ok, Pf} = MkBinder(directory, "<document><section name=\\"directory\\"><domain name=\\"x\\" from=\\"fast\\"/></section></document>", 0, 1), {ok, Ps} = MkBinder(directory, "<document><section name=\\"directory\\"><domain name=\\"x\\" from=\\"slow\\"/></section></document>", 300, 1), ok`,
    );
    const section = await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'x');
    expect(section?.children[0]?.attributes.from).toBe('fast');
    await collected(rig, (t) => (t.match(/replied/g) ?? []).length >= 2);
    expect(
      await sh(`{[R || {replied, P, R} <- Msgs(whereis(collector)), P =:= Pf], [R || {replied, P, R} <- Msgs(whereis(collector)), P =:= Ps]}`),
    ).toMatch(/^\{\[\{ok,"[0-9a-f-]{36}"\}\],\[\{error,invalid_uuid\}\]\}$/);
    await sh('exit(Pf, kill), exit(Ps, kill), timer:sleep(50)');
  });

  it('the XML as a binary is used as well', async () => {
    await sh(
      `{ok, Pbin} = MkBinder(directory, <<"<document><section name=\\"directory\\"><domain name=\\"x\\" from=\\"bin\\"/></section></document>">>, 0, 1), ok`,
    );
    expect((await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'x'))?.children[0]?.attributes.from).toBe('bin');
    await sh('exit(Pbin, kill), timer:sleep(50)');
  });

  it('bad replies: a non-string XML or unparsable text → no result (fallback), fetch_reply with a bad id → badarg', async () => {
    await sh(`{ok, Pb} = MkBinder(directory, "<document><section", 0, 1), ok`);
    expect(await rig.fs.sw.conf.locate('directory', 'domain', 'name', 'x')).toBeUndefined();
    await sh('exit(Pb, kill), timer:sleep(50)');
    expect(await sh(`{foo, FS} ! {fetch_reply, 42.0, "x"}, receive R_b -> R_b after 1000 -> timeout end`)).toBe('{error,invalid_uuid}');
    expect(await sh(`{foo, FS} ! {fetch_reply, {a, b}, "x"}, receive R_c -> R_c after 1000 -> timeout end`)).toBe('{error,badarg}');
    expect(await rig.fs.sw.api('erlang bindings')).toBe('No bindings\n');
  });
});

describe('a configuration served from erl', () => {
  // this rig has no conf/ (so the reloadacl command itself fails to reload the XML): the lists are reloaded as it does after that
  it('reloading the ACL lists asks for acl.conf ({fetch, configuration, "configuration", "name", "acl.conf", ID, _}) and uses the reply', async () => {
    await resetCollector(rig);
    expect(await rig.fs.sw.api('acl 10.1.2.3 from_erl')).toBe('false');
    await sh(`{ok, Pcf} = MkBinder(configuration, "${ACL_XML.replaceAll('"', '\\"')}", 0, 1), ok`);
    await rig.fs.sw.conf.reloadAcl();
    expect(
      await sh(`[{fetch, _, Sc_, Tc_, Kc_, Vc_, _, _}] = [M || M <- Msgs(whereis(collector)), element(1, M) =:= fetch], {Sc_, Tc_, Kc_, Vc_}`),
    ).toBe('{configuration,"configuration","name","acl.conf"}');
    expect(await rig.fs.sw.api('acl 10.1.2.3 from_erl')).toBe('true');
    expect(await rig.fs.sw.api('acl 10.2.0.1 from_erl')).toBe('false');
    await sh('exit(Pcf, kill), timer:sleep(50)');
    await rig.fs.sw.conf.reloadAcl();
    expect(await rig.fs.sw.api('acl 10.1.2.3 from_erl')).toBe('false');
  });
});

describe('a dialplan served from erl', () => {
  it('the document is read as bytes: a Latin-1 é in an Erlang string stays the byte 0xE9, UTF-8 in a binary stays UTF-8', async () => {
    const xml = (value: string) => dialplanXml('9997').replace('served_by=erlang', `greeting=${value}`).replaceAll('"', '\\"');
    for (const [n, reply, bytes] of [
      [1, `"${xml('h\\x{e9}llo')}"`, '[104,233,108,108,111]'],
      [2, `<<"${xml('h\\x{e9}llo')}"/utf8>>`, '[104,195,169,108,108,111]'],
    ] as const) {
      await resetCollector(rig);
      await sh(`{ok, Pl${n}} = MkBinder(dialplan, ${reply}, 0, 1), ok`);
      const uuid = uuidOf(await rig.fs.sw.originate('null/1 9997'));
      expect(
        await sh(
          `(fun Wg_(0) -> timeout; Wg_(Ng_) -> {foo, FS} ! {api, uuid_getvar, "${uuid} greeting"}, receive {ok, "_undef_"} -> timer:sleep(25), Wg_(Ng_ - 1); {ok, Vg_} -> Vg_ =:= ${bytes} orelse Vg_ after 3000 -> timeout end end)(40)`,
        ),
      ).toBe('true');
      await rig.fs.sw.api(`uuid_kill ${uuid}`);
      await sh(`exit(Pl${n}, kill), timer:sleep(50)`);
    }
  });

  it('the call is routed by the Erlang process’s document; the params carry the channel and Hunt-* fields', async () => {
    await resetCollector(rig);
    await sh(`{ok, Pdp} = MkBinder(dialplan, "${dialplanXml('9999').replaceAll('"', '\\"')}", 0, 1), ok`);
    const uuid = uuidOf(await rig.fs.sw.originate('null/1 9999'));
    for (let i = 0; i < 40 && (await rig.fs.sw.api(`uuid_getvar ${uuid} served_by`)) !== 'erlang'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await rig.fs.sw.api(`uuid_getvar ${uuid} served_by`)).toBe('erlang');
    expect(
      await sh(
        `[{fetch, _, Sd_, Td_, Kd_, Vd_, _, [Ud_ | Hd_]}] = [M || M <- Msgs(whereis(collector)), element(1, M) =:= fetch], {Sd_, Td_, Kd_, Vd_, Ud_ =:= "${uuid}"}`,
      ),
    ).toBe('{dialplan,"undefined","undefined","undefined",true}');
    expect(
      await sh(
        `{proplists:get_value("Event-Name", Hd_), proplists:get_value("Hunt-Destination-Number", Hd_), proplists:get_value("Unique-ID", Hd_)}`,
      ),
    ).toBe(`{"REQUEST_PARAMS","9999","${uuid}"}`);
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    // an originate sent by the same node that serves the dialplan: the loopback B leg's lookup is
    // answered while the listener runs the api command (no wait for the 5 s timeout)
    await sh('exit(Pdp, kill), timer:sleep(50)');
    await resetCollector(rig);
    await sh(`{ok, Pdp2} = MkBinder(dialplan, "${ANSWERING_XML.replaceAll('"', '\\"')}", 0, 1), ok`);
    const t0 = Date.now();
    expect(await sh('{foo, FS} ! {api, originate, "loopback/9998 &park()"}, receive {ok, "+OK " ++ _} -> originated after 4000 -> timeout end')).toBe(
      'originated',
    );
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(await sh('[R || {replied, _, R} <- Msgs(whereis(collector))]')).toMatch(/^\[\{ok,"[0-9a-f-]{36}"\}\]$/);
    await rig.fs.sw.api('hupall');
    await sh('exit(Pdp2, kill), timer:sleep(50)');
    // the binding's node goes: the binding goes, the static dialplan routes again
    expect(await sh(`{foo, FS} ! exit, receive R_e -> R_e after 2000 -> timeout end`)).toBe('ok');
    for (let i = 0; i < 40 && (await rig.fs.sw.api('erlang bindings')) !== 'No bindings\n'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await rig.fs.sw.api('erlang bindings')).toBe('No bindings\n');
    const again = uuidOf(await rig.fs.sw.originate('null/1 1000'));
    await new Promise((r) => setTimeout(r, 100));
    expect(await rig.fs.sw.api(`uuid_getvar ${again} served_by`)).toBe('static');
    await rig.fs.sw.api(`uuid_kill ${again}`);
  });
});
