/**
 * `group_confirm_*` of switch_ivr_originate: a leg that would win first hears the confirm prompt
 * and must press the key (or run the `exec` application) before it wins; the other legs go on
 * ringing meanwhile. Digits come from `uuid_recv_dtmf` on the leg (or, for a loopback leg, from
 * its far half by `uuid_send_dtmf`); prompts last `playback_duration_ms` (1000 by default) on the
 * TestClock, times are from the start of the test.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { at, setup, timed, stopSetup as stop } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';

const start = () =>
  setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '3000': [['ring_ready'], ['park']],
        // the caller sets the confirm variables on itself; the bridge copies them into the originate
        '5000': [
          ['set', 'group_confirm_key=7'],
          ['set', 'group_confirm_file=/sounds/press-7.wav'],
          ['bridge', `[origination_uuid=${U2}]null/2`],
        ],
      },
    }),
  });

type Events = SwitchEvent[];
const of = (events: Events, u: string) => events.filter((e) => e.getHeader('Unique-ID') === u);
const hangupCause = (events: Events, u: string) =>
  of(events, u)
    .find((e) => e.type === 'CHANNEL_HANGUP')
    ?.getHeader('Hangup-Cause');
/** A leg's playbacks: `START <file> @<ms>` / `STOP <file> <status> @<ms>`, ms from the epoch start. */
const playbacks = (events: Events, u: string, base: number) =>
  of(events, u)
    .filter((e) => e.type === 'PLAYBACK_START' || e.type === 'PLAYBACK_STOP')
    .map((e) => {
      const ms = Number(e.getHeader('Event-Date-Timestamp')) / 1000 - base;
      const status = e.type === 'PLAYBACK_STOP' ? ` ${e.getHeader('Playback-Status')}` : '';
      return `${e.type === 'PLAYBACK_START' ? 'START' : 'STOP'} ${e.getHeader('Playback-File-Path')}${status} @${ms}`;
    });
const SILENT = 'null_enable_auto_answer=false';

describe('group_confirm_key / group_confirm_file', () => {
  it('the answered leg hears the prompt and wins only when it presses the key; then it is the winner', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    const reply = timed(t, t.sw.originate(`{group_confirm_key=1,group_confirm_file=/sounds/confirm.wav}[origination_uuid=${U1}]null/1 &park()`));
    await at(t, 3000);
    expect(reply.value).toBeUndefined();
    expect(await t.sw.api(`uuid_recv_dtmf ${U1} 1`)).toMatch(/^\+OK/);
    await at(t, 3100);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 3000 });
    const events = t.sub.take();
    const types = of(events, U1).map((e) => e.type);
    // the prompt after the answer; the digit; then the extension it was originated to
    expect(types.indexOf('CHANNEL_ANSWER')).toBeLessThan(types.indexOf('PLAYBACK_START'));
    expect(types.indexOf('DTMF')).toBeLessThan(types.indexOf('CHANNEL_EXECUTE'));
    expect(playbacks(events, U1, base)).toEqual(['START /sounds/confirm.wav @0', 'STOP /sounds/confirm.wav done @1000']);
    expect(await t.sw.api(`uuid_getvar ${U1} group_dial_status`)).toBe('winner');
    // the winner's confirm variables are unset (group_confirm_timeout is not among them)
    expect(await t.sw.api(`uuid_getvar ${U1} group_confirm_key`)).toBe('_undef_');
    expect(await t.sw.api(`uuid_getvar ${U1} group_confirm_file`)).toBe('_undef_');
    expect(await t.sw.api(`uuid_getvar ${U1} read_result`)).toBe('success');
    await stop(t);
  });

  it('a digit during the prompt ends it and is the answer; a wrong answer plays the error file, then the prompt again', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    const reply = timed(
      t,
      t.sw.originate(
        `{group_confirm_key=12,group_confirm_file=/p.wav,group_confirm_error_file=/e.wav}[origination_uuid=${U1},playback_duration_ms=2000]null/1 &park()`,
      ),
    );
    await at(t, 500);
    await t.sw.api(`uuid_recv_dtmf ${U1} 13`);
    await at(t, 2400);
    expect(reply.value).toBeUndefined();
    // the error file (0.5 → 2.5 s) does not read digits: these wait for the next prompt
    await t.sw.api(`uuid_recv_dtmf ${U1} 12`);
    await at(t, 2600);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 2500 });
    expect(playbacks(t.sub.take(), U1, base)).toEqual([
      'START /p.wav @0',
      'STOP /p.wav break @500',
      'START /e.wav @500',
      'STOP /e.wav done @2500',
      'START /p.wav @2500',
      'STOP /p.wav break @2500',
    ]);
    await stop(t);
  });

  it('group_confirm_read_timeout: how long it waits for the digits after the prompt; each miss plays the error file', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    const reply = timed(
      t,
      t.sw.originate(
        `{originate_timeout=10,group_confirm_key=1,group_confirm_file=/p.wav,group_confirm_error_file=/e.wav,group_confirm_read_timeout=2000}[origination_uuid=${U1}]null/1 &park()`,
      ),
    );
    await at(t, 10000);
    expect(reply).toEqual({ value: '-ERR NO_ANSWER\n', time: 10000 });
    const events = t.sub.take();
    // prompt 0–1, wait 1–3, error 3–4, prompt 4–5, wait 5–7, error 7–8, prompt 8–9, wait 9– (cut at 10)
    expect(playbacks(events, U1, base)).toEqual([
      'START /p.wav @0',
      'STOP /p.wav done @1000',
      'START /e.wav @3000',
      'STOP /e.wav done @4000',
      'START /p.wav @4000',
      'STOP /p.wav done @5000',
      'START /e.wav @7000',
      'STOP /e.wav done @8000',
      'START /p.wav @8000',
      'STOP /p.wav done @9000',
    ]);
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('false');
    await stop(t);
  });

  it('without a file the read is silent; it waits 5000 ms by default; group_confirm_error_file=undef is none', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    const reply = timed(
      t,
      t.sw.originate(`{originate_timeout=7,group_confirm_key=1,group_confirm_error_file=/e.wav}[origination_uuid=${U1}]null/1 &park()`),
    );
    await at(t, 6500);
    await t.sw.api(`uuid_recv_dtmf ${U1} 1`);
    await at(t, 6600);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 6500 });
    // no prompt; the read gives up after 5 s, the error file plays, the next read takes the digit
    expect(playbacks(t.sub.take(), U1, base)).toEqual(['START /e.wav @5000', 'STOP /e.wav done @6000']);
    const late = timed(
      t,
      t.sw.originate(`{originate_timeout=8,group_confirm_key=1,group_confirm_error_file=undef}[origination_uuid=${U2}]null/2 &park()`),
    );
    await at(t, 6600 + 5100);
    await t.sw.api(`uuid_recv_dtmf ${U2} 1`);
    await at(t, 6600 + 5200);
    expect(late).toEqual({ value: `+OK ${U2}\n`, time: 11700 });
    expect(of(t.sub.take(), U2).some((e) => e.type.startsWith('PLAYBACK'))).toBe(false);
    await stop(t);
  });

  it('group_confirm_file=undef clears only the originate’s copy: the leg’s own variable (the same text) is played', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    timed(t, t.sw.originate(`{originate_timeout=2,group_confirm_key=1,group_confirm_file=undef}[origination_uuid=${U1}]null/1 &park()`));
    await at(t, 2000);
    expect(playbacks(t.sub.take(), U1, base)[0]).toBe('START /usr/local/freeswitch/undef.wav @0');
    await stop(t);
  });

  it('a leg’s own group_confirm_key and group_confirm_file win over the originate’s', async () => {
    const t = await start();
    const base = t.clock.now() + 1_725_358_272_000;
    const reply = timed(
      t,
      t.sw.originate(
        `{group_confirm_key=1,group_confirm_file=/all.wav}[origination_uuid=${U1},group_confirm_key=2,group_confirm_file=/mine.wav]null/1 &park()`,
      ),
    );
    await at(t, 1500);
    await t.sw.api(`uuid_recv_dtmf ${U1} 1`);
    await at(t, 1600);
    expect(reply.value).toBeUndefined();
    await t.sw.api(`uuid_recv_dtmf ${U1} 2`);
    await at(t, 3000);
    expect(reply.value).toBe(`+OK ${U1}\n`);
    expect(playbacks(t.sub.take(), U1, base)[0]).toBe('START /mine.wav @0');
    await stop(t);
  });

  it('the other legs go on ringing while one confirms; the first to confirm wins, the others LOSE_RACE', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{group_confirm_key=5,group_confirm_file=/p.wav}[origination_uuid=${U1}]null/1,[origination_uuid=${U2},null_auto_answer_delay=2000]null/2,[origination_uuid=${U3},${SILENT}]null/3 &park()`,
      ),
    );
    await at(t, 1500);
    // the first leg answered at once and is confirming; the others are still up
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('true');
    expect(await t.sw.api(`uuid_exists ${U3}`)).toBe('true');
    await at(t, 2500);
    // the second answered at 2 s and hears the prompt too; it confirms first
    await t.sw.api(`uuid_recv_dtmf ${U2} 5`);
    await at(t, 2600);
    expect(reply).toEqual({ value: `+OK ${U2}\n`, time: 2500 });
    const events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('LOSE_RACE');
    expect(hangupCause(events, U3)).toBe('LOSE_RACE');
    expect(of(events, U2).filter((e) => e.type === 'PLAYBACK_START')).toHaveLength(1);
    await stop(t);
  });

  it('a leg hung up while it hears the prompt: PLAYBACK_STOP after its hangup, and ERR `<leg> Error Playing File!`', async () => {
    const t = await start();
    // only the first leg has a key: the second wins as soon as it answers
    const reply = timed(
      t,
      t.sw.originate(
        `[origination_uuid=${U1},group_confirm_key=1,group_confirm_file=/p.wav,playback_duration_ms=5000]null/1,[origination_uuid=${U2},null_auto_answer_delay=1000]null/2 &park()`,
      ),
    );
    await at(t, 1100);
    expect(reply).toEqual({ value: `+OK ${U2}\n`, time: 1000 });
    const events = of(t.sub.take(), U1).map((e) => e.type);
    expect(events.slice(events.indexOf('CHANNEL_HANGUP'), events.indexOf('CHANNEL_HANGUP') + 2)).toEqual(['CHANNEL_HANGUP', 'PLAYBACK_STOP']);
    expect(t.logs).toContain('ERR null/1 Error Playing File!');
    await stop(t);
  });

  it('a key longer than the read buffer (10): ERR `Buffer too small!`, the leg hung up DESTINATION_OUT_OF_ORDER', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate(`{group_confirm_key=12345678901}[origination_uuid=${U1}]null/1 &park()`));
    await at(t, 100);
    expect(reply).toEqual({ value: '-ERR DESTINATION_OUT_OF_ORDER\n', time: 0 });
    expect(t.logs).toContain('ERR Buffer too small!');
    expect(t.logs).toContain('ERR null/1 Error Playing File!');
    expect(hangupCause(t.sub.take(), U1)).toBe('DESTINATION_OUT_OF_ORDER');
    await stop(t);
  });

  it('early media is confirmed too (it would win); not with group_confirm_early_ok=false', async () => {
    const t = await start();
    const early = `[origination_uuid=${U1},${SILENT},null_pre_answer=true]null/1`;
    const reply = timed(t, t.sw.originate(`{group_confirm_key=1,group_confirm_file=/p.wav}${early} &park()`));
    await at(t, 500);
    expect(of(t.sub.take(), U1).some((e) => e.type === 'PLAYBACK_START')).toBe(true);
    await t.sw.api(`uuid_recv_dtmf ${U1} 1`);
    await at(t, 600);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 500 });
    await t.sw.api(`uuid_kill ${U1}`);
    await at(t, 700);
    t.sub.take();
    const noEarly = timed(
      t,
      t.sw.originate(`{originate_timeout=2,group_confirm_key=1,group_confirm_file=/p.wav,group_confirm_early_ok=false}${early} &park()`),
    );
    await at(t, 2700);
    expect(noEarly.value).toBe('-ERR NO_ANSWER\n');
    expect(of(t.sub.take(), U1).some((e) => e.type === 'PLAYBACK_START')).toBe(false);
    await stop(t);
  });

  it('a loopback leg: its far half sends the digit (uuid_send_dtmf)', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate(`{group_confirm_key=9,group_confirm_file=/p.wav}[origination_uuid=${U1}]loopback/1000 &park()`));
    await at(t, 200);
    expect(reply.value).toBeUndefined();
    const b = of(t.sub.take(), U1).length > 0 ? await t.sw.api(`uuid_getvar ${U1} other_loopback_leg_uuid`) : '';
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(await t.sw.api(`uuid_send_dtmf ${b} 9`)).toMatch(/^\+OK/);
    await at(t, 400);
    expect(reply.value).toBe(`+OK ${U1}\n`);
    await stop(t);
  });
});

describe('group_confirm_timeout / group_confirm_cancel_timeout', () => {
  it('group_confirm_timeout=N: the confirming leg gets N s from its answer, then ALLOTTED_TIMEOUT', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{group_confirm_key=1,group_confirm_timeout=3}[origination_uuid=${U1},null_auto_answer_delay=1000]null/1,[origination_uuid=${U2},${SILENT}]null/2 &park()`,
      ),
    );
    await at(t, 3900);
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    expect(t.logs).toContain('DEBUG elapsed 1, timelimit extended to 4');
    await at(t, 4000);
    expect(hangupCause(t.sub.take(), U1)).toBe('ALLOTTED_TIMEOUT');
    // the other leg goes on ringing until the group timeout
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('true');
    expect(reply.value).toBeUndefined();
    await stop(t);
  });

  it('a leg’s own group_confirm_timeout wins over the originate’s; 0 clears its leg_timeout, as group_confirm_cancel_timeout does', async () => {
    const t = await start();
    const cleared = timed(
      t,
      t.sw.originate(
        `{originate_timeout=5,group_confirm_key=1,group_confirm_timeout=2}[origination_uuid=${U1},group_confirm_timeout=0,leg_timeout=2]null/1 &park()`,
      ),
    );
    await at(t, 4900);
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    // the group timeout still counts
    await at(t, 5000);
    expect(cleared).toEqual({ value: '-ERR NO_ANSWER\n', time: 5000 });
    expect(hangupCause(t.sub.take(), U1)).toBe('NO_ANSWER');
    const base = t.clock.now();
    const cancel = timed(
      t,
      t.sw.originate(
        `{originate_timeout=5,group_confirm_key=1,group_confirm_cancel_timeout=true}[origination_uuid=${U2},leg_timeout=2]null/2 &park()`,
      ),
    );
    await at(t, base + 5000);
    expect(cancel).toEqual({ value: '-ERR NO_ANSWER\n', time: base + 5000 });
    const base2 = t.clock.now();
    const kept = timed(t, t.sw.originate(`{originate_timeout=5,group_confirm_key=1}[origination_uuid=${U3},leg_timeout=2]null/3 &park()`));
    await at(t, base2 + 5000);
    expect(kept).toEqual({ value: '-ERR ALLOTTED_TIMEOUT\n', time: base2 + 2000 });
    await stop(t);
  });
});

describe('group confirm and the group timeout', () => {
  it('a leg still confirming at the group timeout is NO_ANSWER; the next `|` group only with originate_continue_on_timeout', async () => {
    const t = await start();
    const dial = `[origination_uuid=${U1}]null/1|[origination_uuid=${U2}]null/2 &park()`;
    const ends = timed(t, t.sw.originate(`{originate_timeout=2,group_confirm_key=1}${dial}`));
    await at(t, 2100);
    expect(ends).toEqual({ value: '-ERR NO_ANSWER\n', time: 2000 });
    let events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    expect(of(events, U2)).toEqual([]);
    const base = t.clock.now();
    const goesOn = timed(t, t.sw.originate(`{originate_timeout=2,group_confirm_key=1,originate_continue_on_timeout=true}${dial}`));
    await at(t, base + 2500);
    // the second group's leg confirms in its turn
    await t.sw.api(`uuid_recv_dtmf ${U2} 1`);
    await at(t, base + 2600);
    expect(goesOn).toEqual({ value: `+OK ${U2}\n`, time: base + 2500 });
    events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    await stop(t);
  });
});

describe('group_confirm_key=exec', () => {
  it('the application group_confirm_file names runs on the answered leg; still up after it, the leg wins', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(`{group_confirm_key=exec,group_confirm_file='playback /sounds/hello.wav'}[origination_uuid=${U1}]null/1 &park()`),
    );
    await at(t, 999);
    expect(reply.value).toBeUndefined();
    await at(t, 1100);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 1000 });
    const leg = of(t.sub.take(), U1);
    const exec = leg.filter((e) => e.type === 'CHANNEL_EXECUTE' || e.type === 'CHANNEL_EXECUTE_COMPLETE');
    expect(exec.map((e) => `${e.type} ${e.getHeader('Application')} ${e.getHeader('Application-Data')}`)).toEqual([
      'CHANNEL_EXECUTE playback /sounds/hello.wav',
      'CHANNEL_EXECUTE_COMPLETE playback /sounds/hello.wav',
      'CHANNEL_EXECUTE park undefined',
    ]);
    expect(await t.sw.api(`uuid_getvar ${U1} group_dial_status`)).toBe('winner');
    await stop(t);
  });

  it('an unknown application: ERR `Invalid Application <app>`, the leg hung up DESTINATION_OUT_OF_ORDER; one that hangs up loses', async () => {
    const t = await start();
    const bad = timed(t, t.sw.originate(`{group_confirm_key=exec,group_confirm_file='nosuch thing'}[origination_uuid=${U1}]null/1 &park()`));
    await at(t, 100);
    expect(bad).toEqual({ value: '-ERR DESTINATION_OUT_OF_ORDER\n', time: 0 });
    expect(t.logs).toContain('ERR Invalid Application nosuch');
    const hangs = timed(
      t,
      t.sw.originate(`{group_confirm_key=exec,group_confirm_file='hangup CALL_REJECTED'}[origination_uuid=${U2}]null/2 &park()`),
    );
    await at(t, 200);
    expect(hangs.value).toBe('-ERR CALL_REJECTED\n');
    expect(await t.sw.api(`uuid_getvar ${U2} group_dial_status`)).not.toBe('winner');
    await stop(t);
  });

  it('exec without a file: the leg never confirms and waits for the timeout', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate(`{originate_timeout=3,group_confirm_key=exec}[origination_uuid=${U1}]null/1 &park()`));
    await at(t, 3000);
    expect(reply).toEqual({ value: '-ERR NO_ANSWER\n', time: 3000 });
    await stop(t);
  });
});

describe('group confirm through the bridge application', () => {
  it('the caller’s own group_confirm_* are used; the caller is answered and bridged only once the leg confirms', async () => {
    const t = await start();
    void t.sw.originate('loopback/5000 &park()');
    await at(t, 1500);
    let events = t.sub.take();
    const caller = events.find((e) => e.getHeader('Channel-Name') === 'loopback/5000-b')?.getHeader('Unique-ID') as string;
    expect(of(events, U2).some((e) => e.type === 'PLAYBACK_START' && e.getHeader('Playback-File-Path') === '/sounds/press-7.wav')).toBe(true);
    expect(of(events, caller).some((e) => e.type === 'CHANNEL_ANSWER' || e.type === 'CHANNEL_BRIDGE')).toBe(false);
    await t.sw.api(`uuid_recv_dtmf ${U2} 7`);
    await at(t, 1600);
    events = t.sub.take();
    expect(of(events, caller).map((e) => e.type)).toEqual(expect.arrayContaining(['CHANNEL_ANSWER', 'CHANNEL_BRIDGE']));
    expect(await t.sw.api(`uuid_getvar ${caller} DIALSTATUS`)).toBe('EARLY');
    await stop(t);
  });
});
