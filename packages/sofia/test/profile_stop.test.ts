/**
 * A profile that stops takes its calls and gateways with it, in mod_sofia's order
 * (sofia_profile_thread_run): its calls hang up with MANAGER_REQUEST and their phones get the BYE,
 * then its registered gateways send REGISTER with Expires 0, and only then do its transports close.
 * A killed profile runs none of that: its calls see it go and hang up with the same cause, sending
 * nothing on its closed sockets.
 */
import { Supervisor, kill } from '@beamline/core';
import { type Pid, equals } from '@beamline/etf';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { responseTo } from '../src/sip/build.ts';
import { SipTransport } from '../src/transport.ts';
import { type SipMessage, type SipRequest, formatMessage, header } from '../src/sip/message.ts';
import { type Rig, gatewayConfig, startRig, until } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const phones: NatPhone[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const p of phones.splice(0)) p.close();
  await rig?.stop();
  rig = undefined;
});

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

async function openPhone(r: Rig): Promise<NatPhone> {
  const p = await NatPhone.open(r.port);
  phones.push(p);
  return p;
}

function ackHeaders(invite: SipRequest, ok: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(ok, 'to') ?? v] : [n, v]));
}

/** A call from the phone to the echo extension, answered; its channel's uuid. */
async function inboundCall(r: Rig, p: NatPhone): Promise<string> {
  const invite = p.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(p.port + 2) });
  p.send(invite);
  const ok = await p.take((m) => m.kind === 'response' && m.status === 200);
  p.send({ ...p.build('ACK', `sip:2005@127.0.0.1:${r.port}`, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
  const answer = await r.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('variable_sip_call_id') === p.callId);
  return answer.getHeader('Unique-ID') ?? '';
}

/** A call from the switch to the phone, answered by it; its channel's uuid. */
async function outboundCall(r: Rig, p: NatPhone): Promise<string> {
  void r.sw.api(`bgapi originate {origination_uuid=out-1}sofia/internal/1000@127.0.0.1:${p.port} &park`);
  const invite = await p.request('INVITE');
  p.send(responseTo(invite, 200, { toTag: 'phone1', headers: [['Contact', `<${p.contactUri}>`]], body: sdp(p.port + 2) }));
  await p.request('ACK');
  await r.waitFor((e) => e.type === 'CHANNEL_ANSWER' && e.getHeader('Unique-ID') === 'out-1');
  return 'out-1';
}

/** `sofia profile internal <cmd>` as if the profile had been up the 10 s it must be. */
function profileCommand(r: Rig, cmd: 'stop' | 'restart'): Promise<string> {
  const realNow = Date.now;
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 11_000);
  return r.sw.api(`sofia profile internal ${cmd}`);
}

const hangupOf = (r: Rig, uuid: string) => r.waitFor((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === uuid);
const hangupCompleteOf = (r: Rig, uuid: string) => r.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Unique-ID') === uuid);

async function callProcesses(r: Rig): Promise<number> {
  const sup = r.sofia.supervisor;
  if (!sup) throw new Error('no sofia supervisor');
  const calls = (await Supervisor.whichChildren(r.rt, sup)).find((c) => c.id === 'calls')?.pid;
  if (!calls || calls === 'restarting') throw new Error('no calls supervisor');
  return (await Supervisor.whichChildren(r.rt, calls)).length;
}

/** What no call's end may log: a send on a closed socket, or one dropped for it. */
const socketTrouble = (r: Rig) => r.logs.filter((l) => /NOT_RUNNING|transports are closed|Not running/i.test(l));

describe('a profile that stops', () => {
  it('stop: an answered inbound call hangs up MANAGER_REQUEST and its phone gets the BYE, answered, before the profile closes', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await openPhone(r);
    const uuid = await inboundCall(r, p);

    const out = profileCommand(r, 'stop');
    const bye = await p.request('BYE');
    expect(header(bye, 'reason')).toBe('SIP;cause=703;text="MANAGER_REQUEST"');
    // the profile still routes its calls' dialogs: the 200 reaches the call, which then ends
    p.send(responseTo(bye, 200));
    expect(await out).toBe('Reload XML [Success]\nstopping: internal');

    const hangup = await hangupOf(r, uuid);
    expect(hangup.getHeader('Hangup-Cause')).toBe('MANAGER_REQUEST');
    const complete = await hangupCompleteOf(r, uuid);
    expect([complete.getHeader('Hangup-Cause'), complete.getHeader('variable_sip_hangup_disposition')]).toEqual(['MANAGER_REQUEST', 'send_bye']);
    expect(await callProcesses(r)).toBe(0);
    expect(r.sofia.profilePids().has('internal')).toBe(false);
    expect(r.logs.filter((l) => l.includes('still ending'))).toEqual([]);
    expect(socketTrouble(r)).toEqual([]);
  }, 20_000);

  it('restart: an answered outbound call hangs up MANAGER_REQUEST with its BYE; the new profile takes calls on the same port, and unloading ends them the same way', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await openPhone(r);
    const first = r.sofia.profilePids().get('internal');
    const uuid = await outboundCall(r, p);

    const out = profileCommand(r, 'restart');
    const bye = await p.request('BYE');
    expect(header(bye, 'reason')).toBe('SIP;cause=703;text="MANAGER_REQUEST"');
    p.send(responseTo(bye, 200));
    expect(await out).toBe('Reload XML [Success]\nrestarting: internal');
    vi.restoreAllMocks();
    expect((await hangupOf(r, uuid)).getHeader('Hangup-Cause')).toBe('MANAGER_REQUEST');
    await hangupCompleteOf(r, uuid);

    const second = r.sofia.profilePids().get('internal');
    expect(second && String(second) !== String(first)).toBe(true);
    const again = await openPhone(r);
    const next = await inboundCall(r, again);
    expect(next).not.toBe(uuid);

    // the module unloading stops the profile the same way
    rig = undefined;
    const unloaded = r.stop();
    const bye2 = await again.request('BYE');
    expect(header(bye2, 'reason')).toBe('SIP;cause=703;text="MANAGER_REQUEST"');
    again.send(responseTo(bye2, 200));
    await unloaded;
    expect((await hangupOf(r, next)).getHeader('Hangup-Cause')).toBe('MANAGER_REQUEST');
    expect(socketTrouble(r)).toEqual([]);
  }, 20_000);

  it('stop: a registered gateway sends REGISTER with Expires 0 after the calls have ended, goes DOWN and is deleted', async () => {
    const registrar = await NatPhone.open(0);
    phones.push(registrar);
    const r = await startRig({ authCalls: false, context: 'default', gateways: [gatewayConfig('gw1', registrar.port)] });
    rig = r;
    const first = await registrar.request('REGISTER');
    expect(header(first, 'expires')).toBe('60');
    // opened before the profile's port was known: it answers there
    registrar.socket.send(formatMessage(responseTo(first, 200, { toTag: 'reg1' })), r.port, '127.0.0.1');
    await r.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('State') === 'REGED', 5000);

    const p = await openPhone(r);
    const uuid = await inboundCall(r, p);
    const out = profileCommand(r, 'stop');
    const bye = await p.request('BYE');
    // sofia unregisters its gateways only once its calls are gone
    await expect(registrar.take((m) => m.kind === 'request' && header(m, 'expires') === '0', 200)).rejects.toThrow();
    p.send(responseTo(bye, 200));
    const unregister = await registrar.take((m) => m.kind === 'request' && m.method === 'REGISTER');
    expect(header(unregister, 'expires')).toBe('0');
    expect(header(unregister, 'call-id')).toBe(header(first, 'call-id'));
    await out;

    await hangupOf(r, uuid);
    const states = r.events
      .filter((e) => e.getHeader('Event-Subclass') === 'sofia::gateway_state' && e.getHeader('Gateway') === 'gw1')
      .map((e) => e.getHeader('State'));
    expect(states.slice(-1)).toEqual(['DOWN']);
    const deleted = await r.waitFor((e) => e.getHeader('Event-Subclass') === 'sofia::gateway_delete', 1000);
    expect([deleted.getHeader('profile-name'), deleted.getHeader('Gateway')]).toEqual(['internal', 'gw1']);
    expect(socketTrouble(r)).toEqual([]);
  }, 20_000);

  it('stopping: a new INVITE gets 503 Maximum Calls In Progress (Retry-After 300) while the calls end', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const p = await openPhone(r);
    await inboundCall(r, p);
    const out = profileCommand(r, 'stop');
    const bye = await p.request('BYE');
    const late = await openPhone(r);
    late.send(late.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(late.port + 2) }));
    const refused = await late.response(late.callId, 'INVITE');
    expect([refused.status, refused.reason, header(refused, 'retry-after')]).toEqual([503, 'Maximum Calls In Progress', '300']);
    p.send(responseTo(bye, 200));
    await out;
  }, 20_000);
});

describe('a stopped profile stays stopped', () => {
  it("a crash of a sibling before it (sofia's `calls` supervisor, rest_for_one) does not bring it back", async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    expect(await profileCommand(r, 'stop')).toBe('Reload XML [Success]\nstopping: internal');
    const sup = r.sofia.supervisor;
    if (!sup) throw new Error('no sofia supervisor');
    const calls = (await Supervisor.whichChildren(r.rt, sup)).find((c) => c.id === 'calls')?.pid as Pid;
    r.rt.exit(calls, kill);
    await until('calls to be restarted', async () => {
      const again = (await Supervisor.whichChildren(r.rt, sup)).find((c) => c.id === 'calls')?.pid;
      return again !== undefined && again !== 'restarting' && !equals(again, calls) ? true : undefined;
    });
    expect((await Supervisor.whichChildren(r.rt, sup)).map((c) => c.id)).not.toContain('sofia_profile_internal');
    expect(r.sofia.profilePids().has('internal')).toBe(false);
    expect(await r.sw.api('sofia status')).toContain('\n0 profiles 0 aliases\n');
  }, 20_000);
});

describe('fsctl pause inbound', () => {
  it('a new INVITE gets 503 Maximum Calls In Progress (Retry-After 300) at once, with the CRIT line; resume lets it in', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    expect(await r.sw.api('fsctl pause inbound')).toBe('+OK\n');
    const p = await openPhone(r);
    p.send(p.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(p.port + 2) }));
    const refused = await p.response(p.callId, 'INVITE');
    expect([refused.status, refused.reason, header(refused, 'retry-after')]).toEqual([503, 'Maximum Calls In Progress', '300']);
    expect(r.sw.core.sessions.sinceStartup).toBe(0);
    expect(r.logs).toContain('CRIT The system cannot create any inbound sessions at this time.');
    expect(await r.sw.api('fsctl resume inbound')).toBe('+OK\n');
    await inboundCall(r, await openPhone(r));
    expect(r.sw.core.sessions.sinceStartup).toBe(1);
  }, 20_000);
});

describe('session limits at the INVITE', () => {
  it('max-sessions refuses a new INVITE as it arrives, before any challenge: 503 Maximum Calls In Progress', async () => {
    const r = await startRig({ authCalls: true, context: 'default' });
    rig = r;
    // one session left under max-sessions, and it is taken
    expect(await r.sw.api('fsctl max_sessions 1')).toBe('+OK max sessions: 1\n');
    expect(await r.sw.originate('null/1 &park()')).toMatch(/^\+OK /);
    const p = await openPhone(r);
    p.send(p.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(p.port + 2) }));
    const full = await p.response(p.callId, 'INVITE');
    expect([full.status, full.reason, header(full, 'retry-after')]).toEqual([503, 'Maximum Calls In Progress', '300']);
    expect(r.logs).toContain('CRIT Over Session Limit! 1');

    expect(r.sw.core.sessions.sinceStartup).toBe(1);
    // with room again the same INVITE is challenged (the request is made before the challenge)
    expect(await r.sw.api('fsctl max_sessions 10')).toBe('+OK max sessions: 10\n');
    const q = await openPhone(r);
    q.send(q.build('INVITE', `sip:2005@127.0.0.1:${r.port}`, { to: '<sip:2005@beamline.test>', body: sdp(q.port + 2) }));
    expect(await q.take((m) => m.kind === 'response' && m.status >= 200)).toMatchObject({ status: 407 });
  }, 20_000);
});

describe('a killed profile', () => {
  it('its answered calls, inbound and outbound, hang up MANAGER_REQUEST and their processes end, sending (or resending) nothing on the closed socket', async () => {
    const r = await startRig({ authCalls: false, context: 'default' });
    rig = r;
    const inbound = await inboundCall(r, await openPhone(r));
    const outbound = await outboundCall(r, await openPhone(r));
    // a third call hung up already, its BYE resent to a phone that does not answer
    const deaf = await openPhone(r);
    await r.sw.api(`uuid_kill ${await inboundCall(r, deaf)}`);
    await deaf.request('BYE');
    expect(await callProcesses(r)).toBe(3);
    const profile = r.sofia.profilePids().get('internal') as Pid;

    r.rt.exit(profile, kill);
    for (const uuid of [inbound, outbound]) {
      expect((await hangupOf(r, uuid)).getHeader('Hangup-Cause')).toBe('MANAGER_REQUEST');
      await hangupCompleteOf(r, uuid);
    }
    await until('the call processes to end', async () => ((await callProcesses(r)) === 0 ? true : undefined), 3000);
    expect(socketTrouble(r)).toEqual([]);
    expect(r.logs.filter((l) => l.startsWith('ERR'))).toEqual([]);
  }, 20_000);
});

describe('a closed transport', () => {
  it('drops what is sent on it with a warning instead of throwing', async () => {
    const warnings: string[] = [];
    const t = await SipTransport.bind({
      ip: '127.0.0.1',
      port: 0,
      limits: { maxConnections: 10, maxPerAddress: 10, idleMs: 1000 },
      onMessage: () => {},
      onUndelivered: () => {},
      warn: (text) => warnings.push(text),
      error: () => {},
    });
    t.close();
    const phone = await NatPhone.open(t.local.port);
    phones.push(phone);
    expect(() => t.send(phone.build('OPTIONS', 'sip:x@127.0.0.1'), { address: '127.0.0.1', port: phone.port })).not.toThrow();
    expect(warnings).toEqual([`the profile's transports are closed: a message for 127.0.0.1:${phone.port} is dropped`]);
  });
});
