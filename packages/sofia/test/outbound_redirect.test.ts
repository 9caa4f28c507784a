/** What a 3xx to an outbound INVITE does (outbound_redirect.ts), as sofia_handle_sip_r_invite decides it. */
import { describe, expect, it } from 'vitest';
import { PROFILE_DEFAULTS, type ProfileConfig } from '../src/config.ts';
import { type RedirectOptions, redirectOf } from '../src/outbound_redirect.ts';
import type { SipResponse } from '../src/sip/message.ts';

const profile = (o: Partial<ProfileConfig> = {}): ProfileConfig => ({ ...PROFILE_DEFAULTS, name: 'internal', sipIp: '127.0.0.1', ...o });
const options: RedirectOptions = { fatal: false, profile: undefined, fork: false, dialplan: 'XML', context: 'redirected', info: false };
const moved: SipResponse = {
  kind: 'response',
  status: 302,
  reason: 'Moved Temporarily',
  headers: [['Contact', '<sip:2000@192.0.2.1:5999>']],
  body: Buffer.alloc(0),
};

describe('manual-redirect', () => {
  it('transfers the partner to the Contact’s user in sip_redirect_dialplan / sip_redirect_context', () => {
    const r = redirectOf(moved, profile({ manualRedirect: true }), options, true);
    expect(r).toMatchObject({ kind: 'transfer', user: '2000', dialplan: 'XML', context: 'redirected' });
  });

  it('with outbound_redirect_info on the leg only hangs the leg up', () => {
    expect(redirectOf(moved, profile({ manualRedirect: true }), { ...options, info: true }, true).kind).toBe('hangup');
  });

  it('without a partner follows the Contact, as without manual-redirect', () => {
    expect(redirectOf(moved, profile({ manualRedirect: true }), options, false)).toMatchObject({ kind: 'follow', uri: 'sip:2000@192.0.2.1:5999' });
    expect(redirectOf(moved, profile(), options, true).kind).toBe('follow');
  });
});
