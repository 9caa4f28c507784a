/**
 * The dial-string variables of switch_ivr_originate beyond the group timeout: `originate_retries`
 * and `originate_retry_*`, `fail_on_single_reject` / `hangup_on_single_reject`,
 * `leg_delay_start`, `leg_progress_timeout` and `progress_timeout`. Times are on the TestClock,
 * from the moment the originate is asked.
 */
import { GenServer } from '@beamline/core';
import { describe, expect, it } from 'vitest';
import type { CallerProfile } from '../src/channel/profile.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { NULL_ENDPOINT } from '../src/endpoints/builtin.ts';
import { originateCall } from '../src/originate/originate.ts';
import { type Setup, at, setup, timed, stopSetup as stop } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const U3 = '33333333-3333-4333-8333-333333333333';

/** 2000 hangs up USER_BUSY at once (loopback/2000 is a made leg that is rejected), 3000 rings, 4000 has early media. */
const start = () =>
  setup({
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '2000': [['hangup', 'USER_BUSY']],
        '2100': [['hangup', 'CALL_REJECTED']],
        '3000': [['ring_ready'], ['park']],
        '4000': [['pre_answer'], ['park']],
      },
    }),
  });

const SILENT = 'null_enable_auto_answer=false';
type Events = ReturnType<Setup['sub']['take']>;
const of = (events: Events, u: string) => events.filter((e) => e.getHeader('Unique-ID') === u);
const hangupCause = (events: Events, u: string) =>
  events.find((e) => e.getHeader('Unique-ID') === u && e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause');
const created = (events: Events, u: string) => events.some((e) => e.getHeader('Unique-ID') === u && e.type === 'CHANNEL_CREATE');
const count = (logs: string[], line: string) => logs.filter((l) => l === line).length;

describe('originate_retries and originate_retry_* (the attempt loop of switch_ivr_originate)', () => {
  it('originate_retries=3: a NOTICE and the 1000 ms pause before each retry; the last attempt’s cause', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate('{originate_retries=3}null/cause-USER_BUSY &park()'));
    const refused = 'NOTICE Cannot create outgoing channel of type [null] cause: [USER_BUSY]';
    await at(t, 0);
    expect(count(t.logs, refused)).toBe(1);
    expect(t.logs).toContain('NOTICE Originate attempt 2/3 in 1000 ms');
    await at(t, 999);
    expect(count(t.logs, refused)).toBe(1);
    await at(t, 1000);
    expect(count(t.logs, refused)).toBe(2);
    expect(t.logs).toContain('NOTICE Originate attempt 3/3 in 1000 ms');
    await at(t, 1999);
    expect(reply.value).toBeUndefined();
    await at(t, 2000);
    expect(count(t.logs, refused)).toBe(3);
    expect(reply).toEqual({ value: '-ERR USER_BUSY\n', time: 2000 });
    // the pause equals the minimum period (both 1000 by default): no extra wait
    expect(t.logs.some((l) => l.startsWith('INFO Minimum retry period'))).toBe(false);
    await stop(t);
  });

  it('the pause comes before every `|` group of a retry, not once per attempt', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate('{originate_retries=2}null/cause-USER_BUSY|error/call_rejected &park()'));
    await at(t, 0);
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(2);
    await at(t, 1000);
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(3);
    expect(reply.value).toBeUndefined();
    await at(t, 2000);
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(4);
    expect(count(t.logs, 'NOTICE Originate attempt 2/2 in 1000 ms')).toBe(2);
    expect(reply).toEqual({ value: '-ERR CALL_REJECTED\n', time: 2000 });
    await stop(t);
  });

  it('a retry that succeeds ends the loop (a flaky endpoint refuses once)', async () => {
    const t = await start();
    let calls = 0;
    t.sw.addEndpoint('flaky', {
      outgoingChannel: (req) => (++calls === 1 ? { cause: 17 } : NULL_ENDPOINT.outgoingChannel(req)),
    });
    const reply = timed(t, t.sw.originate(`{originate_retries=5}[origination_uuid=${U1}]flaky/1 &park()`));
    await at(t, 3000);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 1000 });
    expect(calls).toBe(2);
    expect(count(t.logs, 'NOTICE Originate attempt 2/5 in 1000 ms')).toBe(1);
    expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt 3/5'))).toBe(false);
    await stop(t);
  });

  it('a group timeout ends the retries unless originate_continue_on_timeout', async () => {
    const t = await start();
    const once = timed(t, t.sw.originate(`{originate_retries=3,originate_timeout=2}[${SILENT}]null/1 &park()`));
    await at(t, 2000);
    expect(once).toEqual({ value: '-ERR NO_ANSWER\n', time: 2000 });
    expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt'))).toBe(false);
    const again = timed(t, t.sw.originate(`{originate_retries=2,originate_timeout=2,originate_continue_on_timeout=true}[${SILENT}]null/1 &park()`));
    await at(t, 4999);
    expect(again.value).toBeUndefined();
    await at(t, 7000);
    // 2000..4000 the first attempt, 1000 pause, 5000..7000 the second
    expect(again).toEqual({ value: '-ERR NO_ANSWER\n', time: 7000 });
    expect(t.logs).toContain('NOTICE Originate attempt 2/2 in 1000 ms');
    await stop(t);
  });

  it('originate_retry_sleep_ms below the default minimum period: INFO wait for the rest of it, then the pause', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate('{originate_retries=2,originate_retry_sleep_ms=500}null/cause-USER_BUSY &park()'));
    await at(t, 0);
    expect(t.logs).toContain('INFO Minimum retry period has not elapsed yet, waiting 500 ms');
    expect(t.logs).not.toContain('NOTICE Originate attempt 2/2 in 500 ms');
    await at(t, 500);
    expect(t.logs).toContain('NOTICE Originate attempt 2/2 in 500 ms');
    await at(t, 999);
    expect(reply.value).toBeUndefined();
    await at(t, 1000);
    expect(reply).toEqual({ value: '-ERR USER_BUSY\n', time: 1000 });
    await stop(t);
  });

  it('originate_retry_min_period_ms: an attempt starts no sooner than that after the last one began', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{originate_retries=2,originate_retry_min_period_ms=5000,originate_timeout=2,originate_continue_on_timeout=true}[${SILENT}]null/1 &park()`,
      ),
    );
    await at(t, 2000);
    // 5000 − 1000 (the pause) − 2000 (the first attempt)
    expect(t.logs).toContain('INFO Minimum retry period has not elapsed yet, waiting 2000 ms');
    await at(t, 4999);
    expect(t.sw.core.sessions.count).toBe(0);
    expect(t.logs).toContain('NOTICE Originate attempt 2/2 in 1000 ms');
    await at(t, 5000);
    expect(t.sw.core.sessions.count).toBe(1);
    await at(t, 7000);
    expect(reply).toEqual({ value: '-ERR NO_ANSWER\n', time: 7000 });
    await stop(t);
  });

  it('originate_retry_timeout: no attempt starts once more than that many seconds have gone', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate('{originate_retries=10,originate_retry_timeout=3}null/cause-USER_BUSY &park()'));
    await at(t, 6000);
    // attempts at 0, 1000, 2000, 3000 (3 s is not more than 3), 4000; then it is over
    expect(reply).toEqual({ value: '-ERR USER_BUSY\n', time: 4000 });
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(5);
    expect(t.logs).toContain('DEBUG Elapsed = 3, originate retry not timed out yet');
    expect(t.logs).toContain('NOTICE Elapsed = 4, originate retry timeout.');
    expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt 6/10'))).toBe(false);
    await stop(t);
  });

  it('bad values: their WARNING and the default', async () => {
    const t = await start();
    const cases: [string, string | undefined][] = [
      ['originate_retries=101', 'WARNING Invalid originate_retries setting of 101 ignored, value must be between 1 and 100'],
      ['originate_retries=-2', 'WARNING Invalid originate_retries setting of -2 ignored, value must be between 1 and 100'],
      // not switch_true: not read at all
      ['originate_retries=0', undefined],
      ['originate_retries=many', undefined],
    ];
    for (const [v, warning] of cases) {
      t.logs.length = 0;
      const reply = timed(t, t.sw.originate(`{${v}}null/cause-USER_BUSY &park()`));
      await at(t, t.clock.now() + 10);
      expect(reply.value).toBe('-ERR USER_BUSY\n');
      expect(t.logs.filter((l) => l.startsWith('WARNING'))).toEqual(warning ? [warning] : []);
      expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt'))).toBe(false);
    }
    t.logs.length = 0;
    const base = t.clock.now();
    const sleep = timed(
      t,
      t.sw.originate('{originate_retries=2,originate_retry_sleep_ms=100,originate_retry_min_period_ms=400000}null/cause-USER_BUSY &park()'),
    );
    await at(t, base);
    expect(t.logs.filter((l) => l.startsWith('WARNING'))).toEqual([
      'WARNING Invalid originate_retry_sleep_ms setting of 100 ignored, value must be between 500 and 60000',
      'WARNING Invalid originate_retry_min_period_ms setting of 400000 ignored, value must be between 500 and 300000',
    ]);
    expect(t.logs).toContain('NOTICE Originate attempt 2/2 in 1000 ms');
    await at(t, base + 1000);
    expect(sleep).toEqual({ value: '-ERR USER_BUSY\n', time: base + 1000 });
    t.logs.length = 0;
    const rt = timed(t, t.sw.originate('{originate_retry_timeout=-1,originate_retries=150}null/cause-USER_BUSY &park()'));
    await at(t, t.clock.now() + 10);
    expect(rt.value).toBe('-ERR USER_BUSY\n');
    expect(t.logs.filter((l) => l.startsWith('WARNING'))).toEqual([
      'WARNING Invalid originate_retry_timeout setting of -1 ignored, value must be > 0',
      'WARNING Invalid originate_retries setting of 150 ignored, value must be between 1 and 100',
    ]);
    await stop(t);
  });

  it('more than 100 retries with originate_retry_timeout', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate('{originate_retries=150,originate_retry_timeout=1}null/cause-USER_BUSY &park()'));
    await at(t, 2000);
    expect(t.logs.filter((l) => l.startsWith('WARNING'))).toEqual([]);
    expect(t.logs).toContain('NOTICE Originate attempt 2/150 in 1000 ms');
    expect(reply).toEqual({ value: '-ERR USER_BUSY\n', time: 2000 });
    await stop(t);
  });

  it('bridge: the caller hanging up ends the pause at once and no more legs are made', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U1},continue_on_fail=true}null/1 &bridge({originate_retries=3}null/cause-USER_BUSY)`);
    await at(t, 500);
    expect(t.logs).toContain('NOTICE Originate attempt 2/3 in 1000 ms');
    expect(await t.sw.api(`uuid_kill ${U1}`)).toBe('+OK\n');
    await at(t, 3000);
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(1);
    expect(t.logs.some((l) => l.includes('Originate attempt 3/3'))).toBe(false);
    expect(t.logs).toContain('INFO Originate Failed.  Cause: ORIGINATOR_CANCEL');
    await stop(t);
  });

  it('bridge: the caller hanging up in the minimum-period wait skips the attempt’s groups; each later attempt only logs its wait', async () => {
    const t = await start();
    await t.sw.originate(
      `{origination_uuid=${U1},continue_on_fail=true}null/1 &bridge({originate_retries=3,originate_retry_sleep_ms=500}null/cause-USER_BUSY)`,
    );
    await at(t, 200);
    expect(t.logs).toContain('INFO Minimum retry period has not elapsed yet, waiting 500 ms');
    await t.sw.api(`uuid_kill ${U1}`);
    await at(t, 3000);
    expect(t.logs).toContain('INFO Minimum retry period has not elapsed yet, waiting 300 ms');
    expect(t.logs.filter((l) => l.startsWith('NOTICE Cannot create'))).toHaveLength(1);
    expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt'))).toBe(false);
    // this path leaves the last creation's result as the cause (the pause before a group resets it: ORIGINATOR_CANCEL)
    expect(t.logs).toContain('INFO Originate Failed.  Cause: USER_BUSY');
    await stop(t);
  });

  it('bridge: once the caller is gone the later `|` groups make no legs', async () => {
    const t = await start();
    await t.sw.originate(
      `{origination_uuid=${U1},continue_on_fail=true}null/1 &bridge([origination_uuid=${U2},${SILENT}]null/2|[origination_uuid=${U3}]null/3)`,
    );
    await at(t, 100);
    await t.sw.api(`uuid_kill ${U1}`);
    await at(t, 200);
    const events = t.sub.take();
    expect(hangupCause(events, U2)).toBe('ORIGINATOR_CANCEL');
    expect(created(events, U3)).toBe(false);
    expect(t.logs).toContain('INFO Originate Failed.  Cause: ORIGINATOR_CANCEL');
    await stop(t);
  });

  it('an enterprise branch pauses without a caller: a cancel does not cut the pause short; its leg is made, then hung up LOSE_RACE', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `[origination_uuid=${U1},null_auto_answer_delay=1500]null/1:_:{originate_retries=2,originate_timeout=1,originate_continue_on_timeout=true}[${SILENT}]null/2 &park()`,
      ),
    );
    await at(t, 1999);
    expect(reply.value).toBeUndefined();
    await at(t, 2500);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 2000 });
    const events = t.sub.take();
    const b = events.filter((e) => e.getHeader('Channel-Name') === 'null/2' && e.type === 'CHANNEL_HANGUP').map((e) => e.getHeader('Hangup-Cause'));
    expect(b).toEqual(['NO_ANSWER', 'LOSE_RACE']);
    await stop(t);
  });

  it('a cancelled enterprise branch with originate_retry_timeout: DEBUG `Originate cancelled`, no more attempts', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `[origination_uuid=${U1},null_auto_answer_delay=500]null/1:_:{originate_retries=3,originate_retry_timeout=60}[${SILENT}]null/2 &park()`,
      ),
    );
    await at(t, 600);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 500 });
    expect(t.logs).toContain('DEBUG Originate cancelled');
    expect(t.logs.some((l) => l.startsWith('NOTICE Originate attempt'))).toBe(false);
    await stop(t);
  });

  it('a cancelled enterprise branch tries no further `|` group (cancel_cause is checked before each)', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `[origination_uuid=${U1},null_auto_answer_delay=500]null/1:_:[origination_uuid=${U2},${SILENT}]null/2|[origination_uuid=${U3}]null/3 &park()`,
      ),
    );
    await at(t, 600);
    expect(reply).toEqual({ value: `+OK ${U1}\n`, time: 500 });
    const events = t.sub.take();
    expect(hangupCause(events, U2)).toBe('LOSE_RACE');
    expect(created(events, U3)).toBe(false);
    await stop(t);
  });
});

describe('fail_on_single_reject / hangup_on_single_reject', () => {
  const pair = `[origination_uuid=${U1},${SILENT}]null/1,[origination_uuid=${U2}]loopback/2000`;

  it('without it the group waits for the other legs; with `true` one rejected leg ends it: the others NO_ANSWER, -ERR NO_ANSWER', async () => {
    const t = await start();
    const waits = timed(t, t.sw.originate(`{originate_timeout=5}${pair} &park()`));
    await at(t, 100);
    expect(waits.value).toBeUndefined();
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    await at(t, 5000);
    expect(waits.value).toBe('-ERR NO_ANSWER\n');
    t.sub.take();
    const ends = timed(t, t.sw.originate(`{originate_timeout=5,fail_on_single_reject=true}${pair} &park()`));
    await at(t, 5100);
    expect(ends).toEqual({ value: '-ERR NO_ANSWER\n', time: 5000 });
    const events = t.sub.take();
    expect(hangupCause(events, U2)).toBe('USER_BUSY');
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    await stop(t);
  });

  it('`true`: the next `|` group is still tried; a cause list that matches ends the originate', async () => {
    const t = await start();
    const next = timed(t, t.sw.originate(`{fail_on_single_reject=true}${pair}|[origination_uuid=${U3}]null/3 &park()`));
    await at(t, 100);
    expect(next.value).toBe(`+OK ${U3}\n`);
    await t.sw.api(`uuid_kill ${U3}`);
    await at(t, 200);
    t.sub.take();
    for (const list of ['USER_BUSY', 'user_busy', '^^:CALL_REJECTED:USER_BUSY', '!CALL_REJECTED']) {
      const stopped = timed(t, t.sw.originate(`{fail_on_single_reject=${list}}${pair}|[origination_uuid=${U3}]null/3 &park()`));
      await at(t, t.clock.now() + 100);
      expect(stopped.value).toBe('-ERR NO_ANSWER\n');
      expect(created(t.sub.take(), U3)).toBe(false);
    }
    await stop(t);
  });

  it('a cause not in the list (or negated) lets the group go on — even past its timeout while a leg has progress', async () => {
    const t = await start();
    const early = `[origination_uuid=${U1},${SILENT},null_pre_answer=true]null/1,[origination_uuid=${U2}]loopback/2000`;
    const reply = timed(t, t.sw.originate(`{originate_timeout=2,ignore_early_media=true,fail_on_single_reject=!USER_BUSY}${early} &park()`));
    await at(t, 10000);
    expect(reply.value).toBeUndefined();
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    await t.sw.api(`uuid_kill ${U1} CALL_REJECTED`);
    await at(t, 10100);
    // the last leg down: the first leg's cause
    expect(reply.value).toBe('-ERR CALL_REJECTED\n');
    await stop(t);
  });

  it('a cause list past the timeout without progress: the progress timeout (the group timeout) ends it, PROGRESS_TIMEOUT', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate(`{originate_timeout=2,fail_on_single_reject=CALL_REJECTED}${pair} &park()`));
    await at(t, 2100);
    expect(reply).toEqual({ value: '-ERR PROGRESS_TIMEOUT\n', time: 2000 });
    expect(hangupCause(t.sub.take(), U1)).toBe('PROGRESS_TIMEOUT');
    await stop(t);
  });

  it('a group whose legs are all refused keeps the last wait’s outcome (oglobals.idx): after a timeout or a single reject, NO_ANSWER', async () => {
    const t = await start();
    const timeout = timed(t, t.sw.originate(`{originate_timeout=1,originate_continue_on_timeout=true}[${SILENT}]null/1|error/call_rejected &park()`));
    await at(t, 1000);
    expect(timeout).toEqual({ value: '-ERR NO_ANSWER\n', time: 1000 });
    // hangup_on_single_reject alone: any reject ends the group; without a list a refusal does not stop the originate
    const reply = timed(t, t.sw.originate(`{hangup_on_single_reject=true}${pair}|error/call_rejected &park()`));
    await at(t, 1100);
    expect(reply.value).toBe('-ERR NO_ANSWER\n');
    const plain = timed(t, t.sw.originate('error/user_busy|error/call_rejected &park()'));
    await at(t, 1200);
    expect(plain.value).toBe('-ERR CALL_REJECTED\n');
    await stop(t);
  });

  it('a leg the endpoint refuses: with a match the originate ends at once with that cause; the group’s other legs are hung up', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{fail_on_single_reject=true}[origination_uuid=${U1},${SILENT}]null/1,null/cause-USER_BUSY,[origination_uuid=${U2}]null/2|[origination_uuid=${U3}]null/3 &park()`,
      ),
    );
    await at(t, 100);
    expect(reply).toEqual({ value: '-ERR USER_BUSY\n', time: 0 });
    const events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('USER_BUSY');
    expect(created(events, U2)).toBe(false);
    expect(created(events, U3)).toBe(false);
    await stop(t);
  });

  it('a refusal not in the list turns the list check off for the group (check_reject): the next group is tried', async () => {
    const t = await start();
    const withRefusal = timed(
      t,
      t.sw.originate(
        `{fail_on_single_reject=CALL_REJECTED}null/cause-USER_BUSY,[origination_uuid=${U1},${SILENT}]null/1|[origination_uuid=${U3}]null/3 &park()`,
      ),
    );
    await at(t, 100);
    await t.sw.api(`uuid_kill ${U1} CALL_REJECTED`);
    await at(t, 200);
    expect(withRefusal.value).toBe(`+OK ${U3}\n`);
    await t.sw.api(`uuid_kill ${U3}`);
    await at(t, 300);
    t.sub.take();
    const without = timed(
      t,
      t.sw.originate(`{fail_on_single_reject=CALL_REJECTED}[origination_uuid=${U1},${SILENT}]null/1|[origination_uuid=${U3}]null/3 &park()`),
    );
    await at(t, 400);
    await t.sw.api(`uuid_kill ${U1} CALL_REJECTED`);
    await at(t, 500);
    expect(without.value).toBe('-ERR CALL_REJECTED\n');
    expect(created(t.sub.take(), U3)).toBe(false);
    await stop(t);
  });

  it('hangup_on_single_reject: a single reject ends the group and the caller is hung up with the originate’s cause', async () => {
    const t = await start();
    const bridge = (vars: string) =>
      `{origination_uuid=${U3},continue_on_fail=true}null/3 &bridge({${vars}}[origination_uuid=${U1},${SILENT}]null/1,[origination_uuid=${U2}]loopback/2000)`;
    await t.sw.originate(bridge('originate_timeout=5'));
    await at(t, 5100);
    // without it: the bridge fails at the timeout, the caller goes on (and its one-app extension ends)
    expect(hangupCause(t.sub.take(), U3)).toBe('NORMAL_CLEARING');
    await t.sw.originate(bridge('originate_timeout=5,hangup_on_single_reject=true'));
    await at(t, 5200);
    const events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    expect(hangupCause(events, U3)).toBe('NO_ANSWER');
    expect(t.logs).toContain('INFO Originate Failed.  Cause: NO_ANSWER');
    await stop(t);
  });

  it('hangup_on_single_reject hangs the caller up on success too (cause SUCCESS), as FreeSWITCH does', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U3}}null/3 &bridge({hangup_on_single_reject=true}[origination_uuid=${U1}]null/1)`);
    await at(t, 100);
    const events = t.sub.take();
    expect(hangupCause(events, U3)).toBe('SUCCESS');
    // the bridge finds its caller gone: no CHANNEL_BRIDGE, the winner is let go
    expect(of(events, U3).some((e) => e.type === 'CHANNEL_BRIDGE')).toBe(false);
    expect(hangupCause(events, U1)).toBe('ORIGINATOR_CANCEL');
    await stop(t);
  });

  it('the calling channel’s fail_on_single_reject is used when the dial string sets none', async () => {
    const t = await start();
    await t.sw.originate(`{origination_uuid=${U3}}null/3 &park()`);
    await at(t, 100);
    const pid = t.sw.core.sessions.get(U3);
    if (!pid) throw new Error('no caller');
    let result: unknown;
    t.rt.spawn(async (ctx) => {
      const profile = (await GenServer.call(ctx, pid, { op: 'profile' })) as CallerProfile;
      const vars: Record<string, string> = { fail_on_single_reject: 'true' };
      result = await originateCall(ctx, t.sw.services, { dial: pair, timeoutSec: 30, caller: { uuid: U3, profile, variable: (n) => vars[n] } });
    });
    await at(t, 200);
    expect(result).toMatchObject({ ok: false, cause: 19 });
    await stop(t);
  });
});

describe('return_ring_ready', () => {
  it('wins on ringing only in a group of one leg', async () => {
    const t = await start();
    const two = timed(t, t.sw.originate(`{return_ring_ready=true,originate_timeout=3}loopback/3000,[${SILENT}]null/1 &park()`));
    await at(t, 3000);
    expect(two).toEqual({ value: '-ERR NO_ANSWER\n', time: 3000 });
    const one = timed(t, t.sw.originate('{return_ring_ready=true}loopback/3000 &park()'));
    await at(t, 3100);
    expect(one.value).toMatch(/^\+OK /);
    await stop(t);
  });
});

describe('leg_delay_start', () => {
  it('the leg is made only when its delay is over; the others ring meanwhile', async () => {
    const t = await start();
    const reply = timed(t, t.sw.originate(`[origination_uuid=${U1},${SILENT}]null/1,[origination_uuid=${U2},leg_delay_start=2]null/2 &park()`));
    await at(t, 1999);
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('false');
    expect(created(t.sub.take(), U2)).toBe(false);
    await at(t, 2000);
    expect(reply).toEqual({ value: `+OK ${U2}\n`, time: 2000 });
    const events = t.sub.take();
    expect(events.filter((e) => e.getHeader('Unique-ID') === U2)[0]?.type).toBe('CHANNEL_OUTGOING');
    expect(hangupCause(events, U1)).toBe('LOSE_RACE');
    await stop(t);
  });

  it('a delayed leg starts at once when no other leg is left; with all legs delayed the first starts now and the rest keep their distance', async () => {
    const t = await start();
    const now = timed(t, t.sw.originate(`[origination_uuid=${U1}]loopback/2000,[origination_uuid=${U2},leg_delay_start=5]null/2 &park()`));
    await at(t, 100);
    expect(now).toEqual({ value: `+OK ${U2}\n`, time: 0 });
    await t.sw.api(`uuid_kill ${U2}`);
    await at(t, 200);
    t.sub.take();
    const base = t.clock.now();
    const all = timed(
      t,
      t.sw.originate(
        `{originate_timeout=4}[origination_uuid=${U1},leg_delay_start=3,${SILENT}]null/1,[origination_uuid=${U2},leg_delay_start=5,${SILENT}]null/2 &park()`,
      ),
    );
    await at(t, base);
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    await at(t, base + 1999);
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('false');
    // 5 − 3: its delay shortened by the first one's
    await at(t, base + 2000);
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('true');
    await at(t, base + 4000);
    expect(all.value).toBe('-ERR NO_ANSWER\n');
    const events = t.sub.take();
    expect(hangupCause(events, U1)).toBe('NO_ANSWER');
    expect(hangupCause(events, U2)).toBe('NO_ANSWER');
    await stop(t);
  });

  it('a delayed leg’s leg_timeout counts from the group’s start plus its delay; a leg still waiting when the group ends is never made', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{originate_timeout=6}[origination_uuid=${U1},${SILENT}]null/1,[origination_uuid=${U2},leg_delay_start=2,leg_timeout=1,${SILENT}]null/2,[origination_uuid=${U3},leg_delay_start=9]null/3 &park()`,
      ),
    );
    await at(t, 2999);
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('true');
    await at(t, 3000);
    expect(hangupCause(t.sub.take(), U2)).toBe('ALLOTTED_TIMEOUT');
    await at(t, 10000);
    expect(reply).toEqual({ value: '-ERR NO_ANSWER\n', time: 6000 });
    expect(created(t.sub.take(), U3)).toBe(false);
    await stop(t);
  });

  it('a delayed leg the endpoint refuses is refused at the group’s start', async () => {
    const t = await start();
    timed(t, t.sw.originate(`{originate_timeout=3}[leg_delay_start=2]null/cause-USER_BUSY,[${SILENT}]null/1 &park()`));
    await at(t, 0);
    expect(t.logs).toContain('NOTICE Cannot create outgoing channel of type [null] cause: [USER_BUSY]');
    await stop(t);
  });
});

describe('leg_progress_timeout and progress_timeout', () => {
  it('leg_progress_timeout: a leg without ring or early media in time is hung up PROGRESS_TIMEOUT; the cause sticks (force_reason)', async () => {
    const t = await start();
    const reply = timed(
      t,
      t.sw.originate(
        `{originate_timeout=4}[origination_uuid=${U1},leg_progress_timeout=2,${SILENT}]null/1,[origination_uuid=${U2},${SILENT}]null/2 &park()`,
      ),
    );
    await at(t, 1999);
    expect(await t.sw.api(`uuid_exists ${U1}`)).toBe('true');
    await at(t, 2000);
    expect(hangupCause(t.sub.take(), U1)).toBe('PROGRESS_TIMEOUT');
    expect(await t.sw.api(`uuid_exists ${U2}`)).toBe('true');
    await at(t, 4000);
    // the group timeout's losers get the forced cause, and so does the originate
    expect(reply).toEqual({ value: '-ERR PROGRESS_TIMEOUT\n', time: 4000 });
    expect(hangupCause(t.sub.take(), U2)).toBe('PROGRESS_TIMEOUT');
    await stop(t);
  });

  it('leg_progress_timeout: ringing or early media in time keeps the leg', async () => {
    const t = await start();
    for (const leg of [`[leg_progress_timeout=2,${SILENT},null_pre_answer=true]null/1`, '[leg_progress_timeout=2]loopback/3000']) {
      const base = t.clock.now();
      const reply = timed(t, t.sw.originate(`{originate_timeout=4,ignore_early_media=true}${leg} &park()`));
      await at(t, base + 4000);
      expect(reply).toEqual({ value: '-ERR NO_ANSWER\n', time: base + 4000 });
    }
    await stop(t);
  });

  it('progress_timeout: no ring or early media in time ends the group (PROGRESS_TIMEOUT), yet the next `|` group is tried', async () => {
    const t = await start();
    const next = timed(
      t,
      t.sw.originate(`{progress_timeout=2,originate_timeout=10}[origination_uuid=${U1},${SILENT}]null/1|[origination_uuid=${U3}]null/3 &park()`),
    );
    await at(t, 1999);
    expect(next.value).toBeUndefined();
    await at(t, 2000);
    expect(next).toEqual({ value: `+OK ${U3}\n`, time: 2000 });
    expect(hangupCause(t.sub.take(), U1)).toBe('PROGRESS_TIMEOUT');
    const base = t.clock.now();
    const alone = timed(t, t.sw.originate(`{progress_timeout=2,originate_timeout=10}[${SILENT}]null/1 &park()`));
    await at(t, base + 2000);
    expect(alone).toEqual({ value: '-ERR PROGRESS_TIMEOUT\n', time: base + 2000 });
    await stop(t);
  });

  it('progress_timeout: early media counts; ringing counts only for a calling channel (bridge), not for the API', async () => {
    const t = await start();
    const early = timed(
      t,
      t.sw.originate(`{progress_timeout=2,originate_timeout=4,ignore_early_media=true}[${SILENT},null_pre_answer=true]null/1 &park()`),
    );
    await at(t, 4000);
    expect(early).toEqual({ value: '-ERR NO_ANSWER\n', time: 4000 });
    const base = t.clock.now();
    const api = timed(t, t.sw.originate('{progress_timeout=2,originate_timeout=4}loopback/3000 &park()'));
    await at(t, base + 4000);
    expect(api).toEqual({ value: '-ERR PROGRESS_TIMEOUT\n', time: base + 2000 });
    t.logs.length = 0;
    await t.sw.originate(`{origination_uuid=${U3},continue_on_fail=true}null/3 &bridge({progress_timeout=2,originate_timeout=4}loopback/3000)`);
    await at(t, t.clock.now() + 4100);
    expect(t.logs).toContain('INFO Originate Failed.  Cause: NO_ANSWER');
    await stop(t);
  });
});
