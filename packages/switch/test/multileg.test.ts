import { describe, expect, it } from 'vitest';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';

async function run(dial: string, ms = 0, extra = '') {
  const t = await setup({
    dialplan: (await import('../src/dialplan/dialplan.ts')).staticDialplan({
      default: { '3000': [['ring_ready'], ['park']], '4000': [['pre_answer'], ['park']] },
    }),
  });
  const reply = t.sw.originate(`${dial} &park()${extra}`);
  await t.settle();
  if (ms) await t.clock.advance(ms);
  const out = await reply;
  await t.settle();
  const events = t.sub.take().filter((e) => e.type !== 'API');
  const of = (u: string) => events.filter((e) => e.getHeader('Unique-ID') === u);
  const hangup = (u: string) => of(u).find((e) => e.type === 'CHANNEL_HANGUP');
  return { ...t, out, events, of, hangup };
}

describe('originate with several legs (switch_ivr_originate)', () => {
  it('`,`: the first leg to answer wins; the other is hung up LOSE_RACE (group_dial_status=loser) before the winner runs its app', async () => {
    const { out, of, hangup, events, sw, rt } = await run(
      `[origination_uuid=${U1},null_auto_answer_delay=500]null/1,[origination_uuid=${U2},null_auto_answer_delay=200]null/2`,
      500,
    );
    expect(out).toBe(`+OK ${U2}\n`);
    expect(hangup(U1)?.getHeader('Hangup-Cause')).toBe('LOSE_RACE');
    expect(hangup(U1)?.getHeader('variable_group_dial_status')).toBe('loser');
    expect(of(U1).some((e) => e.type === 'CHANNEL_ANSWER')).toBe(false);
    const loser = events.indexOf(hangup(U1) as never);
    const winnerExec = events.findIndex((e) => e.getHeader('Unique-ID') === U2 && e.type === 'CHANNEL_EXECUTE');
    expect(loser).toBeGreaterThanOrEqual(0);
    expect(loser).toBeLessThan(winnerExec);
    expect(of(U1).at(-1)?.type).toBe('CHANNEL_STATE');
    expect(of(U1).at(-1)?.getHeader('Channel-State')).toBe('CS_DESTROY');
    expect(await sw.api(`uuid_exists ${U2}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });

  it('`|`: a failed group gives way to the next; legs that could not be created count as failed', async () => {
    const a = await run(`null/cause-USER_BUSY|error/call_rejected|[origination_uuid=${U3}]null/3`);
    expect(a.out).toBe(`+OK ${U3}\n`);
    expect(a.logs.some((l) => l === 'NOTICE Cannot create outgoing channel of type [null] cause: [USER_BUSY]')).toBe(true);
    await a.sw.stop();
    await a.rt.stop();
  });

  it('all legs fail: the first created leg’s cause, or the last refusal when none was created', async () => {
    const none = await run('null/cause-USER_BUSY,null/cause-CALL_REJECTED');
    expect(none.out).toBe('-ERR CALL_REJECTED\n');
    await none.sw.stop();
    await none.rt.stop();
    // leg_timeout hangs the silent leg up ALLOTTED_TIMEOUT; it is the only created leg
    const lt = await run(`[origination_uuid=${U1},null_enable_auto_answer=false,leg_timeout=2]null/1,null/cause-USER_BUSY`, 2000);
    expect(lt.out).toBe('-ERR ALLOTTED_TIMEOUT\n');
    expect(lt.hangup(U1)?.getHeader('Hangup-Cause')).toBe('ALLOTTED_TIMEOUT');
    await lt.sw.stop();
    await lt.rt.stop();
  });

  it('the group timeout: NO_ANSWER, the other legs hung up NO_ANSWER, later groups not tried unless originate_continue_on_timeout', async () => {
    const t = await run(`{originate_timeout=3}[origination_uuid=${U1},null_enable_auto_answer=false]null/1|[origination_uuid=${U2}]null/2`, 3000);
    expect(t.out).toBe('-ERR NO_ANSWER\n');
    expect(t.hangup(U1)?.getHeader('Hangup-Cause')).toBe('NO_ANSWER');
    expect(t.of(U2)).toEqual([]);
    await t.sw.stop();
    await t.rt.stop();
    const c = await run(
      `{originate_timeout=3,originate_continue_on_timeout=true}[origination_uuid=${U1},null_enable_auto_answer=false]null/1|[origination_uuid=${U2}]null/2`,
      3000,
    );
    expect(c.out).toBe(`+OK ${U2}\n`);
    await c.sw.stop();
    await c.rt.stop();
  });

  it('early media wins by default; ignore_early_media=true waits for answer', async () => {
    const early = await run(`[origination_uuid=${U1},null_pre_answer=true,null_enable_auto_answer=false]null/1`);
    expect(early.out).toBe(`+OK ${U1}\n`);
    await early.sw.stop();
    await early.rt.stop();
    const ignored = await run(`{ignore_early_media=true,originate_timeout=2}[null_pre_answer=true,null_enable_auto_answer=false]null/1`, 2000);
    expect(ignored.out).toBe('-ERR NO_ANSWER\n');
    await ignored.sw.stop();
    await ignored.rt.stop();
    const viaLoopback = await run('loopback/4000');
    expect(viaLoopback.out).toMatch(/^\+OK /);
    await viaLoopback.sw.stop();
    await viaLoopback.rt.stop();
  });

  it('return_ring_ready=true succeeds on ringing; without it a ringing leg times out', async () => {
    const ring = await run('{return_ring_ready=true}loopback/3000');
    expect(ring.out).toMatch(/^\+OK /);
    await ring.sw.stop();
    await ring.rt.stop();
    const quiet = await run('{originate_timeout=2}loopback/3000', 2000);
    expect(quiet.out).toBe('-ERR NO_ANSWER\n');
    await quiet.sw.stop();
    await quiet.rt.stop();
  });

  it('`:_:` enterprise: branches at once, the first success wins, the others LOSE_RACE; all failed → the last branch’s cause', async () => {
    const win = await run(
      `[origination_uuid=${U1},null_auto_answer_delay=100]null/1:_:[origination_uuid=${U2},null_auto_answer_delay=500]null/2`,
      500,
    );
    expect(win.out).toBe(`+OK ${U1}\n`);
    expect(win.hangup(U2)?.getHeader('Hangup-Cause')).toBe('LOSE_RACE');
    // the enterprise `<…>` vars and ignore_early_media=true reach every leg
    expect(
      win
        .of(U1)
        .find((e) => e.type === 'CHANNEL_CREATE')
        ?.getHeader('variable_ignore_early_media'),
    ).toBe('true');
    await win.sw.stop();
    await win.rt.stop();
    const lose = await run('null/cause-USER_BUSY:_:null/cause-CALL_REJECTED');
    expect(lose.out).toBe('-ERR CALL_REJECTED\n');
    await lose.sw.stop();
    await lose.rt.stop();
  });
});

describe('loopback under the session limits', () => {
  it('B refused by sessions-per-second: A logs CRIT Failure. and hangs up DESTINATION_OUT_OF_ORDER; nothing crashes', async () => {
    const t = await setup({ sessionsPerSecond: 2 });
    expect(await t.sw.originate('loopback/1000 &park()')).toBe('-ERR DESTINATION_OUT_OF_ORDER\n');
    await t.settle();
    expect(t.logs.some((l) => l.startsWith('CRIT Throttle Error! '))).toBe(true);
    expect(t.logs).toContain('CRIT Failure.');
    expect(t.logs.some((l) => l.includes('ended without hangup'))).toBe(false);
    expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('loopback/app=', () => {
  it('B pre-answers and runs the one application instead of the dialplan; A returns on the early media', async () => {
    const t = await setup();
    const reply = await t.sw.originate('loopback/app=playback:silence_stream://500 &park()');
    expect(reply).toMatch(/^\+OK /);
    await t.settle();
    const events = t.sub.take();
    const b = events.filter((e) => e.getHeader('Channel-Name') === 'loopback/playback-b');
    expect(b.map((e) => `${e.type}${e.getHeader('Application') ? ` ${e.getHeader('Application')}` : ''}`)).toEqual([
      'CHANNEL_STATE',
      'CHANNEL_CREATE',
      'CHANNEL_CALLSTATE',
      'CHANNEL_STATE',
      'CHANNEL_STATE',
      'CHANNEL_EXECUTE pre_answer',
      'CHANNEL_PROGRESS_MEDIA',
      'CHANNEL_CALLSTATE',
      'CHANNEL_EXECUTE_COMPLETE pre_answer',
      'CHANNEL_EXECUTE playback',
      'PLAYBACK_START',
    ]);
    expect(b[9]?.getHeader('Application-Data')).toBe('silence_stream://500');
    expect(b[1]?.getHeader('variable_loopback_app')).toBe('playback');
    expect(b[1]?.getHeader('variable_loopback_app_arg')).toBe('silence_stream://500');
    const a = events.filter((e) => e.getHeader('Channel-Name') === 'loopback/playback-a');
    expect(a.find((e) => e.type === 'CHANNEL_CREATE')?.getHeader('variable_loopback_app')).toBe('playback');
    await t.clock.advance(500);
    await t.settle();
    // the one-app extension ends: B hangs up, A follows
    expect(await t.sw.api('show channels count')).toBe('\n0 total.\n');
    await t.sw.stop();
    await t.rt.stop();
  });
});

describe('a leg killed while it is dialled', () => {
  it('the originate sees its monitor go DOWN: the leg counts as failed (CRASH) and the next group is tried', async () => {
    const { kill } = await import('@beamline/core');
    const t = await setup();
    const reply = t.sw.originate(`[origination_uuid=${U1},null_enable_auto_answer=false]null/1|[origination_uuid=${U2}]null/2 &park()`);
    await t.settle();
    const pid = t.sw.core.sessions.get(U1);
    expect(pid).toBeDefined();
    if (pid) t.rt.exit(pid, kill);
    expect(await reply).toBe(`+OK ${U2}\n`);
    await t.sw.stop();
    await t.rt.stop();
  });

  it('the single leg killed: -ERR CRASH', async () => {
    const { kill } = await import('@beamline/core');
    const t = await setup();
    const reply = t.sw.originate(`[origination_uuid=${U1},null_enable_auto_answer=false]null/1 &park()`);
    await t.settle();
    const pid = t.sw.core.sessions.get(U1);
    if (pid) t.rt.exit(pid, kill);
    expect(await reply).toBe('-ERR CRASH\n');
    await t.sw.stop();
    await t.rt.stop();
  });
});
