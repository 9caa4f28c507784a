/**
 * The core's `registrations` table (switch_core_add_registration / _del_registration /
 * _expire_registration) and `show registrations` over it: the C's columns, one row per user and
 * realm unless multiple-registrations, NULL metadata when none is given, expired rows gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrationTable, type RegistrationReport } from '../src/core/registrations.ts';
import { type Setup, setup, stopSetup } from './switch_helpers.ts';

const report = (o: Partial<RegistrationReport> = {}): RegistrationReport => ({
  user: '1000',
  realm: 'example.com',
  token: 'call-1',
  url: 'sofia/internal/sip:1000@10.0.0.5:5062',
  expires: 1_725_360_000,
  networkIp: '10.0.0.5',
  networkPort: 5062,
  networkProto: 'udp',
  ...o,
});

describe('RegistrationTable', () => {
  it('a new report replaces the user’s row in the realm; del and expire remove', () => {
    const t = new RegistrationTable('fs1');
    t.add(report());
    t.add(report({ token: 'call-2', url: 'sofia/internal/sip:1000@10.0.0.6' }));
    t.add(report({ user: '1001' }));
    expect(t.rows().map((r) => [r.reg_user, r.token, r.hostname, r.metadata])).toEqual([
      ['1000', 'call-2', 'fs1', undefined],
      ['1001', 'call-1', 'fs1', undefined],
    ]);
    t.del('1000', 'example.com', 'other-token');
    expect(t.rows().map((r) => r.reg_user)).toEqual(['1001']);
    t.expire(1_725_359_999);
    expect(t.size).toBe(1);
    t.expire(1_725_360_000);
    expect(t.size).toBe(0);
  });

  it('with multiple-registrations, a row is replaced only by its url or token, and del takes the token', () => {
    const t = new RegistrationTable('fs1', true);
    t.add(report());
    t.add(report({ token: 'call-2', url: 'sofia/internal/sip:1000@10.0.0.6' }));
    expect(t.size).toBe(2);
    t.del('1000', 'example.com', 'call-1');
    expect(t.rows().map((r) => r.token)).toEqual(['call-2']);
  });
});

describe('show registrations', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => stopSetup(t));

  it('lists what endpoints reported, with count and the formats, and drops what expired', async () => {
    const now = Math.floor(t.sw.core.nowUs() / 1e6);
    t.sw.core.registrations.add(report({ expires: now + 360, metadata: 'm1' }));
    t.sw.core.registrations.add(report({ user: '1001', token: 'call-9', expires: now - 1 }));
    const text = await t.sw.api('show registrations');
    expect(text).toBe(
      'reg_user,realm,token,url,expires,network_ip,network_port,network_proto,hostname,metadata\n' +
        `1000,example.com,call-1,sofia/internal/sip:1000@10.0.0.5:5062,${now + 360},10.0.0.5,5062,udp,fs1,m1\n\n1 total.\n`,
    );
    expect(await t.sw.api('show registrations count')).toBe('\n1 total.\n');
    expect(await t.sw.api('show registrations count as json')).toBe('{"row_count":1,"rows":[]}');
    expect(JSON.parse(await t.sw.api('show registrations as json')).rows[0].url).toBe('sofia/internal/sip:1000@10.0.0.5:5062');
    t.sw.core.registrations.del('1000', 'example.com', 'call-1');
    expect(await t.sw.api('show registrations')).toBe('\n0 total.\n');
  });
});
