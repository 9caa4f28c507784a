/**
 * The task scheduler (switch_scheduler.c), the sched_* API commands (mod_commands) and
 * applications (mod_dptools), on a TestClock: the switch starts at epoch second T0 and a task
 * due at T0 + N runs when the clock has moved N seconds.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, bridgedNulls, parkedNull, setup } from './switch_helpers.ts';

const T0 = 1_725_358_272;
const SCHED = new Set(['ADD_SCHEDULE', 'RE_SCHEDULE', 'DEL_SCHEDULE']);

/** The scheduler's events (the core tasks' left out) and the API commands run, in order. */
function tasks(t: Setup): string[] {
  return t.sub
    .take()
    .filter((e) => (SCHED.has(e.type) && e.getHeader('Task-Group') !== 'core') || e.type === 'API')
    .map((e) => (e.type === 'API' ? `API ${e.getHeader('API-Command')}` : `${e.type} ${e.getHeader('Task-ID')}`));
}

/** The four task headers, in their order (the last four of the event). */
const taskHeaders = (e: SwitchEvent | undefined) => e?.headers.slice(-4).map((h) => `${h.name}: ${h.value}`);

async function advance(t: Setup, ms: number): Promise<void> {
  await t.clock.advance(ms);
  await t.settle();
}

/** `<type>[ <Application>]` of the channel `uuid`'s events. */
function trace(events: SwitchEvent[], uuid: string): string[] {
  return events
    .filter((e) => e.getHeader('Unique-ID') === uuid && e.type.startsWith('CHANNEL_'))
    .map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`);
}

describe('the scheduler (switch_scheduler.c)', () => {
  it('a one-shot task: ADD_SCHEDULE when added (ids after the core tasks 1 and 2), the run at its second, then DEL_SCHEDULE', async () => {
    const t = await setup();
    const events: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['ADD_SCHEDULE', 'DEL_SCHEDULE'], handler: (e) => void events.push(e) });
    expect(await t.sw.api('sched_api +5 grp echo hi')).toBe('+OK Added: 3\n');
    await t.settle();
    expect(tasks(t)).toEqual(['ADD_SCHEDULE 3', 'API sched_api']);
    expect(taskHeaders(events[0])).toEqual(['Task-ID: 3', 'Task-Desc: sched_api_function', 'Task-Group: grp', `Task-Runtime: ${T0 + 5}`]);
    // the scheduler slept until the heartbeat (20 s): the new task woke it
    await advance(t, 4999);
    expect(tasks(t)).toEqual([]);
    await advance(t, 1);
    expect(tasks(t)).toEqual(['API echo', 'DEL_SCHEDULE 3']);
    expect(taskHeaders(events[1])).toEqual(['Task-ID: 3', 'Task-Desc: sched_api_function', 'Task-Group: grp', `Task-Runtime: ${T0 + 5}`]);
    expect(t.logs).toContain(`DEBUG Added task 3 sched_api_function (grp) to run at ${T0 + 5}`);
    expect(t.logs).toContain('DEBUG Command echo(hi):\nhi\n');
    expect(t.logs).toContain('DEBUG Deleting task 3 sched_api_function (grp)');
    // the next one gets the next id
    expect(await t.sw.api('sched_api +1 other echo again')).toBe('+OK Added: 4\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('`@N` repeats every N seconds from the end of each run (RE_SCHEDULE with the next runtime) until deleted', async () => {
    const t = await setup();
    const re: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['RE_SCHEDULE'], handler: (e) => void re.push(e) });
    expect(await t.sw.api('sched_api @3 rep echo tick')).toBe('+OK Added: 3\n');
    t.sub.take();
    await advance(t, 3000);
    expect(tasks(t)).toEqual(['API echo', 'RE_SCHEDULE 3']);
    expect(taskHeaders(re.at(-1))).toEqual(['Task-ID: 3', 'Task-Desc: sched_api_function', 'Task-Group: rep', `Task-Runtime: ${T0 + 6}`]);
    await advance(t, 3000);
    expect(tasks(t)).toEqual(['API echo', 'RE_SCHEDULE 3']);
    expect(re.at(-1)?.getHeader('Task-Runtime')).toBe(String(T0 + 9));
    expect(await t.sw.api('sched_del rep')).toBe('+OK Deleted: 1\n');
    await t.settle();
    expect(tasks(t)).toEqual(['API sched_del', 'DEL_SCHEDULE 3']);
    await advance(t, 10_000);
    expect(tasks(t)).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a time below now means "every that many seconds" (switch_scheduler_add_task); `+N` and a future epoch second run once', async () => {
    const t = await setup();
    const added: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['ADD_SCHEDULE'], handler: (e) => void added.push(e) });
    expect(await t.sw.api('sched_api 4 every echo e')).toBe('+OK Added: 3\n');
    expect(await t.sw.api(`sched_api ${T0 + 2} at echo a`)).toBe('+OK Added: 4\n');
    expect(added.map((e) => e.getHeader('Task-Runtime'))).toEqual([String(T0 + 4), String(T0 + 2)]);
    t.sub.take();
    await advance(t, 2000);
    expect(tasks(t)).toEqual(['API echo', 'DEL_SCHEDULE 4']);
    await advance(t, 2000);
    expect(tasks(t)).toEqual(['API echo', 'RE_SCHEDULE 3']);
    await advance(t, 4000);
    expect(tasks(t)).toEqual(['API echo', 'RE_SCHEDULE 3']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('without `&` the scheduler waits for the command (the next task runs late, WARNING); with `&` it does not', async () => {
    for (const amp of ['', '&']) {
      const t = await setup();
      expect(await t.sw.api(`sched_api +1 slow msleep 3000${amp}`)).toBe('+OK Added: 3\n');
      expect(await t.sw.api('sched_api +1 quick echo q')).toBe('+OK Added: 4\n');
      t.sub.take();
      await advance(t, 1000);
      expect(tasks(t)).toEqual(amp ? ['API echo', 'DEL_SCHEDULE 4'] : []);
      await advance(t, 3000);
      expect(tasks(t)).toEqual(amp ? ['API msleep', 'DEL_SCHEDULE 3'] : ['API msleep', 'API echo', 'DEL_SCHEDULE 3', 'DEL_SCHEDULE 4']);
      const late = t.logs.filter((l) => l.includes('executed late'));
      expect(late).toEqual(amp ? [] : ['WARNING Task was executed late by 3 seconds 4 sched_api_function (quick)']);
      // the `&` is not part of the command
      expect(t.logs).toContain('DEBUG Command msleep(3000):\n+OK\n');
      await t.sw.stop();
      await t.rt.stop();
    }
  });

  it('sched_del: by id or by group (exact case), `+OK Deleted: N`; the core tasks cannot be deleted; no argument deletes nothing', async () => {
    const t = await setup();
    for (const g of ['g1', 'g1', 'g2']) await t.sw.api(`sched_api +5 ${g} echo ${g}`);
    t.sub.take();
    expect(await t.sw.api('sched_del 4')).toBe('+OK Deleted: 1\n');
    expect(await t.sw.api('sched_del 99')).toBe('+OK Deleted: 0\n');
    expect(await t.sw.api('sched_del 0')).toBe('+OK Deleted: 0\n');
    expect(await t.sw.api('sched_del G2')).toBe('+OK Deleted: 0\n');
    expect(await t.sw.api('sched_del g2')).toBe('+OK Deleted: 1\n');
    // "" is a digit string to switch_is_digit_string, and id 0 deletes nothing
    expect(await t.sw.api('sched_del')).toBe('+OK Deleted: 0\n');
    expect(await t.sw.api('sched_del core')).toBe('+OK Deleted: 0\n');
    expect(await t.sw.api('sched_del 1')).toBe('+OK Deleted: 0\n');
    expect(t.logs.filter((l) => l.includes('undeletable'))).toEqual([
      'WARNING Attempt made to delete undeletable task #1 (group core)',
      'WARNING Attempt made to delete undeletable task #2 (group core)',
      'WARNING Attempt made to delete undeletable task #1 (group core)',
    ]);
    await t.settle();
    expect(tasks(t).filter((x) => !x.startsWith('API'))).toEqual(['DEL_SCHEDULE 4', 'DEL_SCHEDULE 5']);
    await advance(t, 5000);
    // only task 3 (g1) is left to run
    expect(tasks(t)).toEqual(['API echo', 'DEL_SCHEDULE 3']);
    expect(t.logs).toContain('DEBUG Command echo(g1):\ng1\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a task deleted while it runs ends after the run without RE_SCHEDULE (INFO `Attempt made to delete running task`)', async () => {
    const t = await setup();
    expect(await t.sw.api('sched_api @1 busy msleep 2000')).toBe('+OK Added: 3\n');
    t.sub.take();
    await advance(t, 1000);
    expect(await t.sw.api('sched_del 3')).toBe('+OK Deleted: 1\n');
    expect(t.logs).toContain('INFO Attempt made to delete running task #3 (group busy)');
    await advance(t, 2000);
    expect(tasks(t)).toEqual(['API sched_del', 'API msleep', 'DEL_SCHEDULE 3']);
    await advance(t, 5000);
    expect(tasks(t)).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('bad arguments: mod_commands usage texts; help lists the commands with their syntax (mod_commands)', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    const sched = '-ERR Invalid syntax. USAGE: [+@]<time> <group_name> <command_string>[&]\n';
    expect(await t.sw.api('sched_api')).toBe(sched);
    expect(await t.sw.api('sched_api +5')).toBe(sched);
    expect(await t.sw.api('sched_api +5 grp')).toBe(sched);
    const hangup = '-USAGE: [+]<time> <uuid> [<cause>]\n';
    expect(await t.sw.api('sched_hangup')).toBe(hangup);
    expect(await t.sw.api('sched_hangup +5')).toBe('-ERR No such channel!\n');
    expect(await t.sw.api('sched_hangup +5 nope')).toBe('-ERR No such channel!\n');
    const transfer = '-USAGE: [+]<time> <uuid> <extension> [<dialplan>] [<context>]\n';
    expect(await t.sw.api('sched_transfer')).toBe(transfer);
    expect(await t.sw.api('sched_transfer +5')).toBe(transfer);
    expect(await t.sw.api(`sched_transfer +5 ${uuid} 1000 XML default extra`)).toBe(transfer);
    expect(await t.sw.api('sched_transfer +5 nope 1000')).toBe('-ERR No such channel!\n');
    const broadcast = '-USAGE: [[+]<time>|@time] <uuid> <path> [aleg|bleg|both]\n';
    expect(await t.sw.api('sched_broadcast')).toBe(broadcast);
    expect(await t.sw.api(`sched_broadcast +5 ${uuid}`)).toBe(broadcast);
    // nothing was added
    expect(await t.sw.api('sched_api +1 x echo')).toBe('+OK Added: 3\n');
    expect(await t.sw.api('help sched_api')).toBe('sched_api,[+@]<time> <group_name> <command_string>[&],Schedule an api command,mod_commands\n');
    expect(await t.sw.api('help sched_del')).toBe('sched_del,<task_id>|<group_id>,Delete a scheduled task,mod_commands\n');
    expect(await t.sw.api('help sched_hangup')).toBe('sched_hangup,[+]<time> <uuid> [<cause>],Schedule a running call to hangup,mod_commands\n');
    expect(await t.sw.api('help sched_transfer')).toBe(
      'sched_transfer,[+]<time> <uuid> <extension> [<dialplan>] [<context>],Schedule a transfer for a running call,mod_commands\n',
    );
    expect(await t.sw.api('help sched_broadcast')).toBe(
      'sched_broadcast,[[+]<time>|@time] <uuid> <path> [aleg|bleg|both],Schedule a broadcast event to a running call,mod_commands\n',
    );
    await t.sw.stop();
    await t.rt.stop();
  });

  it("show tasks: the tasks waiting, as the core db's tasks table lists them; count; as json", async () => {
    const t = await setup();
    expect(await t.sw.api('sched_api +30 mygroup status')).toBe('+OK Added: 3\n');
    // heartbeat (20 s) and check_ip (60 s) ran at the start
    expect(await t.sw.api('show tasks')).toBe(
      [
        'task_id,task_desc,task_group,task_runtime,task_sql_manager,hostname',
        `1,heartbeat,core,${T0 + 20},0,fs1`,
        `2,check_ip,core,${T0 + 60},0,fs1`,
        `3,sched_api_function,mygroup,${T0 + 30},0,fs1`,
        '',
        '3 total.',
        '',
      ].join('\n'),
    );
    expect(await t.sw.api('show tasks count')).toBe('\n3 total.\n');
    await t.sw.api('sched_del mygroup');
    await advance(t, 1000);
    expect(await t.sw.api('show tasks as json')).toBe(
      `{"row_count":2,"rows":[{"task_id":"1","task_desc":"heartbeat","task_group":"core","task_runtime":"${T0 + 20}","task_sql_manager":"0","hostname":"fs1"},{"task_id":"2","task_desc":"check_ip","task_group":"core","task_runtime":"${T0 + 60}","task_sql_manager":"0","hostname":"fs1"}]}`,
    );
    await t.sw.stop();
    await t.rt.stop();
  });

  it('timers: false: a task is added (ADD_SCHEDULE, the next id) but never runs', async () => {
    const t = await setup({ timers: false });
    expect(await t.sw.api('sched_api +1 g echo x')).toBe('+OK Added: 3\n');
    await advance(t, 5000);
    expect(tasks(t)).toEqual(['ADD_SCHEDULE 3', 'API sched_api']);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('sched_hangup, sched_transfer, sched_broadcast (mod_commands, switch_ivr_schedule_*)', () => {
  it('sched_hangup +N <uuid> <cause>: the call hangs up with the cause at its second; the task is switch_ivr_schedule_hangup in the uuid group', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    const added: SwitchEvent[] = [];
    t.sw.events.subscribe({ types: ['ADD_SCHEDULE'], handler: (e) => void added.push(e) });
    t.sub.take();
    expect(await t.sw.api(`sched_hangup +3 ${uuid} user_busy`)).toBe('+OK\n');
    expect(taskHeaders(added[0])).toEqual(['Task-ID: 3', 'Task-Desc: switch_ivr_schedule_hangup', `Task-Group: ${uuid}`, `Task-Runtime: ${T0 + 3}`]);
    await advance(t, 2999);
    expect(t.sub.take().some((e) => e.type === 'CHANNEL_HANGUP')).toBe(false);
    await advance(t, 1);
    const evs = t.sub.take();
    expect(evs.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    // the hangup (run by the task) comes before the task goes
    const order = evs.filter((e) => e.type === 'CHANNEL_HANGUP' || e.type === 'DEL_SCHEDULE').map((e) => e.type);
    expect(order).toEqual(['CHANNEL_HANGUP', 'DEL_SCHEDULE']);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_hangup: no cause = ALLOTTED_TIMEOUT; `+0` (or a bare one-digit time) hangs up at once without a task', async () => {
    const t = await setup();
    const a = await parkedNull(t, 1);
    const b = await parkedNull(t, 2);
    const c = await parkedNull(t, 3);
    t.sub.take();
    expect(await t.sw.api(`sched_hangup +1 ${a}`)).toBe('+OK\n');
    expect(await t.sw.api(`sched_hangup +0 ${b} CALL_REJECTED`)).toBe('+OK\n');
    expect(await t.sw.api(`sched_hangup 5 ${c} 17`)).toBe('+OK\n');
    await t.settle();
    const now = t.sub.take();
    expect(now.filter((e) => e.type === 'ADD_SCHEDULE').map((e) => e.getHeader('Task-Group'))).toEqual([a]);
    const cause = (evs: SwitchEvent[], u: string) =>
      evs.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === u)?.getHeader('Hangup-Cause');
    expect([cause(now, b), cause(now, c), cause(now, a)]).toEqual(['CALL_REJECTED', 'USER_BUSY', undefined]);
    await advance(t, 1000);
    expect(cause(t.sub.take(), a)).toBe('ALLOTTED_TIMEOUT');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a task for a channel that hung up before it ran does nothing, and goes', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    expect(await t.sw.api(`sched_hangup +2 ${uuid} user_busy`)).toBe('+OK\n');
    expect(await t.sw.api(`sched_transfer +2 ${uuid} 2000`)).toBe('+OK\n');
    expect(await t.sw.api(`sched_broadcast +2 ${uuid} playback::silence_stream://10`)).toBe('+OK Message scheduled\n');
    expect(await t.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    await t.settle();
    expect(
      t.sub
        .take()
        .find((e) => e.type === 'CHANNEL_HANGUP')
        ?.getHeader('Hangup-Cause'),
    ).toBe('NORMAL_CLEARING');
    await advance(t, 2000);
    const evs = t.sub.take();
    expect(evs.filter((e) => e.type.startsWith('CHANNEL_'))).toEqual([]);
    expect(evs.filter((e) => e.type === 'DEL_SCHEDULE').map((e) => e.getHeader('Task-Desc'))).toEqual([
      'switch_ivr_schedule_hangup',
      'switch_ivr_schedule_transfer',
      'switch_ivr_schedule_broadcast',
    ]);
    expect(t.logs.filter((l) => l.startsWith('ERR') || l.startsWith('WARNING'))).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });

  it("sched_del <uuid> removes the call's scheduled tasks (their group)", async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    await t.sw.api(`sched_hangup +2 ${uuid}`);
    await t.sw.api(`sched_transfer +2 ${uuid} 2000`);
    expect(await t.sw.api(`sched_del ${uuid}`)).toBe('+OK Deleted: 2\n');
    t.sub.take();
    await advance(t, 3000);
    expect(t.sub.take().filter((e) => e.type.startsWith('CHANNEL_'))).toEqual([]);
    expect(await t.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_transfer +N <uuid> <exten>: the call is routed to the extension at its second', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    t.sub.take();
    expect(await t.sw.api(`sched_transfer +2 ${uuid} 2000`)).toBe('+OK\n');
    await advance(t, 1999);
    expect(trace(t.sub.take(), uuid)).toEqual([]);
    await advance(t, 1);
    const evs = t.sub.take();
    expect(trace(evs, uuid).filter((x) => x.startsWith('CHANNEL_EXECUTE ') || x === 'CHANNEL_HANGUP')).toEqual([
      'CHANNEL_EXECUTE set',
      'CHANNEL_EXECUTE hangup',
      'CHANNEL_HANGUP',
    ]);
    const hangup = evs.find((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangup?.getHeader('Caller-Destination-Number')).toBe('2000');
    expect(hangup?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_broadcast: the playback is queued on the leg at its second (+N, @epoch); legs both / bleg / another word', async () => {
    const t = await setup();
    const { a } = await bridgedNulls(t);
    expect(await t.sw.api(`sched_broadcast +2 ${a} playback::silence_stream://100`)).toBe('+OK Message scheduled\n');
    expect(await t.sw.api(`sched_broadcast @${T0 + 3} ${a} silence_stream://100 BOTH`)).toBe('+OK Message scheduled\n');
    expect(await t.sw.api(`sched_broadcast +4 ${a} silence_stream://100 bleg`)).toBe('+OK Message scheduled\n');
    expect(await t.sw.api(`sched_broadcast +5 ${a} silence_stream://100 holdb`)).toBe('+OK Message scheduled\n');
    // no uuid check: the task runs and finds no channel
    expect(await t.sw.api('sched_broadcast +1 nope x.wav')).toBe('+OK Message scheduled\n');
    const second = async () => {
      await advance(t, 1000);
      return t.sub
        .take()
        .filter((e) => e.type === 'CHANNEL_EXECUTE')
        .map((e) => `${e.getHeader('Unique-ID') === a ? 'A' : 'B'} ${e.getHeader('Application')} ${e.getHeader('Application-Data')}`);
    };
    t.sub.take();
    expect(await second()).toEqual([]);
    expect(await second()).toEqual(['A playback silence_stream://100']);
    expect(await second()).toEqual(['B playback silence_stream://100', 'A playback silence_stream://100']);
    expect(await second()).toEqual(['B playback silence_stream://100']);
    expect(await second()).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('the applications sched_hangup, sched_transfer, sched_broadcast, sched_cancel (mod_dptools)', () => {
  it('sched_hangup `+N <cause> bleg` hangs up the bridged partner; on a leg with none: WARNING `No channel to hangup`', async () => {
    const t = await setup();
    const { a, b } = await bridgedNulls(t);
    const lone = await parkedNull(t, 3);
    expect(await t.sw.sendExecute(a, 'sched_hangup', '+2 user_busy bleg')).toBe(true);
    expect(await t.sw.sendExecute(lone, 'sched_hangup', '+2 user_busy BLEG')).toBe(true);
    await t.settle();
    const added = t.sub.take().filter((e) => e.type === 'ADD_SCHEDULE');
    expect(added.map((e) => e.getHeader('Task-Group'))).toEqual([a, lone]);
    await advance(t, 2000);
    const hangups = t.sub.take().filter((e) => e.type === 'CHANNEL_HANGUP');
    expect(hangups[0]?.getHeader('Unique-ID')).toBe(b);
    expect(hangups[0]?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    expect(hangups.some((e) => e.getHeader('Unique-ID') === lone)).toBe(false);
    expect(t.logs).toContain('WARNING No channel to hangup');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_hangup on its own leg: the cause (default ALLOTTED_TIMEOUT); `+0` at once', async () => {
    const t = await setup();
    const a = await parkedNull(t, 1);
    const b = await parkedNull(t, 2);
    await t.sw.sendExecute(a, 'sched_hangup', '+1');
    await t.sw.sendExecute(b, 'sched_hangup', '+0 no_answer');
    await t.settle();
    const cause = (evs: SwitchEvent[], u: string) =>
      evs.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === u)?.getHeader('Hangup-Cause');
    const first = t.sub.take();
    expect([cause(first, a), cause(first, b)]).toEqual([undefined, 'NO_ANSWER']);
    expect(first.filter((e) => e.type === 'ADD_SCHEDULE').map((e) => e.getHeader('Task-Group'))).toEqual([a]);
    await advance(t, 1000);
    expect(cause(t.sub.take(), a)).toBe('ALLOTTED_TIMEOUT');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_transfer and sched_broadcast keep the task id in last_sched_id; one argument: ERR `Invalid Args`', async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    await t.sw.sendExecute(uuid, 'sched_broadcast', '+1 playback::silence_stream://100');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} last_sched_id`)).toBe('3');
    await t.sw.sendExecute(uuid, 'sched_transfer', '+2 2000 XML default');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} last_sched_id`)).toBe('4');
    await t.sw.sendExecute(uuid, 'sched_transfer', '+2');
    await t.sw.sendExecute(uuid, 'sched_broadcast', '+2');
    await t.settle();
    expect(t.logs.filter((l) => l.includes('Invalid Args'))).toEqual(['ERR Invalid Args', 'ERR Invalid Args']);
    t.sub.take();
    await advance(t, 1000);
    expect(trace(t.sub.take(), uuid).filter((x) => x.startsWith('CHANNEL_EXECUTE '))).toEqual(['CHANNEL_EXECUTE playback']);
    await advance(t, 1000);
    const evs = t.sub.take();
    expect(trace(evs, uuid).filter((x) => x.startsWith('CHANNEL_EXECUTE '))).toEqual(['CHANNEL_EXECUTE set', 'CHANNEL_EXECUTE hangup']);
    expect(evs.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('USER_BUSY');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('sched_broadcast (application): the legs word must match exactly (`BOTH` names no leg)', async () => {
    const t = await setup();
    const { a } = await bridgedNulls(t);
    await t.sw.sendExecute(a, 'sched_broadcast', '+1 silence_stream://10 both');
    await t.sw.sendExecute(a, 'sched_broadcast', '+2 silence_stream://10 BOTH');
    await t.settle();
    t.sub.take();
    const executes = async () => {
      await advance(t, 1000);
      return t.sub.take().filter((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'playback').length;
    };
    expect(await executes()).toBe(2);
    expect(await executes()).toBe(0);
    await t.sw.stop();
    await t.rt.stop();
  });

  it("sched_cancel: no argument = the channel's own tasks (its uuid group); a task id; a group name", async () => {
    const t = await setup();
    const uuid = await parkedNull(t);
    await t.sw.api(`sched_hangup +2 ${uuid}`);
    await t.sw.api(`sched_transfer +2 ${uuid} 2000`);
    await t.sw.api('sched_api +2 mine echo m');
    await t.sw.api('sched_api +2 other echo o');
    t.sub.take();
    await t.sw.sendExecute(uuid, 'sched_cancel', '');
    await t.sw.sendExecute(uuid, 'sched_cancel', '5');
    await t.sw.sendExecute(uuid, 'sched_cancel', 'other');
    await t.settle();
    expect(tasks(t).filter((x) => x.startsWith('DEL'))).toEqual(['DEL_SCHEDULE 3', 'DEL_SCHEDULE 4', 'DEL_SCHEDULE 5', 'DEL_SCHEDULE 6']);
    await advance(t, 2000);
    expect(t.sub.take().filter((e) => e.type === 'CHANNEL_HANGUP' || e.type === 'API')).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
  });
});
