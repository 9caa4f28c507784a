/**
 * How mod_commands reads its arguments where the C decides (an audit against mod_commands.c,
 * switch_core.c and switch_loadable_module.c): global variables (a switch_event_t: names in any
 * case; switch_separate_string on `=`; `${` stored as `%{`), uuid_getvar's `name[N]`, uuid_setvar's
 * quotes, `expand`'s stream and event, bgapi's `uuid:`, uuid_transfer to no extension, uptime's
 * units in any case, and names of Object's properties as table keys.
 */
import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { setup } from './switch_helpers.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

describe('API arguments as mod_commands reads them', () => {
  it('global variables: names in any case; global_setvar cuts at = as switch_separate_string does (trimmed, quotes and backslashes read, an empty name is the usage); ${ is stored as %{', async () => {
    const t = await setup();
    const get = (name: string) => t.sw.api(`global_getvar ${name}`);
    expect(await t.sw.api('global_setvar CaseVar=1')).toBe('+OK');
    expect([await get('casevar'), await get('CASEVAR')]).toEqual(['1', '1']);
    expect(await t.sw.api('eval ${casevar}')).toBe('1');
    expect(await t.sw.api('global_setvar casevar=2')).toBe('+OK');
    expect(await get('CaseVar')).toBe('2');
    expect(await t.sw.api('global_setvar =foo')).toBe('-USAGE: <var>=<value> [=<value2>]\n');
    // each `global_setvar <args>` answers +OK; then global_getvar <name> reads <value>
    const steps: [args: string, name: string, value: string][] = [
      ['t2 = spaced', 't2', 'spaced'],
      ["t3='x y'", 't3', 'x y'],
      ['t5=a\\=b', 't5', 'a=b'],
      // an empty third part is no condition
      ['t1=b=', 't1', 'b'],
      // a condition: set only when the value is the one given
      ['t1=c=x', 't1', 'b'],
      ['t1=c=b', 't1', 'c'],
      ['t6=${hostname}', 't6', '%{hostname}'],
      // a backslash before `{` is no escape to switch_separate_string, and switch_string_var_check looks past it
      ['t7=$\\{x} $${y}', 't7', '%\\{x} $%{y}'],
      // no value unsets
      ['T1=', 't1', ''],
    ];
    for (const [args, name, value] of steps) {
      expect(await t.sw.api(`global_setvar ${args}`)).toBe('+OK');
      expect([args, await get(name)]).toEqual([args, value]);
    }
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_getvar reads item N of an array variable for name[N]; uuid_setvar reads quotes and backslashes', async () => {
    const t = await setup();
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    expect(await t.sw.api(`uuid_setvar ${U1} arr ARRAY::a|:b|:c`)).toBe('+OK\n');
    expect([
      await t.sw.api(`uuid_getvar ${U1} arr[1]`),
      await t.sw.api(`uuid_getvar ${U1} arr[0]`),
      await t.sw.api(`uuid_getvar ${U1} arr[7]`),
    ]).toEqual(['b', 'a', '_undef_']);
    expect(await t.sw.api(`uuid_getvar ${U1} arr`)).toBe('ARRAY::a|:b|:c');
    expect(await t.sw.api(`uuid_setvar ${U1} foo 'a b'`)).toBe('+OK\n');
    expect(await t.sw.api(`uuid_getvar ${U1} foo`)).toBe('a b');
    // split on blanks, the rest is cleaned with no delimiter: a backslash before a blank stays
    expect(await t.sw.api(`uuid_setvar ${U1} bar x\\ y  z`)).toBe('+OK\n');
    expect(await t.sw.api(`uuid_getvar ${U1} bar`)).toBe('x\\ y  z');
    expect(await t.sw.api(`uuid_getvar ${U2} foo`)).toBe('-ERR No such channel!\n');
    expect(await t.sw.api(`uuid_setvar ${U1}`)).toBe('-USAGE: <uuid> <var> [value]\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('expand: against its own API event (Event-Name API, API-Command expand), the inner command writing to the same stream', async () => {
    const t = await setup();
    expect(await t.sw.api('expand eval ${Event-Name} ${API-Command}')).toBe('API expand');
    expect(await t.sw.api('expand nosuch x')).toBe('INVALID COMMAND!\n-ERR Cannot execute command\n');
    expect(await t.sw.api('expand echo ${api_nosuch}x')).toBe('x');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('bgapi: uuid:<job uuid> names the job; no command is -ERR Invalid syntax', async () => {
    const t = await setup();
    t.sub.take();
    expect(await t.sw.api(`bgapi uuid:${U2} echo hello`)).toBe(`+OK Job-UUID: ${U2}\n`);
    await t.settle();
    const job = t.sub.take().find((e) => e.type === 'BACKGROUND_JOB');
    expect([job?.getHeader('Job-UUID'), job?.getHeader('Job-Command'), job?.body]).toEqual([U2, 'echo', 'hello']);
    for (const bad of ['', `uuid:${U2}`, `uuid:${U2} `]) expect(await t.sw.api(`bgapi ${bad}`)).toBe('-ERR Invalid syntax\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('uuid_transfer with a flag and no extension transfers to `service`; uptime takes its unit in any case; a table key named after an Object property is no entry', async () => {
    const t = await setup({ dialplan: staticDialplan({ default: { service: [['park']] } }) });
    await t.sw.originate(`{origination_uuid=${U1}}null/1 &park()`);
    await t.settle();
    expect(await t.sw.api(`uuid_transfer ${U1} -bleg`)).toBe('+OK\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${U1} transfer_source`)).toMatch(/:bl_xfer:service\/default\/XML$/);
    expect(await t.sw.api('uptime MS')).toMatch(/^\d+\n$/);
    expect(await t.sw.api('uptime Seconds')).toMatch(/^\d+\n$/);
    for (const word of ['toString', 'constructor']) expect(await t.sw.api(`uptime ${word}`)).toMatch(/^-USAGE: /);
    await t.sw.stop();
    await t.rt.stop();
  });
});
