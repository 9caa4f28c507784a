/**
 * Cookies (OTP `auth` semantics):
 *  1. an explicit cookie option wins;
 *  2. else the cookie file (option, or `$HOME/.erlang.cookie`): it must be a regular file
 *     accessible by its owner only (no group/other permission bits), exactly as erl refuses
 *     "Cookie file ... must be accessible by owner only"; the cookie is its first line with
 *     surrounding whitespace removed;
 *  3. if the default file does not exist, it is created like erl does: 20 random uppercase
 *     letters, mode 0400.
 * Cookies are atom text sent as Latin-1 bytes in the digest; code points above 255 are refused.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export class CookieError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'CookieError';
  }
}

export function defaultCookiePath(): string {
  return join(process.env.HOME ?? homedir(), '.erlang.cookie');
}

export function checkCookie(cookie: string): string {
  if (typeof cookie !== 'string') throw new CookieError(`cookie must be a string, not ${typeof cookie}`);
  for (let i = 0; i < cookie.length; i++) {
    if (cookie.charCodeAt(i) > 255) throw new CookieError('cookie must be Latin-1 (atom characters <= 255)');
  }
  return cookie;
}

export function readCookieFile(path: string): string {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new CookieError(`Cookie file ${path} cannot be read: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new CookieError(`Cookie file ${path} is of type ${st.isDirectory() ? 'directory' : 'other'}`);
  if ((st.mode & 0o077) !== 0) throw new CookieError(`Cookie file ${path} must be accessible by owner only`);
  const text = readFileSync(path, 'latin1');
  const first = text.split(/\r?\n/)[0]!.trim();
  if (first.length === 0) throw new CookieError(`Cookie file ${path} is empty`);
  return first;
}

function randomCookie(): string {
  let s = '';
  for (let i = 0; i < 20; i++) s += String.fromCharCode(65 + randomInt(26));
  return s;
}

export function resolveCookie(opts: { cookie?: string; cookieFile?: string }): string {
  if (opts.cookie !== undefined) {
    if (opts.cookie.length === 0) throw new CookieError('empty cookie');
    return checkCookie(opts.cookie);
  }
  if (opts.cookieFile !== undefined) return checkCookie(readCookieFile(opts.cookieFile));
  const path = defaultCookiePath();
  if (!existsSync(path)) {
    const c = randomCookie();
    writeFileSync(path, c, { mode: 0o400, flag: 'wx' });
    chmodSync(path, 0o400);
    return c;
  }
  return checkCookie(readCookieFile(path));
}
