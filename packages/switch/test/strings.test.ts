import { describe, expect, it } from 'vitest';
import { atoi, caseEqual, findEndParen, separateString, switchTrue, urlDecode, urlEncode } from '../src/internal/strings.ts';

describe('separateString (switch_separate_string)', () => {
  it('cuts at blanks, runs of blanks count once, outer blanks go', () => {
    expect(separateString('  status   now ', ' ')).toEqual(['status', 'now']);
    expect(separateString('a b c d', ' ', 2)).toEqual(['a', 'b c d']);
  });

  it('single quotes keep blanks together and are removed', () => {
    expect(separateString("originate {a='x y'}null/1 &park()", ' ')).toEqual(['originate', '{a=x y}null/1', '&park()']);
  });

  it('cuts at a character outside quotes; a quote without a partner is kept', () => {
    expect(separateString("a=1,b='x,y',c", ',')).toEqual(['a=1', 'b=x,y', 'c']);
    expect(separateString("it's,fine", ',')).toEqual(["it's", 'fine']);
  });

  it('empty elements in the middle stay, a trailing delimiter makes none', () => {
    expect(separateString('a,,b', ',')).toEqual(['a', '', 'b']);
    expect(separateString('a,', ',')).toEqual(['a']);
    expect(separateString(',a', ',')).toEqual(['', 'a']);
  });

  it('the last element keeps the rest once the maximum is reached', () => {
    expect(separateString('a=b=c', '=', 2)).toEqual(['a', 'b=c']);
  });

  it('escapes: the delimiter, quotes, backslash and \\n \\t \\s', () => {
    expect(separateString('a\\,b,c', ',')).toEqual(['a,b', 'c']);
    expect(separateString('x\\sy\\tz', ',')).toEqual(['x y\tz']);
    expect(separateString("don\\'t", ',')).toEqual(["don't"]);
  });

  it('^^X switches the delimiter', () => {
    expect(separateString('^^:a=1:b=2,3', ',')).toEqual(['a=1', 'b=2,3']);
  });
});

describe('small helpers', () => {
  it('atoi reads a leading integer', () => {
    expect(atoi('17abc')).toBe(17);
    expect(atoi('  -5')).toBe(-5);
    expect(atoi('x1')).toBe(0);
  });

  it('switchTrue', () => {
    for (const t of ['yes', 'ON', 'true', 't', 'enabled', 'active', 'allow', '1', '-2']) expect(switchTrue(t), t).toBe(true);
    for (const f of ['no', 'false', '0', '', 'y', undefined]) expect(switchTrue(f), String(f)).toBe(false);
  });

  it('findEndParen balances and skips leading blanks', () => {
    expect(findEndParen('  {a={b}}x', '{', '}')).toBe(8);
    expect(findEndParen('{a', '{', '}')).toBe(-1);
    expect(findEndParen('x{a}', '{', '}')).toBe(-1);
  });
});

describe('URL encoding as switch_url_encode', () => {
  it('encodes the unsafe set, controls and every UTF-8 byte above ~, upper-case hex', () => {
    expect(urlEncode('a b:c;d<e>f?g@h[i]j^k`l{m|n}o"p#q&r+s=t\\u')).toBe(
      'a%20b%3Ac%3Bd%3Ce%3Ef%3Fg%40h%5Bi%5Dj%5Ek%60l%7Bm%7Cn%7Do%22p%23q%26r%2Bs%3Dt%5Cu',
    );
    expect(urlEncode('line\r\n\tend')).toBe('line%0D%0A%09end');
    expect(urlEncode('é€')).toBe('%C3%A9%E2%82%AC');
    expect(urlEncode("safe-_.!~*'(),/$")).toBe("safe-_.!~*'(),/$");
  });

  it('keeps a % already followed by two upper-case hex digits', () => {
    expect(urlEncode('50%25 done %4z %2f')).toBe('50%25%20done%20%254z%20%252f');
  });

  it('decodes %XX in any case and leaves + alone', () => {
    expect(urlDecode('a%20b+c%3a%C3%A9')).toBe('a b+c:é');
    expect(urlDecode('100%')).toBe('100%');
  });

  it('reads each %.. as glibc sscanf("%2x") does: white space skipped, a sign, one digit; a NUL ends the string', () => {
    expect(urlDecode('% 41')).toBe('A1');
    expect(urlDecode('%+41')).toBe('\u00041');
    expect(urlDecode('%-1x')).toBe('\udcffx');
    expect(urlDecode('%4g|%zz|%-z')).toBe('\u0004|%zz|%-z');
    expect(urlDecode('ab%00cd')).toBe('ab');
  });
});

describe('caseEqual', () => {
  it('ignores ASCII case only', () => {
    expect(caseEqual('Event-Name', 'event-name')).toBe(true);
    expect(caseEqual('EVENT-NAME', 'event-name')).toBe(true);
    expect(caseEqual('abc', 'abc')).toBe(true);
    expect(caseEqual('abc', 'abd')).toBe(false);
    expect(caseEqual('abc', 'abcd')).toBe(false);
    expect(caseEqual('a@', 'A`')).toBe(false); // '@' and '`' are 32 apart but not letters
    expect(caseEqual('[', '{')).toBe(false);
    expect(caseEqual('é', 'É')).toBe(false); // strcasecmp in the C locale: ASCII only
  });
});
