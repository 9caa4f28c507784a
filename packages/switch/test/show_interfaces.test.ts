/**
 * mod_commands' `show` over the `interfaces` table: codec, dialplan, file, timer, endpoint, say,
 * management, chat, limit (by type), api and application (with descriptions), interfaces,
 * interface_types, modules, help — the rows from the live registries (a command, application or
 * endpoint added at run time shows up), the C's word matching and case handling, and the formats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Setup, setup, stopSetup } from './switch_helpers.ts';

const total = (n: number) => `\n${n} total.\n`;
const lines = (text: string) => text.split('\n');

describe('show <type> (select type, name, ikey from interfaces where type = …)', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('codec, dialplan, file, timer, say, limit: the interfaces beamline has, under their FreeSWITCH modules, by name', async () => {
    expect(await t.sw.api('show codec')).toBe(
      'type,name,ikey\ncodec,G.711 alaw,CORE_PCM_MODULE\ncodec,G.711 ulaw,CORE_PCM_MODULE\ncodec,RAW Signed Linear (16 bit),CORE_PCM_MODULE\n\n3 total.\n',
    );
    expect(await t.sw.api('show dialplan')).toBe('type,name,ikey\ndialplan,XML,mod_dialplan_xml\ndialplan,inline,mod_dptools\n\n2 total.\n');
    expect(await t.sw.api('show file')).toBe(
      'type,name,ikey\nfile,file_string,mod_dptools\nfile,silence_stream,mod_tone_stream\nfile,tone_stream,mod_tone_stream\nfile,tts,mod_dptools\nfile,wav,mod_sndfile\n\n5 total.\n',
    );
    expect(await t.sw.api('show timer')).toBe('type,name,ikey\ntimer,soft,CORE_SOFTTIMER_MODULE\n\n1 total.\n');
    expect(await t.sw.api('show say')).toBe(
      'type,name,ikey\nsay,de,mod_say_de\nsay,en,mod_say_en\nsay,es,mod_say_es\nsay,fr,mod_say_fr\nsay,pt,mod_say_pt\n\n5 total.\n',
    );
    expect(await t.sw.api('show limit')).toBe('type,name,ikey\nlimit,hash,mod_hash\n\n1 total.\n');
  });

  it('management and chat: no such interfaces, the total alone', async () => {
    expect(await t.sw.api('show management')).toBe(total(0));
    expect(await t.sw.api('show chat')).toBe(total(0));
  });

  it('a word is matched by its prefix without case and loses one final "s"; the type keeps its case, so CODEC finds nothing', async () => {
    const codecs = await t.sw.api('show codec');
    expect(await t.sw.api('show codecs')).toBe(codecs);
    expect(await t.sw.api('show limits')).toBe(await t.sw.api('show limit'));
    expect(await t.sw.api('show CODEC')).toBe(total(0));
    expect(await t.sw.api('show Codecs')).toBe(total(0));
    // the prefix matched, the type is the whole word
    expect(await t.sw.api('show codecss')).toBe(total(0));
    expect(await t.sw.api('show timerx')).toBe(total(0));
  });

  it('endpoint: the endpoints as registered, an endpoint added at run time with them (FreeSWITCH’s module for a known name)', async () => {
    const before = await t.sw.api('show endpoint');
    expect(before.startsWith('type,name,ikey\nendpoint,error,mod_dptools\nendpoint,loopback,mod_loopback\nendpoint,null,mod_loopback\n')).toBe(true);
    expect(before).toContain('\nendpoint,user,mod_dptools\n');
    const refuse = { outgoingChannel: () => ({ cause: 16 }) };
    const removeSofia = t.sw.addEndpoint('sofia', refuse);
    const removeOwn = t.sw.addEndpoint('Gizmo', refuse);
    const after = await t.sw.api('show endpoints');
    expect(after).toContain('\nendpoint,sofia,mod_sofia\n');
    expect(after).toContain('\nendpoint,gizmo,mod_beamline\n');
    expect(lines(after).at(-2)).toBe(`${lines(before).length - 4 + 2} total.`);
    removeSofia();
    removeOwn();
    expect(await t.sw.api('show endpoint')).toBe(before);
  });
});

describe('show api / show application (name, description, syntax, ikey where description is not empty)', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('every command with a description, by name; say_string and reg_url (registered without one) are left out', async () => {
    const api = await t.sw.api('show api');
    // `...` (shutdown under another name) sorts first, as in FreeSWITCH's listing
    expect(
      api.startsWith('name,description,syntax,ikey\n...,Shutdown,,mod_commands\nacl,Compare an ip to an acl list,<ip> <list_name>,mod_commands\n'),
    ).toBe(true);
    expect(api).toContain('\necho,Echo,<data>,mod_commands\n');
    expect(api).toContain('\nstrftime,strftime,<format_string>,mod_dptools\n');
    expect(api).toContain('\nexpr,Eval an expression,<expr>,mod_expr\n');
    expect(api).toContain('\nuuid_buglist,List media bugs on a session,<uuid>,mod_commands\n');
    expect(api).not.toContain('\nsay_string,');
    expect(api).not.toContain('\nreg_url,');
    const rows = lines(api).slice(1, -3);
    expect(lines(api).at(-2)).toBe(`${rows.length} total.`);
    const names = rows.map((r) => r.split(',')[0] ?? '');
    expect(names).toEqual([...names].sort());
    // every command but say_string and reg_url has a description: the registry, less two
    expect(rows.length).toBe(t.sw.registry.names().length - 2);
  });

  it('show api <name>: that command (the name compared with case); show API finds nothing (the type compared with case)', async () => {
    expect(await t.sw.api('show api echo')).toBe('name,description,syntax,ikey\necho,Echo,<data>,mod_commands\n\n1 total.\n');
    expect(await t.sw.api('show api Echo')).toBe(total(0));
    expect(await t.sw.api('show api say_string')).toBe(total(0));
    expect(await t.sw.api('show API')).toBe(total(0));
    // the word after the name is not a format
    expect(await t.sw.api('show api echo as json')).toBe('name,description,syntax,ikey\necho,Echo,<data>,mod_commands\n\n1 total.\n');
  });

  it('a command registered at run time is listed with its own syntax, description and module; one without a description is not', async () => {
    t.sw.registry.add({ name: 'my_cmd', syntax: '<thing>', description: 'Do my thing', module: 'mod_mine', run: () => '+OK\n' });
    t.sw.registry.add({ name: 'my_quiet_cmd', run: () => '+OK\n' });
    expect(await t.sw.api('show api my_cmd')).toBe('name,description,syntax,ikey\nmy_cmd,Do my thing,<thing>,mod_mine\n\n1 total.\n');
    const api = await t.sw.api('show api');
    expect(api).toContain('\nmy_cmd,Do my thing,<thing>,mod_mine\n');
    expect(api).not.toContain('my_quiet_cmd');
    expect(await t.sw.api('show interfaces')).toContain('\napi,my_quiet_cmd,mod_beamline\n');
    expect(await t.sw.api('help my_quiet_cmd')).toBe('my_quiet_cmd,,,mod_beamline\n');
  });

  it('show application: FreeSWITCH’s descriptions and syntax for the built-ins; one added at run time', async () => {
    expect(await t.sw.api('show application playback')).toBe('name,description,syntax,ikey\nplayback,Playback File,<path>,mod_dptools\n\n1 total.\n');
    expect(await t.sw.api('show application conference')).toBe('name,description,syntax,ikey\nconference,conference,,mod_conference\n\n1 total.\n');
    const apps = await t.sw.api('show application');
    expect(
      apps.startsWith(
        'name,description,syntax,ikey\nacknowledge_call,Indicate Call Acknowledged,,mod_dptools\nanswer,Answer the call,,mod_dptools\n',
      ),
    ).toBe(true);
    // the syntax FreeSWITCH registers starts with a newline and a tab
    expect(apps).toContain('\nplay_and_get_digits,Play and get Digits,\n\t<min> <max> <tries>');
    // every application the switch has is listed but `page` and `blind_transfer_ack`, which mod_dptools registers with no description
    expect(lines(apps).at(-2)).toBe(`${t.sw.services.applications.size - 2} total.`);
    expect(t.sw.services.applications.has('page')).toBe(true);
    expect(await t.sw.api('show application page')).toBe('\n0 total.\n');
    expect(await t.sw.api('show application blind_transfer_ack')).toBe('\n0 total.\n');
    const remove = t.sw.addApplication({ name: 'my_app', description: 'My application', syntax: '<x>', run: (_ch, _data, done) => void done() });
    expect(await t.sw.api('show application my_app')).toBe('name,description,syntax,ikey\nmy_app,My application,<x>,mod_beamline\n\n1 total.\n');
    remove();
    expect(await t.sw.api('show application my_app')).toBe(total(0));
  });
});

describe('show interfaces, interface_types, modules, help', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('interfaces: every row (type, name, ikey) by type then name', async () => {
    const text = await t.sw.api('show interfaces');
    const rows = lines(text).slice(1, -3);
    expect(lines(text)[0]).toBe('type,name,ikey');
    expect(rows.slice(0, 2)).toEqual(['api,...,mod_commands', 'api,acl,mod_commands']);
    expect(rows.at(-1)).toBe('timer,soft,CORE_SOFTTIMER_MODULE');
    expect(rows).toContain('say,en,mod_say_en');
    expect(rows).toContain('api,say_string,mod_commands');
    expect(lines(text).at(-2)).toBe(`${rows.length} total.`);
    const keys = rows.map((r) => r.split(',').slice(0, 2));
    expect(keys).toEqual([...keys].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0)));
  });

  it('interface_types: each type with its count, by type', async () => {
    const text = await t.sw.api('show interface_types');
    const api = t.sw.registry.names().length;
    const apps = t.sw.services.applications.size;
    const endpoints = t.sw.services.endpoints.size;
    expect(text).toBe(
      `type,total\napi,${api}\napplication,${apps}\ncodec,3\ndialplan,2\nendpoint,${endpoints}\nfile,5\nlimit,1\nsay,5\ntimer,1\n\n9 total.\n`,
    );
  });

  it('modules: type, name, ikey and the file (/<module>.so); `show modules <module>` only that module', async () => {
    expect(await t.sw.api('show modules mod_expr')).toBe('type,name,ikey,filename\napi,expr,mod_expr,/mod_expr.so\n\n1 total.\n');
    expect(await t.sw.api('show module mod_say_en')).toBe('type,name,ikey,filename\nsay,en,mod_say_en,/mod_say_en.so\n\n1 total.\n');
    expect(await t.sw.api('show modules CORE_SOFTTIMER_MODULE')).toBe(
      'type,name,ikey,filename\ntimer,soft,CORE_SOFTTIMER_MODULE,/CORE_SOFTTIMER_MODULE.so\n\n1 total.\n',
    );
    expect(await t.sw.api('show modules mod_nothing')).toBe(total(0));
    const all = await t.sw.api('show modules');
    expect(all).toContain('\napplication,playback,mod_dptools,/mod_dptools.so\n');
    expect(lines(all).at(-2)).toBe(lines(await t.sw.api('show interfaces')).at(-2));
    // `as` after `modules` is the format, not a module
    expect((await t.sw.api('show modules as json')).startsWith('{"row_count":')).toBe(true);
  });

  it('interface_types on a switch whose switchname is not its hostname: nothing (the query looks for the switch name)', async () => {
    const u = await setup({ identity: { coreUuid: '0b7c2d0e-1111-4222-8333-944455556667', hostname: 'fs1', switchname: 'sw1' } });
    expect(await u.sw.api('show interface_types')).toBe(total(0));
    expect(await u.sw.api('show timer')).toBe('type,name,ikey\ntimer,soft,CORE_SOFTTIMER_MODULE\n\n1 total.\n');
    await stopSetup(u);
  });

  it('show help: name, syntax, description, ikey of every command, no title and no total (a name after help changes nothing)', async () => {
    const help = await t.sw.api('show help');
    expect(help.startsWith('...,,Shutdown,mod_commands\nacl,<ip> <list_name>,Compare an ip to an acl list,mod_commands\n')).toBe(true);
    expect(help.endsWith('xml_wrap,<command> <args>,Wrap another api command in xml,mod_commands\n')).toBe(true);
    expect(help).toContain('\nsay_string,<module_name>[.<ext>] <lang>[.<ext>] <say_type> <say_method> [<say_gender>] <text>,,mod_commands\n');
    expect(lines(help)).toHaveLength(t.sw.registry.names().length + 1);
    expect(await t.sw.api('show help echo')).toBe(help);
    // `help` is show's query with its heading
    expect(await t.sw.api('help')).toBe(`\nValid Commands:\n\n${help}`);
  });
});

describe('show formats: as delim|csv [<delimiter>], as xml, as json; unknown formats', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('delim and csv take the next word as the delimiter (`,` without one), in any case', async () => {
    expect(await t.sw.api('show dialplan as delim |')).toBe(
      'type|name|ikey\ndialplan|XML|mod_dialplan_xml\ndialplan|inline|mod_dptools\n\n2 total.\n',
    );
    expect(await t.sw.api('show dialplan as CSV ;')).toBe('type;name;ikey\ndialplan;XML;mod_dialplan_xml\ndialplan;inline;mod_dptools\n\n2 total.\n');
    expect(await t.sw.api('show dialplan as csv')).toBe(await t.sw.api('show dialplan'));
  });

  it('xml: ezxml’s layout, text escaped; json: cJSON unformatted; none found: the empty forms', async () => {
    expect(await t.sw.api('show timer as xml')).toBe(
      '<result row_count="1">\n  <row row_id="1">\n    <type>timer</type>\n    <name>soft</name>\n    <ikey>CORE_SOFTTIMER_MODULE</ikey>\n  </row>\n</result>\n',
    );
    const xml = await t.sw.api('show api as XML');
    expect(xml).toContain(
      '    <name>echo</name>\n    <description>Echo</description>\n    <syntax>&lt;data&gt;</syntax>\n    <ikey>mod_commands</ikey>\n',
    );
    expect(await t.sw.api('show dialplan as json')).toBe(
      '{"row_count":2,"rows":[{"type":"dialplan","name":"XML","ikey":"mod_dialplan_xml"},{"type":"dialplan","name":"inline","ikey":"mod_dptools"}]}',
    );
    expect(await t.sw.api('show chat as json')).toBe('{"row_count": 0}\n');
    expect(await t.sw.api('show chat as xml')).toBe('<result row_count="0"/>\n');
  });

  it('an unknown format: -ERR Cannot find format <it, as typed>', async () => {
    expect(await t.sw.api('show codec as Yaml')).toBe('-ERR Cannot find format Yaml\n');
    expect(await t.sw.api('show api as html')).toBe('-ERR Cannot find format html\n');
  });
});
