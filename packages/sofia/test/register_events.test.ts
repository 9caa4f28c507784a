/**
 * mod_sofia's events about credentials (sofia_reg_handle_register_token): `sofia::pre_register`
 * on a challenge, `sofia::register_attempt` with its `auth-result`, `sofia::register_failure` on
 * a 403, and what sofia::register carries after its own headers (the variables event
 * sofia_reg_parse_auth fills: the user's names, domain and variables).
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

/** `body` with a rig (`profile`) and a phone on it (`password`), both gone after it. */
async function withPhone(
  profile: Parameters<typeof startRig>[0],
  password: string,
  body: (rig: Rig, phone: NatPhone) => Promise<void>,
): Promise<void> {
  const rig = await startRig(profile);
  const phone = await NatPhone.open(rig.port, undefined, '1000', password);
  try {
    await body(rig, phone);
  } finally {
    phone.close();
    await rig.stop();
  }
}

const sofia = (e: SwitchEvent) => (e.type === 'CUSTOM' ? (e.getHeader('Event-Subclass') ?? '') : '');
/** The event's own headers (not the core's Event-* / FreeSWITCH-* ones), in order. */
const own = (e: SwitchEvent) => e.headers.filter((h) => !/^(Event-|Core-UUID|FreeSWITCH-)/.test(h.name)).map((h) => [h.name, h.value]);

describe('credentials events', () => {
  it('a REGISTER answered: pre_register at the challenge, register_attempt SUCCESS, then sofia::register with the user', () =>
    withPhone({ presenceHosts: ['beamline.test'] }, '1234', async (rig, phone) => {
      expect((await phone.register()).status).toBe(200);
      await rig.waitFor((e) => sofia(e) === 'sofia::register');
      const events = rig.events.filter((e) => sofia(e).startsWith('sofia::'));
      expect(events.map(sofia)).toEqual(['sofia::pre_register', 'sofia::register_attempt', 'sofia::register']);
      const [pre, attempt, register] = events as [SwitchEvent, SwitchEvent, SwitchEvent];
      // created where mod_sofia creates them
      expect(
        events.map(
          (e) => `${e.getHeader('Event-Calling-File')}:${e.getHeader('Event-Calling-Function')}:${e.getHeader('Event-Calling-Line-Number')}`,
        ),
      ).toEqual([
        'sofia_reg.c:sofia_reg_handle_register_token:1810',
        'sofia_reg.c:sofia_reg_handle_register_token:1606',
        'sofia_reg.c:sofia_reg_handle_register_token:2059',
      ]);
      const names = own(pre).map(([n]) => n);
      expect(names).toEqual([
        'profile-name',
        'from-user',
        'from-host',
        'contact',
        'call-id',
        'rpid',
        'status',
        'expires',
        'to-user',
        'to-host',
        'network-ip',
        'network-port',
        'user-agent',
      ]);
      expect([pre.getHeader('from-user'), pre.getHeader('status'), pre.getHeader('network-port')]).toEqual([
        '1000',
        'Registered(UDP)',
        String(phone.port),
      ]);
      expect(own(attempt).slice(-4)).toEqual([
        ['username', '1000'],
        ['realm', 'beamline.test'],
        ['user-agent', expect.any(String)],
        ['auth-result', 'SUCCESS'],
      ]);
      expect(register.getHeader('presence-hosts')).toBe('beamline.test');
      // after its own headers, the user as the directory has it
      const tail = own(register).slice(own(register).findIndex(([n]) => n === 'sip_number_alias'));
      expect(tail).toEqual([
        ['sip_number_alias', '1000'],
        ['sip_auth_username', '1000'],
        ['sip_auth_realm', 'beamline.test'],
        ['number_alias', '1000'],
        ['user_name', '1000'],
        ['domain_name', 'beamline.test'],
        ['user_context', 'default'],
        ['accountcode', 'acct1000'],
      ]);
    }));

  it('a wrong password: register_attempt FORBIDDEN and register_failure (profile-name twice, as the source adds it), and no sofia::register', () =>
    withPhone({}, 'wrong', async (rig, phone) => {
      expect((await phone.register()).status).toBe(403);
      const failure = await rig.waitFor((e) => sofia(e) === 'sofia::register_failure');
      expect(own(failure)).toEqual([
        ['profile-name', 'internal'],
        ['to-user', '1000'],
        ['to-host', 'beamline.test'],
        ['network-ip', '127.0.0.1'],
        ['user-agent', expect.any(String)],
        ['profile-name', 'internal'],
        ['network-port', String(phone.port)],
        ['registration-type', 'REGISTER'],
      ]);
      const events = rig.events.filter((e) => sofia(e).startsWith('sofia::'));
      expect(events.map(sofia)).toEqual(['sofia::pre_register', 'sofia::register_attempt', 'sofia::register_failure']);
      expect(events[1]?.getHeader('auth-result')).toBe('FORBIDDEN');
    }));
});
