/**
 * Calls out to a real SIP peer (SIPp as a phone): `sofia/internal/<user>@127.0.0.1:<port>` in
 * originate and bridge, the registered contact found by `sofia_contact`, and the far end's
 * answer, busy and ringing turned into the originate's result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '@beamline/switch';
import { freeUdpPort, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import { type Rig, startRig } from './helpers.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.stop();
});

/** A phone that answers one call, registered as 1000@beamline.test with its own port as contact. */
async function registeredPhone() {
  const phonePort = await freeUdpPort();
  const phone = await startSipp({ scenario: 'uas_answer', localPort: phonePort });
  const reg = await runSipp({
    scenario: 'register',
    port: rig.port,
    service: '1000',
    domain: 'beamline.test',
    authUser: '1000',
    password: '1234',
    contactPort: phonePort,
  });
  expect(reg.code, reg.output + reg.errors).toBe(0);
  return { phonePort, phone };
}

const hangupOf = (uuid: string) => (e: SwitchEvent) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid;

describe('sofia/ in a dial string', () => {
  it('rings and answers a phone, and the switch hangs up with a BYE carrying the Q.850 reason', async () => {
    const port = await freeUdpPort();
    const phone = await startSipp({ scenario: 'uas_answer', localPort: port });
    const out = await rig.sw.originate(`sofia/internal/1000@127.0.0.1:${port} &park()`);
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = out.slice(4, -1);
    const answered = await rig.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Unique-ID') === uuid);
    expect(answered.getHeader('Channel-Name')).toBe(`sofia/internal/1000@127.0.0.1:${port}`);
    expect(answered.getHeader('Call-Direction')).toBe('outbound');
    const names = rig.events.filter((e) => e.getHeader('Unique-ID') === uuid).map((e) => e.type);
    expect(names.indexOf('CHANNEL_PROGRESS')).toBeGreaterThan(-1);
    expect(names.indexOf('CHANNEL_PROGRESS')).toBeLessThan(names.indexOf('CHANNEL_ANSWER'));
    expect(await rig.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = await rig.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('send_bye');
  });

  it('fails the originate with USER_BUSY when the phone answers 486', async () => {
    const port = await freeUdpPort();
    const phone = await startSipp({ scenario: 'uas_busy', localPort: port });
    expect(await rig.sw.originate(`sofia/internal/1000@127.0.0.1:${port} &park()`)).toBe('-ERR USER_BUSY\n');
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
    const hangup = rig.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
    expect(hangup?.getHeader('variable_sip_term_status')).toBe('486');
    expect(hangup?.getHeader('variable_sip_hangup_disposition')).toBe('recv_refuse');
  });

  it('takes a refusal’s Q.850 Reason as the cause, or its status’s with ignore_q850_reason=true', async () => {
    const vars = { reply: '480 Temporarily Unavailable', reason: 'Q.850;cause=17;text="USER_BUSY"' };
    for (const [prefix, result] of [
      ['', '-ERR USER_BUSY\n'],
      ['{ignore_q850_reason=true}', '-ERR NO_USER_RESPONSE\n'],
    ]) {
      const port = await freeUdpPort();
      const server = await startSipp({ scenario: 'uas_refuse', localPort: port, vars });
      expect(await rig.sw.originate(`${prefix}sofia/internal/1000@127.0.0.1:${port} &park()`)).toBe(result);
      expect((await server.done).code).toBe(0);
      const hangup = rig.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
      expect(hangup?.getHeader('variable_sip_reason')).toBe(vars.reason);
      expect(hangup?.getHeader('variable_sip_term_status')).toBe('480');
    }
  });

  it('CANCELs a ringing phone when the originate times out (NO_ANSWER)', async () => {
    const port = await freeUdpPort();
    const phone = await startSipp({ scenario: 'uas_ring', localPort: port });
    expect(await rig.sw.originate(`{originate_timeout=1}sofia/internal/1000@127.0.0.1:${port} &park()`)).toBe('-ERR NO_ANSWER\n');
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
    // sofia_on_hangup says what the CANCEL means for the INVITE
    const hangup = rig.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
    expect(hangup?.getHeader('variable_sip_hangup_disposition')).toBe('send_cancel');
    expect(hangup?.getHeader('variable_sip_invite_failure_status')).toBe('487');
    expect(hangup?.getHeader('variable_sip_invite_failure_phrase')).toBe('CANCEL');
  });

  it('answers a server’s 401 with sip_auth_username / sip_auth_password (SIPp checks the digest), once', async () => {
    const good = await freeUdpPort();
    const server = await startSipp({ scenario: 'uas_auth', localPort: good, expectAuth: { username: 'bob', password: 'secret' } });
    const out = await rig.sw.originate(`{sip_auth_username=bob,sip_auth_password=secret}sofia/internal/svc@127.0.0.1:${good} &park()`);
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    expect(await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`)).toBe('+OK\n');
    const r = await server.done;
    expect(r.code, r.output + r.errors).toBe(0);
    // a wrong password: the server's 403 ends it, as the 401 does when there are no credentials
    for (const vars of ['{sip_auth_username=bob,sip_auth_password=guess}', '']) {
      const port = await freeUdpPort();
      const refusing = await startSipp({ scenario: 'uas_auth', localPort: port, expectAuth: { username: 'bob', password: 'secret' }, timeoutSec: 5 });
      expect(await rig.sw.originate(`${vars}sofia/internal/svc@127.0.0.1:${port} &park()`)).toBe('-ERR CALL_REJECTED\n');
      const status = rig.events
        .filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE')
        .at(-1)
        ?.getHeader('variable_sip_term_status');
      expect(status).toBe(vars ? '403' : '401');
      if (vars) expect((await refusing.done).code).toBe(0);
    }
  });

  it('uuid_hold re-INVITEs the phone sendonly (HELD, CHANNEL_HOLD), uuid_hold off sendrecv (UNHELD, CHANNEL_UNHOLD)', async () => {
    const port = await freeUdpPort();
    const phone = await startSipp({ scenario: 'uas_hold', localPort: port });
    const out = await rig.sw.originate(`sofia/internal/1000@127.0.0.1:${port} &park()`);
    const uuid = out.slice(4, -1);
    expect(await rig.sw.api(`uuid_hold ${uuid}`)).toBe('+OK Success\n');
    expect(await rig.sw.api(`uuid_hold ${uuid}`)).toBe('-ERR Operation failed\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(await rig.sw.api(`uuid_hold off ${uuid}`)).toBe('+OK Success\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(await rig.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    // SIPp checked the offers: sendonly, then sendrecv
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
    const trace = rig.events
      .filter((e) => e.getHeader('Unique-ID') === uuid && ['CHANNEL_HOLD', 'CHANNEL_UNHOLD', 'CHANNEL_CALLSTATE'].includes(e.type))
      .map((e) => (e.type === 'CHANNEL_CALLSTATE' ? e.getHeader('Channel-Call-State') : e.type));
    expect(trace.slice(trace.indexOf('HELD'))).toEqual(['HELD', 'CHANNEL_HOLD', 'UNHELD', 'CHANNEL_UNHOLD', 'HANGUP']);
  });

  it('refuses a dial string naming no profile, or one that does not exist', async () => {
    expect(await rig.sw.originate('sofia/nosuch/1000@127.0.0.1 &park()')).toBe('-ERR INVALID_PROFILE\n');
    expect(await rig.sw.originate('sofia/1000 &park()')).toBe('-ERR INVALID_URL\n');
  });

  it('fails a call to a host name that does not resolve at once: 503 DNS Error, NORMAL_TEMPORARY_FAILURE (nta’s own answer)', async () => {
    const started = Date.now();
    expect(await rig.sw.originate('sofia/internal/1000@no-such-host.invalid &park()')).toBe('-ERR NORMAL_TEMPORARY_FAILURE\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    const hangup = rig.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
    expect(hangup?.getHeader('variable_sip_term_status')).toBe('503');
    expect(hangup?.getHeader('variable_sip_invite_failure_phrase')).toBe('DNS Error');
  });

  it('calls a registered phone through the contact sofia_contact finds', async () => {
    const { phonePort, phone } = await registeredPhone();
    const contact = await rig.sw.api('sofia_contact 1000@beamline.test');
    expect(contact).toBe(`sofia/internal/sip:1000@127.0.0.1:${phonePort}`);
    const out = await rig.sw.originate(`${contact} &park()`);
    expect(out).toMatch(/^\+OK /);
    await rig.sw.api(`uuid_kill ${out.slice(4, -1)}`);
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
  });

  it('user/<id>@<domain> rings the registered phone: the directory’s dial-string finds it through sofia_contact', async () => {
    const { phonePort, phone } = await registeredPhone();
    // the phone's new registration replaced the earlier one of 1000 (multiple-registrations off)
    expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe(`sofia/internal/sip:1000@127.0.0.1:${phonePort}`);
    const out = await rig.sw.originate('user/1000@beamline.test &park()');
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(out)?.[1];
    expect(uuid, out).toBeDefined();
    expect(await rig.sw.api(`uuid_getvar ${uuid} dialed_user`)).toBe('1000');
    expect(await rig.sw.api(`uuid_getvar ${uuid} accountcode`)).toBe('acct1000');
    await rig.sw.api(`uuid_kill ${uuid}`);
    const r = await phone.done;
    expect(r.code, r.output + r.errors).toBe(0);
    // nobody registered as 1001: the dial-string expands to error/user_not_registered
    expect(await rig.sw.originate('user/1001@beamline.test &park()')).toBe('-ERR USER_NOT_REGISTERED\n');
  });
});

describe('a serial fork (bridge a|b)', () => {
  it('a leg that answers after one that refused clears the caller’s sip_invite_failure_status / _phrase', async () => {
    const [callerPort, busyPort, answerPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    const caller = await startSipp({ scenario: 'uas_answer', localPort: callerPort });
    const busy = await startSipp({ scenario: 'uas_busy', localPort: busyPort });
    const answering = await startSipp({ scenario: 'uas_answer', localPort: answerPort });
    const out = await rig.sw.originate(
      `sofia/internal/caller@127.0.0.1:${callerPort} &bridge(sofia/internal/1000@127.0.0.1:${busyPort}|sofia/internal/1001@127.0.0.1:${answerPort})`,
    );
    const a = /^\+OK ([0-9a-f-]{36})\n$/.exec(out)?.[1] ?? '';
    expect(a, out).not.toBe('');
    await rig.waitFor((e) => e.type === 'CHANNEL_BRIDGE' && e.getHeader('Unique-ID') === a);
    expect((await busy.done).code).toBe(0);
    expect(await rig.sw.api(`uuid_getvar ${a} sip_invite_failure_status`)).toBe('_undef_');
    expect(await rig.sw.api(`uuid_getvar ${a} sip_invite_failure_phrase`)).toBe('_undef_');
    expect(await rig.sw.api(`uuid_kill ${a}`)).toBe('+OK\n');
    expect((await caller.done).code).toBe(0);
    expect((await answering.done).code).toBe(0);
  });
});

describe('a 3xx to the INVITE (sofia_handle_sip_r_invite: redirects are followed by default)', () => {
  it('sends the INVITE again to the Contact of a 302, and the call is the new target’s', async () => {
    const [redirectPort, targetPort] = [await freeUdpPort(), await freeUdpPort()];
    const target = await startSipp({ scenario: 'uas_answer', localPort: targetPort, traceMessages: true });
    const redirector = await startSipp({ scenario: 'uas_redirect', localPort: redirectPort, vars: { redirect_to: `2000@127.0.0.1:${targetPort}` } });
    const out = await rig.sw.originate(`sofia/internal/1000@127.0.0.1:${redirectPort} &park()`);
    expect(out).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
    const uuid = out.slice(4, -1);
    expect((await redirector.done).code).toBe(0);
    expect(await rig.sw.api(`uuid_getvar ${uuid} sip_redirected_to`)).toBe(`sip:2000@127.0.0.1:${targetPort}`);
    expect(await rig.sw.api(`uuid_kill ${uuid}`)).toBe('+OK\n');
    const r = await target.done;
    expect(r.code, r.output + r.errors).toBe(0);
    expect(r.messages.find((m) => m.includes('INVITE sip:'))).toContain(`INVITE sip:2000@127.0.0.1:${targetPort} SIP/2.0`);
    const hangup = await rig.waitFor(hangupOf(uuid));
    expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('send_bye');
  });

  it('with outbound_redirect_fatal=true fails the call REQUESTED_CHAN_UNAVAIL, the Contact in sip_redirect_contact_0', async () => {
    const port = await freeUdpPort();
    const redirector = await startSipp({ scenario: 'uas_redirect', localPort: port, vars: { redirect_to: '2000@192.0.2.1:5999;transport=udp' } });
    expect(await rig.sw.originate(`{outbound_redirect_fatal=true}sofia/internal/1000@127.0.0.1:${port} &park()`)).toBe(
      '-ERR REQUESTED_CHAN_UNAVAIL\n',
    );
    expect((await redirector.done).code).toBe(0);
    const hangup = rig.events.filter((e) => e.type === 'CHANNEL_HANGUP_COMPLETE').at(-1);
    expect(hangup?.getHeader('variable_sip_redirect_contact_0')).toBe('<sip:2000@192.0.2.1:5999;transport=udp>');
    expect(hangup?.getHeader('variable_sip_redirected_to')).toBe('<sip:2000@192.0.2.1:5999;transport=udp>');
    expect(hangup?.getHeader('variable_sip_redirect_contact_user_0')).toBe('2000');
    expect(hangup?.getHeader('variable_sip_redirect_contact_host_0')).toBe('192.0.2.1');
    expect(hangup?.getHeader('variable_sip_redirect_contact_params_0')).toBe('transport=udp');
    expect(hangup?.getHeader('variable_proto_specific_hangup_cause')).toBe('sip:302');
  });

  it('a bridged leg redirected to the switch itself: the caller is transferred to the Contact’s user, the leg ends REDIRECTION_TO_NEW_DESTINATION', async () => {
    const [callerPort, redirectPort] = [await freeUdpPort(), await freeUdpPort()];
    const caller = await startSipp({ scenario: 'uas_answer', localPort: callerPort });
    const redirector = await startSipp({ scenario: 'uas_redirect', localPort: redirectPort, vars: { redirect_to: `2000@127.0.0.1:${rig.port}` } });
    const out = await rig.sw.originate(`sofia/internal/caller@127.0.0.1:${callerPort} &bridge(sofia/internal/1000@127.0.0.1:${redirectPort})`);
    const a = /^\+OK ([0-9a-f-]{36})\n$/.exec(out)?.[1] ?? '';
    expect(a, out).not.toBe('');
    expect((await redirector.done).code).toBe(0);
    const bHangup = await rig.waitFor(
      (e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Other-Leg-Unique-ID') === a && e.getHeader('Unique-ID') !== a,
    );
    expect(bHangup.getHeader('Hangup-Cause')).toBe('REDIRECTION_TO_NEW_DESTINATION');
    // the caller goes on in its dialplan at 2000 (answer, park)
    await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === a && e.getHeader('Application') === 'park');
    expect(await rig.sw.api(`uuid_getvar ${a} sip_redirected_to`)).toBe(`<sip:2000@127.0.0.1:${rig.port}>`);
    expect(await rig.sw.api(`uuid_getvar ${a} sip_redirect_dialstring`)).toBe(`sofia/internal/sip:2000@127.0.0.1:${rig.port}`);
    expect(await rig.sw.api(`uuid_getvar ${a} sip_redirected_by`)).toBe('<sip:1000@127.0.0.1>;reason=unconditional');
    expect(await rig.sw.api(`uuid_kill ${a}`)).toBe('+OK\n');
    expect((await caller.done).code).toBe(0);
  });
});

describe('a 3xx with manual-redirect (sofia_handle_sip_r_invite’s PFLAG_MANUAL_REDIRECT)', () => {
  it('transfers the caller to the Contact’s user in sip_redirect_context, not following the Contact; the leg ends REDIRECTION_TO_NEW_DESTINATION', async () => {
    const manual = await startRig({ manualRedirect: true });
    try {
      const [callerPort, redirectPort] = [await freeUdpPort(), await freeUdpPort()];
      const caller = await startSipp({ scenario: 'uas_answer', localPort: callerPort });
      const redirector = await startSipp({ scenario: 'uas_redirect', localPort: redirectPort, vars: { redirect_to: '2000@192.0.2.1:5999' } });
      const out = await manual.sw.originate(
        `sofia/internal/caller@127.0.0.1:${callerPort} &bridge([sip_redirect_context=default]sofia/internal/1000@127.0.0.1:${redirectPort})`,
      );
      const a = /^\+OK ([0-9a-f-]{36})\n$/.exec(out)?.[1] ?? '';
      expect(a, out).not.toBe('');
      expect((await redirector.done).code).toBe(0);
      const bHangup = await manual.waitFor(
        (e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Other-Leg-Unique-ID') === a && e.getHeader('Unique-ID') !== a,
      );
      expect(bHangup.getHeader('Hangup-Cause')).toBe('REDIRECTION_TO_NEW_DESTINATION');
      await manual.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === a && e.getHeader('Application') === 'park');
      expect(await manual.sw.api(`uuid_getvar ${a} sip_redirect_dialstring`)).toBe('sofia/internal/sip:2000@192.0.2.1:5999');
      expect(await manual.sw.api(`uuid_kill ${a}`)).toBe('+OK\n');
      expect((await caller.done).code).toBe(0);
    } finally {
      await manual.stop();
    }
  });
});
