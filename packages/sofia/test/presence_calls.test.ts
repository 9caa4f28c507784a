/**
 * BLF from real calls: with manage-presence, an inbound call's channel takes the caller's From
 * user@host as its presence_id (sofia_handle_sip_i_invite), so the switch's PRESENCE_IN for it
 * (switch_channel_perform_presence) reach a phone watching the caller's `dialog`: the call shows
 * as a dialog that goes confirmed (routing, answered) and then terminated. A call to the
 * registered 1000 through `user/1000` (whose leg the user endpoint gives presence_id 1000@domain)
 * shows as a dialog of the recipient: early, confirmed, terminated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileConfig } from '../src/config.ts';
import { responseTo } from '../src/sip/build.ts';
import { type SipMessage, type SipRequest, header } from '../src/sip/message.ts';
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

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** The INVITE's headers for its ACK (CSeq method ACK, the To of the 200). */
function ackHeaders(invite: SipRequest, ok: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-(type|length)$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(ok, 'to') ?? v] : [n, v]));
}

const PROFILE: Partial<ProfileConfig> = { managePresence: 'full', authSubscriptions: false, authCalls: false, context: 'default' };

/** The `<dialog …>` line and state of a dialog-info body (undefined: no dialog in it). */
function dialogOf(body: string): { id: string; direction: string; state: string } | undefined {
  const m = /<dialog id="([^"]+)" direction="([a-z]+)">\n<state>([a-z]+)<\/state>/.exec(body);
  return m ? { id: m[1], direction: m[2], state: m[3] } : undefined;
}

async function open(user: string): Promise<NatPhone> {
  const p = await NatPhone.open((rig as Rig).port, undefined, user);
  closers.push(() => p.close());
  return p;
}

describe('presence of calls (manage-presence)', () => {
  it("1001 calls an answering extension: 1000 watching 1001's dialog sees it confirmed, confirmed, terminated", async () => {
    rig = await startRig(PROFILE);
    const w = await Watcher.open(rig.port, 'dialog');
    closers.push(() => w.close());
    expect((await w.subscribe()).status).toBe(202);
    expect(dialogOf((await w.notify()).body.toString())).toBeUndefined();

    const caller = await open('1001');
    const uri = `sip:2000@127.0.0.1:${rig.port}`;
    const invite = caller.build('INVITE', uri, { to: '<sip:2000@beamline.test>', body: sdp(40000) });
    caller.send(invite);
    const routing = dialogOf((await w.notify()).body.toString());
    const answered = dialogOf((await w.notify()).body.toString());
    const ok = await caller.take((m) => m.kind === 'response' && m.status === 200);
    caller.send({ ...caller.build('ACK', uri, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
    const channel = await rig.waitFor((e) => e.type === 'CHANNEL_ANSWER');
    const uuid = channel.getHeader('Unique-ID') as string;
    expect(channel.getHeader('variable_presence_id')).toBe('1001@beamline.test');
    // the caller's own call: the initiator, confirmed from the start (dialog_info.ts)
    expect(routing).toEqual({ id: uuid, direction: 'initiator', state: 'confirmed' });
    expect(answered).toEqual({ id: uuid, direction: 'initiator', state: 'confirmed' });

    const bye = caller.build('BYE', uri, { callId: header(invite, 'call-id'), to: header(ok, 'to') });
    caller.send({ ...bye, headers: bye.headers.map(([n, v]): [string, string] => (/^from$/i.test(n) ? [n, header(invite, 'from') ?? v] : [n, v])) });
    expect(dialogOf((await w.notify()).body.toString())).toEqual({ id: uuid, direction: 'initiator', state: 'terminated' });

    const sent = rig.events.filter((e) => e.type === 'PRESENCE_IN' && e.getHeader('Unique-ID') === uuid);
    expect(sent.map((e) => [e.getHeader('from'), e.getHeader('status'), e.getHeader('presence-call-info-state')])).toEqual([
      ['1001@beamline.test', 'CS_ROUTING', 'alerting'],
      ['1001@beamline.test', 'answered', 'active'],
      ['1001@beamline.test', 'CS_HANGUP', 'idle'],
    ]);
  });

  it("a call to the registered 1000 through user/1000: a phone watching 1000's dialog sees it early, confirmed, terminated", async () => {
    rig = await startRig(PROFILE);
    const callee = await open('1000');
    expect((await callee.register()).status).toBe(200);
    const w = await Watcher.open(rig.port, 'dialog', '1000@beamline.test');
    closers.push(() => w.close());
    expect((await w.subscribe()).status).toBe(202);
    expect(dialogOf((await w.notify()).body.toString())).toBeUndefined();

    const reply = rig.sw.originate('user/1000@beamline.test &park()');
    const invite = (await callee.request('INVITE')) as SipRequest;
    callee.send(responseTo(invite, 180, { toTag: 'callee1' }));
    const ringing = dialogOf((await w.notify()).body.toString());
    callee.send(responseTo(invite, 200, { toTag: 'callee1', body: sdp(40002), headers: [['Contact', `<${callee.contactUri}>`]] }));
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await reply)?.[1] as string;
    expect(uuid).toBeDefined();
    expect(ringing).toEqual({ id: uuid, direction: 'recipient', state: 'early' });
    expect(dialogOf((await w.notify()).body.toString())).toEqual({ id: uuid, direction: 'recipient', state: 'confirmed' });

    expect(await rig.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    const bye = (await callee.request('BYE')) as SipRequest;
    callee.send(responseTo(bye, 200));
    expect(dialogOf((await w.notify()).body.toString())).toEqual({ id: uuid, direction: 'recipient', state: 'terminated' });
    const sent = rig.events.filter((e) => e.type === 'PRESENCE_IN' && e.getHeader('Unique-ID') === uuid);
    expect(sent.map((e) => [e.getHeader('from'), e.getHeader('status'), e.getHeader('presence-call-info-state')])).toEqual([
      ['1000@beamline.test', 'CS_ROUTING', 'progressing'],
      ['1000@beamline.test', 'answered', 'active'],
      ['1000@beamline.test', 'CS_HANGUP', 'idle'],
    ]);
  });

  it('without manage-presence an inbound call has no presence_id and fires no PRESENCE_IN', async () => {
    rig = await startRig({ ...PROFILE, managePresence: 'off' });
    const caller = await open('1001');
    const uri = `sip:2000@127.0.0.1:${rig.port}`;
    const invite = caller.build('INVITE', uri, { to: '<sip:2000@beamline.test>', body: sdp(40000) });
    caller.send(invite);
    const ok = await caller.take((m) => m.kind === 'response' && m.status === 200);
    caller.send({ ...caller.build('ACK', uri, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
    const channel = await rig.waitFor((e) => e.type === 'CHANNEL_ANSWER');
    expect(channel.getHeader('variable_presence_id')).toBeUndefined();
    expect(rig.events.some((e) => e.type === 'PRESENCE_IN')).toBe(false);
  });
});
