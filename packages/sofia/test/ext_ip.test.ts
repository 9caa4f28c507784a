/**
 * ext-sip-ip / ext-rtp-ip (sofia.c's params, sofia_glue_check_nat): what `sofia status profile`
 * says, and what a phone sees — the Contact, Via, From and SDP it is sent name the external
 * addresses when it is outside local-network-acl, the local ones (SDP) or the profile's url
 * (Contact) when inside. The phones are on 127.0.0.1, which the C never counts as outside
 * (`loopback.auto`), so the tests serve an acl.conf whose loopback.auto is empty.
 */
import { type Socket, createSocket } from 'node:dgram';
import { parseXml } from '@beamline/switch';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProfileConfig, SofiaConfigError, profilesFromXml } from '../src/config.ts';
import { type SipMessage, type SipRequest, header } from '../src/sip/message.ts';
import { bindingRequest, parseBindingResponse } from '../src/stun.ts';
import { type Rig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
let phone: NatPhone | undefined;
let stun: Socket | undefined;
afterEach(async () => {
  phone?.close();
  stun?.close();
  await rig?.stop();
  rig = undefined;
  phone = undefined;
  stun = undefined;
});

const EXT_SIP = '203.0.113.7';
const EXT_RTP = '203.0.113.8';

/** acl.conf from a binding: loopback.auto empty (so 127.0.0.1 can be outside) and `inside` = 10/8, or `inside` = 127/8. */
async function acls(r: Rig, insideCidr = '10.0.0.0/8'): Promise<void> {
  r.sw.conf.xmlBindings.bind('test', ['configuration'], async () =>
    parseXml(
      `<section name="configuration"><configuration name="acl.conf"><network-lists><list name="loopback.auto" default="deny"/><list name="inside" default="deny"><node type="allow" cidr="${insideCidr}"/></list></network-lists></configuration></section>`,
    ),
  );
  await r.sw.conf.reloadAcl();
}

async function status(r: Rig): Promise<string> {
  return r.sw.api('sofia status profile internal');
}

const sdp = (port: number) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

function ackHeaders(invite: SipRequest, ok: SipMessage): [string, string][] {
  const seq = (header(invite, 'cseq') ?? '1').split(' ')[0];
  return invite.headers
    .filter(([n]) => !/^content-type$/i.test(n))
    .map(([n, v]): [string, string] => (/^cseq$/i.test(n) ? [n, `${seq} ACK`] : /^to$/i.test(n) ? [n, header(ok, 'to') ?? v] : [n, v]));
}

/** A phone calls 9999 (park) with SDP; the 200 and the channel's answer event. */
async function inboundCall(profile: Partial<ProfileConfig>, insideCidr?: string, servedAcls = true) {
  rig = await startRig({ authCalls: false, context: 'default', extSipIp: EXT_SIP, extRtpIp: EXT_RTP, localNetworkAcl: 'inside', ...profile });
  if (servedAcls) await acls(rig, insideCidr);
  phone = await NatPhone.open(rig.port);
  const invite = phone.build('INVITE', `sip:2005@127.0.0.1:${rig.port}`, { to: '<sip:2005@beamline.test>', body: sdp(40000) });
  phone.send(invite);
  const ok = await phone.take((m) => m.kind === 'response' && m.status === 200);
  phone.send({ ...phone.build('ACK', `sip:2005@127.0.0.1:${rig.port}`, { to: header(ok, 'to') }), headers: ackHeaders(invite, ok) });
  const answer = await rig.waitFor((e) => e.type === 'CHANNEL_ANSWER');
  return { ok, answer };
}

describe('sofia status profile', () => {
  it('plain ext-sip-ip / ext-rtp-ip: the Ext- lines, the url on the external address, the bind url with maddr', async () => {
    rig = await startRig({ extSipIp: EXT_SIP, extRtpIp: EXT_RTP });
    const s = await status(rig);
    expect(s).toContain('Auto-NAT         \tfalse\n');
    expect(s).toContain(
      `Challenge Realm  \tauto_to\nRTP-IP           \t127.0.0.1\nExt-RTP-IP       \t${EXT_RTP}\nSIP-IP           \t127.0.0.1\nExt-SIP-IP       \t${EXT_SIP}\n` +
        `URL              \tsip:mod_sofia@${EXT_SIP}:${rig.port}\nBIND-URL         \tsip:mod_sofia@${EXT_SIP}:${rig.port};maddr=127.0.0.1;transport=udp,tcp\n`,
    );
  });

  it('none set: no Ext- lines; `auto` is the guessed address (local_ip_v4); autonat:<ip> sets Auto-NAT and keeps the url local', async () => {
    rig = await startRig();
    expect(await status(rig)).not.toContain('Ext-');
    await rig.stop();
    rig = await startRig({ extSipIp: 'auto', extRtpIp: 'auto' });
    const guess = rig.sw.core.globals.get('local_ip_v4');
    expect(await status(rig)).toContain(`Ext-RTP-IP       \t${guess}\nSIP-IP           \t127.0.0.1\nExt-SIP-IP       \t${guess}\n`);
    await rig.stop();
    rig = await startRig({ extRtpIp: `autonat:${EXT_RTP}` });
    const s = await status(rig);
    expect(s).toContain('Auto-NAT         \ttrue\n');
    // ext-rtp-ip's autonat: sets ext-sip-ip too when it has none
    expect(s).toContain(`Ext-RTP-IP       \t${EXT_RTP}\nSIP-IP           \t127.0.0.1\nExt-SIP-IP       \t${EXT_RTP}\n`);
    expect(s).toContain(
      `URL              \tsip:mod_sofia@127.0.0.1:${rig.port}\nBIND-URL         \tsip:mod_sofia@127.0.0.1:${rig.port};transport=udp,tcp\n`,
    );
  });

  it('stun:<server> asks the server (a fake one on loopback); an empty stun: and auto-nat log and leave what the C leaves', async () => {
    stun = createSocket('udp4');
    await new Promise<void>((r) => stun?.bind(0, '127.0.0.1', r));
    stun.on('message', (m, from) => {
      const res = Buffer.alloc(32);
      res.writeUInt16BE(0x0101, 0);
      res.writeUInt16BE(12, 2);
      m.copy(res, 4, 4, 20);
      res.writeUInt16BE(0x0020, 20); // XOR-MAPPED-ADDRESS
      res.writeUInt16BE(8, 22);
      res.writeUInt16BE(0x0001, 24);
      res.writeUInt16BE(4242 ^ 0x2112, 26);
      res.writeUInt32BE((0xcb007107 ^ 0x2112a442) >>> 0, 28); // 203.0.113.7
      stun?.send(res, from.port, from.address);
    });
    rig = await startRig({ extSipIp: `stun:127.0.0.1:${stun.address().port}` });
    expect(await status(rig)).toContain(`Ext-SIP-IP       \t${EXT_SIP}\n`);
    await rig.stop();
    rig = await startRig({ extSipIp: 'stun:' });
    expect(rig.logs).toContain('ERR STUN Failed! NO STUN SERVER');
    expect(rig.logs).toContain('ERR Failed to get external ip.');
    expect(await status(rig)).toContain(`Ext-SIP-IP       \t${rig.sw.core.globals.get('local_ip_v4')}\n`);
    await rig.stop();
    rig = await startRig({ extSipIp: 'host:localhost' });
    expect(await status(rig)).toContain('Ext-SIP-IP       \t127.0.0.1\n');
    await rig.stop();
    rig = await startRig({ extSipIp: 'auto-nat' });
    expect(await status(rig)).not.toContain('Ext-SIP-IP');
    expect(rig.logs.some((l) => l.includes('auto-nat: no UPnP / NAT-PMP here'))).toBe(true);
  });
});

describe('a phone outside local-network-acl', () => {
  it('an inbound call: the 200’s Contact and SDP name the external addresses; the channel’s variables say so', async () => {
    const { ok, answer } = await inboundCall({});
    expect(header(ok, 'contact')).toBe(`<sip:mod_sofia@${EXT_SIP}:${rig?.port}>`);
    const body = ok.body.toString();
    expect(body).toContain(`c=IN IP4 ${EXT_RTP}`);
    expect(body).toMatch(new RegExp(`o=\\S+ \\d+ \\d+ IN IP4 ${EXT_RTP.replace(/\./g, '\\.')}`));
    expect(answer.getHeader('variable_sip_local_network_addr')).toBe(EXT_SIP);
    expect(answer.getHeader('variable_advertised_media_ip')).toBe(EXT_RTP);
    expect(answer.getHeader('variable_local_media_ip')).toBe('127.0.0.1');
  });

  it('inside local-network-acl: the SDP keeps rtp-ip; the Contact is the profile’s url (external, as ext-sip-ip is not auto-nat)', async () => {
    const { ok, answer } = await inboundCall({}, '127.0.0.0/8');
    expect(ok.body.toString()).toContain('c=IN IP4 127.0.0.1');
    expect(header(ok, 'contact')).toBe(`<sip:mod_sofia@${EXT_SIP}:${rig?.port}>`);
    expect(answer.getHeader('variable_advertised_media_ip')).toBe('127.0.0.1');
  });

  it('loopback (the switch’s own loopback.auto) is never outside, whatever local-network-acl says', async () => {
    const { ok } = await inboundCall({ localNetworkAcl: undefined }, undefined, false);
    expect(ok.body.toString()).toContain('c=IN IP4 127.0.0.1');
  });

  it('with auto-nat (autonat:<ip>), a phone inside gets the local Contact, one outside the external one', async () => {
    const inside = await inboundCall({ extSipIp: `autonat:${EXT_SIP}` }, '127.0.0.0/8');
    expect(header(inside.ok, 'contact')).toBe(`<sip:mod_sofia@127.0.0.1:${rig?.port}>`);
    phone?.close();
    await rig?.stop();
    const outside = await inboundCall({ extSipIp: `autonat:${EXT_SIP}` });
    expect(header(outside.ok, 'contact')).toBe(`<sip:mod_sofia@${EXT_SIP}:${rig?.port}>`);
  });

  it('a call out to it: Via, From, Contact and SDP name the external addresses', async () => {
    rig = await startRig({ extSipIp: EXT_SIP, extRtpIp: EXT_RTP, localNetworkAcl: 'inside' });
    await acls(rig);
    phone = await NatPhone.open(rig.port);
    const out = rig.sw.originate(`sofia/internal/1000@127.0.0.1:${phone.port} &park()`);
    const invite = await phone.request('INVITE');
    expect(header(invite, 'via')).toMatch(new RegExp(`^SIP/2\\.0/UDP ${EXT_SIP.replace(/\./g, '\\.')}:${rig.port};`));
    expect(header(invite, 'contact')).toBe(`<sip:mod_sofia@${EXT_SIP}:${rig.port}>`);
    // sofia_glue_do_invite's From names no port
    expect(header(invite, 'from')).toMatch(new RegExp(`^<sip:0000000000@${EXT_SIP.replace(/\./g, '\\.')}>;tag=`));
    expect(invite.body.toString()).toContain(`c=IN IP4 ${EXT_RTP}`);
    phone.send({
      kind: 'response',
      status: 486,
      reason: 'Busy Here',
      headers: invite.headers
        .filter(([n]) => /^(via|from|to|call-id|cseq)$/i.test(n))
        .map(([n, v]): [string, string] => (/^to$/i.test(n) ? [n, `${v};tag=busy`] : [n, v])),
      body: Buffer.alloc(0),
    });
    expect(await out).toBe('-ERR USER_BUSY\n');
  });
});

describe('stun.ts', () => {
  it('reads XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS, of the response to its own transaction', () => {
    const id = Buffer.alloc(12, 7);
    const req = bindingRequest(id);
    expect(req.readUInt16BE(0)).toBe(1);
    const res = Buffer.alloc(32);
    res.writeUInt16BE(0x0101, 0);
    res.writeUInt16BE(12, 2);
    req.copy(res, 4, 4, 20);
    res.writeUInt16BE(0x0001, 20);
    res.writeUInt16BE(8, 22);
    res.writeUInt16BE(0x0001, 24);
    res.writeUInt16BE(5060, 26);
    res.writeUInt32BE(0x0a000001, 28);
    expect(parseBindingResponse(res, id)).toEqual({ address: '10.0.0.1', port: 5060 });
    expect(parseBindingResponse(res, Buffer.alloc(12, 8))).toBeUndefined();
  });
});

describe('sofia.conf', () => {
  const settings = (params: string) =>
    profilesFromXml(
      parseXml(`<configuration name="sofia.conf"><profiles><profile name="p"><settings>${params}</settings></profile></profiles></configuration>`),
    )[0];
  const param = (name: string, value: string) => `<param name="${name}" value="${value}"/>`;

  it('an empty ext-sip-ip stops the profile (Invalid ext-sip-ip); the ping params as sofia.c reads them', () => {
    expect(() => settings(param('ext-sip-ip', ''))).toThrow(new SofiaConfigError('sofia.conf profile p: Invalid ext-sip-ip'));
    expect(settings('')).toMatchObject({
      natOptionsPing: 'off',
      allRegOptionsPing: false,
      pingMeanInterval: 30,
      pingThreadFrequency: 1,
      timerT1: 500,
    });
    expect(
      settings(
        param('ext-sip-ip', 'host:pbx.example') +
          param('nat-options-ping', 'udp-only') +
          param('all-reg-options-ping', 'true') +
          param('unregister-on-options-fail', 'yes') +
          param('ping-mean-interval', '-4') +
          param('ping-thread-frequency', '5') +
          param('timer-T1', '0'),
      ),
    ).toMatchObject({
      extSipIp: 'host:pbx.example',
      natOptionsPing: 'udp-only',
      allRegOptionsPing: true,
      unregisterOnOptionsFail: true,
      pingMeanInterval: 30,
      pingThreadFrequency: 5,
      timerT1: 500,
    });
    expect(settings(param('nat-options-ping', 'true'))).toMatchObject({ natOptionsPing: 'on' });
  });
});
