/**
 * outbound-exit-policy (spec/DECISIONS.md): what a handler's exit, or the loss of its node, does
 * to a call the `erlang` application parked — keep (the original: the call stays, orphaned),
 * hangup (the default: DESTINATION_OUT_OF_ORDER), respawn (the factory is asked again).
 * One rig per policy, each with the seed's myhandler in `module:!` mode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErlangEventConfig } from '../src/index.ts';
import type { Rig } from './helpers.ts';
import { collected, resetCollector, startOutboundRig, uuidOf } from './outbound_helpers.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function setup(tag: string, policy?: ErlangEventConfig['outboundExitPolicy']) {
  const r = await startOutboundRig(tag, { '3000': [['erlang', 'myhandler:! $ERL']] }, policy ? { outboundExitPolicy: policy } : {});
  rig = r;
  await resetCollector(r);
  const hangups = r.fs.sw.events.subscribe({ name: 'test', types: ['CHANNEL_HANGUP_COMPLETE'], capacity: 100 });
  const uuid = uuidOf(await r.fs.sw.originate('null/1 3000'));
  const text = await collected(r, (t) => t.includes('{call,'));
  const handler = new RegExp(`\\{call,(<[\\d.]+>),"${uuid}"\\}`).exec(text)?.[1] as string;
  expect(handler).toBeDefined();
  const causes = () =>
    hangups
      .take()
      .filter((e) => e.getHeader('Unique-ID') === uuid)
      .map((e) => e.getHeader('Hangup-Cause'));
  const exists = () => r.fs.sw.api(`uuid_exists ${uuid}`);
  const until = async (f: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await f()); i++) await new Promise((res) => setTimeout(res, 30));
  };
  const killHandler = () => r.shell(`exit(list_to_pid("${handler}"), kill)`);
  return { r, uuid, handler, causes, exists, until, killHandler };
}

describe('outbound-exit-policy', () => {
  it('hangup (default): the handler is killed → the call is hung up DESTINATION_OUT_OF_ORDER', async () => {
    const { r, uuid, causes, exists, until, killHandler } = await setup('ph');
    expect(r.fs.config.outboundExitPolicy).toBe('hangup');
    const lines: string[] = [];
    const sub = r.fs.sw.core.logger.subscribe(4, (l) => lines.push(`${l.levelName} ${l.text}`));
    await killHandler();
    await until(async () => (await exists()) === 'false');
    sub.unsubscribe();
    expect(await exists()).toBe('false');
    expect(causes()).toEqual(['DESTINATION_OUT_OF_ORDER']);
    // the log says why
    expect(lines.filter((l) => l.includes(uuid) && l.startsWith('WARNING Hanging up'))).toEqual([
      expect.stringMatching(
        /^WARNING Hanging up [0-9a-f-]{36}: its handler <[^>]+> or its node is gone \(outbound-exit-policy hangup; keep leaves the call parked\)$/,
      ),
    ]);
  });

  it('hangup: the handler’s node goes (exit) → the call is hung up too', async () => {
    const { r, causes, exists, until } = await setup('pn');
    expect(await r.shell(`{foo, FS} ! exit, receive R_x -> R_x after 2000 -> timeout end`)).toBe('ok');
    await until(async () => (await exists()) === 'false');
    expect(causes()).toEqual(['DESTINATION_OUT_OF_ORDER']);
  });

  it('keep (the original): the handler is killed → the call stays parked, no longer attached', async () => {
    const { r, uuid, causes, exists, killHandler } = await setup('pk', 'keep');
    await killHandler();
    await new Promise((res) => setTimeout(res, 300));
    expect(await exists()).toBe('true');
    expect(causes()).toEqual([]);
    expect(await r.fs.sw.api('erlang sessions t_pk@localhost')).toBe('No active sessions for t_pk@localhost\n');
    await r.fs.sw.api(`uuid_kill ${uuid}`);
  });

  it('keep: the node goes → the call is orphaned, not hung up', async () => {
    const { r, uuid, causes, exists } = await setup('pl', 'keep');
    expect(await r.shell(`{foo, FS} ! exit, receive R_x -> R_x after 2000 -> timeout end`)).toBe('ok');
    await new Promise((res) => setTimeout(res, 300));
    expect(await exists()).toBe('true');
    expect(causes()).toEqual([]);
    await r.fs.sw.api(`uuid_kill ${uuid}`);
  });

  it('respawn: the handler is killed → the factory gets a second get_pid for the call; the new pid gets {call, _}', async () => {
    const { r, uuid, handler, exists, killHandler } = await setup('pr', 'respawn');
    await killHandler();
    const text = await collected(r, (t) => (t.match(/\{call,/g) ?? []).length >= 2);
    const spawned = [...text.matchAll(new RegExp(`\\{get_pid,"${uuid}",(<[\\d.]+>)\\}`, 'g'))].map((m) => m[1]);
    expect(spawned.length).toBe(2);
    expect(spawned[1]).not.toBe(handler);
    expect(text).toContain(`{call,${spawned[1]},"${uuid}"}`);
    expect(await exists()).toBe('true');
    await r.fs.sw.api(`uuid_kill ${uuid}`);
    expect(await collected(r, (t) => t.includes('call_hangup'))).toContain(`{call_hangup,${spawned[1]},"${uuid}"}`);
  });
});
