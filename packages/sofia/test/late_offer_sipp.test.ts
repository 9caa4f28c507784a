/**
 * Late offer (an INVITE without SDP), with SIPp as the phone, under each `enable-3pcc`: off, the
 * call is refused as mod_sofia refuses it (480, MANDATORY_IE_MISSING); `true` and `proxy`, our 200
 * carries the offer and the ACK the phone's answer, and audio flows (the test owns the phone's RTP
 * socket and hears `echo` send it back); an ACK without an answer, or with one we cannot take, ends
 * the call with a BYE.
 */
import { describe, expect, it } from 'vitest';
import { linearToAlaw } from '@beamline/switch';
import { phoneAudio } from '../../../tools/sipp/audio.ts';
import { type SippResult, type SippRun, runSipp, startSipp } from '../../../tools/sipp/sipp.ts';
import type { ProfileConfig } from '../src/config.ts';
import { type Rig, startRig } from './helpers.ts';

const base = { domain: 'beamline.test', authUser: '1000', password: '1234', traceMessages: true } as const;
const ok = (r: SippResult) => expect(r.code, r.output + r.errors).toBe(0);
const headerOf = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(message)?.[1];
const bodyOf = (message: string) => message.slice(message.indexOf('\r\n\r\n') + 4);
const sent = (r: SippResult, start: string) => r.messages.filter((m) => m.startsWith(start));

async function withRig(enable3pcc: ProfileConfig['enable3pcc'], test: (rig: Rig) => Promise<void>): Promise<void> {
  const rig = await startRig({ enable3pcc });
  try {
    await test(rig);
  } finally {
    await rig.stop();
  }
}

const hangupOf = (rig: Rig, service: string) =>
  rig.waitFor((e) => e.type === 'CHANNEL_HANGUP_COMPLETE' && e.getHeader('Caller-Destination-Number') === service);

/** A tone's 20 ms frames in A-law. */
const frames = (n: number) =>
  Array.from({ length: n }, (_, f) =>
    Uint8Array.from({ length: 160 }, (_, i) => linearToAlaw(Math.round(6000 * Math.sin((2 * Math.PI * 500 * (160 * f + i)) / 8000)))),
  );

/** The phone calls 2005 (answer, echo) with a late offer; the test plays its audio and hears it back. */
async function echoedLateOffer(rig: Rig): Promise<{ readonly result: SippResult; readonly uuid: string }> {
  const audio = await phoneAudio();
  try {
    const phone = await startSipp({
      ...base,
      scenario: 'call_late_offer',
      port: rig.port,
      service: '2005',
      holdMs: 2000,
      audioPort: audio.port,
      audioCodec: 'PCMA',
    });
    const exec = await rig.waitFor((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo');
    const uuid = exec.getHeader('Unique-ID') ?? '';
    const port = Number(await rig.sw.api(`uuid_getvar ${uuid} local_media_port`));
    const tone = frames(10);
    await audio.send(port, 8, tone);
    const end = Date.now() + 3000;
    while (audio.received.length < tone.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(audio.received.map((p) => [...p.payload])).toEqual(tone.map((f) => [...f]));
    expect(audio.received.every((p) => p.pt === 8)).toBe(true);
    const result = await phone.done;
    ok(result);
    return { result, uuid };
  } finally {
    audio.close();
  }
}

/** The 200 answering the INVITE: our offer, every codec we have and telephone-event 101. */
function expectOffer(r: SippResult): void {
  const [twoHundred] = sent(r, 'SIP/2.0 200 OK').filter((m) => headerOf(m, 'CSeq') === '2 INVITE');
  expect(headerOf(twoHundred, 'Content-Type')).toBe('application/sdp');
  const sdp = bodyOf(twoHundred);
  expect(sdp).toMatch(/\r\nm=audio \d+ RTP\/AVP 0 8 101\r\n/);
  for (const line of ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv'])
    expect(sdp).toContain(`\r\n${line}\r\n`);
  expect(sdp).toContain('\r\nc=IN IP4 127.0.0.1\r\n');
}

describe('an INVITE without SDP', () => {
  it('enable-3pcc off (the default): INFO, 480 with Reason MANDATORY_IE_MISSING, as mod_sofia refuses it', async () => {
    await withRig('off', async (rig) => {
      const r = await runSipp({ ...base, scenario: 'call_late_offer_refused', port: rig.port, service: '2005', expect: 480 });
      ok(r);
      const [refusal] = sent(r, 'SIP/2.0 480');
      expect(refusal).toMatch(/^SIP\/2\.0 480 Temporarily Unavailable\r\n/);
      expect(headerOf(refusal, 'Reason')).toBe('Q.850;cause=96;text="MANDATORY_IE_MISSING"');
      expect(rig.logs).toContain('INFO No SDP in INVITE and 3pcc not enabled, hanging up.');
      expect(rig.events.some((e) => e.type === 'CHANNEL_CREATE')).toBe(false);
    });
  });

  it('enable-3pcc=true: the 200 offers at once, the ACK answers, the channel starts answered and echoes the phone', async () => {
    await withRig('true', async (rig) => {
      const { result, uuid } = await echoedLateOffer(rig);
      expectOffer(result);
      // the 200 goes out before any channel: no 180, and the channel is answered before it is routed
      expect(sent(result, 'SIP/2.0 180')).toEqual([]);
      const trace = rig.events.filter((e) => e.getHeader('Unique-ID') === uuid);
      const answer = trace.findIndex((e) => e.type === 'CHANNEL_ANSWER');
      const routing = trace.findIndex((e) => e.type === 'CHANNEL_STATE' && e.getHeader('Channel-State') === 'CS_ROUTING');
      expect(answer).toBeGreaterThan(-1);
      expect(answer).toBeLessThan(routing);
      // answered before CHANNEL_CREATE, so RECEIVED_NOSDP is already ANSWER (switch_channel_perform_mark_answered)
      const hangup = await hangupOf(rig, '2005');
      expect(hangup.getHeader('variable_endpoint_disposition')).toBe('ANSWER');
      expect(hangup.getHeader('variable_rtp_use_codec_name')).toBe('PCMA');
      expect(hangup.getHeader('variable_switch_r_sdp')).toMatch(/^v=0\r\n[\s\S]*m=audio \d+ RTP\/AVP 8 101\r\n/);
      expect(hangup.getHeader('variable_sip_hangup_disposition')).toBe('recv_bye');
    });
  });

  it('enable-3pcc=proxy: routed first, the dialplan’s answer sends the offering 200 and completes at the ACK', async () => {
    await withRig('proxy', async (rig) => {
      const { result, uuid } = await echoedLateOffer(rig);
      expectOffer(result);
      const trace = rig.events.filter((e) => e.getHeader('Unique-ID') === uuid);
      const types = trace.map((e) => e.type);
      expect(types.indexOf('CHANNEL_EXECUTE')).toBeLessThan(types.indexOf('CHANNEL_ANSWER'));
      expect(trace.find((e) => e.type === 'CHANNEL_CREATE')?.getHeader('variable_endpoint_disposition')).toBe('RECEIVED_NOSDP');
      const hangup = await hangupOf(rig, '2005');
      expect(hangup.getHeader('variable_rtp_use_codec_name')).toBe('PCMA');
      expect(hangup.getHeader('variable_remote_media_port')).not.toBeUndefined();
    });
  });

  it('enable-3pcc=proxy: pre-answer has nothing to answer with: WARNING, CODEC NEGOTIATION ERROR, INCOMPATIBLE_DESTINATION', async () => {
    await withRig('proxy', async (rig) => {
      const r = await runSipp({ ...base, scenario: 'call_late_offer_refused', port: rig.port, service: '2014', expect: 488 });
      ok(r);
      const hangup = await hangupOf(rig, '2014');
      expect(hangup.getHeader('Hangup-Cause')).toBe('INCOMPATIBLE_DESTINATION');
      expect(hangup.getHeader('variable_endpoint_disposition')).toBe('CODEC NEGOTIATION ERROR');
      expect(rig.logs).toContain('WARNING CODEC NEGOTIATION ERROR.  SDP:\nNO SDP!\n');
    });
  });

  const unanswered = (rig: Rig, ackBody: string, more: Partial<SippRun> = {}) =>
    runSipp({ ...base, scenario: 'call_late_offer_unanswered', port: rig.port, service: '2005', vars: { ack_body: ackBody }, ...more });
  const G729_ONLY = [
    'Content-Type: application/sdp',
    'Content-Length: [len]',
    '',
    'v=0',
    'o=user1 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 4000 RTP/AVP 18',
    'a=rtpmap:18 G729/8000',
  ].join('\n');

  it('an ACK without the answer: BYE `No answer to offer`, the channel ends MANDATORY_IE_MISSING (sip_term_status 488)', async () => {
    await withRig('proxy', async (rig) => {
      const r = await unanswered(rig, 'Content-Length: 0');
      ok(r);
      const [bye] = sent(r, 'BYE ');
      expect(headerOf(bye, 'Reason')).toBe('SIP;cause=488;text="No answer to offer"');
      const hangup = await hangupOf(rig, '2005');
      expect(hangup.getHeader('Hangup-Cause')).toBe('MANDATORY_IE_MISSING');
      expect(hangup.getHeader('variable_sip_term_status')).toBe('488');
      expect(rig.events.some((e) => e.type === 'CHANNEL_ANSWER')).toBe(false);
    });
  });

  it('an ACK answering with no codec of ours: BYE, the channel ends INCOMPATIBLE_DESTINATION with NO CODECS', async () => {
    await withRig('proxy', async (rig) => {
      const r = await unanswered(rig, G729_ONLY);
      ok(r);
      const [bye] = sent(r, 'BYE ');
      expect(headerOf(bye, 'Reason')).toBe('Q.850;cause=88;text="INCOMPATIBLE_DESTINATION"');
      const hangup = await hangupOf(rig, '2005');
      expect(hangup.getHeader('Hangup-Cause')).toBe('INCOMPATIBLE_DESTINATION');
      expect(hangup.getHeader('variable_endpoint_disposition')).toBe('NO CODECS');
    });
  });

  it('enable-3pcc=true and an ACK without the answer: BYE, and no channel was ever started', async () => {
    await withRig('true', async (rig) => {
      const r = await unanswered(rig, 'Content-Length: 0');
      ok(r);
      expect(headerOf(sent(r, 'BYE ')[0], 'Reason')).toBe('SIP;cause=488;text="No answer to offer"');
      expect(rig.events.some((e) => e.type === 'CHANNEL_CREATE')).toBe(false);
    });
  });
});
