/** Node-name rules (OTP net_kernel / inet_tcp_dist, verified against erl 25) and cookies. */
import { chmodSync, mkdtempSync, writeFileSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CookieError, readCookieFile, resolveCookie } from '../src/cookie.ts';
import { checkPeerName, NodeNameError, resolveOwnName, shortHostname } from '../src/node_name.ts';
import { startNode } from '../src/node.ts';

describe('own node name', () => {
  it('short and long names', () => {
    expect(resolveOwnName('x@localhost')).toMatchObject({ alive: 'x', host: 'localhost', type: 'short', full: 'x@localhost' });
    expect(resolveOwnName('x@127.0.0.1')).toMatchObject({ type: 'long' });
    expect(resolveOwnName('x@localhost', true)).toMatchObject({ type: 'long' }); // like erl -name x@localhost
  });
  it('a bare alive gets the host name cut at the first dot (short names)', () => {
    expect(shortHostname('box.example.com')).toBe('box');
    expect(shortHostname('box')).toBe('box');
    expect(resolveOwnName('x').host).not.toContain('.');
  });
  it('refuses what erl refuses', () => {
    expect(() => resolveOwnName('x@a.b', false)).toThrow(/short node name/); // erl -sname x@a.b
    expect(() => resolveOwnName('\u00f1x@localhost')).toThrow(NodeNameError); // erl -sname ñx: Invalid node name
    expect(() => resolveOwnName('\u4e2d@localhost')).toThrow(NodeNameError);
    expect(() => resolveOwnName('a@b@c')).toThrow(NodeNameError);
    expect(() => resolveOwnName('@host')).toThrow(NodeNameError);
    expect(() => resolveOwnName('x@')).toThrow(NodeNameError);
    expect(() => resolveOwnName('x y@localhost')).toThrow(NodeNameError);
    // a node name is an atom: 255 characters at most (erl: list_to_atom of 256 is a system_limit)
    expect(resolveOwnName(`${'a'.repeat(245)}@localhost`).full).toHaveLength(255);
    expect(() => resolveOwnName(`${'a'.repeat(246)}@localhost`)).toThrow(/an atom holds at most 255/);
  });
  it("startNode's errors are exported for instanceof checks", async () => {
    const api = await import('../src/index.ts');
    expect([api.NodeNameError, api.CookieError, api.EpmdError].map((c) => c.name)).toEqual(['NodeNameError', 'CookieError', 'EpmdError']);
    await expect(api.startNode({ name: 'x y@localhost' })).rejects.toBeInstanceOf(api.NodeNameError);
  });
});

describe('peer names', () => {
  it('short-names nodes cannot dial dotted hosts, long-names nodes cannot dial dotless hosts', () => {
    expect(checkPeerName('e@localhost', 'short')).toEqual({ alive: 'e', host: 'localhost' });
    expect(() => checkPeerName('e@127.0.0.1', 'short')).toThrow(/NOT running to use fully qualified/);
    expect(() => checkPeerName('e@localhost', 'long')).toThrow(/fully qualified hostnames/);
    expect(checkPeerName('e@127.0.0.1', 'long').host).toBe('127.0.0.1');
    expect(checkPeerName('e@h.example.com', 'long').host).toBe('h.example.com');
  });
  it('only ASCII peer names can be dialled (erts keeps connections to ASCII names only)', () => {
    expect(() => checkPeerName('\u00e9@localhost', 'short')).toThrow(/ASCII/);
    expect(() => checkPeerName('\u4e2d@localhost', 'short')).toThrow(/ASCII/);
    expect(() => checkPeerName('e@h\u00f6st', 'short')).toThrow(/ASCII/);
    expect(() => checkPeerName('noat', 'short')).toThrow(NodeNameError);
  });
});

describe('cookies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-cookie-'));
  const oldHome = process.env.HOME;
  afterEach(() => {
    process.env.HOME = oldHome;
  });
  it('explicit cookie wins', () => {
    expect(resolveCookie({ cookie: 'abc', cookieFile: '/nonexistent' })).toBe('abc');
  });
  it('reads the first line of an owner-only file', () => {
    const f = join(dir, 'c1');
    writeFileSync(f, 'SECRETCOOKIE\nignored\n');
    chmodSync(f, 0o400);
    expect(resolveCookie({ cookieFile: f })).toBe('SECRETCOOKIE');
  });
  it('refuses a file readable by group or others', () => {
    const f = join(dir, 'c2');
    writeFileSync(f, 'X');
    chmodSync(f, 0o644);
    expect(() => readCookieFile(f)).toThrow(/owner only/);
    chmodSync(f, 0o440);
    expect(() => readCookieFile(f)).toThrow(CookieError);
  });
  it('refuses a missing or empty file', () => {
    expect(() => readCookieFile(join(dir, 'nope'))).toThrow(CookieError);
    const f = join(dir, 'c3');
    writeFileSync(f, '\n');
    chmodSync(f, 0o600);
    expect(() => readCookieFile(f)).toThrow(/empty/);
  });
  it('creates ~/.erlang.cookie (20 uppercase letters, mode 0400) when absent, then reuses it', () => {
    const home = mkdtempSync(join(tmpdir(), 'beamline-home-'));
    process.env.HOME = home;
    const c = resolveCookie({});
    expect(c).toMatch(/^[A-Z]{20}$/);
    const f = join(home, '.erlang.cookie');
    expect(existsSync(f)).toBe(true);
    expect(statSync(f).mode & 0o777).toBe(0o400);
    expect(readFileSync(f, 'latin1')).toBe(c);
    expect(resolveCookie({})).toBe(c);
  });
  it('refuses non-Latin-1 cookies', () => {
    expect(() => resolveCookie({ cookie: '\u4e2d' })).toThrow(CookieError);
  });
  it('refuses a cookie that is not a string (a JS caller without types)', () => {
    expect(() => resolveCookie({ cookie: 42 as never })).toThrow(new CookieError('cookie must be a string, not number'));
  });
});

describe('startNode options', () => {
  it('ports and ticktime must be non-negative integers: a clear TypeError before anything listens', async () => {
    await expect(startNode({ name: 'opts@localhost', listenPort: 'abc' as never })).rejects.toThrow(
      new TypeError('startNode: listenPort must be a non-negative integer, not "abc"'),
    );
    await expect(startNode({ name: 'opts@localhost', epmdPort: -1 })).rejects.toThrow(/^startNode: epmdPort must be/);
    await expect(startNode({ name: 'opts@localhost', ticktime: 1.5 })).rejects.toThrow(/^startNode: ticktime must be/);
  });
});
