/**
 * NAT on REGISTER (sofia_reg_handle_sip_i_register): a phone on 127.0.0.1 whose Via and Contact
 * claim 192.168.1.50:5062. With aggressive-nat-detection (the Via is not the source) or
 * apply-nat-acl (a private Contact), the registration is `Registered(UDP-NAT)` and its contact
 * gains `fs_nat=yes` and an `fs_path` to where the REGISTER came from; calls to it go there.
 * The core's `registrations` table (show registrations) has the row while it lasts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import type { ProfileConfig } from '../src/config.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

const CLAIM = { address: '192.168.1.50', port: 5062 };
let rig: Rig | undefined;
let phone: NatPhone | undefined;
afterEach(async () => {
  phone?.close();
  await rig?.stop();
  rig = undefined;
  phone = undefined;
});

async function registered(
  profile: Partial<ProfileConfig>,
  claim: { address: string; port?: number } = CLAIM,
): Promise<{ rig: Rig; phone: NatPhone }> {
  rig = await startRig(profile);
  phone = await NatPhone.open(rig.port, claim);
  const ok = await phone.register();
  expect(ok.status).toBe(200);
  return { rig, phone };
}

/** `show registrations as delim |`'s rows, each cut at `|`. */
async function coreRows(r: Rig): Promise<string[][]> {
  const text = await r.sw.api('show registrations as delim |');
  return text
    .split('\n')
    .slice(1, -3)
    .map((row) => row.split('|'));
}

describe('aggressive-nat-detection', () => {
  it('a Via that is not the source: Registered(UDP-NAT), fs_nat and fs_path to the source, and a call goes there', async () => {
    const { rig, phone } = await registered({ aggressiveNatDetection: true });
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP-NAT)');
    const path = encodeURIComponent(`sip:1000@127.0.0.1:${phone.port}`);
    expect(reg.getHeader('contact')).toBe(`<sip:1000@192.168.1.50:5062;fs_nat=yes;fs_path=${path}>`);
    expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe(`sofia/internal/sip:1000@192.168.1.50:5062;fs_nat=yes;fs_path=${path}`);

    // the INVITE reaches the phone's real address, its Request-URI the Contact without the fs_ params
    const out = rig.sw.originate('user/1000@beamline.test &park()');
    const invite = await phone.request('INVITE');
    expect(invite.uri).toBe('sip:1000@192.168.1.50:5062');
    phone.send(responseTo(invite, 486, { toTag: 'busy1' }));
    expect(await out).toBe('-ERR USER_BUSY\n');
  });

  it('the core’s registrations table: the row while registered (the C’s columns), gone after the unregister', async () => {
    const { rig, phone } = await registered({ aggressiveNatDetection: true });
    const header = (await rig.sw.api('show registrations')).split('\n')[0];
    expect(header).toBe('reg_user,realm,token,url,expires,network_ip,network_port,network_proto,hostname,metadata');
    const rows = await coreRows(rig);
    const path = encodeURIComponent(`sip:1000@127.0.0.1:${phone.port}`);
    const now = Math.floor(Date.now() / 1000);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[9]])).toEqual([
      [
        '1000',
        'beamline.test',
        phone.callId,
        `sofia/internal/sip:1000@192.168.1.50:5062;fs_nat=yes;fs_path=${path}`,
        '127.0.0.1',
        String(phone.port),
        'udp',
        '',
      ],
    ]);
    // reg_time + expires + the 60 s late margin
    expect(Number(rows[0][4])).toBeGreaterThanOrEqual(now + 300 + 60 - 2);
    expect(Number(rows[0][4])).toBeLessThanOrEqual(now + 300 + 60 + 2);
    expect(rows[0][8]).toBe(rig.sw.core.identity.switchname);
    expect(await rig.sw.api('show registrations count')).toBe('\n1 total.\n');

    expect((await phone.register(0)).status).toBe(200);
    await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::unregister');
    expect(await rig.sw.api('show registrations count')).toBe('\n0 total.\n');
  });

  it('NDLB-received-in-nat-reg-contact adds ;received=<ip>:<port> before fs_nat', async () => {
    const { rig, phone } = await registered({ aggressiveNatDetection: true, receivedInNatRegContact: true });
    const contact = await rig.sw.api('sofia_contact 1000@beamline.test');
    expect(contact).toMatch(
      new RegExp(`^sofia/internal/sip:1000@192\\.168\\.1\\.50:5062;received=127\\.0\\.0\\.1:${phone.port};fs_nat=yes;fs_path=`),
    );
  });

  it('a Via host that is not the source, on the source’s own port, is NAT’d too (via received)', async () => {
    const { rig, phone } = await registered({ aggressiveNatDetection: true }, { address: '192.168.1.50' });
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP-NAT)');
    expect(reg.getHeader('contact')).toBe(
      `<sip:1000@192.168.1.50:${phone.port};fs_nat=yes;fs_path=${encodeURIComponent(`sip:1000@127.0.0.1:${phone.port}`)}>`,
    );
  });

  it('a Via port that is not the source’s is NAT’d (via port)', async () => {
    const { rig } = await registered({ aggressiveNatDetection: true }, { address: '127.0.0.1', port: 5062 });
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP-NAT)');
  });

  it('a phone whose Via and Contact are its real address is not NAT’d', async () => {
    rig = await startRig({ aggressiveNatDetection: true });
    phone = await NatPhone.open(rig.port);
    expect((await phone.register()).status).toBe(200);
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP)');
    expect(reg.getHeader('contact')).toBe(`<sip:1000@127.0.0.1:${phone.port}>`);
  });
});

describe('apply-nat-acl and local-network-acl', () => {
  it('without aggressive-nat-detection or a NAT acl, the claimed Contact is taken as it is', async () => {
    const { rig } = await registered({});
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP)');
    expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe('sofia/internal/sip:1000@192.168.1.50:5062');
    // the core's table has it all the same
    expect((await coreRows(rig)).map((r) => r[3])).toEqual(['sofia/internal/sip:1000@192.168.1.50:5062']);
  });

  it('apply-nat-acl nat.auto: a private Contact host is NAT’d', async () => {
    const { rig } = await registered({ natAcls: ['nat.auto'] });
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP-NAT)');
  });

  it('a source inside local-network-acl is never NAT’d', async () => {
    const { rig } = await registered({ aggressiveNatDetection: true, natAcls: ['nat.auto'], localNetworkAcl: '127.0.0.0/8' });
    const reg = await rig.waitFor((e) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === 'sofia::register');
    expect(reg.getHeader('status')).toBe('Registered(UDP)');
  });
});
