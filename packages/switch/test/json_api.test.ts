import { describe, expect, it } from 'vitest';
import { CJson, formatNumber, parseCJson, printCJson } from '../src/api/cjson.ts';
import { generateJsonCdr } from '../src/api/json_cdr.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, callNull, parkedNull, setup, stopSetup } from './switch_helpers.ts';

const reprint = (text: string, pretty = false) => {
  const item = parseCJson(text);
  return item && printCJson(item, pretty);
};

describe('cJSON formatting', () => {
  it('prints objects, arrays and strings as cJSON_PrintUnformatted and cJSON_Print do', () => {
    const text = '{"a":[1,{"b":"x\\ny"}],"e":{},"n":null,"t":true,"f":false,"s":"q\\"\\\\\\/\\b\\f\\r\\t\\u0001é"}';
    expect(reprint(text)).toBe('{"a":[1,{"b":"x\\ny"}],"e":{},"n":null,"t":true,"f":false,"s":"q\\"\\\\/\\b\\f\\r\\t\\u0001é"}');
    expect(reprint(text, true)).toBe(
      '{\n\t"a":\t[1, {\n\t\t\t"b":\t"x\\ny"\n\t\t}],\n\t"e":\t{\n\t},\n\t"n":\tnull,\n\t"t":\ttrue,\n\t"f":\tfalse,\n\t"s":\t"q\\"\\\\/\\b\\f\\r\\t\\u0001é"\n}',
    );
    expect(reprint('{}', true)).toBe('{\n}');
    expect(reprint('[]', true)).toBe('[]');
  });

  it('prints numbers with %1.15g, else %1.17g, rounding half to even', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [100, '100'],
      [1.5, '1.5'],
      [0.1, '0.1'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [123456789012345, '123456789012345'],
      [1e15, '1e+15'],
      [1e20, '1e+20'],
      [1 / 3, '0.33333333333333331'],
      [123456789012345680000, '1.2345678901234568e+20'],
      [2 ** -25, '2.9802322387695312e-08'],
      [Number.POSITIVE_INFINITY, 'null'],
    ];
    for (const [n, want] of cases) expect([n, formatNumber(n)]).toEqual([n, want]);
  });

  it('parses as cJSON_Parse: first match by key in any case, duplicates kept, trailing text ignored, C strings', () => {
    const o = parseCJson('\ufeff {"Key":1,"key":2} trailing') as CJson;
    expect(o.get('KEY')?.number).toBe(1);
    expect(printCJson(o)).toBe('{"Key":1,"key":2}');
    expect(printCJson(parseCJson('{"a":"x\\u0000y","\\u00e9\\ud83d\\ude00":"\\uZZZZ"}') as CJson)).toBe('{"a":"x","é😀":""}');
    expect(parseCJson('"\\q"')).toBeUndefined();
    expect(parseCJson('"\\udc00"')).toBeUndefined();
    expect(parseCJson('{"a":1,}')).toBeUndefined();
    expect(parseCJson('   ')).toBeUndefined();
    expect(parseCJson('-.5')?.number).toBe(-0.5);
    expect(parseCJson('01')?.number).toBe(1);
    expect(parseCJson('1.2.3')?.number).toBe(1.2);
    expect(parseCJson('-')).toBeUndefined();
    expect(parseCJson(`${'['.repeat(1000)}${']'.repeat(1000)}`)).toBeDefined();
    expect(parseCJson(`${'['.repeat(1001)}${']'.repeat(1001)}`)).toBeUndefined();
    expect(CJson.string('a\0b').text).toBe('a');
    expect(printCJson(parseCJson('{"k\\u0000x":1}') as CJson)).toBe('{"k":1}');
  });
});

const json = async (t: Setup, request: string) => t.sw.api(`json ${request}`);
const response = async (t: Setup, request: string) => {
  const reply = JSON.parse(await json(t, request)) as { status: string; message?: string; response: Record<string, unknown> | null };
  return reply;
};

describe('json API', () => {
  it('errors and the request printed back', async () => {
    const t = await setup();
    expect(await t.sw.api('json')).toBe('-ERR No JSON supplied.\n');
    expect(await json(t, '{"command":')).toBe('-ERR Parse error.\n');
    const invalid = '"status":"error","message":"Invalid request or non-existant command","response":null}\n';
    expect(await json(t, '{"command":"nope","data":{}}')).toBe(`{"command":"nope","data":{},${invalid}`);
    expect(await json(t, '{"command":"status"}')).toBe(`{"command":"status",${invalid}`);
    expect(await json(t, '{"command":5,"data":{}}')).toBe(`{"command":5,"data":{},${invalid}`);
    expect(await json(t, '[1]')).toBe('[1,"error","Invalid request or non-existant command",null]\n');
    expect(await json(t, '5')).toBe('5\n');
    // the reply's keys are appended, even beside a key of the same name
    expect(await json(t, '{"command":"fsapi","data":{"cmd":"echo","arg":"a\\"b"},"status":"x"}')).toBe(
      '{"command":"fsapi","data":{"cmd":"echo","arg":"a\\"b"},"status":"x","status":"success","response":{"message":"a\\"b"}}\n',
    );
    expect(await json(t, '{"COMMAND":"FSAPI","Data":{"Cmd":"echo","arg":"x"},"format":"Pretty"}')).toBe(
      '{\n\t"COMMAND":\t"FSAPI",\n\t"Data":\t{\n\t\t"Cmd":\t"echo",\n\t\t"arg":\t"x"\n\t},\n\t"format":\t"Pretty",\n\t"status":\t"success",\n\t"response":\t{\n\t\t"message":\t"x"\n\t}\n}\n',
    );
    await stopSetup(t);
  });

  it('fsapi: INVALID CALL for an unknown command (an error) or none given (not an error)', async () => {
    const t = await setup();
    expect(await json(t, '{"command":"fsapi","data":{"cmd":"no_such_api"}}')).toBe(
      '{"command":"fsapi","data":{"cmd":"no_such_api"},"status":"error","message":"The command returned an error","response":{"message":"INVALID CALL"}}\n',
    );
    expect(await json(t, '{"command":"fsapi","data":{"cmd":1}}')).toBe(
      '{"command":"fsapi","data":{"cmd":1},"status":"success","response":{"message":"INVALID CALL"}}\n',
    );
    await stopSetup(t);
  });

  it('status: the numbers of the plain status', async () => {
    const t = await setup();
    await parkedNull(t);
    const plain = await t.sw.api('status');
    const r = await response(t, '{"command":"status","data":""}');
    expect(r.status).toBe('success');
    expect(Object.keys(r.response ?? {})).toEqual(['systemStatus', 'uptime', 'version', 'sessions', 'idleCPU']);
    const s = r.response?.sessions as { count: Record<string, number>; rate: Record<string, number> };
    expect(plain).toContain(`${s.count.total} session(s) since startup\n`);
    expect(plain).toContain(`${s.count.active} session(s) - peak ${s.count.peak}, last 5min ${s.count.peak5Min} \n`);
    expect(plain).toContain(`out of max ${s.rate.max}, peak ${s.rate.peak}, last 5min ${s.rate.peak5Min} \n`);
    expect(plain).toContain(`${s.count.limit} session(s) max\n`);
    expect(s.count.active).toBe(1);
    expect(plain).toContain(`(Version ${r.response?.version as string})`);
    expect(r.response?.uptime).toEqual({ years: 0, days: 0, hours: 0, minutes: 0, seconds: 0, milliseconds: 0, microseconds: 0 });
    expect([r.response?.systemStatus, r.response?.idleCPU]).toEqual(['ready', { used: 0, allowed: 100 }]);
    // paused both ways the switch is not ready; `used` is fsctl min_idle_cpu, as json_status_function has it
    await t.sw.api('fsctl pause');
    await t.sw.api('fsctl min_idle_cpu 5');
    const paused = await response(t, '{"command":"status","data":""}');
    expect([paused.response?.systemStatus, paused.response?.idleCPU]).toEqual(['not ready', { used: 5, allowed: 100 }]);
    await stopSetup(t);
  });

  it('channelData and mediaStats: input errors, no session, the CDR', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    const err = (text: string) => ({ status: 'error', message: 'The command returned an error', response: { response: text } });
    for (const cmd of ['channelData', 'mediaStats']) {
      expect(await response(t, `{"command":"${cmd}","data":{}}`)).toMatchObject(err('INVALID INPUT'));
      expect(await response(t, `{"command":"${cmd}","data":{"uuid":"nope"}}`)).toMatchObject(err('Session does not exist'));
    }
    const cd = await response(t, `{"command":"channelData","data":{"uuid":"${uuid}"}}`);
    expect(Object.keys(cd.response?.channelData as object)).toEqual([
      'core-uuid',
      'switchname',
      'channel_data',
      'callStats',
      'variables',
      'app_log',
      'callflow',
    ]);
    expect((await response(t, `{"command":"mediaStats","data":{"uuid":"${uuid}","channelData":false}}`)).response).toEqual({});
    expect((await response(t, `{"command":"mediaStats","data":{"uuid":"${uuid}","channelData":0.5}}`)).response?.channelData).toBeDefined();
    expect((await response(t, `{"command":"mediaStats","data":{"uuid":"${uuid}","channelData":""}}`)).response?.channelData).toBeDefined();
    await stopSetup(t);
  });

  it('execute: queued (app::arg), inline, extendedData; input errors', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    const err = (text: string) => ({ status: 'error', response: { response: text } });
    expect(await response(t, '{"command":"execute","data":1}')).toMatchObject(err('INVALID INPUT'));
    expect(await response(t, '{"command":"execute","data":{}}')).toMatchObject(err('INVALID INPUT'));
    expect(await response(t, `{"command":"execute","data":{"uuid":"${uuid}"}}`)).toMatchObject(err('INVALID INPUT'));
    expect(await response(t, '{"command":"execute","data":{"uuid":"nope","app":"set"}}')).toMatchObject(err('Session does not exist'));

    expect(await json(t, `{"command":"execute","data":{"uuid":"${uuid}","app":"set::q=1"}}`)).toBe(
      `{"command":"execute","data":{"uuid":"${uuid}","app":"set::q=1"},"status":"success","response":{"channelName":"null/1"}}\n`,
    );
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} q`)).toBe('1');

    const inline = await response(t, `{"command":"execute","data":{"uuid":"${uuid}","app":"set","arg":"w=2","inline":"true","extendedData":"yes"}}`);
    // the CDR is taken before the application runs
    const before = inline.response?.channelData as { variables: Record<string, string> };
    expect(before.variables.q).toBe('1');
    expect(before.variables.w).toBeUndefined();
    expect(await t.sw.api(`uuid_getvar ${uuid} w`)).toBe('2');

    // a channel busy in an application: inline runs now, a queued one waits for a safe point
    const busy = await callNull(t, '&sleep(100000)', 2);
    await json(t, `{"command":"execute","data":{"uuid":"${busy}","app":"set","arg":"v=1"}}`);
    await json(t, `{"command":"execute","data":{"uuid":"${busy}","app":"set","arg":"i=1","inline":"true"}}`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${busy} i`)).toBe('1');
    expect(await t.sw.api(`uuid_getvar ${busy} v`)).toBe('_undef_');
    await stopSetup(t);
  });
});

interface Cdr {
  channel_data: Record<string, string>;
  variables: Record<string, string>;
  app_log: { applications: { app_name: string; app_data: string; app_stamp: string }[] };
  callflow: {
    dialplan: string;
    profile_index: string;
    extension?: { name: string; number: string; current_app?: string; applications: Record<string, string>[] };
    caller_profile: Record<string, unknown> & {
      originator?: { originator_caller_profiles: Record<string, string>[] };
      originatee?: { originatee_caller_profiles: Record<string, string>[] };
    };
    times: Record<string, string>;
  }[];
}

describe('the JSON CDR', () => {
  it('leaves out variables with an empty value; no app_log key without applications', () => {
    const profile = { direction: 'inbound', logicalDirection: 'inbound', screen: false, hideName: false, hideNumber: false } as const;
    const cdr = generateJsonCdr(
      {
        name: 'x/1',
        state: 'CS_PARK',
        direction: 'inbound',
        variables: [
          ['a', '1'],
          ['b', ''],
          ['c', '2'],
        ],
        appLog: [],
        callflow: [{ profile, originators: [], originatees: [] }],
      },
      { coreUuid: 'u', switchname: 's' },
    );
    expect(printCJson(cdr)).toBe(
      '{"core-uuid":"u","switchname":"s","channel_data":{"state":"CS_PARK","direction":"inbound","state_number":"6"},"callStats":{},"variables":{"a":"1","c":"2"},' +
        '"callflow":[{"caller_profile":{"username":"","dialplan":"","caller_id_name":"","ani":"","aniii":"","caller_id_number":"","network_addr":"","rdnis":"","destination_number":"","uuid":"","source":"","context":"","chan_name":""}}]}',
    );
  });
});

describe('the JSON CDR of a real channel', () => {
  it('a call transferred, then bridged: app_log, callflow newest first, extensions, other legs, times', async () => {
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          '3000': [
            ['set', 'a=b'],
            ['set', 'disable_app_log=true'],
            ['set', 'disable_app_log=false'],
            ['transfer', '3001 XML default'],
          ],
          '3001': [['answer'], ['bridge', 'null/2'], ['hangup']],
          '3002': [['park']],
        },
      }),
    });
    const a = await callNull(t, '3000');
    const cdr = (await response(t, `{"command":"channelData","data":{"uuid":"${a}"}}`)).response?.channelData as Cdr;
    expect(cdr.channel_data).toEqual({ state: 'CS_EXECUTE', direction: 'outbound', state_number: '4' });
    expect(cdr.variables.a).toBe('b');
    expect(cdr.app_log.applications.map((x) => `${x.app_name}(${x.app_data})`)).toEqual([
      'set(a=b)',
      'set(disable_app_log=true)',
      'transfer(3001 XML default)',
      'answer()',
      'bridge(null/2)',
    ]);
    expect(cdr.app_log.applications.every((x) => /^\d{16}$/.test(x.app_stamp))).toBe(true);

    // originate to an extension transfers the new leg there: three profiles
    expect(cdr.callflow.map((c) => [c.profile_index, c.caller_profile.destination_number, c.extension?.name])).toEqual([
      ['3', '3001', '3001'],
      ['2', '3000', '3000'],
      ['1', '1', undefined],
    ]);
    const [now, before, first] = cdr.callflow as [Cdr['callflow'][0], Cdr['callflow'][0], Cdr['callflow'][0]];
    // current_application is the next one to run
    expect(now.extension?.current_app).toBe('hangup');
    expect(now.extension?.applications).toEqual([
      { app_name: 'answer', app_data: '' },
      { app_name: 'bridge', app_data: 'null/2' },
      { last_executed: 'true', app_name: 'hangup', app_data: '' },
    ]);
    expect(before.extension?.current_app).toBeUndefined();
    expect(Object.keys(now.caller_profile).slice(0, 13)).toEqual([
      'username',
      'dialplan',
      'caller_id_name',
      'ani',
      'aniii',
      'caller_id_number',
      'network_addr',
      'rdnis',
      'destination_number',
      'uuid',
      'source',
      'context',
      'chan_name',
    ]);
    const b = now.caller_profile.originatee?.originatee_caller_profiles[0]?.uuid as string;
    expect(now.caller_profile.originatee?.originatee_caller_profiles[0]?.chan_name).toBe('null/2');
    expect(before.caller_profile.originatee).toBeUndefined();
    expect(now.times.transfer_time).toBe('0');
    expect(before.times.transfer_time).toBe(now.times.profile_created_time);
    expect(first.times.transfer_time).toBe(before.times.profile_created_time);
    expect(now.times.bridged_time).not.toBe('0');
    expect(before.times.bridged_time).toBe('0');
    expect(Object.keys(now.times)).toEqual([
      'created_time',
      'profile_created_time',
      'progress_time',
      'progress_media_time',
      'answered_time',
      'bridged_time',
      'last_hold_time',
      'hold_accum_time',
      'hangup_time',
      'resurrect_time',
      'transfer_time',
    ]);

    const bCdr = (await response(t, `{"command":"channelData","data":{"uuid":"${b}"}}`)).response?.channelData as Cdr;
    expect(bCdr.callflow).toHaveLength(1);
    expect(bCdr.callflow[0]?.caller_profile.originator?.originator_caller_profiles[0]?.uuid).toBe(a);
    expect(bCdr.app_log).toBeUndefined();

    // B transferred: its new profile has no originator and its own times; the old one keeps both
    expect(await t.sw.api(`uuid_transfer ${b} 3002`)).toBe('+OK\n');
    await t.settle();
    const bAfter = (await response(t, `{"command":"channelData","data":{"uuid":"${b}"}}`)).response?.channelData as Cdr;
    expect(bAfter.callflow.map((c) => [c.profile_index, c.caller_profile.destination_number])).toEqual([
      ['2', '3002'],
      ['1', '2'],
    ]);
    const [bNew, bOld] = bAfter.callflow as [Cdr['callflow'][0], Cdr['callflow'][0]];
    expect(bNew.caller_profile.originator).toBeUndefined();
    expect(bOld.caller_profile.originator?.originator_caller_profiles[0]?.uuid).toBe(a);
    expect(bNew.times.bridged_time).toBe('0');
    expect(bOld.times.bridged_time).not.toBe('0');
    expect(bNew.times.answered_time).toBe(bOld.times.answered_time);
    await stopSetup(t);
  });
});
