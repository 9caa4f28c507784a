/**
 * The seed document's inbound shell session against switchd as `pnpm start` runs it (a child
 * process; private EPMD port, free listen port, the default conf: cookie ClueCon from
 * erlang_event.conf). A real erl types the seed's lines verbatim — only the node name differs —
 * then registers as event handler and log handler and sees a real call's event and log lines;
 * beamctl lists the erl peer as a listener of the Erlang module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { run, type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';

const NAME = 'fs_seed@localhost';
const PEER = 'seed_erl@localhost';
let EPMD = 0;
let sw: Proc;
let erl: ErlNode;

const ctl = (...args: string[]) => run('beamctl', ['--node', NAME, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), ...args]);
/** A line typed into the erl shell; the `~p` text of its value. */
const sh = (line: string, timeoutMs = 10_000) => erl.eval(line, timeoutMs);

beforeAll(async () => {
  ({ proc: sw, epmdPort: EPMD } = await startSwitchd(NAME));
  erl = await startErl({ name: PEER, cookie: 'ClueCon', epmdPort: EPMD });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

describe("switchd serves the seed's inbound examples (mod_erlang_event loaded)", { timeout: 60_000 }, () => {
  it('the module is part of the tree, after the switch', async () => {
    const r = await ctl('tree');
    expect(r.code).toBe(0);
    // one tree: the module's own supervisor (fs, a listener per peer node, the outbound calls) and the unloader under erlang_event
    expect(r.stdout).toMatch(/^├─ erlang_event +<0\.\d+\.0> +supervisor one_for_all +name=erlang_event_sup/m);
    expect(r.stdout).toMatch(
      /^│ {2}├─ module +<0\.\d+\.0> +supervisor one_for_one .*\n│ {2}│ {2}├─ fs +<0\.\d+\.0> .*\n│ {2}│ {2}├─ listeners +<0\.\d+\.0> +supervisor simple_one_for_one/m,
    );
    expect(r.stdout).toMatch(/^│ {2}│ {2}└─ calls +<0\.\d+\.0> +supervisor simple_one_for_one/m);
    expect(r.stdout).toMatch(/^│ {2}└─ unload +<0\.\d+\.0> +worker/m);
    // then the SIP face, the last module
    expect(r.stdout).toMatch(/^└─ sofia +<0\.\d+\.0> +supervisor rest_for_one/m);
    expect(r.stdout.split('\n\n')[0]?.match(/^[^\s├│└]\S*/gm)).toEqual(['switchd_sup']); // a single top
    expect(sw.out()).toContain('[NOTICE] switchd: module erlang_event loaded');
  });

  it('api status, then receive X -> X end: {ok, "UP …"} (the modern text, DECISIONS.md)', async () => {
    expect(await sh(`{foo, '${NAME}'} ! {api, status, ""}.`)).toBe('{api,status,[]}');
    const x = await sh('receive X -> X end.');
    expect(x).toMatch(/^\{ok,"UP 0 years, 0 days, 0 hours, 0 minutes, \d+ seconds?, \d+ milliseconds?, \d+ microseconds?\\n/);
    expect(x).toContain('FreeSWITCH (Version 1.10.12-release  64bit) is ready\\n');
    expect(x).toMatch(/\\n\d+ session\(s\) since startup\\n/);
  });

  it('{mod_erlang_event, Node} is the module too (no process of the node holds that name), as on FreeSWITCH', async () => {
    expect(await sh(`{mod_erlang_event, '${NAME}'} ! {api, echo, "hi"}, receive Me1 -> Me1 after 1000 -> timeout end.`)).toBe('{ok,"hi"}');
  });

  it('api wtf: {error, "wtf: Command not found!\\n"}', async () => {
    expect(await sh(`{foo, '${NAME}'} ! {api, wtf, ""}, receive Y -> Y after 1000 -> timeout end.`)).toBe('{error,"wtf: Command not found!\\n"}');
  });

  it('bgapi status: {ok, JobUUID}, then {bgok, JobUUID, "UP …"}', async () => {
    const z = await sh(`{foo, '${NAME}'} ! {bgapi, status, ""}, receive Z -> Z after 1000 -> timeout end.`);
    const job = /^\{ok,"([0-9a-f-]{36})"\}$/.exec(z)?.[1];
    expect(job).toBeDefined();
    const a = await sh('receive A -> A after 1000 -> timeout end.');
    expect(a.startsWith(`{bgok,"${job}",`)).toBe(true);
    expect(a).toContain('UP 0 years');
  });

  it('register_event_handler + {event, …}: a real originate delivers {event, [UUID | Headers]}', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive R1 -> R1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'CHANNEL_CREATE', 'CHANNEL_HANGUP'}, receive R2 -> R2 after 1000 -> timeout end.`)).toBe('ok');
    const orig = await sh(`{foo, '${NAME}'} ! {api, originate, "null/1234 &park()"}, receive {ok, O} -> O after 5000 -> timeout end.`);
    const uuid = /^"\+OK ([0-9a-f-]{36})\\n"$/.exec(orig)?.[1];
    expect(uuid).toBeDefined();
    expect(await sh('receive {event, [U1 | H1]} -> {U1, proplists:get_value("Event-Name", H1)} after 3000 -> timeout end.')).toBe(
      `{"${uuid}","CHANNEL_CREATE"}`,
    );
    // and its hangup, through the same API from erl
    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_kill, "${uuid}"}, receive {ok, K} -> K after 3000 -> timeout end.`)).toBe('"+OK\\n"');
    expect(
      await sh(
        'receive {event, [U2 | H2]} -> {U2, proplists:get_value("Event-Name", H2), proplists:get_value("Hangup-Cause", H2)} after 3000 -> timeout end.',
      ),
    ).toBe(`{"${uuid}","CHANNEL_HANGUP","NORMAL_CLEARING"}`);
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive R3 -> R3 after 1000 -> timeout end.`)).toBe('ok');
  });

  it('register_log_handler: log terms with their seven fields; nolog stops them', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_log_handler, receive L1 -> L1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {set_log_level, info}, receive L2 -> L2 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {api, originate, "null/4321 &park()"}, receive {ok, "+OK " ++ _} -> ok after 5000 -> timeout end.`)).toBe(
      'ok',
    );
    const fields = await sh(
      '(fun Wl() -> receive {log, Fs} -> case string:find(proplists:get_value(data, Fs), "[NOTICE] switch_channel.c:1143 New Channel null/4321 [") of nomatch -> Wl(); _ -> put(site, list_to_tuple([proplists:get_value(K, Fs) || K <- [file, func, line]])), [K || {K, _} <- Fs] end after 3000 -> timeout end end)().',
    );
    expect(fields).toBe('[level,text_channel,file,func,line,data,user_data]');
    // FreeSWITCH's call site of the line (switch/src/log/sites.ts), as mod_erlang_event sends it
    expect(await sh('get(site).')).toBe('{"switch_channel.c","switch_channel_set_name",1143}');
    // the shell's mailbox holds the call's other log lines: drop them, so the next reply is nolog's
    const flush = () => sh('(fun Fl() -> receive {log, _} -> Fl() after 300 -> ok end end)().');
    await flush();
    expect(await sh(`{foo, '${NAME}'} ! nolog, receive L3 -> L3 after 1000 -> timeout end.`)).toBe('ok');
    await flush();
    expect(await sh(`{foo, '${NAME}'} ! {api, hupall, ""}, receive {ok, _} -> ok after 3000 -> timeout end.`)).toBe('ok');
    expect(await sh('receive {log, _} = Late -> Late after 500 -> none end.')).toBe('none');
  });

  it('beamctl listeners shows the erl peer (with the call it saw); beamctl sessions <node>', async () => {
    const l = await ctl('listeners');
    expect(l.code).toBe(0);
    // beamctl's own connection is a peer node too: it is listed as well
    expect(l.stdout).toMatch(
      new RegExp(`^Listener to ${PEER} with outbound sessions: 0 events: 2 \\(lost:0\\) logs: [1-9]\\d* \\(lost:0\\) 1/\\d+$`, 'm'),
    );
    const s = await ctl('sessions', PEER);
    expect([s.code, s.stdout]).toEqual([0, `No active sessions for ${PEER}\n`]);
    const none = await ctl('sessions', 'nobody@localhost');
    // the module's text, and exit 1 (the command ran and failed) for scripts
    expect([none.code, none.stdout]).toEqual([1, 'Could not find a listener for nobody@localhost\n']);
  });
});
