/**
 * A user registered from two phones (multiple-registrations=contact): `sofia_contact` gives both
 * contacts (`sofia/internal/sip:…,sofia/internal/sip:…`, as mod_sofia's sofia_contact_function),
 * so the directory's default dial-string rings both through `user/1000`; the phone that answers
 * is the originate's channel and the other gets a CANCEL whose Reason says the call was
 * completed elsewhere (its leg hung up LOSE_RACE). With no registration, sofia_contact gives
 * `error/user_not_registered` and `user/` fails USER_NOT_REGISTERED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import { type SipRequest, header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const phones: NatPhone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

async function registered(r: Rig, user: string): Promise<NatPhone> {
  const p = await NatPhone.open(r.port, undefined, user);
  phones.push(p);
  expect((await p.register()).status).toBe(200);
  return p;
}

describe('user/ of a user registered from two phones', () => {
  it('sofia_contact gives both contacts; originate user/1000 rings both, the answering phone wins, the other is CANCELled', async () => {
    const r = await startRig({ multipleRegistrations: 'contact', authCalls: false, context: 'default' });
    rig = r;
    const a = await registered(r, '1000');
    const b = await registered(r, '1000');
    const contacts = (await r.sw.api('sofia_contact 1000@beamline.test')).split(',').sort();
    expect(contacts).toEqual([`sofia/internal/sip:1000@127.0.0.1:${a.port}`, `sofia/internal/sip:1000@127.0.0.1:${b.port}`].sort());

    const reply = r.sw.originate('user/1000@beamline.test &park()');
    const inviteA = (await a.request('INVITE')) as SipRequest;
    const inviteB = (await b.request('INVITE')) as SipRequest;
    a.send(responseTo(inviteA, 180, { toTag: 'phone-a' }));
    b.send(responseTo(inviteB, 200, { toTag: 'phone-b', body: sdp(40010), headers: [['Contact', `<${b.contactUri}>`]] }));
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await reply)?.[1];
    expect(uuid).toBeDefined();
    expect(await r.sw.api(`uuid_getvar ${uuid} accountcode`)).toBe('acct1000');
    expect(await r.sw.api(`uuid_getvar ${uuid} dialed_user`)).toBe('1000');
    const winnerName = (await r.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Unique-ID') === uuid)).getHeader('Channel-Name');
    expect(winnerName).toBe(`sofia/internal/sip:1000@127.0.0.1:${b.port}`);

    const cancel = (await a.request('CANCEL')) as SipRequest;
    expect(header(cancel, 'call-id')).toBe(header(inviteA, 'call-id'));
    expect(header(cancel, 'reason')).toBe('SIP;cause=200;text="Call completed elsewhere"');
    a.send(responseTo(cancel, 200));
    a.send(responseTo(inviteA, 487, { toTag: 'phone-a' }));
    const loser = await r.waitFor((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') !== uuid);
    expect(loser.getHeader('Hangup-Cause')).toBe('LOSE_RACE');
    expect(loser.getHeader('Channel-Name')).toBe(`sofia/internal/sip:1000@127.0.0.1:${a.port}`);

    expect(await r.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    const bye = (await b.request('BYE')) as SipRequest;
    b.send(responseTo(bye, 200));
  });

  it('with no registration sofia_contact is error/user_not_registered and user/ fails USER_NOT_REGISTERED; one registration is one contact', async () => {
    const r = await startRig({ multipleRegistrations: 'contact' });
    rig = r;
    expect(await r.sw.api('sofia_contact 1000@beamline.test')).toBe('error/user_not_registered');
    expect(await r.sw.originate('user/1000@beamline.test &park()')).toBe('-ERR USER_NOT_REGISTERED\n');
    const a = await registered(r, '1000');
    expect(await r.sw.api('sofia_contact 1000@beamline.test')).toBe(`sofia/internal/sip:1000@127.0.0.1:${a.port}`);
  });
});
