/**
 * mod_commands' uuid_deflect / uuid_redirect and mod_dptools' deflect / redirect: the DEFLECT or
 * REDIRECT message goes to the channel's endpoint with the URI as given, and the command answers
 * `+OK:` with the endpoint's reply (nothing after the colon when it gave none, as on a null
 * channel); usage and a missing channel as mod_commands words them.
 */
import { describe, expect, it } from 'vitest';
import type { DeflectMessage } from '../src/applications/types.ts';
import type { EndpointInterface } from '../src/channel/channel.ts';
import { setup } from './switch_helpers.ts';

const UUID = /^\+OK ([0-9a-f-]{36})\n$/;

/** An endpoint that answers at once, keeps the messages it is sent, and replies to a DEFLECT. */
function deflectingEndpoint(seen: DeflectMessage[]): EndpointInterface {
  return {
    outgoingChannel: ({ destination }) => ({
      name: `test/${destination}`,
      endpoint: {
        async onState(ch, state) {
          if (state === 'CS_CONSUME_MEDIA') await ch.send({ type: 'MARK_ANSWERED' });
          return true;
        },
        async deflect(_ch, message) {
          seen.push(message);
          return message.id === 'DEFLECT' ? 'SIP/2.0 200 OK' : undefined;
        },
      },
    }),
  };
}

describe('uuid_deflect / uuid_redirect', () => {
  it('usage, a missing channel, and a null channel (no endpoint reply): mod_commands’ words', async () => {
    const { sw, rt, settle } = await setup();
    const uuid = UUID.exec(await sw.originate('null/1 &park()'))?.[1] as string;
    await settle();
    for (const cmd of ['uuid_deflect', 'uuid_redirect']) {
      expect(await sw.api(cmd)).toBe('-USAGE: <uuid> <uri>\n');
      expect(await sw.api(`${cmd} ${uuid}`)).toBe('-USAGE: <uuid> <uri>\n');
      expect(await sw.api(`${cmd} nosuch sip:1000@example.com`)).toBe('-ERR No such channel nosuch!\n');
      expect(await sw.api(`${cmd} ${uuid} sip:1000@example.com`)).toBe('+OK:\n');
    }
    // the null channel took the messages and is still up
    expect(await sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await sw.stop();
    await rt.stop();
  });

  it('the endpoint gets the message with everything after the uuid; its reply follows `+OK:`', async () => {
    const { sw, rt, settle } = await setup();
    const seen: DeflectMessage[] = [];
    sw.addEndpoint('test', deflectingEndpoint(seen));
    const uuid = UUID.exec(await sw.originate('test/1 &park()'))?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_deflect ${uuid} sip:2000@example.com;user=phone`)).toBe('+OK:SIP/2.0 200 OK\n');
    expect(await sw.api(`uuid_redirect ${uuid} sip:a@h1,sip:b@h2 USER_BUSY`)).toBe('+OK:\n');
    expect(seen).toEqual([
      { id: 'DEFLECT', uri: 'sip:2000@example.com;user=phone' },
      { id: 'REDIRECT', uri: 'sip:a@h1,sip:b@h2 USER_BUSY' },
    ]);
    await sw.stop();
    await rt.stop();
  });
});

describe('the deflect and redirect applications', () => {
  it('send DEFLECT / REDIRECT with their data to the endpoint, and the dialplan goes on', async () => {
    const { sw, rt, settle } = await setup();
    const seen: DeflectMessage[] = [];
    sw.addEndpoint('test', deflectingEndpoint(seen));
    const uuid = UUID.exec(
      await sw.originate("test/1 'deflect:3000,redirect:sip:3001@example.com NORMAL_CLEARING,set:after=yes,park' inline"),
    )?.[1] as string;
    await settle();
    expect(seen).toEqual([
      { id: 'DEFLECT', uri: '3000' },
      { id: 'REDIRECT', uri: 'sip:3001@example.com NORMAL_CLEARING' },
    ]);
    expect(await sw.api(`uuid_getvar ${uuid} after`)).toBe('yes');
    await sw.stop();
    await rt.stop();
  });

  it('on a null channel they do nothing', async () => {
    const { sw, rt, settle } = await setup();
    const uuid = UUID.exec(
      await sw.originate("null/1 'deflect:sip:3000@example.com,redirect:sip:3001@example.com,set:after=yes,park' inline"),
    )?.[1] as string;
    await settle();
    expect(await sw.api(`uuid_getvar ${uuid} after`)).toBe('yes');
    await sw.stop();
    await rt.stop();
  });
});
