/**
 * The XML dialplan in a running switch (TestClock, switch clock at Tuesday 2024-09-03 10:11:12
 * UTC): inline applications run during the hunt and feed later conditions; time-of-day
 * conditions follow the switch's clock.
 */
import { describe, expect, it } from 'vitest';
import { parseXml } from '../src/index.ts';
import { setup } from './switch_helpers.ts';

const DIALPLAN = parseXml(
  `<section name="dialplan">
  <context name="default">
    <extension name="prefix" continue="true">
      <condition field="caller_id_number" expression="^(\\d{2})(\\d+)$">
        <action application="set" data="prefix=$1" inline="true"/>
        <action application="answer" inline="true"/>
      </condition>
    </extension>
    <extension name="tokyo" continue="true">
      <condition field="destination_number" expression="^200$">
        <action application="set" data="timezone=Asia/Tokyo" inline="true"/>
      </condition>
    </extension>
    <extension name="vip">
      <condition field="\${prefix}" expression="^99$">
        <action application="set" data="route=vip"/>
        <action application="answer"/>
        <action application="park"/>
      </condition>
    </extension>
    <extension name="business">
      <condition wday="mon-fri" time-of-day="09:00-17:00">
        <action application="set" data="route=business"/>
        <action application="answer"/>
        <action application="park"/>
      </condition>
    </extension>
    <extension name="closed">
      <condition>
        <action application="set" data="route=closed"/>
        <action application="answer"/>
        <action application="park"/>
      </condition>
    </extension>
  </context>
</section>`,
  'dialplan.xml',
);

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

async function call(env: Awaited<ReturnType<typeof setup>>, cid: string, dest = '100'): Promise<{ b: string; route: string }> {
  const a = UUID.exec(await env.sw.originate(`{origination_caller_id_number=${cid}}loopback/${dest} &park()`))?.[1];
  if (!a) throw new Error('originate failed');
  await env.settle();
  const b = await env.sw.api(`uuid_getvar ${a} other_loopback_leg_uuid`);
  return { b, route: await env.sw.api(`uuid_getvar ${b} route`) };
}

describe('XML dialplan in the switch', () => {
  it('an inline set with a capture is seen by the next extension; its EXECUTE shows CS_ROUTING; a non-inline app is refused', async () => {
    const env = await setup({ dialplan: DIALPLAN, timers: false });
    const { b, route } = await call(env, '9955501');
    expect(route).toBe('vip');
    expect(await env.sw.api(`uuid_getvar ${b} prefix`)).toBe('99');
    const execs = env.sub
      .take()
      .filter((e) => e.getHeader('Unique-ID') === b && e.type.startsWith('CHANNEL_EXECUTE'))
      .map((e) => `${e.type} ${e.getHeader('Application')}(${e.getHeader('Application-Data')}) ${e.getHeader('Channel-State')}`);
    expect(execs.slice(0, 4)).toEqual([
      'CHANNEL_EXECUTE set(prefix=99) CS_ROUTING',
      'CHANNEL_EXECUTE_COMPLETE set(prefix=99) CS_ROUTING',
      'CHANNEL_EXECUTE set(route=vip) CS_EXECUTE',
      'CHANNEL_EXECUTE_COMPLETE set(route=vip) CS_EXECUTE',
    ]);
    expect(env.logs).toContain('ERR This application cannot be executed inline');
    await env.sw.stop();
    await env.rt.stop();
  });

  it('time-of-day: business hours on Tuesday 10:11, closed after 17:00 on the switch clock', async () => {
    const env = await setup({ dialplan: DIALPLAN, timers: false });
    expect((await call(env, '4155501')).route).toBe('business');
    await env.clock.advance((6 * 3600 + 49 * 60) * 1000); // 17:00:12
    expect((await call(env, '4155502')).route).toBe('closed');
    await env.clock.advance(16 * 3600 * 1000); // Wednesday 09:00:12
    expect((await call(env, '4155503')).route).toBe('business');
    await env.sw.stop();
    await env.rt.stop();
  });

  it('a timezone channel variable (set inline) moves the hour: 10:11 UTC is 19:11 in Tokyo', async () => {
    const env = await setup({ dialplan: DIALPLAN, timers: false });
    expect((await call(env, '4155501', '200')).route).toBe('closed');
    expect((await call(env, '4155502', '100')).route).toBe('business');
    await env.sw.stop();
    await env.rt.stop();
  });
});
