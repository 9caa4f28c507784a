/**
 * The seed document's inbound session, typed into a real erl shell (spec §1.1–§1.2, §1.21,
 * §1.27, §9 items 1–4, 17, 19): exact reply shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('api');
});
afterAll(async () => {
  await rig?.stop();
});

describe('inbound api from a real erl shell', () => {
  it('{foo, Node} ! {api, status, ""} then receive: {ok, "UP …"}; the node is hidden', async () => {
    expect(await rig.shell(`{foo, FS} ! {api, status, ""}`)).toBe('{api,status,[]}');
    const x = await rig.shell('receive X -> X after 1000 -> timeout end');
    expect(x).toMatch(/^\{ok,"UP 0 years, 0 days, 0 hours, 0 minutes, \d+ seconds?, \d+ milliseconds?, \d+ microseconds?\\n/);
    expect(x).toContain('session(s) since startup');
    expect(await rig.shell('lists:member(FS, nodes(hidden))')).toBe('true');
    expect(await rig.shell('lists:member(FS, nodes())')).toBe('false');
  });

  it('an unknown command: {error, "wtf: Command not found!\\n"}', async () => {
    expect(await rig.shell(`{foo, FS} ! {api, wtf, ""}, receive Y -> Y after 1000 -> timeout end`)).toBe('{error,"wtf: Command not found!\\n"}');
  });

  it('bad shapes: {error, badarg}', async () => {
    expect(await rig.shell(`{x, FS} ! {api, status}, receive B1 -> B1 after 1000 -> timeout end`)).toBe('{error,badarg}');
    expect(await rig.shell(`{x, FS} ! {api, "status", ""}, receive B2 -> B2 after 1000 -> timeout end`)).toBe('{error,badarg}');
    expect(await rig.shell(`{x, FS} ! {api, status, {1,2}}, receive B3 -> B3 after 1000 -> timeout end`)).toBe('{error,badarg}');
  });

  it('binary arguments work as strings do', async () => {
    expect(await rig.shell(`{x, FS} ! {api, echo, <<"hello">>}, receive E1 -> E1 after 1000 -> timeout end`)).toBe('{ok,"hello"}');
  });

  it('bgapi: {ok, Job} then {bgok, Job, Output}; a BACKGROUND_JOB event is fired', async () => {
    const events: string[] = [];
    const sub = rig.fs.sw.events.subscribe({ types: ['BACKGROUND_JOB'], handler: (e) => events.push(e.getHeader('Job-UUID') ?? '') });
    const z = await rig.shell(`{foo, FS} ! {bgapi, status, ""}, receive Z -> Z after 1000 -> timeout end`);
    const job = /^\{ok,"([0-9a-f-]{36})"\}$/.exec(z)?.[1];
    expect(job).toBeDefined();
    const a = await rig.shell('receive A -> A after 1000 -> timeout end');
    expect(a).toMatch(new RegExp(`^\\{bgok,"${job}",\\s*"UP 0 years`));
    expect(events).toContain(job);
    sub.unsubscribe();
    const w = await rig.shell(
      `{foo, FS} ! {bgapi, wtf, ""}, receive {ok, J2} -> receive {bgerror, J2, O2} -> O2 after 1000 -> timeout end after 1000 -> timeout end`,
    );
    expect(w).toBe('"wtf: Command not found!\\n"');
  });

  it('any registered name works; getpid gives a pid on the switch node', async () => {
    expect(await rig.shell(`{bar, FS} ! getpid, receive {ok, P} -> node(P) =:= FS after 1000 -> timeout end`)).toBe('true');
  });

  it('anything else is {error, undef}', async () => {
    const terms = ['foo', '{foo}', '<<1>>', '42', '{1, 2}', '"string"', '{noevents}', `{'$gen_cast', x}`, '{}', '#{}', 'self()'];
    for (const [i, term] of terms.entries()) {
      expect(await rig.shell(`{any, FS} ! ${term}, receive U${i} -> U${i} after 1000 -> timeout end`), term).toBe('{error,undef}');
    }
  });

  it('net_adm:ping gets pong (OTP 24+ alias tag)', async () => {
    expect(await rig.shell('net_adm:ping(FS)')).toBe('pong');
  });
});

describe('the last mod_commands commands from a real erl shell', () => {
  it("{api, coalesce | module_exists | xml_wrap | uuid_simplify, Args}: mod_commands.c's replies", async () => {
    // each reply in a fresh shell variable (a bound one would only match the same term again)
    let n = 0;
    const ask = (cmd: string, args: string) =>
      rig.shell(`{foo, FS} ! {api, ${cmd}, "${args}"}, receive Mc${++n} -> Mc${n} after 3000 -> timeout end`);
    expect(await ask('coalesce', ',,first,second')).toBe('{ok,"first"}');
    expect(await ask('module_exists', 'mod_commands')).toBe('{ok,"true"}');
    expect(await ask('module_exists', 'mod_nothere')).toBe('{ok,"false"}');
    expect(await ask('xml_wrap', 'coalesce ^^;;x')).toBe('{ok,"<result>\\n  <row id=\\"1\\">\\n    <data>x</data>\\n  </row>\\n</result>\\n"}');
    expect(await ask('uuid_simplify', '00000000-0000-4000-8000-000000000000')).toBe('{error,"-ERR Operation failed\\n"}');
  });
});
