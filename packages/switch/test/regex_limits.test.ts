/**
 * Patterns from peers cannot stop the node: a pattern that backtracks without end ends as
 * PCRE's match limit ends it (no match), and caseless patterns are written as classes so that
 * V8's linear engine can take them over. Each evil subject below would take the unguarded
 * engine hours, so finishing at all inside the test timeout is the proof.
 */
import { describe, expect, it } from 'vitest';
import { captures, regexPerform } from '../src/index.ts';
import { translatePattern } from '../src/dialplan/pcre_translate.ts';

const evil = `${'a'.repeat(40)}!`;

describe('a match cannot run without end', () => {
  it('nested quantifiers fall back to the linear engine: the answer, not a limit', () => {
    for (const pattern of ['^(a+)+$', '/^(a+)+$/i', '/^(A|a)*$/s', '^(\\w+\\s?)*$', '_(a.)+X']) {
      const r = regexPerform(evil, pattern);
      expect(r, pattern).toEqual({ matched: false });
    }
    expect(regexPerform('a'.repeat(40), '/^(A+)+$/i').match?.[1]).toBe('a'.repeat(40));
  });

  it('what the linear engine cannot run is abandoned at the match limit as no match, with an error to log', () => {
    for (const pattern of ['^(\\d{1,20})+$', '^(a+)+\\1$', '^(?=a)(a+)+$', '/^(a+)+(?P=x)?$/i']) {
      const started = Date.now();
      const r = regexPerform(pattern.includes('d') ? `${'1'.repeat(40)}x` : evil, pattern);
      expect(r.matched, pattern).toBe(false);
      expect(r.error, pattern).toMatch(/^MATCH LIMIT: \[.*\] gave up after \d+ ms on a 41-character subject$/);
      expect(Date.now() - started, pattern).toBeLessThan(5_000);
    }
  });

  it("PCRE's `$` before a final newline is bounded too", () => {
    expect(regexPerform(`${evil}\n`, '^(a+)+$').error).toMatch(/^MATCH LIMIT/);
    expect(regexPerform(`${'a'.repeat(40)}\n`, '^(a+)+$').match?.[0]).toBe('a'.repeat(40));
  });

  it('after a match was abandoned, bounded matches work again with their groups', () => {
    expect(regexPerform(evil, '^(a+)+\\1$').error).toMatch(/^MATCH LIMIT/);
    const r = regexPerform('55-x', '^(?P<d>\\d)(?P=d)-(x)?(y)?$');
    expect(r.match?.groups).toEqual({ d: '5' });
    expect(captures(r.match)).toEqual(['55-x', '5', 'x']);
    expect(r.match?.index).toBe(0);
  });

  it('a backreference keeps the case-insensitive flag, so it compares caselessly', () => {
    expect(regexPerform('abAB', '/^(ab)\\1$/i').matched).toBe(true);
    expect(translatePattern('(ab)\\1', { caseless: true, dotAll: false, multiline: false }).flags).toBe('i');
  });

  it('(?m) makes ^ and $ line anchors; \\A and \\z stay subject anchors', () => {
    expect(regexPerform('x\n100\ny', '(?m)^100$').matched).toBe(true);
    expect(regexPerform('x\n100\ny', '^100$').matched).toBe(false);
    expect(regexPerform('x\n100', '(?m)\\A100').matched).toBe(false);
    expect(regexPerform('100\ny', '(?m)100\\z').matched).toBe(false);
    expect(regexPerform('100\n', '(?m)100\\Z').matched).toBe(true);
  });
});

describe('caseless patterns rewritten into classes match as the i flag does on ASCII', () => {
  const translate = (p: string) => translatePattern(p, { caseless: true, dotAll: false, multiline: false });

  it('rewrites letters, classes, ranges and \\xHH; leaves escapes, names and \\cX alone', () => {
    expect(translate('ab1').plain).toBe('[aA][bB]1');
    expect(translate('[a-cX_]').plain).toBe('[a-cX_A-Cx]');
    expect(translate('[^0-z]').plain).toBe('[^0-za-zA-Z]');
    expect(translate('[a\\-z]').plain).toBe('[a\\-zAZ]');
    expect(translate('\\x41\\d\\cJ').plain).toBe('[\\x41a]\\d\\cJ');
    expect(translate('(?P<Name>x)').plain).toBe('(?<Name>[xX])');
    expect(translate('ab').flags).toBe('');
  });

  it('agrees with the i flag over generated patterns and ASCII subjects', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = (s: string) => s[rand(s.length)]!;
    const atom = (): string => {
      switch (rand(6)) {
        case 0:
          return `[${rand(2) ? '^' : ''}${pick('aBz_')}-${pick('zZ~')}${pick('xQ9')}]`;
        case 1:
          return `\\x${pick('46')}${pick('1a')}`;
        case 2:
          return pick('\\d\\w.');
        case 3:
          return `(${pick('aBc')}${pick('dEf')}|${pick('xY')})`;
        default:
          return pick('aAbBzZ09_-');
      }
    };
    for (let n = 0; n < 400; n++) {
      let pattern = '';
      for (let k = rand(4) + 1; k > 0; k--) pattern += atom() + (rand(3) ? '' : pick('*+?'));
      let subject = '';
      for (let k = rand(8); k > 0; k--) subject += String.fromCharCode(32 + rand(95));
      subject += pick('aAbBfF0_Z');
      const ours = regexPerform(subject, `/${pattern}/i`);
      let native: RegExp;
      try {
        native = new RegExp(pattern, 'i');
      } catch {
        expect(ours.error, pattern).toMatch(/^COMPILE ERROR/);
        continue;
      }
      expect(ours.match?.[0], `/${pattern}/i on ${JSON.stringify(subject)}`).toBe(native.exec(subject)?.[0]);
    }
  });
});
