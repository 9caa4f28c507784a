/**
 * SIP presence, BLF and MWI (manage-presence, sofia_presence.c): SUBSCRIBE for presence, dialog and
 * message-summary is challenged (auth-subscriptions), accepted 202 with its Expires, NOTIFYed at
 * once, and again on each PRESENCE_IN / MESSAGE_WAITING on the bus; Expires 0 ends it with a
 * terminated NOTIFY. Without manage-presence, SUBSCRIBE stays 405.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILE_DEFAULTS, type ProfileConfig } from '../src/config.ts';
import { presenceOf } from '../src/presence/config.ts';
import { dialogInfoBody } from '../src/presence/dialog_info.ts';
import { messageSummary } from '../src/presence/mwi.ts';
import { pidfBody } from '../src/presence/pidf.ts';
import { grantedExpires, splitProto } from '../src/presence/presence.ts';
import { tagOf } from '../src/sip/address.ts';
import { responseTo } from '../src/sip/build.ts';
import { type SipRequest, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';
import { Watcher } from './presence_phone.ts';

let rig: Rig | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await rig?.stop();
  rig = undefined;
});

const PRESENCE: Partial<ProfileConfig> = { managePresence: 'full' };

async function watching(profile: Partial<ProfileConfig>, event: string, target?: string, ua?: string): Promise<{ rig: Rig; w: Watcher }> {
  rig = await startRig(profile);
  const w = await Watcher.open(rig.port, event, target, ua);
  closers.push(() => w.close());
  return { rig, w };
}

function fire(r: Rig, type: 'PRESENCE_IN' | 'MESSAGE_WAITING', headers: [string, string][]): void {
  const e = r.sw.core.bus.create(type);
  for (const [n, v] of headers) e.addHeader(n, v);
  r.sw.core.fire(e);
}

const body = (m: SipRequest) => m.body.toString();

describe('manage-presence off (the default when the param is absent)', () => {
  it('SUBSCRIBE is 405 and Allow has no SUBSCRIBE', async () => {
    const { w } = await watching({}, 'presence');
    const res = await w.subscribe();
    expect(res.status).toBe(405);
    expect(header(res, 'allow')).not.toMatch(/SUBSCRIBE/);
  });
});

describe('presence', () => {
  it('challenged 407, then 202 with Expires, an immediate NOTIFY (closed: not registered) and PRESENCE_PROBE', async () => {
    const { rig, w } = await watching(PRESENCE, 'presence');
    const res = await w.subscribe(600);
    expect(w.challenged).toBe(true);
    expect(res.status).toBe(202);
    expect(header(res, 'expires')).toBe('600');
    expect(header(res, 'subscription-state')).toBe('active;expires=600');
    expect(w.toTag).not.toBe('');
    expect(header(res, 'contact')).toBe(`<sip:1001@127.0.0.1:${rig.port}>`);

    const first = await w.notify();
    expect(header(first, 'event')).toBe('presence');
    expect(header(first, 'content-type')).toBe('application/pidf+xml');
    expect(tagOf(header(first, 'from'))).toBe(w.toTag);
    expect(tagOf(header(first, 'to'))).toBe(w.fromTag);
    expect(first.uri).toBe(`sip:1000@127.0.0.1:${w.phone.port}`);
    expect(header(first, 'subscription-state')).toMatch(/^active;expires=(600|599)$/);
    expect(body(first)).toContain("entity='sip:1001@beamline.test'");
    expect(body(first)).toContain('<basic>closed</basic>');
    expect(body(first)).toContain('<dm:note>Unregistered</dm:note>');

    const probe = await rig.waitFor((e) => e.type === 'PRESENCE_PROBE');
    expect(['proto', 'from', 'to', 'presence-source', 'sub-call-id'].map((h) => probe.getHeader(h))).toEqual([
      'sip',
      '1000@beamline.test',
      '1001@beamline.test',
      'subscribe',
      w.callId,
    ]);
  });

  it('bad credentials: 401 (as the C answers them), no subscription', async () => {
    const { rig, w } = await watching(PRESENCE, 'presence');
    expect((await w.subscribe(600, { password: 'wrong' })).status).toBe(401);
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@beamline.test'],
      ['rpid', 'busy'],
      ['status', 'x'],
    ]);
    expect(await w.quiet()).toBe(true);
  });

  it('PRESENCE_IN: open, the rpid activity and the status as note; Expires 0: 202 and a terminated NOTIFY, then nothing', async () => {
    const { rig, w } = await watching({ ...PRESENCE, authSubscriptions: false }, 'presence');
    expect((await w.subscribe(600)).status).toBe(202);
    expect(w.challenged).toBe(false);
    const first = await w.notify();
    fire(rig, 'PRESENCE_IN', [
      ['proto', 'sip'],
      ['from', '1001@beamline.test'],
      ['rpid', 'busy'],
      ['status', 'On the phone'],
    ]);
    const n = await w.notify();
    expect(Number.parseInt(header(n, 'cseq') ?? '', 10)).toBe(Number.parseInt(header(first, 'cseq') ?? '', 10) + 1);
    expect(body(n)).toContain('<basic>open</basic>');
    expect(body(n)).toContain('<rpid:busy/>');
    expect(body(n)).toContain('<dm:note>On the phone</dm:note>');

    // another user's presence is not this subscription's
    fire(rig, 'PRESENCE_IN', [
      ['from', '1002@beamline.test'],
      ['rpid', 'busy'],
      ['status', 'x'],
    ]);
    expect(await w.quiet()).toBe(true);

    const bye = await w.subscribe(0);
    expect(bye.status).toBe(202);
    expect(header(bye, 'subscription-state')).toBe('terminated;reason=noresource');
    const last = await w.notify();
    expect(header(last, 'subscription-state')).toBe('terminated;reason=noresource');
    expect(header(last, 'expires')).toBe('0');
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@beamline.test'],
      ['rpid', 'away'],
      ['status', 'Away'],
    ]);
    expect(await w.quiet()).toBe(true);
  });

  it('a new subscriber is told the last PRESENCE_IN; a registered user with none is Available', async () => {
    rig = await startRig({ ...PRESENCE, authSubscriptions: false });
    const callee = await NatPhone.open(rig.port);
    closers.push(() => callee.close());
    expect((await callee.register()).status).toBe(200);
    const w1 = await Watcher.open(rig.port, 'presence', '1000@beamline.test');
    closers.push(() => w1.close());
    expect((await w1.subscribe()).status).toBe(202);
    const n1 = body(await w1.notify());
    expect(n1).toContain('<basic>open</basic>');
    expect(n1).toContain('<dm:note>Available</dm:note>');

    fire(rig, 'PRESENCE_IN', [
      ['from', '1000@beamline.test'],
      ['rpid', 'away'],
      ['status', 'Gone fishing'],
    ]);
    await w1.notify();
    const w2 = await Watcher.open(rig.port, 'presence', '1000@beamline.test');
    closers.push(() => w2.close());
    expect((await w2.subscribe()).status).toBe(202);
    const n2 = body(await w2.notify());
    expect(n2).toContain('<rpid:away/>');
    expect(n2).toContain('<dm:note>Gone fishing</dm:note>');
  });

  it('presence-hosts: an event for one of them reaches a subscription to another host; without it, not', async () => {
    const { rig, w } = await watching({ ...PRESENCE, authSubscriptions: false, presenceHosts: ['other.test'] }, 'presence');
    expect((await w.subscribe()).status).toBe(202);
    await w.notify();
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@other.test'],
      ['rpid', 'busy'],
      ['status', 'Elsewhere'],
    ]);
    const n = body(await w.notify());
    expect(n).toContain("entity='sip:1001@other.test'");
    expect(n).toContain('<dm:note>Elsewhere</dm:note>');
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@third.test'],
      ['rpid', 'busy'],
      ['status', 'x'],
    ]);
    expect(await w.quiet()).toBe(true);
  });

  it('manage-presence passive: SUBSCRIBE is taken, but PRESENCE_IN sends nothing', async () => {
    const { rig, w } = await watching({ managePresence: 'passive', authSubscriptions: false }, 'presence');
    expect((await w.subscribe()).status).toBe(202);
    await w.notify();
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@beamline.test'],
      ['rpid', 'busy'],
      ['status', 'x'],
    ]);
    expect(await w.quiet()).toBe(true);
  });

  it('a 481 to a NOTIFY ends the subscription', async () => {
    const { rig, w } = await watching({ ...PRESENCE, authSubscriptions: false }, 'presence');
    expect((await w.subscribe()).status).toBe(202);
    w.phone.send(responseTo(await w.notify(), 481));
    await new Promise((r) => setTimeout(r, 100));
    fire(rig, 'PRESENCE_IN', [
      ['from', '1001@beamline.test'],
      ['rpid', 'busy'],
      ['status', 'x'],
    ]);
    expect(await w.quiet()).toBe(true);
  });

  it('force-subscription-expires caps Expires; an expired subscription gets a terminated NOTIFY', async () => {
    const { w } = await watching({ ...PRESENCE, authSubscriptions: false, forceSubscriptionExpires: 1 }, 'presence');
    const res = await w.subscribe(600);
    expect(header(res, 'expires')).toBe('1');
    await w.notify();
    const last = await w.notify(4000);
    expect(header(last, 'subscription-state')).toBe('terminated;reason=noresource');
  });

  it('an event package the profile does not take: 489 with Allow-Events', async () => {
    const { w } = await watching({ ...PRESENCE, authSubscriptions: false }, 'ua-profile');
    const res = await w.subscribe();
    expect(res.status).toBe(489);
    expect(header(res, 'allow-events')).toBe('presence, dialog, message-summary');
  });

  it('send-presence-on-register: a new registration fires PRESENCE_IN Registered', async () => {
    rig = await startRig({ ...PRESENCE, sendPresenceOnRegister: 'all' });
    const phone = await NatPhone.open(rig.port);
    closers.push(() => phone.close());
    expect((await phone.register()).status).toBe(200);
    const e = await rig.waitFor((x) => x.type === 'PRESENCE_IN');
    expect(['from', 'status', 'rpid', 'presence-source'].map((h) => e.getHeader(h))).toEqual([
      '1000@beamline.test',
      'Registered',
      'unknown',
      'register',
    ]);
  });
});

describe('dialog (BLF)', () => {
  it('an empty dialog-info at once, then early / confirmed / terminated with the version rising per NOTIFY', async () => {
    const { rig, w } = await watching({ ...PRESENCE, authSubscriptions: false }, 'dialog');
    expect((await w.subscribe()).status).toBe(202);
    const first = await w.notify();
    expect(header(first, 'content-type')).toBe('application/dialog-info+xml');
    expect(body(first)).toBe(
      '<?xml version="1.0"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:1001@beamline.test">\n</dialog-info>\n',
    );
    const call: [string, string][] = [
      ['from', '1001@beamline.test'],
      ['unique-id', 'c0ffee00-0000-4000-8000-000000000001'],
      ['presence-call-direction', 'outbound'],
      ['Caller-Caller-ID-Number', '1002'],
      ['Caller-Caller-ID-Name', 'Bob'],
    ];
    fire(rig, 'PRESENCE_IN', [...call, ['answer-state', 'early'], ['channel-state', 'CS_ROUTING']]);
    const early = body(await w.notify());
    expect(early).toContain('version="1"');
    expect(early).toContain('<dialog id="c0ffee00-0000-4000-8000-000000000001" direction="recipient">\n<state>early</state>');
    expect(early).toContain('<identity display="Bob">sip:1002@beamline.test</identity>');
    fire(rig, 'PRESENCE_IN', [...call, ['answer-state', 'confirmed'], ['channel-state', 'CS_EXECUTE']]);
    const confirmed = body(await w.notify());
    expect(confirmed).toContain('version="2"');
    expect(confirmed).toContain('<state>confirmed</state>');
    fire(rig, 'PRESENCE_IN', [...call, ['channel-state', 'CS_HANGUP']]);
    const over = body(await w.notify());
    expect(over).toContain('version="3"');
    expect(over).toContain('<state>terminated</state>');
    expect(over).not.toContain('<local>');
  });
});

describe('message-summary (MWI)', () => {
  it('nothing waiting at once and MESSAGE_QUERY; MESSAGE_WAITING: the summary to the subscriber and, unsolicited, to the registered contact', async () => {
    rig = await startRig({ ...PRESENCE, authSubscriptions: false });
    const w = await Watcher.open(rig.port, 'message-summary', '1000@beamline.test');
    closers.push(() => w.close());
    const phone = await NatPhone.open(rig.port);
    closers.push(() => phone.close());
    expect((await phone.register()).status).toBe(200);
    expect((await w.subscribe()).status).toBe(202);
    const first = await w.notify();
    expect(header(first, 'content-type')).toBe('application/simple-message-summary');
    expect(body(first)).toBe('Messages-Waiting: no\r\nMessage-Account: sip:1000@beamline.test\r\n\r\n');
    const query = await rig.waitFor((e) => e.type === 'MESSAGE_QUERY');
    expect(query.getHeader('Message-Account')).toBe('sip:1000@beamline.test');

    fire(rig, 'MESSAGE_WAITING', [
      ['MWI-Messages-Waiting', 'yes'],
      ['MWI-Message-Account', '1000@beamline.test'],
      ['MWI-Voice-Message', '2/1 (0/0)'],
    ]);
    const summary = 'Messages-Waiting: yes\r\nMessage-Account: sip:1000@beamline.test\r\nVoice-Message: 2/1 (0/0)\r\n\r\n';
    const n = await w.notify();
    expect(body(n)).toBe(summary);
    expect(header(n, 'event')).toBe('message-summary');
    const unsolicited = (await phone.take((m) => m.kind === 'request' && m.method === 'NOTIFY' && header(m, 'call-id') !== w.callId)) as SipRequest;
    expect(body(unsolicited)).toBe(summary);
    expect(header(unsolicited, 'subscription-state')).toBe('terminated;reason=noresource');

    // without MWI-Messages-Waiting: an error, no NOTIFY
    fire(rig, 'MESSAGE_WAITING', [['MWI-Message-Account', '1000@beamline.test']]);
    expect(await w.quiet()).toBe(true);
    expect(rig.logs.some((l) => l.includes("Missing required Header 'MWI-Messages-Waiting'"))).toBe(true);
  });
});

describe('the parts', () => {
  it('sofia.conf params: manage-presence absent is off, vanilla’s values read', () => {
    expect(presenceOf(new Map()).managePresence).toBe('off');
    expect(presenceOf(new Map()).authSubscriptions).toBe(true);
    const v = presenceOf(
      new Map([
        ['manage-presence', 'true'],
        ['presence-hosts', 'beamline.test, 127.0.0.1'],
        ['auth-subscriptions', 'false'],
        ['send-presence-on-register', 'first-only'],
        ['force-subscription-expires', '60'],
      ]),
    );
    expect(v).toEqual({
      managePresence: 'full',
      presenceHosts: ['beamline.test', '127.0.0.1'],
      authSubscriptions: false,
      forceSubscriptionExpires: 60,
      forceSubscriptionDomain: undefined,
      sendPresenceOnRegister: 'first-only',
    });
    expect(presenceOf(new Map([['manage-presence', 'passive']])).managePresence).toBe('passive');
    expect(PROFILE_DEFAULTS.managePresence).toBe('off');
  });

  it('Expires: 3600 without one, force-subscription-expires only lowers it, one year at most; proto+user', () => {
    expect(grantedExpires(undefined, 0)).toBe(3600);
    expect(grantedExpires('120', 60)).toBe(60);
    expect(grantedExpires('30', 60)).toBe(30);
    expect(grantedExpires('99999999', 0)).toBe(31_536_000);
    expect(splitProto('pickup+4000', 'beamline.test')).toEqual({ proto: 'pickup', user: '4000', host: 'beamline.test' });
    expect(splitProto('1001', 'h')).toEqual({ proto: 'sip', user: '1001', host: 'h' });
  });

  it('pidf: Registered reads Available without an activity; dnd is busy; a Polycom gets xpidf', () => {
    const h = (m: Record<string, string>) => (n: string) => m[n.toLowerCase()];
    const reg = pidfBody(h({ status: 'Registered', rpid: 'unknown' }), 'sip:1001@x', 'ua', 'sip:1001@127.0.0.1:5060').body;
    expect(reg).toContain('<dm:note>Available</dm:note>');
    expect(reg).not.toContain('rpid:activities');
    expect(pidfBody(h({ status: 'DND', rpid: 'dnd' }), 'sip:1001@x', 'ua', 'u').body).toContain('<rpid:busy/>');
    const poly = pidfBody(h({ status: 'Talking', rpid: 'on-the-phone' }), 'sip:1001@x', 'PolycomSoundPointIP', 'sip:1001@h');
    expect(poly.contentType).toBe('application/xpidf+xml');
    expect(poly.body).toContain('<msnsubstatus substatus="onthephone" />');
  });

  it('dialog-info: an inbound channel of the entity itself is initiator, confirmed by default', () => {
    const h = (m: Record<string, string>) => (n: string) => m[n.toLowerCase()];
    const b = dialogInfoBody(
      h({ 'unique-id': 'u1', 'presence-call-direction': 'inbound', 'caller-username': '1001', 'caller-destination-number': '9196' }),
      {
        entity: 'sip:1001@x',
        subToUser: '1001',
        host: 'x',
        version: 4,
      },
    ).body;
    expect(b).toContain('<dialog id="u1" direction="initiator">\n<state>confirmed</state>');
    expect(b).toContain('sip:9196@x');
  });

  it('message summary: every MWI- header in order, sip: added to the account', () => {
    const headers = [
      { name: 'MWI-Messages-Waiting', value: 'no' },
      { name: 'Other', value: 'x' },
      { name: 'MWI-Message-Account', value: 'sip:1000@h' },
    ];
    const m = messageSummary(headers, (n) => headers.find((x) => x.name.toLowerCase() === n.toLowerCase())?.value);
    expect(m).toMatchObject({ user: '1000', host: 'h', body: 'Messages-Waiting: no\r\nMessage-Account: sip:1000@h\r\n\r\n' });
  });
});
