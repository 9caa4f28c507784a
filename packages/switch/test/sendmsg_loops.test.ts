import { describe, expect, it } from 'vitest';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

async function parked() {
  const t = await setup();
  const uuid = UUID.exec(await t.sw.originate('null/1 &park()'))?.[1] as string;
  await t.settle();
  t.sub.take();
  const exec = (app: string, arg: string, more: [string, string][] = []) =>
    t.sw.sendmsg(uuid, [['call-command', 'execute'], ['execute-app-name', app], ['execute-app-arg', arg], ...more]);
  const apps = () =>
    t.sub
      .take()
      .filter((e) => e.type === 'CHANNEL_EXECUTE' || e.type === 'CHANNEL_EXECUTE_COMPLETE')
      .map(
        (e) =>
          `${e.type === 'CHANNEL_EXECUTE' ? 'EXECUTE' : 'COMPLETE'} ${e.getHeader('Application')} ${e.getHeader('variable_current_loop') ?? '-'}/${e.getHeader('variable_total_loops') ?? '-'}`,
      );
  return { ...t, uuid, exec, apps };
}

describe('sendmsg execute: loops, event-lock, event-uuid-name (switch_ivr_parse_event)', () => {
  it('loops=3 runs the app three times while each pass lasts at least 0.5 s; current_loop/total_loops are set around it', async () => {
    const { exec, apps, settle, clock, sw, rt, uuid } = await parked();
    expect(await exec('playback', 'silence_stream://600', [['loops', '3']])).toBe('ok');
    await settle();
    for (let i = 0; i < 3; i++) {
      await clock.advance(600);
      await settle();
    }
    expect(apps()).toEqual([
      'EXECUTE playback 1/3',
      'COMPLETE playback 1/3',
      'EXECUTE playback 2/3',
      'COMPLETE playback 2/3',
      'EXECUTE playback 3/3',
      'COMPLETE playback 3/3',
    ]);
    expect(await sw.api(`uuid_getvar ${uuid} current_loop`)).toBe('_undef_');
    await sw.stop();
    await rt.stop();
  });

  it('a pass shorter than 0.5 s ends the loop; loops=0 (or not a number) runs nothing', async () => {
    const { exec, apps, settle, clock, sw, rt, sub } = await parked();
    await exec('playback', 'silence_stream://100', [['loops', '5']]);
    await settle();
    await clock.advance(100);
    await settle();
    expect(apps()).toEqual(['EXECUTE playback 1/5', 'COMPLETE playback 1/5']);
    await exec('set', 'a=1', [['loops', 'x']]);
    await settle();
    const evs = sub.take();
    expect(evs.map((e) => e.type)).toEqual(['PRIVATE_COMMAND']);
    await sw.stop();
    await rt.stop();
  });

  it('event-lock: a later execute waits for the locked one instead of running nested inside it', async () => {
    const locked = await parked();
    await locked.exec('playback', 'silence_stream://1000', [['event-lock', 'true']]);
    await locked.exec('set', 'a=1');
    await locked.settle();
    await locked.clock.advance(1000);
    await locked.settle();
    expect(locked.apps()).toEqual(['EXECUTE playback 1/1', 'COMPLETE playback 1/1', 'EXECUTE set 1/1', 'COMPLETE set 1/1']);
    await locked.sw.stop();
    await locked.rt.stop();

    const free = await parked();
    await free.exec('playback', 'silence_stream://1000');
    await free.exec('set', 'a=1');
    await free.settle();
    await free.clock.advance(1000);
    await free.settle();
    // the nested execute's loop end unsets current_loop/total_loops for the whole channel, as in FreeSWITCH
    expect(free.apps()).toEqual(['EXECUTE playback 1/1', 'EXECUTE set 1/1', 'COMPLETE set 1/1', 'COMPLETE playback -/-']);
    await free.sw.stop();
    await free.rt.stop();
  });

  it('event-lock holds a sendmsg hangup or xferext too: the locked playback plays out first, then the command', async () => {
    for (const command of ['hangup', 'xferext'] as const) {
      const t = await parked();
      await t.exec('playback', 'silence_stream://1000', [['event-lock', 'true']]);
      const more: [string, string][] = command === 'hangup' ? [['hangup-cause', 'USER_BUSY']] : [['application', 'hangup USER_BUSY']];
      expect(await t.sw.sendmsg(t.uuid, [['call-command', command], ...more])).toBe('ok');
      await t.settle();
      await t.clock.advance(500);
      await t.settle();
      // half way: still playing, not hung up
      expect(t.sub.take().some((e) => e.type === 'CHANNEL_HANGUP')).toBe(false);
      await t.clock.advance(500);
      await t.settle();
      const seen = t.sub.take();
      const complete = seen.find((e) => e.type === 'CHANNEL_EXECUTE_COMPLETE' && e.getHeader('Application') === 'playback');
      expect(complete?.getHeader('Application-Response'), command).toBe('FILE PLAYED');
      const hangup = seen.find((e) => e.type === 'CHANNEL_HANGUP');
      expect(hangup?.getHeader('Hangup-Cause'), command).toBe('USER_BUSY');
      expect(seen.indexOf(complete!)).toBeLessThan(seen.indexOf(hangup!));
      await t.sw.stop();
      await t.rt.stop();
    }
  });

  it('event-uuid-name: Application-UUID-Name after Application-UUID on EXECUTE and EXECUTE_COMPLETE', async () => {
    const { exec, sub, settle, sw, rt } = await parked();
    await exec('set', 'a=1', [
      ['event-uuid', 'u-1'],
      ['event-uuid-name', 'my-name'],
    ]);
    await settle();
    const evs = sub.take().filter((e) => e.type.startsWith('CHANNEL_EXECUTE'));
    for (const e of evs) {
      const names = e.headers.map((h) => h.name);
      expect(names.indexOf('Application-UUID-Name')).toBe(names.indexOf('Application-UUID') + 1);
      expect(e.getHeader('Application-UUID-Name')).toBe('my-name');
    }
    expect(evs).toHaveLength(2);
    await sw.stop();
    await rt.stop();
  });
});
