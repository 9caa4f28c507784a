/**
 * OPTIONS pings to registered phones (nat-options-ping, all-reg-options-ping,
 * unregister-on-options-fail; sofia_reg_check_ping_expire / sofia_handle_sip_r_options), on a
 * short ping-mean-interval and timer-T1 so an unanswered ping is a 408 within a second.
 */
import { afterEach, expect, it } from 'vitest';
import type { ProfileConfig } from '../src/config.ts';
import { responseTo } from '../src/sip/build.ts';
import { header } from '../src/sip/message.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
let phone: NatPhone | undefined;
afterEach(async () => {
  phone?.close();
  await rig?.stop();
  rig = undefined;
  phone = undefined;
});

const FAST: Partial<ProfileConfig> = { aggressiveNatDetection: true, pingMeanInterval: 1, timerT1: 10 };
const subclass = (name: string) => (e: { type: string; getHeader(n: string): string | undefined }) =>
  e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === name;

/** A phone registered from behind the pretend NAT (or, with `nat` false, from its own address). */
async function registered(profile: Partial<ProfileConfig>, nat = true): Promise<{ rig: Rig; phone: NatPhone }> {
  rig = await startRig({ ...FAST, ...profile });
  phone = await NatPhone.open(rig.port, nat ? { address: '192.168.1.50', port: 5062 } : undefined);
  expect((await phone.register()).status).toBe(200);
  return { rig, phone };
}

async function regStatus(r: Rig): Promise<string> {
  return r.sw.api('sofia status profile internal reg');
}

it('nat-options-ping: OPTIONS to the NAT’d contact’s real address; a 200 keeps it Reachable', async () => {
  const { rig, phone } = await registered({ natOptionsPing: 'on' });
  const ping = await phone.request('OPTIONS');
  expect(ping.uri).toBe('sip:1000@192.168.1.50:5062');
  expect(header(ping, 'to')).toBe('<sip:1000@beamline.test>');
  expect(header(ping, 'call-id')).toMatch(new RegExp(`^[0-9a-f-]{36}_${phone.callId}$`));
  expect(header(ping, 'contact')).toBe(`<sip:mod_sofia@127.0.0.1:${rig.port}>`);
  phone.send(responseTo(ping, 200));
  // pinged again a second later
  phone.send(responseTo(await phone.request('OPTIONS'), 200));
  expect(await regStatus(rig)).toContain('Ping-Status:\tReachable\n');
  expect(rig.events.some(subclass('sofia::sip_user_state'))).toBe(false);
});

it('unregister-on-options-fail: an unanswered ping makes the user Unreachable and expires the registration', async () => {
  const { rig, phone } = await registered({ natOptionsPing: 'on', unregisterOnOptionsFail: true });
  await phone.request('OPTIONS'); // not answered: a 408 after 64·T1
  const state = await rig.waitFor(subclass('sofia::sip_user_state'), 5000);
  expect(state.getHeader('Ping-Status')).toBe('UNREACHABLE');
  expect(state.getHeader('Status')).toBe('408');
  expect(state.getHeader('sip_user')).toBe('1000@beamline.test');
  expect(state.getHeader('call-id')).toBe(phone.callId);
  expect(rig.logs).toContain("WARNING Expire sip user '1000@beamline.test' due to options failure");
  const expired = await rig.waitFor(subclass('sofia::expire'), 5000);
  expect(expired.getHeader('call-id')).toBe(phone.callId);
  expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe('error/user_not_registered');
  expect(await rig.sw.api('show registrations count')).toBe('\n0 total.\n');
});

it('without unregister-on-options-fail the registration stays Unreachable, and a later 200 makes it Reachable again', async () => {
  const { rig, phone } = await registered({ natOptionsPing: 'on' });
  await phone.request('OPTIONS');
  await rig.waitFor(subclass('sofia::sip_user_state'), 5000);
  expect(await regStatus(rig)).toContain('Ping-Status:\tUnreachable\n');
  expect(rig.logs).toContain("WARNING Sip user '1000@beamline.test' is now Unreachable");
  phone.send(responseTo(await phone.request('OPTIONS'), 200));
  const back = await rig.waitFor((e) => subclass('sofia::sip_user_state')(e) && e.getHeader('Ping-Status') === 'REACHABLE', 5000);
  expect(back.getHeader('Status')).toBe('200');
  expect(await rig.sw.api('sofia_contact 1000@beamline.test')).not.toBe('error/user_not_registered');
});

it('nat-options-ping leaves a registration without NAT alone; all-reg-options-ping pings it', async () => {
  const first = await registered({ natOptionsPing: 'on' }, false);
  await expect(first.phone.take((m) => m.kind === 'request' && m.method === 'OPTIONS', 2500)).rejects.toThrow('no matching SIP message');
  phone?.close();
  await rig?.stop();
  const { phone: p } = await registered({ allRegOptionsPing: true }, false);
  const ping = await p.request('OPTIONS');
  expect(ping.uri).toBe(`sip:1000@127.0.0.1:${p.port}`);
});
