import { describe, expect, it } from 'vitest';
import { Cause } from '../src/channel/causes.ts';
import type { EndpointInterface } from '../src/channel/channel.ts';
import { setup } from './switch_helpers.ts';

/** An endpoint that answers in CS_CONSUME_MEDIA, or refuses `busy` with USER_BUSY. */
function testEndpoint(seen: string[]): EndpointInterface {
  return {
    outgoingChannel({ destination, variable }) {
      seen.push(`${destination} ${variable('x') ?? '-'}`);
      if (destination === 'busy') return { cause: Cause.USER_BUSY };
      return {
        name: `test/${destination}`,
        endpoint: {
          async onState(ch, state) {
            if (state === 'CS_CONSUME_MEDIA') await ch.send({ type: 'MARK_ANSWERED' });
            return true;
          },
        },
      };
    },
  };
}

describe('endpoint registry', () => {
  it('a registered endpoint takes its dial strings (name in any case); removal brings CHAN_NOT_IMPLEMENTED back', async () => {
    const { sw, rt, logs, settle } = await setup();
    const seen: string[] = [];
    expect(await sw.originate('test/1 &park()')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    const remove = sw.addEndpoint('Test', testEndpoint(seen));
    const ok = await sw.originate('{x=y}TEST/42 &park()');
    expect(ok).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = ok.slice(4, -1);
    await settle();
    const dump = await sw.api(`uuid_dump ${uuid}`);
    expect(dump).toContain('Channel-Name: test/42');
    expect(dump).toContain('Answer-State: answered');
    expect(await sw.originate('test/busy &park()')).toBe('-ERR USER_BUSY\n');
    expect(seen).toEqual(['42 y', 'busy -']);
    remove();
    expect(await sw.originate('test/2 &park()')).toBe('-ERR CHAN_NOT_IMPLEMENTED\n');
    expect(logs).toContain('ERR Could not locate channel type test');
    await sw.stop();
    await rt.stop();
  });

  it('a module may replace a built-in; its removal puts the built-in back', async () => {
    const { sw, rt } = await setup();
    const seen: string[] = [];
    const remove = sw.addEndpoint('null', testEndpoint(seen));
    expect(await sw.originate('null/busy &park()')).toBe('-ERR USER_BUSY\n');
    remove();
    expect(await sw.originate('null/busy &park()')).toMatch(/^\+OK /);
    expect(await sw.originate('error/CALL_REJECTED &park()')).toBe('-ERR CALL_REJECTED\n');
    expect(seen).toEqual(['busy -']);
    await sw.stop();
    await rt.stop();
  });
});
