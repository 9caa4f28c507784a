import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stackSizes } from '../src/core/stack_sizes.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

/** status's last line from the shell's view of RLIMIT_STACK (KiB; unlimited is RLIM_INFINITY / 1024). */
function stackLine(): string {
  const [soft, hard] = execFileSync('sh', ['-c', 'ulimit -s; ulimit -Hs'], { encoding: 'utf8' }).trim().split('\n');
  const kib = (v: string | undefined) => (v === 'unlimited' ? '18014398509481983' : v);
  return `Current Stack Size/Max ${kib(soft)}K/${kib(hard)}K\n`;
}

describe('API commands (spec §3)', () => {
  it("status's stack line reads RLIMIT_STACK from /proc/self/limits: bytes or unlimited (RLIM_INFINITY); no line where there is none", () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units\nMax stack size            8388608              unlimited            bytes\n';
    expect(stackSizes(limits)).toEqual([8388608n, 2n ** 64n - 1n]);
    expect(stackSizes('')).toBeUndefined();
  });

  it('status, version, uptime on the runtime clock', async () => {
    const { sw, clock, rt } = await setup({ timers: false }); // a year on the clock would be 1.5 million heartbeats
    await clock.advance(35_692.193);
    const status = await sw.api('status');
    expect(status).toBe(
      'UP 0 years, 0 days, 0 hours, 0 minutes, 35 seconds, 692 milliseconds, 193 microseconds\n' +
        'FreeSWITCH (Version 1.10.12-release  64bit) is ready\n' +
        '0 session(s) since startup\n' +
        '0 session(s) - peak 0, last 5min 0 \n' +
        '0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n' +
        '1000 session(s) max\n' +
        'min idle cpu 0.00/100.00\n' +
        stackLine(),
    );
    expect(await sw.api('STATUS')).toMatch(/^UP 0 years/);
    expect(await sw.api('version')).toBe('FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n');
    expect(await sw.api('version short')).toBe('1.10.12\n');
    // switch_stristr on the first word; any other word gives the full human form
    expect(await sw.api('version xSHORTx more')).toBe('1.10.12\n');
    expect(await sw.api('version foo')).toBe('FreeSWITCH Version 1.10.12-release~64bit (1.10.12-release  64bit)\n');
    expect(await sw.api('uptime')).toBe('35\n');
    expect(await sw.api('uptime ms')).toBe('35692\n');
    expect(await sw.api('uptime us')).toBe('35692193\n');
    expect(await sw.api('uptime fortnights')).toBe('-USAGE: [us|ms|s|m|h|d|microseconds|milliseconds|seconds|minutes|hours|days]\n');
    await clock.advance(3_600_000 + 86_400_000 * 366);
    expect((await sw.api('status')).split('\n')[0]).toBe('UP 1 year, 1 day, 1 hour, 0 minutes, 35 seconds, 692 milliseconds, 193 microseconds');
    await sw.stop();
    await rt.stop();
  });

  it('session counters: since startup, current, peak', async () => {
    const { sw, rt, settle } = await setup();
    const a = UUID.exec(await sw.originate('null/1 &park()'))?.[1];
    await sw.originate('loopback/1000 &park()');
    await settle();
    await sw.api(`uuid_kill ${a}`);
    await settle();
    const lines = (await sw.api('status')).split('\n');
    expect(lines[2]).toBe('3 session(s) since startup');
    expect(lines[3]).toBe('2 session(s) - peak 3, last 5min 3 ');
    await sw.stop();
    await rt.stop();
  });

  it('status lines 4-5 from the limits: sessions per second last/peak, five-minute peaks', async () => {
    const { sw, rt, clock, settle } = await setup({ timers: false });
    const line = async (n: number) => (await sw.api('status')).split('\n')[n];
    await sw.originate('null/1 &park()');
    await sw.originate('null/2 &park()');
    await sw.originate('loopback/1000 &park()'); // two sessions
    await settle();
    expect(await line(4)).toBe('0 session(s) per Sec out of max 30, peak 0, last 5min 0 ');
    await clock.advance(1000);
    expect(await line(3)).toBe('4 session(s) - peak 4, last 5min 4 ');
    expect(await line(4)).toBe('4 session(s) per Sec out of max 30, peak 4, last 5min 4 ');
    await sw.originate('null/3 &park()');
    await clock.advance(1000);
    expect(await line(4)).toBe('1 session(s) per Sec out of max 30, peak 4, last 5min 4 ');
    expect(await sw.api('hupall')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
    await settle();
    await clock.advance(1000);
    expect(await line(3)).toBe('0 session(s) - peak 5, last 5min 5 ');
    expect(await line(4)).toBe('0 session(s) per Sec out of max 30, peak 4, last 5min 4 ');
    await clock.advance(300_000); // a new five-minute window starts at the current count
    expect(await line(3)).toBe('0 session(s) - peak 5, last 5min 0 ');
    expect(await line(4)).toBe('0 session(s) per Sec out of max 30, peak 4, last 5min 0 ');
    await sw.stop();
    await rt.stop();
  });

  it('unknown commands, echo, create_uuid, hostname', async () => {
    const { sw, rt, sub, settle } = await setup();
    expect(await sw.api('wtf now')).toBe('-ERR wtf Command not found!\n');
    expect(await sw.execute('wtf', 'now')).toEqual({ found: false, output: 'INVALID COMMAND!\n' });
    expect(await sw.api('  echo   hello  world ')).toBe('hello  world');
    expect(await sw.api('create_uuid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await sw.api('hostname')).toBe('fs1');
    await settle();
    const api = sub.take().filter((e) => e.type === 'API');
    expect(api.map((e) => [e.getHeader('API-Command'), e.getHeader('API-Command-Argument')])).toEqual([
      ['wtf', 'now'],
      ['wtf', 'now'],
      ['echo', 'hello  world'],
      ['create_uuid', undefined],
      ['hostname', undefined],
    ]);
    await sw.stop();
    await rt.stop();
  });

  it('global_getvar / global_setvar', async () => {
    const { sw, rt } = await setup();
    expect(await sw.api('global_setvar')).toBe('-USAGE: <var>=<value> [=<value2>]\n');
    expect(await sw.api('global_setvar foo=bar')).toBe('+OK');
    expect(await sw.api('global_getvar foo')).toBe('bar');
    expect(await sw.api('global_setvar foo=baz=nope')).toBe('+OK');
    expect(await sw.api('global_getvar foo')).toBe('bar');
    expect(await sw.api('global_setvar foo=baz=bar')).toBe('+OK');
    expect(await sw.api('global_getvar foo')).toBe('baz');
    expect(await sw.api('global_getvar')).toContain('foo=baz\n');
    expect(await sw.api('global_getvar core_uuid')).toBe('0b7c2d0e-1111-4222-8333-944455556666');
    expect(await sw.api('global_setvar foo')).toBe('+OK');
    expect(await sw.api('global_getvar foo')).toBe('');
    await sw.stop();
    await rt.stop();
  });

  it('uuid_getvar / uuid_setvar / uuid_exists / uuid_answer', async () => {
    const { sw, rt, settle } = await setup();
    const uuid = UUID.exec(await sw.originate('{my_var=one}null/1 &park()'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_getvar ${uuid} my_var`)).toBe('one');
    expect(await sw.api(`uuid_getvar ${uuid} nope`)).toBe('_undef_');
    expect(await sw.api(`uuid_getvar ${uuid}`)).toBe('-USAGE: <uuid> <var>\n');
    expect(await sw.api(`uuid_setvar ${uuid} greeting hello world`)).toBe('+OK\n');
    expect(await sw.api(`uuid_getvar ${uuid} greeting`)).toBe('hello world');
    expect(await sw.api(`uuid_setvar ${uuid} greeting`)).toBe('+OK\n');
    expect(await sw.api(`uuid_getvar ${uuid} greeting`)).toBe('_undef_');
    expect(await sw.api(`uuid_setvar ${uuid}`)).toBe('-USAGE: <uuid> <var> [value]\n');
    expect(await sw.api('uuid_getvar 00000000-0000-0000-0000-000000000000 x')).toBe('-ERR No such channel!\n');
    expect(await sw.api(`uuid_exists ${uuid.toUpperCase()}`)).toBe('false');
    expect(await sw.api(`uuid_answer ${uuid}`)).toBe('+OK\n');
    expect(await sw.api('uuid_answer 00000000-0000-0000-0000-000000000000')).toBe('-ERROR\n');
    // the whole argument is the uuid; no usage texts
    expect(await sw.api(`uuid_exists ${uuid} extra`)).toBe('false');
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('true');
    expect(await sw.api(`uuid_answer ${uuid} extra`)).toBe('-ERROR\n');
    expect(await sw.api('uuid_answer')).toBe('-ERROR\n');

    expect(await sw.api('uuid_kill')).toBe('-USAGE: <uuid> [cause]\n');
    await sw.stop();
    await rt.stop();
  });

  it('show channels / show calls', async () => {
    const { sw, rt, settle } = await setup();
    expect(await sw.api('show channels')).toBe('\n0 total.\n');
    expect(await sw.api('show channels as json')).toBe('{"row_count": 0}\n');
    expect(await sw.api('show')).toMatch(/^-USAGE: codec\|endpoint/);
    const uuid = UUID.exec(await sw.originate('null/1234 &park()'))?.[1] as string;
    await settle();
    const text = await sw.api('show channels');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application,/);
    expect(lines[0]?.split(',')).toHaveLength(38);
    const fields = lines[1]?.split(',') ?? [];
    expect(fields.slice(0, 2)).toEqual([uuid, 'outbound']);
    expect(fields[2]).toBe('2024-09-03 10:11:12');
    expect(fields[3]).toBe('1725358272');
    expect(fields.slice(4, 6)).toEqual(['null/1234', 'CS_EXECUTE']);
    expect(fields[9]).toBe('1234');
    expect(fields[10]).toBe('park');
    expect(fields[21]).toBe('fs1');
    expect(fields[25]).toBe('ACTIVE');
    expect(lines.slice(2)).toEqual(['', '1 total.', '']);
    expect(await sw.api('show channels count')).toBe('\n1 total.\n');
    expect(await sw.api('show calls count')).toBe('\n1 total.\n');
    expect((await sw.api('show calls')).split('\n')[0]?.split(',')).toHaveLength(41);
    const json = JSON.parse(await sw.api('show channels as json'));
    expect(json.row_count).toBe(1);
    expect(json.rows[0].uuid).toBe(uuid);
    expect(await sw.api('show channels as yaml')).toBe('-ERR Cannot find format yaml\n');
    await sw.stop();
    await rt.stop();
  });

  it('show channels: a leg routed again (originate … <exten> transfers it) shows its new dest and context; initial_dest keeps the first', async () => {
    const { sw, rt, settle } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 1000'))?.[1] as string;
    await settle();
    const json = JSON.parse(await sw.api('show channels as json'));
    const row = json.rows.find((r: { uuid: string }) => r.uuid === uuid);
    expect([row.dest, row.context, row.initial_dest, row.application]).toEqual(['1000', 'default', '1', 'park']);
    await sw.stop();
    await rt.stop();
  });

  it('originate: the orig caller id is the caller id the leg was made with (switch_caller_profile_new), kept through the CID flip', async () => {
    const { sw, rt, settle, sub } = await setup();
    const plain = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    const given = UUID.exec(
      await sw.originate('{origination_caller_id_number=5551234,origination_caller_id_name=Desk}null/2 &park()'),
    )?.[1] as string;
    await settle();
    const headers = (uuid: string, type: string) => {
      const e = sub.take().find((x) => x.type === type && x.getHeader('Unique-ID') === uuid);
      return ['Caller-Caller-ID-Number', 'Caller-Orig-Caller-ID-Name', 'Caller-Orig-Caller-ID-Number'].map((h) => e?.getHeader(h));
    };
    expect(headers(plain, 'CHANNEL_CREATE')).toEqual(['0000000000', undefined, '0000000000']);
    // after the flip the caller id is the destination; the orig stays
    expect(await sw.api(`uuid_getvar ${plain} caller_id_number`)).toBe('1');
    expect((await sw.api(`uuid_dump ${plain}`)).split('\n')).toContain('Caller-Orig-Caller-ID-Number: 0000000000');
    expect((await sw.api(`uuid_dump ${given}`)).split('\n')).toEqual(
      expect.arrayContaining(['Caller-Orig-Caller-ID-Name: Desk', 'Caller-Orig-Caller-ID-Number: 5551234']),
    );
    await sw.stop();
    await rt.stop();
  });

  it('hupall hangs up every channel, or those matching variables', async () => {
    const { sw, rt, settle, sub } = await setup();
    const a = UUID.exec(await sw.originate('{team=red}null/1 &park()'))?.[1];
    const b = UUID.exec(await sw.originate('{team=blue}null/2 &park()'))?.[1];
    await settle();
    sub.take();
    expect(await sw.api('hupall normal_clearing team red')).toBe('+OK hangup all channels matching [team]=[red] with cause: NORMAL_CLEARING\n');
    await settle();
    expect(await sw.api(`uuid_exists ${a}`)).toBe('false');
    expect(await sw.api(`uuid_exists ${b}`)).toBe('true');
    expect(await sw.api('hupall')).toBe('+OK hangup all channels with cause MANAGER_REQUEST\n');
    await settle();
    const hangups = sub.take().filter((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangups.map((e) => [e.getHeader('Unique-ID'), e.getHeader('Hangup-Cause')])).toEqual([
      [a, 'NORMAL_CLEARING'],
      [b, 'MANAGER_REQUEST'],
    ]);
    await sw.stop();
    await rt.stop();
  });

  it('bgapi answers with a Job-UUID and fires BACKGROUND_JOB with the output', async () => {
    const { sw, rt, settle } = await setup();
    const jobs = sw.events.subscribe({ types: ['BACKGROUND_JOB'] });
    const reply = await sw.api('bgapi originate null/1 &park()');
    const job = /^\+OK Job-UUID: ([0-9a-f-]{36})\n$/.exec(reply)?.[1];
    expect(job).toBeDefined();
    const event = await jobs.next();
    expect(event.getHeader('Job-UUID')).toBe(job);
    expect(event.getHeader('Job-Command')).toBe('originate');
    expect(event.getHeader('Job-Command-Arg')).toBe('null/1 &park()');
    expect(event.body).toMatch(UUID);
    await sw.api('bgapi nosuch thing');
    // mod_commands' bgapi_exec's words (mod_event_socket's bgapi says `-ERR nosuch Command not found!`)
    const unknown = await jobs.next();
    expect(unknown.body).toBe('nosuch: Command not found!\n');
    expect(unknown.getHeader('Job-Command-Arg')).toBe('thing');
    await sw.api('bgapi nosuch');
    expect((await jobs.next()).getHeader('Job-Command-Arg')).toBeUndefined();
    await settle();
    await sw.stop();
    await rt.stop();
  });

  it('bgapi refuses and counts jobs beyond its queue bound', async () => {
    const { sw, rt, clock } = await setup({ bgapiConcurrency: 1, bgapiQueueLimit: 2 });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await sw.api('bgapi originate {null_enable_auto_answer=false}null/1 &park() XML default a b 1'));
    expect(replies.filter((r) => r.startsWith('+OK Job-UUID'))).toHaveLength(2);
    expect(replies.filter((r) => r === '-ERR Job queue full\n')).toHaveLength(2);
    expect(sw.bgapiOverflow).toBe(2);
    await clock.advance(1000);
    await clock.advance(1000);
    await sw.stop();
    await rt.stop();
  });
});

describe('applications', () => {
  it('dialplan set + hangup: variables, Application-Response, hangup cause', async () => {
    const { sw, rt, settle, sub } = await setup();
    await sw.originate('loopback/2000 &park()');
    await settle();
    const events = sub.take();
    const b = events.filter((e) => e.getHeader('Channel-Name') === 'loopback/2000-b');
    const set = b.find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'set');
    expect(set?.getHeader('Application-Data')).toBe('foo=bar');
    expect(set?.getHeader('variable_foo')).toBe('bar');
    expect(b.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await sw.stop();
    await rt.stop();
  });

  it('sleep and playback take their time on the runtime clock', async () => {
    const { sw, rt, settle, sub, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &sleep(1500)'))?.[1];
    await settle();
    expect(sub.take().some((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE')).toBe(false);
    await clock.advance(1499);
    await settle();
    expect(sub.take().some((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE')).toBe(false);
    await clock.advance(1);
    await settle();
    const after = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    // the extension is over: the channel hangs up NORMAL_CLEARING
    expect(after.map((e) => e.type).slice(0, 2)).toEqual(['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP']);
    expect(after[1]?.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');

    const p = UUID.exec(await sw.originate('null/2 &playback(silence_stream://250)'))?.[1];
    await settle();
    await clock.advance(250);
    await settle();
    const done = sub.take().find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Unique-ID') === p);
    expect(done?.getHeader('Application-Response')).toBe('FILE PLAYED');
    await sw.stop();
    await rt.stop();
  });

  it('PLAYBACK_START and PLAYBACK_STOP are made where switch_ivr_play_file makes them (their Event-Calling-* headers)', async () => {
    const { sw, rt, settle, sub, clock } = await setup();
    const uuid = UUID.exec(await sw.originate('null/2 &playback(ivr/ivr-welcome.wav)'))?.[1];
    await settle();
    await clock.advance(1000);
    await settle();
    const played = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid && e.type.startsWith('PLAYBACK_'));
    expect(played.map((e) => [e.type, e.getHeader('Event-Calling-File'), e.getHeader('Event-Calling-Function')])).toEqual([
      ['PLAYBACK_START', 'switch_ivr_play_say.c', 'switch_ivr_play_file'],
      ['PLAYBACK_STOP', 'switch_ivr_play_say.c', 'switch_ivr_play_file'],
    ]);
    await sw.stop();
    await rt.stop();
  });

  it('an unknown application hangs up DESTINATION_OUT_OF_ORDER without CHANNEL_EXECUTE', async () => {
    const { sw, rt, settle, sub, logs } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &nosuch(x)'))?.[1];
    await settle();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.some((e) => e.type === 'CHANNEL_EXECUTE')).toBe(false);
    expect(leg.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('DESTINATION_OUT_OF_ORDER');
    expect(logs).toContain('ERR Invalid Application nosuch');
    await sw.stop();
    await rt.stop();
  });

  it('stopping the switch hangs up live channels with SYSTEM_SHUTDOWN', async () => {
    const { sw, rt, settle, sub } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1];
    await settle();
    sub.take();
    await sw.stop();
    const leg = sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
    expect(leg.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('SYSTEM_SHUTDOWN');
    expect(leg.at(-2)?.type).toBe('CHANNEL_DESTROY');
    await rt.stop();
  });
});
