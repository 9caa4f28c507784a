/**
 * The originate's timeouts on the real clock, where a timer fires after its due time: checks made
 * in whole seconds by FreeSWITCH must keep their order when the wait wakes late.
 */
import { Runtime } from '@beamline/core';
import { expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { startSwitch } from '../src/switch.ts';

it('a leg that only rings until the timeout: NO_ANSWER, not PROGRESS_TIMEOUT (the default progress timeout equals the timeout)', async () => {
  const rt = new Runtime({ logger: null });
  const sw = await startSwitch(rt, { dialplan: staticDialplan({ default: { '3000': [['ring_ready'], ['park']] } }) });
  try {
    const started = performance.now();
    expect(await sw.originate('{originate_timeout=1}loopback/3000 &park()')).toBe('-ERR NO_ANSWER\n');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    // a progress timeout below the timeout still ends a wait without ring or early media first
    expect(await sw.originate('{originate_timeout=3,progress_timeout=1,null_enable_auto_answer=false}null/1 &park()')).toBe(
      '-ERR PROGRESS_TIMEOUT\n',
    );
  } finally {
    await sw.stop();
    await rt.stop();
  }
});
