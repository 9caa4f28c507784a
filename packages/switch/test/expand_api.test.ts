// biome-ignore-all lint/suspicious/noTemplateCurlyInString: FreeSWITCH ${var} syntax is what these tests are about
import { describe, expect, it } from 'vitest';
import { type ApiRequest, expansionSteps } from '../src/dialplan/expand.ts';
import { parseXml } from '../src/config/xml.ts';
import { parkedNull, setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

/** Runs the steps with `api`, and notes each request. */
function drive(text: string, vars: Record<string, string>, api: (r: ApiRequest) => string | undefined) {
  const asked: string[] = [];
  const steps = expansionSteps(text, (n) => vars[n]);
  for (let step = steps.next(); ; ) {
    if (step.done) return { out: step.value, asked };
    asked.push(`${step.value.command}(${step.value.args})`);
    step = steps.next(api(step.value));
  }
}

describe('expansionSteps: ${cmd args} as steps', () => {
  it('asks for each reference once, in order, with its arguments expanded; text without one asks nothing', () => {
    let n = 0;
    const r = drive('${create_uuid()}-${create_uuid()} ${echo ${dest}}', { dest: '1000' }, (q) => (q.command === 'create_uuid' ? `u${++n}` : q.args));
    expect(r.out).toBe('u1-u2 1000');
    expect(r.asked).toEqual(['create_uuid()', 'create_uuid()', 'echo(1000)']);
    expect(drive('plain ${dest}', { dest: 'x' }, () => 'never')).toEqual({ out: 'plain x', asked: [] });
  });

  it('a reference inside another one is asked first, and the outer one gets its output', () => {
    const r = drive('${upper(${lower(ABC)}!)}', {}, (q) => (q.command === 'lower' ? q.args.toLowerCase() : `[${q.args}]`));
    expect(r.asked).toEqual(['lower(ABC)', 'upper(abc!)']);
    expect(r.out).toBe('[abc!]');
  });

  it('a failed command expands to nothing; past 64 calls the rest do too', () => {
    expect(drive('[${nope x}]', {}, () => undefined).out).toBe('[]');
    const many = drive('${n a}'.repeat(70), {}, () => '1');
    expect(many.asked).toHaveLength(64);
    expect(many.out).toBe('1'.repeat(64));
  });
});

describe('${cmd args} in the switch (switch_channel_expand_variables runs API commands)', () => {
  it('eval runs them, nested and one call per reference', async () => {
    const t = await setup();
    expect(await t.sw.api('eval ${strftime(%Y)}')).toBe('2024');
    expect(await t.sw.api('eval [${echo ${strftime(%Y)}}]')).toBe('[2024]');
    const [a, b] = (await t.sw.api('eval ${create_uuid()} ${create_uuid()}')).split(' ');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
    expect(await t.sw.api('eval [${no_such_command x}]')).toBe('[]');
    await t.sw.stop();
    await t.rt.stop();
  });

  it("an application's argument: its output is set; a command on the expanding channel itself gets its reads answered, nothing else", async () => {
    const t = await setup();
    const uuid = await parkedNull(t, 1);
    const other = await parkedNull(t, 2);
    await t.sw.api(`uuid_setvar ${other} color blue`);
    await t.sw.api(`uuid_setvar ${uuid} color red`);
    expect(await t.sw.api(`uuid_broadcast ${uuid} 'set::year=\${strftime(%Y)}'`)).toBe('+OK Message sent\n');
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} year`)).toBe('2024');
    await t.sw.api(`uuid_broadcast ${uuid} 'set::theirs=\${uuid_getvar ${other} color}'`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} theirs`)).toBe('blue');
    // the channel waits for the output: it answers reads (and setvar) at once, as FreeSWITCH's would
    await t.sw.api(`uuid_broadcast ${uuid} 'set::mine=\${uuid_getvar ${uuid} color}\${uuid_setvar ${uuid} shade dark}'`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} mine`)).toBe('red+OK\n');
    expect(await t.sw.api(`uuid_getvar ${uuid} shade`)).toBe('dark');
    // anything that needs a step of the channel finds no channel rather than waiting on it: no hang
    await t.sw.api(`uuid_broadcast ${uuid} 'set::kill=\${uuid_kill ${uuid}}'`);
    await t.settle();
    expect(await t.sw.api(`uuid_getvar ${uuid} kill`)).toBe('-ERR No such channel!\n');
    await t.sw.stop();
    await t.rt.stop();
  });

  it('a dialplan condition on ${strftime(%Y)} routes the call', async () => {
    const section = (year: string) =>
      parseXml(`<section name="dialplan"><context name="default">
        <extension name="this-year"><condition field="\${strftime(%Y)}" expression="^${year}$"><action application="park"/></condition></extension>
      </context></section>`);
    for (const [year, routed] of [
      ['2024', true],
      ['1999', false],
    ] as const) {
      const t = await setup({ dialplan: section(year) });
      const uuid = UUID.exec(await t.sw.originate('null/1 5000'))?.[1] as string;
      await t.settle();
      const evs = t.sub.take().filter((e) => e.getHeader('Unique-ID') === uuid);
      expect(evs.some((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'park')).toBe(routed);
      if (!routed) expect(evs.find((e) => e.type === 'CHANNEL_HANGUP')?.getHeader('Hangup-Cause')).toBe('NO_ROUTE_DESTINATION');
      await t.sw.stop();
      await t.rt.stop();
    }
  });
});
