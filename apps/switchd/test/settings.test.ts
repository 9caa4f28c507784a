/**
 * switchd's settings: erlang_event.conf as @beamline/erlang-event parses it, the command line and
 * environment on top; the module gets the very config the node starts with.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONF_DIR, resolveSettings } from '../src/index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the default conf with these erlang_event.conf params. */
function confWith(params: [string, string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchd-conf-'));
  dirs.push(dir);
  cpSync(DEFAULT_CONF_DIR, dir, { recursive: true });
  const body = params.map(([n, v]) => `    <param name="${n}" value="${v}"/>`).join('\n');
  writeFileSync(
    join(dir, 'autoload_configs/erlang_event.conf.xml'),
    `<configuration name="erlang_event.conf" description="Erlang Socket Client">\n  <settings>\n${body}\n  </settings>\n</configuration>\n`,
  );
  return dir;
}

describe('settings', () => {
  it('the default conf: the seed values, each with its source', () => {
    const s = resolveSettings({});
    expect(s.erlangEvent.nodeName).toMatch(/^freeswitch@[^.]+$/);
    expect([s.erlangEvent.cookie, s.cookieSource]).toEqual(['ClueCon', 'autoload_configs/erlang_event.conf.xml cookie']);
    expect([s.erlangEvent.listenIp, s.erlangEvent.listenPort, s.erlangEvent.encoding]).toEqual(['0.0.0.0', 8031, 'string']);
    expect(s.erlangEvent.inboundAcls).toEqual(['lan']);
    expect(s.nodeNameSource).toBe('autoload_configs/erlang_event.conf.xml nodename');
    expect(s.confLog).toEqual([]);
  });

  it("the module's params reach the config (full node name, binary encoding, outbound policy); bad values are reported, not fatal", () => {
    const conf = confWith([
      ['nodename', 'fs1@box.example.com'],
      ['cookie', 'Secret'],
      ['listen-port', '99999'],
      ['encoding', 'binary'],
      ['outbound-exit-policy', 'keep'],
    ]);
    const s = resolveSettings({ conf });
    expect(s.erlangEvent.nodeName).toBe('fs1@box.example.com');
    expect(s.erlangEvent.cookie).toBe('Secret');
    expect(s.erlangEvent.listenPort).toBe(8031);
    expect(s.erlangEvent.encoding).toBe('binary');
    expect(s.erlangEvent.outboundExitPolicy).toBe('keep');
    expect(s.confLog).toEqual([{ level: 'ERR', text: "Invalid listen-port '99999', keeping 8031" }]);
  });

  it('a conf without erlang_event.conf: logged as mod_erlang_event does, and the defaults', () => {
    const conf = confWith([]);
    rmSync(join(conf, 'autoload_configs/erlang_event.conf.xml'));
    const s = resolveSettings({ conf });
    expect(s.erlangEvent.nodeName).toMatch(/^freeswitch@/);
    expect(s.erlangEvent.listenPort).toBe(8031);
    expect(s.confLog[0]).toEqual({
      level: 'ERR',
      text: `Open of erlang_event.conf failed (no <configuration name="erlang_event.conf"> in ${conf}, autoload_configs/erlang_event.conf.xml in the shipped conf): running on the defaults`,
    });
  });

  it('flags and environment win over the conf, and the module config carries the result', () => {
    const conf = confWith([
      ['nodename', 'fs1'],
      ['cookie', 'Secret'],
      ['listen-ip', '127.0.0.1'],
      ['listen-port', '9000'],
    ]);
    const s = resolveSettings({
      conf,
      name: 'other',
      cookie: 'Given',
      listenPort: 0,
      sources: { name: 'cli', cookie: 'env', listenPort: 'cli' },
    });
    expect(s.erlangEvent.nodeName).toMatch(/^other@[^.]+$/);
    expect([s.erlangEvent.cookie, s.cookieSource]).toEqual(['Given', 'environment SWITCHD_COOKIE']);
    expect(s.nodeNameSource).toBe('--name');
    expect([s.erlangEvent.listenIp, s.erlangEvent.listenPort]).toEqual(['127.0.0.1', 0]);
  });
});
