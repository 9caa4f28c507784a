/**
 * An INVITE with Replaces (RFC 3891) as sofia_handle_sip_i_invite_replaces takes it, with one SIPp
 * phone playing both A (a call through the switch) and C (a second dialog whose Replaces names A's):
 * C takes the place of A — intercepting A's partner when A has one, else running what A ran — and A
 * gets the switch's BYE. SIPp keeps the messages, so the test reads that BYE's Reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { type SippResult, freeUdpPort, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ fireTransferEvents: true });
});
afterAll(async () => {
  await rig?.stop();
});

const phone = { domain: 'beamline.test', authUser: '1000', password: '1234', traceMessages: true, holdMs: 500 } as const;
const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);
const after = (n: number) => (e: SwitchEvent) => rig.events.indexOf(e) >= n;
const headerOf = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(message)?.[1];

/** A's dialog as C's Replaces names it: its Call-ID, the switch's tag as to-tag, the phone's as from-tag. */
const A_DIALOG = '[call_id];to-tag=[$tag1];from-tag=[pid]SIPpTag00[call_number]';

/**
 * The BYEs the switch sent in A's dialog: the Call-ID of the phone's first INVITE (C's starts
 * `second///`; SIPp logs whatever reaches its port, another dialog's too).
 */
const byesToA = (r: SippResult) => {
  const callId = headerOf(r.messages.find((m) => m.startsWith('INVITE ')) ?? '', 'Call-ID');
  return r.messages.filter((m) => m.startsWith('BYE ') && callId !== undefined && headerOf(m, 'Call-ID') === callId);
};

/** The channel of the call to `destination` made after event `seen`. */
const channelTo = (destination: string, seen: number, type = 'CHANNEL_ANSWER') =>
  rig.waitFor((e) => e.type === type && e.getHeader('Caller-Destination-Number') === destination && after(seen)(e));

const hangupOf = (uuid: string) => rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);

describe('INVITE with Replaces naming a bridged leg', () => {
  it('intercepts the leg’s partner: C is bridged to B, A hangs up PICKED_OFF with “Call completed elsewhere”', async () => {
    const seen = rig.events.length;
    const portB = await freeUdpPort();
    const b = await startSipp({ scenario: 'uas_answer', localPort: portB });
    // the RFC's bare `early-only` flag, last: mod_sofia reads only a first `early-only=…`, so it intercepts
    const c = await startSipp({
      ...phone,
      scenario: 'call_replaces',
      port: rig.port,
      service: `2013-${portB}`,
      vars: { service2: '9999', replaces: `${A_DIALOG};early-only`, hold2: '1500', bye_wait: '5000' },
    });
    const a = await channelTo(`2013-${portB}`, seen);
    const aUuid = a.getHeader('Unique-ID') ?? '';
    const bUuid = await rig.sw.api(`uuid_getvar ${aUuid} signal_bond`);
    const intercept = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'intercept' && after(seen)(e));
    const cUuid = intercept.getHeader('Unique-ID') ?? '';
    expect(intercept.getHeader('Application-Data')).toBe(bUuid);
    expect(intercept.getHeader('Caller-Dialplan')).toBe('inline');
    expect(intercept.getHeader('Caller-Destination-Number')).toBe(`answer,intercept:${bUuid}`);
    expect(intercept.getHeader('variable_sip_replaces_call_id')).toBe(a.getHeader('variable_sip_call_id'));
    expect(intercept.getHeader('variable_sip_replaces_to-tag')).toMatch(/^[0-9a-f]{12}$/);
    expect(intercept.getHeader('variable_sip_replaces_from-tag')).toBe(a.getHeader('variable_sip_from_tag'));
    expect(intercept.getHeader('variable_sip_replaces_early-only')).toBe('true');
    // the caller id is the replaced leg's (C's own From says "Carol")
    expect(intercept.getHeader('Caller-Caller-ID-Name')).toBe('Alice');
    expect(intercept.getHeader('Caller-Caller-ID-Number')).toBe('1000');
    const intercepted = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::intercepted' && after(seen)(e));
    expect(intercepted.getHeader('Unique-ID')).toBe(aUuid);
    expect(intercepted.getHeader('intercepted_by')).toBe(intercept.getHeader('variable_sip_call_id'));
    const bridged = await rig.waitFor(
      (e) =>
        e.type === 'CHANNEL_BRIDGE' &&
        [e.getHeader('Bridge-A-Unique-ID'), e.getHeader('Bridge-B-Unique-ID')].sort().join() === [bUuid, cUuid].sort().join(),
    );
    expect(bridged).toBeDefined();
    const aEnd = await hangupOf(aUuid);
    expect(aEnd.getHeader('Hangup-Cause')).toBe('PICKED_OFF');
    expect(aEnd.getHeader('variable_sip_hangup_disposition')).toBe('send_bye');
    const result = await c.done;
    ok(result);
    const [bye] = byesToA(result);
    expect(headerOf(bye, 'Reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
    // C hung up: B's bridge ends with it
    if (rig.sw.core.sessions.has(bUuid)) await rig.sw.api(`uuid_kill ${bUuid}`);
    ok(await b.done);
  });

  it('`early-only=true` as the first parameter while the leg is bridged: C is refused (hangup:CALL_REJECTED, 603)', async () => {
    const seen = rig.events.length;
    const portB = await freeUdpPort();
    const b = await startSipp({ scenario: 'uas_answer', localPort: portB });
    const c = await startSipp({
      ...phone,
      scenario: 'call_replaces_refused',
      port: rig.port,
      service: `2013-${portB}`,
      expect: 603,
      vars: { service2: '9999', replaces: '[call_id];early-only=true;to-tag=[$tag1];from-tag=[pid]SIPpTag00[call_number]', hold2: '500' },
    });
    const a = await channelTo(`2013-${portB}`, seen);
    const refused = await rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Dialplan') === 'inline' && after(seen)(e));
    expect(refused.getHeader('Caller-Destination-Number')).toBe('hangup:CALL_REJECTED');
    expect(refused.getHeader('Hangup-Cause')).toBe('CALL_REJECTED');
    ok(await c.done);
    // A stayed in its call until the phone hung it up
    const aEnd = await hangupOf(a.getHeader('Unique-ID') ?? '');
    expect(aEnd.getHeader('Hangup-Cause')).toBe('NORMAL_CLEARING');
    expect(aEnd.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    ok(await b.done);
    expect(rig.events.some((e) => e.getHeader('Event-Subclass') === 'sofia::intercepted' && after(seen)(e))).toBe(false);
  });
});

describe('INVITE with Replaces naming a leg with no partner', () => {
  it('runs the leg’s current application (answer,park); the leg hangs up ATTENDED_TRANSFER, sofia::replaced', async () => {
    const seen = rig.events.length;
    const c = await startSipp({
      ...phone,
      scenario: 'call_replaces',
      port: rig.port,
      service: '2000',
      vars: { service2: '9999', replaces: A_DIALOG, hold2: '500', bye_wait: '5000' },
    });
    const a = await channelTo('2000', seen, 'CHANNEL_EXECUTE');
    const aUuid = a.getHeader('Unique-ID') ?? '';
    const park = await rig.waitFor(
      (e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'park' && e.getHeader('Caller-Dialplan') === 'inline' && after(seen)(e),
    );
    expect(park.getHeader('Caller-Destination-Number')).toBe('answer,park');
    const replaced = await rig.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::replaced' && after(seen)(e));
    expect(replaced.getHeader('Unique-ID')).toBe(aUuid);
    expect(replaced.getHeader('att_xfer_replaced_by')).toBe(park.getHeader('variable_sip_call_id'));
    const aEnd = await hangupOf(aUuid);
    expect(aEnd.getHeader('Hangup-Cause')).toBe('ATTENDED_TRANSFER');
    const result = await c.done;
    ok(result);
    expect(byesToA(result)).toHaveLength(1);
    expect(headerOf(byesToA(result)[0], 'Reason')).toBe('SIP;cause=801;text="ATTENDED_TRANSFER"');
  });
});

describe('INVITE with Replaces naming no dialog here', () => {
  it('is an ordinary call (no 481): routed in its context, with the sip_replaces_* variables', async () => {
    const seen = rig.events.length;
    const c = await startSipp({
      ...phone,
      scenario: 'call_replaces',
      port: rig.port,
      service: '2000',
      vars: { service2: '2000', replaces: `nosuch-${A_DIALOG}`, hold2: '500', bye_wait: '8000' },
    });
    const a = await channelTo('2000', seen);
    const second = await rig.waitFor(
      (e) =>
        e.type === 'CHANNEL_EXECUTE' &&
        e.getHeader('Application') === 'park' &&
        e.getHeader('variable_sip_replaces_call_id') !== undefined &&
        after(seen)(e),
    );
    expect(second.getHeader('Caller-Dialplan')).toBe('XML');
    expect(second.getHeader('Caller-Destination-Number')).toBe('2000');
    expect(second.getHeader('Caller-Caller-ID-Name')).toBe('Carol');
    expect(second.getHeader('variable_sip_replaces_call_id')).toBe(`nosuch-${a.getHeader('variable_sip_call_id')}`);
    expect(second.getHeader('variable_sip_replaces_from-tag')).toBe(a.getHeader('variable_sip_from_tag'));
    // A is untouched: the test hangs it up, which sends the BYE the phone waits for
    expect(rig.sw.core.sessions.has(a.getHeader('Unique-ID') ?? '')).toBe(true);
    expect(await rig.sw.api(`uuid_kill ${a.getHeader('Unique-ID')}`)).toBe('+OK\n');
    ok(await c.done);
    expect(rig.events.some((e) => /^sofia::(replaced|intercepted)$/.test(e.getHeader('Event-Subclass') ?? '') && after(seen)(e))).toBe(false);
  });
});
