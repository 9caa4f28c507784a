/**
 * `sofia_contact` as sofia_contact_function parses its argument: the profile `*` (and a profile that does
 * not exist) searches every profile, no domain is the switch's `domain`, an empty one nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

describe('sofia_contact', () => {
  it('*/<user>@<domain>, an unknown profile, and a user without a domain find the registration', async () => {
    const r = await startRig();
    rig = r;
    const p = await NatPhone.open(r.port);
    phone = p;
    expect((await p.register()).status).toBe(200);
    const contact = `sofia/internal/sip:1000@127.0.0.1:${p.port}`;
    expect(await r.sw.api('sofia_contact 1000@beamline.test')).toBe(contact);
    expect(await r.sw.api('sofia_contact internal/1000@beamline.test')).toBe(contact);
    expect(await r.sw.api('sofia_contact */1000@beamline.test')).toBe(contact);
    expect(await r.sw.api('sofia_contact nosuch/1000@beamline.test')).toBe(contact);
    expect(await r.sw.api('sofia_contact 1000')).toBe('error/user_not_registered');
    r.sw.core.globals.set('domain', 'beamline.test');
    expect(await r.sw.api('sofia_contact 1000')).toBe(contact);
    expect(await r.sw.api('sofia_contact */1001@beamline.test')).toBe('error/user_not_registered');
    expect(await r.sw.api('sofia_contact')).toBe('');
  });
});
