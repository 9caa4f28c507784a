/**
 * Bring-up from a conf/ directory (listen-port published in EPMD, hidden node, the conf's cookie),
 * encoding=binary, and apply-inbound-acl (spec §4.1–§4.4; §9 items 1, 2).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '@beamline/core';
import { afterAll, describe, expect, it } from 'vitest';
import { startErl } from '../../../tools/erl/node.ts';
import { startErlangEvent } from '../src/index.ts';
import { ERL_DEFS, freePort, quietEnv, startRig } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('conf/', () => {
  it("erlang_event.conf as the seed shows it: the node is published in EPMD under listen-port, hidden, with the conf's cookie", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mee-conf-'));
    dirs.push(dir);
    cpSync(join(import.meta.dirname, '../../switch/conf'), dir, { recursive: true });
    const port = await freePort();
    const epmdPort = await freePort();
    const xml = readFileSync(join(import.meta.dirname, '../conf/autoload_configs/erlang_event.conf.xml'), 'utf8')
      .replace('value="8031"', `value="${port}"`)
      .replace('value="freeswitch"', 'value="fsconf@localhost"')
      .replace('value="ClueCon"', 'value="SeedCookie"')
      .replace('value="0.0.0.0"', 'value="127.0.0.1"');
    writeFileSync(join(dir, 'autoload_configs/erlang_event.conf.xml'), xml);
    const fs = await startErlangEvent({
      confDir: dir,
      env: quietEnv,
      runtime: new Runtime({ logger: null }),
      node: { epmdPort },
      switch: { timers: false },
    });
    const erl = await startErl({ name: 't_conf@localhost', cookie: 'SeedCookie', epmdPort });
    try {
      expect(fs.node.port).toBe(port);
      expect(await erl.eval('net_adm:names()')).toContain(`{"fsconf",${port}}`);
      expect(await erl.eval(`{foo, 'fsconf@localhost'} ! {api, echo, "hi"}, receive R -> R after 2000 -> timeout end`)).toBe('{ok,"hi"}');
      expect(await erl.eval(`{nodes(), nodes(hidden)}`)).toBe('{[],[fsconf@localhost]}');
      expect(await rigListeners(fs.module)).toEqual(['t_conf@localhost']);
    } finally {
      await erl.stop();
      await fs.stop();
    }
  });
});

describe('stop-on-bind-error', () => {
  it('true: a taken listen-port fails the start at once; false: the bind is retried (bounded here) before it fails', async () => {
    const { createServer } = await import('node:net');
    const port = await freePort();
    const epmdPort = await freePort();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const start = (stop: boolean, bindRetryMs?: number) =>
      startErlangEvent({
        env: quietEnv,
        runtime: new Runtime({ logger: null }),
        config: { nodeName: `fsbind${stop ? 1 : 2}@localhost`, listenIp: '127.0.0.1', listenPort: port, stopOnBindError: stop },
        node: { epmdPort },
        switch: { timers: false },
        ...(bindRetryMs === undefined ? {} : { bindRetryMs }),
      });
    try {
      const t0 = Date.now();
      await expect(start(true)).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(1000);
      const t1 = Date.now();
      await expect(start(false, 400)).rejects.toThrow();
      expect(Date.now() - t1).toBeGreaterThanOrEqual(400);
      // freed while retrying: the start succeeds
      const pending = start(false, 5000);
      setTimeout(() => blocker.close(), 300);
      const fs = await pending;
      expect(fs.node.port).toBe(port);
      await fs.stop();
    } finally {
      blocker.close();
    }
  });
});

async function rigListeners(m: { listeners(): { peer: string }[] }): Promise<string[]> {
  return m.listeners().map((l) => l.peer);
}

describe('encoding=binary', () => {
  it('api/bgapi replies, event names, values, UUIDs and filter logs are binaries; log fields stay strings', async () => {
    const rig = await startRig('bin', { encoding: 'binary' });
    try {
      await rig.shell(ERL_DEFS);
      expect(await rig.shell(`{x, FS} ! {api, echo, "hi"}, receive R -> R after 1000 -> timeout end`)).toBe('{ok,<<"hi">>}');
      expect(await rig.shell(`{x, FS} ! {bgapi, echo, "b"}, receive {ok, J} -> receive {bgok, J, O} -> {is_binary(J), O} end end`)).toBe(
        '{true,<<"b">>}',
      );
      expect(await rig.shell(`B = Coll(), Do(B, register_event_handler), Do(B, {event, 'CUSTOM', 'bin::sub'})`)).toBe('ok');
      await rig.shell(`Do(B, {sendevent, 'CUSTOM', 'bin::sub', [{"K", "v%21"}]})`);
      expect(await rig.shell(`[{event, [U | H]}] = WaitEv(B, 1), {U, hd(H), proplists:get_value(<<"K">>, H)}`)).toBe(
        '{undefined,{<<"Event-Name">>,<<"CUSTOM">>},<<"v!">>}',
      );
      expect(await rig.shell(`Do(B, {filter, 'K v'})`)).toBe('{filter_command_processing_log,[{<<"added">>,<<"K">>,<<"v">>}]}');
      expect(await rig.shell(`Do(B, register_log_handler)`)).toBe('ok');
      rig.fs.sw.core.log('ERR', 'bin log');
      expect(await rig.shell(`timer:sleep(150), [io_lib:printable_list(proplists:get_value(data, L)) || {log, L} <- Msgs(B)]`)).toBe('[true]');
    } finally {
      await rig.stop();
    }
  });
});

describe('apply-inbound-acl', () => {
  it('a peer the lists allow is served', async () => {
    const rig = await startRig('acl_ok', { inboundAcls: ['loopback.auto'] });
    try {
      expect(await rig.shell(`{x, FS} ! getpid, receive {ok, P} -> is_pid(P) after 1000 -> timeout end`)).toBe('true');
    } finally {
      await rig.stop();
    }
  });

  it('a peer a list refuses gets {error, acldeny} to its first message, then the connection is closed', async () => {
    const rig = await startRig('acl_no', { inboundAcls: ['loopback.auto', 'rfc1918.auto'] });
    try {
      expect(await rig.shell(`monitor_node(FS, true), {x, FS} ! {api, status, ""}, receive R -> R after 1000 -> timeout end`)).toBe(
        '{error,acldeny}',
      );
      expect(await rig.shell(`receive {nodedown, FS} -> down after 3000 -> timeout end`)).toBe('down');
      expect(rig.fs.module.listeners()).toEqual([]);
    } finally {
      await rig.stop();
    }
  });
});
