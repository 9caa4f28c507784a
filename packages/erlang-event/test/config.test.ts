/** erlang_event.conf parsing (spec §4.1): defaults, node names, cookie resolution, params. */
import { describe, expect, it } from 'vitest';
import { type ConfigEnv, DEFAULTS, fullNodeName, parseConfig } from '../src/index.ts';

function env(files: Record<string, { text: string; private: boolean }> = {}, home?: string) {
  const logs: string[] = [];
  const e: ConfigEnv = {
    hostname: 'box.example.com',
    home,
    readCookieFile: (p) => files[p],
    log: (level, text) => logs.push(`${level} ${text}`),
  };
  return { e, logs };
}

describe('erlang_event.conf', () => {
  it("the seed's example file", () => {
    const { e } = env();
    const c = parseConfig(
      [
        ['listen-ip', '0.0.0.0'],
        ['listen-port', '8031'],
        ['nodename', 'freeswitch'],
        ['cookie', 'ClueCon'],
        ['shortname', 'true'],
        ['apply-inbound-acl', 'lan'],
        ['encoding', 'string'],
      ],
      e,
    );
    expect(c).toMatchObject({
      listenIp: '0.0.0.0',
      listenPort: 8031,
      nodeName: 'freeswitch@box',
      cookie: 'ClueCon',
      cookieSource: 'cookie',
      inboundAcls: ['lan'],
      encoding: 'string',
    });
  });

  it('defaults; the default cookie is ClueCon with a warning', () => {
    const { e, logs } = env();
    const c = parseConfig([], e);
    expect(c).toEqual({ ...DEFAULTS, nodeName: 'freeswitch@box' });
    expect(logs.some((l) => l.startsWith('WARNING') && l.includes("default cookie 'ClueCon'"))).toBe(true);
  });

  it('node names: a full name is verbatim; shortname cuts the host at the first dot; a literal address is the host', () => {
    expect(fullNodeName('fs@other.host', true, '', 'box.example.com')).toBe('fs@other.host');
    expect(fullNodeName('fs', true, '', 'box.example.com')).toBe('fs@box');
    expect(fullNodeName('fs', false, '::', 'box.example.com')).toBe('fs@box.example.com');
    expect(fullNodeName('fs', false, '10.0.0.5', 'box.example.com')).toBe('fs@10.0.0.5');
    expect(fullNodeName('fs', true, '10.0.0.5', 'box')).toBe('fs@10.0.0.5');
  });

  it('cookie: the later of cookie / cookie-file wins; a file must be private, ≤ 255 bytes, cut at \\n then \\r', () => {
    const files = {
      '/ok': { text: 'secret\r\nrest', private: true },
      '/open': { text: 'x', private: false },
      '/long': { text: 'x'.repeat(256), private: true },
      '/home/u/.erlang.cookie': { text: 'homecookie', private: true },
    };
    expect(
      parseConfig(
        [
          ['cookie', 'a'],
          ['cookie-file', '/ok'],
        ],
        env(files).e,
      ).cookie,
    ).toBe('secret');
    expect(
      parseConfig(
        [
          ['cookie-file', '/ok'],
          ['cookie', 'a'],
        ],
        env(files).e,
      ).cookie,
    ).toBe('a');
    const open = env(files);
    expect(parseConfig([['cookie-file', '/open']], open.e).cookie).toBe('ClueCon');
    expect(open.logs.some((l) => l.includes('group or others'))).toBe(true);
    expect(parseConfig([['cookie-file', '/long']], env(files).e).cookie).toBe('ClueCon');
    const home = parseConfig([], env(files, '/home/u').e);
    expect([home.cookie, home.cookieSource]).toEqual(['homecookie', 'home']);
  });

  it('encoding (any case; other values keep the default and log), bulk params, stop-on-bind-error, ACLs repeat', () => {
    const { e, logs } = env();
    const c = parseConfig(
      [
        ['encoding', 'BINARY'],
        ['event-format', 'map'],
        ['Max-Event-Bulk', '50'],
        ['max-log-bulk', '7'],
        ['stop-on-bind-error', 'yes'],
        ['apply-inbound-acl', 'lan'],
        ['apply-inbound-acl', 'loopback.auto'],
        ['listen-port', 'x'],
      ],
      e,
    );
    expect(c).toMatchObject({
      encoding: 'binary',
      eventFormat: 'map',
      maxEventBulk: 50,
      maxLogBulk: 7,
      stopOnBindError: true,
      inboundAcls: ['lan', 'loopback.auto'],
      listenPort: 8031,
    });
    expect(parseConfig([['encoding', 'json']], env().e).encoding).toBe('string');
    expect(logs.some((l) => l.includes("Invalid listen-port 'x'"))).toBe(true);
  });

  it('the choice params keep their value on anything else and log the choices', () => {
    const { e, logs } = env();
    const c = parseConfig(
      [
        ['event-format', 'map'],
        ['event-format', 'tree'],
        ['filter-semantics', 'original'],
        ['filter-semantics', 'loose'],
        ['status-format', 'Seed'],
      ],
      e,
    );
    expect(c).toMatchObject({ eventFormat: 'map', filterSemantics: 'original', statusFormat: DEFAULTS.statusFormat });
    expect(logs).toEqual(
      expect.arrayContaining([
        "ERR Invalid event-format 'tree' (list | map)",
        "ERR Invalid filter-semantics 'loose' (seed | original)",
        "ERR Invalid status-format 'Seed' (modern | seed)",
      ]),
    );
  });
});
