import { atom, t } from '@beamline/etf';
import { describe, expect, it } from 'vitest';
import { RestartWindow, isCleanExit, shouldRestart } from '../src/supervisor/policy.ts';
// the pure validation and strategy functions are not public: tested at their module
import { normalizeFlags, normalizeSpec, restartSet } from '../src/supervisor/policy.ts';

describe('supervisor policy (pure)', () => {
  it('restart decisions per restart type', () => {
    const reasons = [atom('normal'), atom('shutdown'), t(atom('shutdown'), 'x'), atom('boom'), new Error('e'), atom('killed')];
    expect(reasons.map(isCleanExit)).toEqual([true, true, true, false, false, false]);
    expect(reasons.map((r) => shouldRestart('permanent', r))).toEqual([true, true, true, true, true, true]);
    expect(reasons.map((r) => shouldRestart('transient', r))).toEqual([false, false, false, true, true, true]);
    expect(reasons.map((r) => shouldRestart('temporary', r))).toEqual([false, false, false, false, false, false]);
  });

  it('the restart window: more than intensity within period seconds (whole seconds, inclusive) is too many', () => {
    const w = new RestartWindow(2, 5);
    expect(w.add(0)).toBe(true);
    expect(w.add(1000)).toBe(true);
    expect(w.add(5000)).toBe(false); // stamped 0, 1, 5: all within 5 s of 5
    const v = new RestartWindow(2, 5);
    v.add(0);
    v.add(1000);
    expect(v.add(5999)).toBe(false); // still second 5, as supervisor.erl's monotonic_time(second)
    const u = new RestartWindow(2, 5);
    u.add(999);
    u.add(1000);
    expect(u.add(6000)).toBe(true); // second 0 has left the window, 5.001 s after it
    expect(u.recent).toEqual([1, 6]);
    expect(new RestartWindow(0, 5).add(0)).toBe(false);
  });

  it('which children a strategy restarts: all of the set, running or not (supervisor.erl start_children)', () => {
    expect(restartSet('one_for_one', 5, 1)).toEqual([1]);
    expect(restartSet('simple_one_for_one', 5, 1)).toEqual([1]);
    expect(restartSet('one_for_all', 5, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(restartSet('rest_for_one', 5, 1)).toEqual([1, 2, 3, 4]);
    expect(restartSet('rest_for_one', 5, 4)).toEqual([4]);
  });

  it('spec and flag defaults and validation', () => {
    const start = () => undefined;
    expect(normalizeSpec({ id: 'w', start })).toEqual({
      id: 'w',
      start,
      restart: 'permanent',
      shutdown: 5000,
      type: 'worker',
      modules: undefined, // the default: the child's callback module, once it runs
      significant: false,
    });
    expect(normalizeSpec({ id: 's', start, type: 'supervisor' })).toMatchObject({ shutdown: 'infinity' });
    expect(normalizeSpec({ id: 'x', start, shutdown: -1 })).toEqual({ error: t(atom('invalid_shutdown'), -1) });
    expect(normalizeSpec({ id: 'x', start, type: 'daemon' as never })).toEqual({ error: t(atom('invalid_child_type'), atom('daemon')) });
    expect(normalizeSpec({ id: 'x', start: 42 as never })).toEqual({ error: t(atom('invalid_mfa'), 42) });
    expect(normalizeSpec({ start } as never)).toEqual({ error: atom('missing_id') });
    expect(normalizeSpec({ id: 'x' } as never)).toEqual({ error: atom('missing_start') });
    // significant: only for transient and temporary children (OTP's supervisor refuses a significant permanent one)
    expect(normalizeSpec({ id: 'x', start, restart: 'transient', significant: true }, 'any_significant')).toMatchObject({ significant: true });
    expect(normalizeSpec({ id: 'x', start, restart: 'temporary', significant: true }, 'all_significant')).toMatchObject({ significant: true });
    expect(normalizeSpec({ id: 'x', start, significant: true }, 'any_significant')).toEqual({
      error: t(atom('bad_combination'), [t(atom('restart'), atom('permanent')), t(atom('significant'), atom('true'))]),
    });
    expect(normalizeSpec({ id: 'x', start, restart: 'transient', significant: true })).toEqual({
      error: t(atom('bad_combination'), [t(atom('auto_shutdown'), atom('never')), t(atom('significant'), atom('true'))]),
    });
    expect(normalizeFlags({})).toEqual({ strategy: 'one_for_one', intensity: 1, period: 5, autoShutdown: 'never' });
    expect(normalizeFlags({ autoShutdown: 'all_significant' })).toMatchObject({ autoShutdown: 'all_significant' });
    expect(normalizeFlags({ autoShutdown: 'sometimes' as never })).toEqual({
      error: t(atom('supervisor_data'), t(atom('invalid_auto_shutdown'), atom('sometimes'))),
    });
    expect(normalizeFlags({ intensity: -1 })).toEqual({ error: t(atom('supervisor_data'), t(atom('invalid_intensity'), -1)) });
    expect(normalizeFlags({ period: 0 })).toEqual({ error: t(atom('supervisor_data'), t(atom('invalid_period'), 0)) });
    expect(normalizeFlags({ strategy: 'simple_one_for_one', autoShutdown: 'any_significant' })).toEqual({
      error: t(
        atom('supervisor_data'),
        t(atom('bad_combination'), [t(atom('auto_shutdown'), atom('any_significant')), t(atom('strategy'), atom('simple_one_for_one'))]),
      ),
    });
  });
});
