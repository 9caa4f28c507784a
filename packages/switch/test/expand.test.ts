// biome-ignore-all lint/suspicious/noTemplateCurlyInString: FreeSWITCH ${var} syntax is what these tests are about
import { describe, expect, it } from 'vitest';
import { expandVariables, type ExpandEnv } from '../src/index.ts';

function env(vars: Record<string, string | string[]>, api?: ExpandEnv['api']): ExpandEnv {
  return {
    variable: (name, index) => {
      const v = vars[name];
      if (Array.isArray(v)) return index >= 0 ? v[index] : v.length > 1 ? `ARRAY::${v.join('|:')}` : v[0];
      return index >= 0 ? undefined : v;
    },
    ...(api ? { api } : {}),
  };
}

const vars = env({ dest: '1000', name: 'Alice', empty: '', nested: '${dest}-x', which: 'dest', long: 'abcdefgh', arr: ['one', 'two'] });
const x = (s: string, e: ExpandEnv = vars) => expandVariables(s, e);

describe('${...} expansion', () => {
  it('replaces variables; unset ones vanish; values are expanded again', () => {
    expect(x('to ${dest} from ${name}')).toBe('to 1000 from Alice');
    expect(x('[${nope}]')).toBe('[]');
    expect(x('${nested}')).toBe('1000-x');
    expect(x('$${dest}')).toBe('1000');
  });

  it('text without ${ or an escape comes back as it is', () => {
    expect(x('plain $dest 50$')).toBe('plain $dest 50$');
    expect(x('a\\$b')).toBe('a\\$b');
  });

  it('the name is expanded first', () => {
    expect(x('${${which}}')).toBe('1000');
  });

  it('substrings and array items', () => {
    expect(x('${long:2}')).toBe('cdefgh');
    expect(x('${long:2:3}')).toBe('cde');
    expect(x('${long:-3}')).toBe('fgh');
    expect(x('${long:-30}')).toBe('abcdefgh');
    expect(x('${long:30}')).toBe('');
    expect(x('${long:0:100}')).toBe('abcdefgh');
    expect(x('${arr[1]}')).toBe('two');
    expect(x('${arr}')).toBe('ARRAY::one|:two');
  });

  it("escapes: \\$ is a literal $, \\\\ one backslash, \\' disappears", () => {
    expect(x('\\${dest} ${dest}')).toBe('${dest} 1000');
    expect(x('a\\\\b ${dest}')).toBe('a\\b 1000');
    expect(x("it\\'s")).toBe('its');
    expect(x('\\$$x ${dest}')).toBe('$x 1000');
  });

  it('the character after } is copied without a look', () => {
    expect(x('${dest}\\${dest}')).toBe('1000\\1000');
    expect(x('${dest}${name}')).toBe('1000Alice');
  });

  it('braces nest; an unterminated ${ runs to the end', () => {
    const e = env({ 'a{b}c': 'nested-name', dest: '1000' });
    expect(x('${a{b}c}', e)).toBe('nested-name');
    expect(x('x ${dest', e)).toBe('x 1000');
  });

  it('${cmd args} and ${cmd(args)} run an API command with expanded arguments', () => {
    const calls: [string, string][] = [];
    const e = env({ dest: '1000' }, (cmd, args) => {
      calls.push([cmd, args]);
      return cmd === 'fail' ? undefined : `<${cmd}:${args}>`;
    });
    expect(x('${expr 1+${dest}}', e)).toBe('<expr:1+1000>');
    expect(x('${strftime(%Y-%m)}', e)).toBe('<strftime:%Y-%m>');
    expect(x('${f(a(b)c)d}', e)).toBe('<f:a(b)c>');
    expect(x('[${fail x}]', e)).toBe('[]');
    expect(x('${noapi x}', env({}))).toBe('');
    expect(calls[0]).toEqual(['expr', '1+1000']);
  });

  it('a blank-separated argument ends at a ) that closes a ( (FreeSWITCH quirk)', () => {
    expect(
      x(
        '${echo (1+2)*3}',
        env({}, (c, a) => `${c}[${a}]`),
      ),
    ).toBe('echo[(1+2]');
  });

  it('stops after 100 levels of self-reference', () => {
    const loop = env({ me: '${me}x' });
    expect(x('${me}', loop)).toMatch(/^\$\{me\}x+$/);
  });
});
