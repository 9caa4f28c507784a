/**
 * mod_dptools' push, unshift, set_global, set_profile_var, multiunset, verbose_events, mkdir,
 * eval and stop (mod_dptools.c, switch_channel_set_profile_var).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, setup, stopSetup as stop, callNull as call } from './switch_helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'dptools-vars-'));

const plan = staticDialplan({
  default: {
    '100': [['push', 'list=a'], ['push', 'list=b'], ['unshift', 'list=z'], ['push', 'pair,x'], ['set', 'second=${list[1]}'], ['park']],
    '101': [['set', 'gone=1'], ['push', 'gone='], ['push', ''], ['unshift', '=v'], ['park']],
    '110': [['set_global', 'g1=one'], ['set_global', 'g2=two'], ['set_global', 'g2'], ['set_global', ''], ['park']],
    '120': [
      ['set_profile_var', 'caller_id_name=Bob'],
      ['set_profile_var', 'Caller_TON=300'],
      ['set_profile_var', 'caller_ton='],
      ['set_profile_var', 'my_field=v1'],
      ['set_profile_var', 'MY_FIELD=v2'],
      ['set_profile_var', 'callee_id_number'],
      ['set', 'ton=${caller_ton}'],
      ['park'],
    ],
    '130': [['set', 'a=1'], ['set', 'b=2'], ['set', 'c=3'], ['set', 'd=4'], ['multiunset', 'a b'], ['multiunset', '^^,c,d'], ['park']],
    '135': [
      ['capture', 'm|ext-4123-9|^ext-(\\d+)-(?:(x)|(\\d))$'],
      ['capture', 'none|abc|^\\d+$'],
      ['capture', 'bad|abc|(unclosed'],
      ['capture', 'two|parts'],
      ['set', 'second=${m[1]}'],
      ['park'],
    ],
    '140': [['set', 'marker=yes'], ['verbose_events'], ['park']],
    '141': [['set', 'marker=yes'], ['park']],
    '150': [['mkdir', join(dir, 'a/b/c')], ['eval', 'anything'], ['stop'], ['set', 'after=yes'], ['park']],
  },
});

const getvar = (t: Setup, uuid: string, name: string) => t.sw.api(`uuid_getvar ${uuid} ${name}`);

describe('push and unshift (base_set with SWITCH_STACK_PUSH / _UNSHIFT)', () => {
  it('make an array variable: items at the end / start; `<name>,<value>` works too', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '100');
    expect(await getvar(t, uuid, 'list')).toBe('ARRAY::z|:a|:b');
    expect(await getvar(t, uuid, 'second')).toBe('a');
    expect(await getvar(t, uuid, 'pair')).toBe('x');
    expect(t.logs).toContain('DEBUG PUSH null/1 [list]=[a]');
    expect(t.logs).toContain('DEBUG UNSHIFT null/1 [list]=[z]');
    await stop(t);
  });

  it('no value removes the variable; no name logs an error', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '101');
    expect(await getvar(t, uuid, 'gone')).toBe('_undef_');
    expect(t.logs).toContain('DEBUG PUSH null/1 [gone]=[UNDEF]');
    expect(t.logs).toContain('ERR No variable name specified.');
    expect(t.logs).toContain('DEBUG UNSHIFT null/1 []=[v]');
    await stop(t);
  });
});

describe('set, push, unshift and multiset expand the value again (base_set after switch_core_session_exec)', () => {
  it('what the first expansion left (an escaped `\\${…}`, or all with app_disable_expand_variables) is expanded; a value that expands to nothing removes the variable', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '141');
    expect(await t.sw.api(`uuid_setvar ${uuid} ref \${marker}`)).toBe('+OK\n');
    expect(await getvar(t, uuid, 'ref')).toBe('${marker}');
    for (const [app, data] of [
      ['set', 'copy=${ref}'],
      ['push', 'list=${ref}'],
      ['unshift', 'list=first-${ref}'],
      ['multiset', 'm1=${ref} m2=x'],
      // the first expansion leaves `${marker}` of the escaped form, base_set's expands it
      ['set', 'escaped=\\${marker}'],
      ['set', 'app_disable_expand_variables=true'],
      ['set', 'raw=${marker}'],
      ['set', 'app_disable_expand_variables'],
      ['set', 'marker=${nothing_here}'],
    ] as const)
      await t.sw.sendExecute(uuid, app, data);
    await t.settle();
    expect([await getvar(t, uuid, 'escaped'), await getvar(t, uuid, 'raw')]).toEqual(['yes', 'yes']);
    expect(await getvar(t, uuid, 'copy')).toBe('yes');
    expect(await getvar(t, uuid, 'list')).toBe('ARRAY::first-yes|:yes');
    expect([await getvar(t, uuid, 'm1'), await getvar(t, uuid, 'm2')]).toEqual(['yes', 'x']);
    expect(await getvar(t, uuid, 'marker')).toBe('_undef_');
    expect(t.logs).toContain('DEBUG SET null/1 [copy]=[yes]');
    await stop(t);
  });
});

describe('set_global', () => {
  it('sets and unsets global variables', async () => {
    const t = await setup({ dialplan: plan });
    await call(t, '110');
    expect(await t.sw.api('global_getvar g1')).toBe('one');
    expect(await t.sw.api('global_getvar g2')).toBe('');
    expect(t.logs).toContain('DEBUG SET GLOBAL [g1]=[one]');
    expect(t.logs).toContain('DEBUG SET GLOBAL [g2]=[UNDEF]');
    expect(t.logs).toContain('ERR No variable name specified.');
    await stop(t);
  });
});

describe('set_profile_var (switch_channel_set_profile_var)', () => {
  it('sets profile fields (any case), numbering fields as a byte, other names as soft fields', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '120');
    const dump = await t.sw.api(`uuid_dump ${uuid} json`);
    const data = JSON.parse(dump) as Record<string, string>;
    expect(data['Caller-Caller-ID-Name']).toBe('Bob');
    expect(await getvar(t, uuid, 'caller_id_name')).toBe('Bob');
    // 300 as a uint8_t; an empty value does not change a numbering field (it makes a soft field)
    expect(await getvar(t, uuid, 'ton')).toBe('44');
    // a soft field is set in place, under the name it was first given
    expect(data.my_field).toBe('v2');
    expect(data.MY_FIELD).toBeUndefined();
    expect(data['Caller-Callee-ID-Number']).toBeUndefined();
    await stop(t);
  });
});

describe('multiunset', () => {
  it('unsets each name, cut at blanks or at the ^^ delimiter', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '130');
    for (const name of ['a', 'b', 'c', 'd']) expect(await getvar(t, uuid, name)).toBe('_undef_');
    await stop(t);
  });
});

describe('capture (switch_capture_regex)', () => {
  it('pushes the whole match and each group that took part onto the variable; no match sets nothing; bad data is an error', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '135');
    expect(await getvar(t, uuid, 'm')).toBe('ARRAY::ext-4123-9|:4123|:9');
    expect(await getvar(t, uuid, 'second')).toBe('4123');
    expect(await getvar(t, uuid, 'none')).toBe('_undef_');
    expect(await getvar(t, uuid, 'bad')).toBe('_undef_');
    expect(t.logs.filter((l) => l.startsWith('ERR'))).toHaveLength(2);
    expect(t.logs).toContain('ERR No data specified.');
    await stop(t);
  });
});

describe('verbose_events', () => {
  it('puts the variables on every event of the channel, CHANNEL_STATE too', async () => {
    const t = await setup({ dialplan: plan });
    const states = async (dest: string) => {
      const seen: SwitchEvent[] = [];
      const sub = t.sw.events.subscribe({ types: ['CHANNEL_STATE'], handler: (e) => void seen.push(e) });
      const uuid = await call(t, dest);
      await t.sw.api(`uuid_kill ${uuid}`);
      await t.settle();
      sub.unsubscribe();
      return seen.filter((e) => e.getHeader('Unique-ID') === uuid).map((e) => e.getHeader('variable_marker'));
    };
    const verbose = await states('140');
    expect(verbose.at(-1)).toBe('yes');
    const plain = await states('141');
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((v) => v === undefined)).toBe(true);
    await stop(t);
  });
});

describe('mkdir, eval, stop', () => {
  it('mkdir makes the path with its parents (rwxr-x---); eval and stop do nothing', async () => {
    const t = await setup({ dialplan: plan });
    const uuid = await call(t, '150');
    const made = join(dir, 'a/b/c');
    expect(existsSync(made)).toBe(true);
    expect(statSync(made).mode & 0o777).toBe(0o750 & ~process.umask());
    expect(t.logs).toContain(`DEBUG null/1 MKDIR: ${made}`);
    expect(await getvar(t, uuid, 'after')).toBe('yes');
    await stop(t);
    rmSync(dir, { recursive: true, force: true });
  });
});
