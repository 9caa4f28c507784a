/**
 * The rest of mod_sofia's API (sofia_function, cmd_profile, cmd_xml_status, sofia_count_reg,
 * sofia_username_of, sofia_gateway_data) with the C's texts: phones registering from the tests' own
 * UDP phone, gateways registering with a registrar socket of the test.
 */
import { type Socket, createSocket } from 'node:dgram';
import { Runtime } from '@beamline/core';
import { type SwitchEvent, startSwitch } from '@beamline/switch';
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';
import { SOFIA_USAGE } from '../src/api.ts';
import { PROFILE_DEFAULTS, type ProfileConfig, SofiaConfigError } from '../src/config.ts';
import { Sofia } from '../src/module.ts';
import { responseTo } from '../src/sip/build.ts';
import { type SipRequest, formatMessage, header, parseMessage } from '../src/sip/message.ts';
import { CONF, type Rig, gatewayConfig, startRig } from './helpers.ts';
import { NatPhone } from './nat_phone.ts';

let rig: Rig | undefined;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await rig?.stop();
  rig = undefined;
});

const subclass = (name: string) => (e: SwitchEvent) => e.type === 'CUSTOM' && e.getHeader('Event-Subclass') === name;

async function phone(r: Rig, user: string): Promise<NatPhone> {
  const p = await NatPhone.open(r.port, undefined, user, user === '1001' ? 'secret' : '1234');
  closers.push(() => p.close());
  expect((await p.register()).status).toBe(200);
  return p;
}

/** A registrar socket that answers every REGISTER 200 and keeps them. */
async function registrar(): Promise<{ port: number; registers: SipRequest[]; next: (ms?: number) => Promise<SipRequest> }> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  closers.push(() => socket.close());
  const registers: SipRequest[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (buf, from) => {
    const m = parseMessage(buf);
    if (m.kind !== 'request') return;
    registers.push(m);
    socket.send(formatMessage(responseTo(m, 200)), from.port, from.address);
    for (const w of waiters.splice(0)) w();
  });
  let seen = 0;
  return {
    port: socket.address().port,
    registers,
    async next(ms = 5000) {
      const end = Date.now() + ms;
      while (registers.length <= seen) {
        if (Date.now() > end) throw new Error('no REGISTER');
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return registers[seen++];
    },
  };
}

describe('sofia', () => {
  it('sofia / sofia help: the usage; an unknown command, a profile command without args, an unknown profile or command: the C’s texts', async () => {
    rig = await startRig();
    expect(await rig.sw.api('sofia')).toBe(SOFIA_USAGE);
    expect(await rig.sw.api('sofia help')).toBe(SOFIA_USAGE);
    expect(SOFIA_USAGE).toContain('                     flush_inbound_reg [<call_id> | <[user]@domain>] [reboot]\n');
    expect(await rig.sw.api('sofia frob')).toBe('Unknown Command [frob]\n');
    expect(await rig.sw.api('sofia profile internal')).toBe('Invalid Args!\n');
    expect(await rig.sw.api('sofia profile nosuch killgw x')).toBe('Invalid Profile [nosuch]');
    expect(await rig.sw.api('sofia profile internal frob')).toBe('-ERR Unknown command!\n');
    expect(await rig.sw.api('sofia profile internal killgw')).toBe('-ERR missing gw name\n');
    expect(await rig.sw.api('sofia profile internal register')).toBe('No gateway name provided!\n');
    expect(await rig.sw.api('sofia profile internal siptrace')).toBe('Usage: sofia profile <name> siptrace <on/off>\n');
    expect(await rig.sw.api('sofia profile internal watchdog on')).toBe('Enabled sip debugging on internal');
    expect(await rig.sw.api('sofia profile internal capture off')).toBe('Disabled sip capturing on internal');
    expect(await rig.sw.api('sofia global siptrace off')).toBe('+OK Global siptrace off');
    expect(await rig.sw.api('sofia global frob')).toBe('-ERR Usage: siptrace <on|off>|capture <on|off>|watchdog <on|off>|debug <sla|presence|none');
    expect(await rig.sw.api('sofia tracelevel debug')).toBe('+OK tracelevel is DEBUG');
    expect(await rig.sw.api('sofia tracelevel console')).toBe('+OK tracelevel is CONSOLE');
    expect(await rig.sw.api('sofia status profile internal')).toContain('Name             \tinternal\n');
  });

  it('siptrace on logs each message received and sent as sofia-sip does; off stops it', async () => {
    rig = await startRig();
    expect(await rig.sw.api('sofia profile internal siptrace on')).toBe('Enabled sip debugging on internal');
    const p = await phone(rig, '1000');
    const recv = rig.logs.find((l) => l.startsWith('CONSOLE recv '));
    expect(recv).toMatch(
      new RegExp(
        `^CONSOLE recv \\d+ bytes from udp/\\[127\\.0\\.0\\.1\\]:${p.port} at \\d\\d:\\d\\d:\\d\\d\\.\\d{6}:\\n-{72}\\nREGISTER sip:beamline.test SIP/2.0\\n`,
      ),
    );
    expect(
      rig.logs.some((l) => new RegExp(`^CONSOLE send \\d+ bytes to udp/\\[127\\.0\\.0\\.1\\]:${p.port} at .*:\\n-{72}\\nSIP/2.0 401 `).test(l)),
    ).toBe(true);
    expect(await rig.sw.api('sofia profile internal siptrace off')).toBe('Disabled sip debugging on internal');
    const before = rig.logs.length;
    expect((await p.register()).status).toBe(200);
    expect(rig.logs.slice(before).some((l) => l.startsWith('CONSOLE '))).toBe(false);
  });
});

describe('registrations', () => {
  it('status profile <p> user <user@host> lists that user’s registrations; xmlstatus profile <p> reg the C’s XML', async () => {
    rig = await startRig();
    const a = await phone(rig, '1000');
    await phone(rig, '1001');
    const one = await rig.sw.api('sofia status profile internal user 1000@beamline.test');
    expect(one.startsWith(`\nRegistrations:\n${'='.repeat(97)}\nCall-ID:    \t${a.callId}\nUser:       \t1000@beamline.test\n`)).toBe(true);
    expect(one).toContain('Total items returned: 1\n');
    expect(await rig.sw.api('sofia status profile internal user @beamline.test')).toContain('Total items returned: 2\n');
    expect(await rig.sw.api(`sofia status profile internal reg ${a.port}`)).toContain('Total items returned: 1\n');
    const xml = await rig.sw.api('sofia xmlstatus profile internal reg');
    expect(xml.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>\n<profile>\n  <registrations>\n    <registration>\n')).toBe(true);
    expect(xml).toContain(
      `        <call-id>${a.callId}</call-id>\n        <user>1000@beamline.test</user>\n        <contact>&lt;sip:1000@127.0.0.1:${a.port}&gt;</contact>\n`,
    );
    expect(xml).toContain('        <sip-auth-user>1000</sip-auth-user>\n');
    expect(xml.endsWith('    </registration>\n  </registrations>\n</profile>\n')).toBe(true);
    const info = await rig.sw.api('sofia xmlstatus profile internal');
    expect(info).toContain(`  <profile-info>\n    <name>internal</name>\n    <domain-name>N/A</domain-name>\n`);
    expect(info).toContain('    <registrations>2</registrations>\n  </profile-info>\n</profile>\n');
    expect(await rig.sw.api('sofia xmlstatus profile nosuch')).toBe('Invalid Profile!\n');
    const top = await rig.sw.api('sofia xmlstatus');
    expect(top).toBe(
      `<?xml version="1.0" encoding="ISO-8859-1"?>\n<profiles>\n<profile>\n<name>internal</name>\n<type>profile</type>\n<data>sip:mod_sofia@127.0.0.1:${rig.port}</data>\n<state>RUNNING (0)</state>\n</profile>\n</profiles>\n`,
    );
  });

  it('sofia_count_reg, sofia_username_of, sofia_presence_data: by profile/user@domain; an unknown profile or domain: -1 and empty', async () => {
    rig = await startRig();
    const a = await phone(rig, '1000');
    await phone(rig, '1001');
    expect(await rig.sw.api('sofia_count_reg internal/1000@beamline.test')).toBe('1');
    expect(await rig.sw.api('sofia_count_reg internal/@beamline.test')).toBe('2');
    expect(await rig.sw.api('sofia_count_reg internal/1002@beamline.test')).toBe('0');
    // a domain without a dot is taken as the profile's name
    expect(await rig.sw.api('sofia_count_reg 1000@internal')).toBe('0');
    expect(await rig.sw.api('sofia_count_reg 1000@beamline.test')).toBe('-1');
    expect(await rig.sw.api('sofia_count_reg')).toBe('');
    expect(await rig.sw.api('sofia_username_of internal/1001@beamline.test')).toBe('1001');
    expect(await rig.sw.api('sofia_username_of internal/1002@beamline.test')).toBe('');
    expect(await rig.sw.api('sofia_username_of 1001@beamline.test')).toBe('');

    // sofia_presence_data: no PUBLISHed presence is kept, so status and rpid are `unknown`
    expect(await rig.sw.api('sofia_presence_data list internal/1000@beamline.test')).toBe(
      `status|rpid|user_agent|network_ip|network_port\nunknown|unknown|beamline-nat-test|127.0.0.1|${a.port}\n+OK\n`,
    );
    expect(await rig.sw.api('sofia_presence_data user_agent internal/1000@beamline.test')).toBe('beamline-nat-test');
    expect(await rig.sw.api('sofia_presence_data status */1001@beamline.test')).toBe('unknown');
    expect(await rig.sw.api('sofia_presence_data list internal/1002@beamline.test')).toBe('+OK\n');
    expect(await rig.sw.api('sofia_presence_data list internal/1000@other.test')).toBe('+OK\n');
    expect(await rig.sw.api('sofia_presence_data list')).toBe('');
  });

  it('check_sync <user@host> sends the NOTIFY check-sync and keeps the registration; flush_inbound_reg … reboot sends it and expires it', async () => {
    rig = await startRig();
    const a = await phone(rig, '1000');
    const b = await phone(rig, '1001');
    expect(await rig.sw.api('sofia profile internal check_sync 1000@beamline.test')).toBe(
      '+OK syncing all registrations matching specified call_id\n',
    );
    const notify = await a.request('NOTIFY');
    expect(notify.uri).toBe(`sip:1000@127.0.0.1:${a.port}`);
    expect([header(notify, 'event'), header(notify, 'call-id'), header(notify, 'subscription-state')]).toEqual([
      'check-sync',
      a.callId,
      'terminated;reason=noresource',
    ]);
    expect(header(notify, 'content-type')).toBe('application/simple-message-summary');
    expect(header(notify, 'to')).toBe('<sip:1000@beamline.test>');
    expect(await rig.sw.api('sofia_count_reg internal/1000@beamline.test')).toBe('1');

    expect(await rig.sw.api(`sofia profile internal flush_inbound_reg ${a.callId} reboot`)).toBe(
      '+OK rebooting all registrations matching specified call_id\n',
    );
    expect(header(await a.request('NOTIFY'), 'event')).toBe('check-sync');
    const expired = await rig.waitFor(subclass('sofia::expire'));
    expect([expired.getHeader('call-id'), expired.getHeader('user'), expired.getHeader('profile-name')]).toEqual([a.callId, '1000', 'internal']);
    const presence = await rig.waitFor((e) => e.type === 'PRESENCE_IN' && e.getHeader('status') === 'Unregistered');
    expect([presence.getHeader('from'), presence.getHeader('rpid'), presence.getHeader('login')]).toEqual([
      '1000@beamline.test',
      'away',
      `sip:mod_sofia@127.0.0.1:${rig.port}`,
    ]);
    expect(await rig.sw.api('sofia_count_reg internal/1000@beamline.test')).toBe('0');
    expect(await rig.sw.api('sofia_contact 1000@beamline.test')).toBe('error/user_not_registered');
    expect(await rig.sw.api('sofia_count_reg internal/1001@beamline.test')).toBe('1');

    expect(await rig.sw.api('sofia profile internal flush_inbound_reg')).toBe('+OK flushing all registrations\n');
    expect(await rig.sw.api('sofia_count_reg internal/@beamline.test')).toBe('0');
    await expect(b.take((m) => m.kind === 'request', 500)).rejects.toThrow('no matching SIP message');
  }, 15_000);

  it('check_sync without a user flushes every registration, with no NOTIFY', async () => {
    rig = await startRig();
    const a = await phone(rig, '1000');
    expect(await rig.sw.api('sofia profile internal check_sync')).toBe('+OK syncing all registrations\n');
    expect((await rig.waitFor(subclass('sofia::expire'))).getHeader('call-id')).toBe(a.callId);
    expect(await rig.sw.api('sofia_count_reg internal/1000@beamline.test')).toBe('0');
    await expect(a.take((m) => m.kind === 'request', 500)).rejects.toThrow('no matching SIP message');
  });
});

describe('gateways', () => {
  it('gwlist, register / unregister (REGISTER with Expires 0, then DOWN), NOREG refusals, sofia_gateway_data, xmlstatus gateway', async () => {
    const reg = await registrar();
    const variables = {
      inbound: new Map([['in_only', 'i']]),
      outbound: new Map([
        ['out_only', 'o'],
        ['both', 'ob'],
      ]),
    };
    rig = await startRig({
      gateways: [gatewayConfig('gw_a', reg.port), gatewayConfig('gw_n', 9, { register: false, variables })],
    });
    expect(header(await reg.next(), 'expires')).toBe('60');
    await rig.waitFor((e) => subclass('sofia::gateway_state')(e) && e.getHeader('State') === 'REGED');
    expect(await rig.sw.api('sofia profile internal gwlist up')).toBe('gw_a gw_n ');
    expect(await rig.sw.api('sofia profile internal gwlist down')).toBe('');
    expect(await rig.sw.api('sofia profile internal register gw_n')).toBe("-ERR NOREG gateway [gw_n] can't be registered!\n");
    expect(await rig.sw.api('sofia profile internal unregister gw_n')).toBe("-ERR NOREG gateway [gw_n] can't be unregistered!\n");
    expect(await rig.sw.api('sofia profile internal register nosuch')).toBe('Invalid gateway!\n');

    expect(await rig.sw.api('sofia profile internal unregister gw_a')).toBe('+OK\n');
    expect(header(await reg.next(), 'expires')).toBe('0');
    await rig.waitFor((e) => subclass('sofia::gateway_state')(e) && e.getHeader('State') === 'DOWN');
    expect(rig.logs).toContain('NOTICE UN-Registering gw_a');
    expect(await rig.sw.api('sofia profile internal register all')).toBe('+OK\n');
    expect(header(await reg.next(), 'expires')).toBe('60');

    expect(await rig.sw.api('sofia_gateway_data gw_n ivar in_only')).toBe('i');
    expect(await rig.sw.api('sofia_gateway_data gw_n ovar in_only')).toBe('');
    expect(await rig.sw.api('sofia_gateway_data gw_n var both')).toBe('ob');
    expect(await rig.sw.api('sofia_gateway_data gw_n var out_only')).toBe('o');
    expect(await rig.sw.api('sofia_gateway_data nosuch var both')).toBe('');
    expect(await rig.sw.api('sofia_gateway_data')).toBe('-ERR Parameter missing\n');

    const xml = await rig.sw.api('sofia xmlstatus gateway gw_n');
    expect(xml.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>\n  <gateway>\n    <name>gw_n</name>\n    <profile>internal</profile>\n')).toBe(
      true,
    );
    expect(xml).toContain('    <from>&lt;sip:bob@sipp.test&gt;</from>\n');
    expect(xml).toContain('    <state>NOREG</state>\n    <status>UP</status>\n');
    expect(xml.endsWith('    <failed-calls-out>0</failed-calls-out>\n  </gateway>\n')).toBe(true);
    expect(await rig.sw.api('sofia xmlstatus gateway nosuch')).toBe('Invalid Gateway!\n');
    const all = await rig.sw.api('sofia xmlstatus gateway');
    expect(all.match(/<gateway>/g)?.length).toBe(2);
    expect(all.endsWith('</gateways>\n')).toBe(true);
  }, 15_000);

  it('killgw unregisters a gateway and drops it (sofia::gateway_delete); an unknown one: -ERR no such gateway', async () => {
    const reg = await registrar();
    rig = await startRig({ gateways: [gatewayConfig('gw_a', reg.port), gatewayConfig('gw_n', 9, { register: false })] });
    await reg.next();
    await rig.waitFor((e) => subclass('sofia::gateway_state')(e) && e.getHeader('State') === 'REGED');
    expect(await rig.sw.api('sofia profile internal killgw nosuch')).toBe('-ERR no such gateway.\n');
    expect(await rig.sw.api('sofia profile internal killgw gw_a')).toBe('+OK gateway marked for deletion.\n');
    expect(header(await reg.next(), 'expires')).toBe('0');
    const gone = await rig.waitFor(subclass('sofia::gateway_delete'));
    expect([gone.getHeader('profile-name'), gone.getHeader('Gateway')]).toEqual(['internal', 'gw_a']);
    expect(await rig.sw.api('sofia status gateway gw_a')).toBe('Invalid Gateway!\n');
    expect(await rig.sw.api('sofia profile internal killgw _all_')).toBe('+OK every gateway marked for deletion.\n');
    await rig.waitFor((e) => subclass('sofia::gateway_delete')(e) && e.getHeader('Gateway') === 'gw_n');
    expect(await rig.sw.api('sofia profile internal gwlist up')).toBe('');
  });
});

describe('profiles', () => {
  it('rescan / startgw add the gateways sofia.conf has now; stop, start and restart the profile process after 10 s up', async () => {
    const rt = new Runtime({ logger: null });
    const sw = await startSwitch(rt, { confDir: CONF, log: (l) => logs.push(`${l.level} ${l.text}`) });
    const port = await freeUdpPort();
    const base: ProfileConfig = { ...PROFILE_DEFAULTS, name: 'internal', sipPort: port };
    let now: ProfileConfig[] = [base];
    let broken = false;
    const logs: string[] = [];
    const sofia = new Sofia(sw, [base], () => {
      if (broken) throw new SofiaConfigError('sofia.conf gateway g: username param is REQUIRED');
      return now;
    });
    await sofia.start(rt);
    closers.push(async () => {
      await sofia.stop(rt);
      await sw.stop();
    });
    const added: string[] = [];
    sw.events.subscribe({
      handler: (e) => void (e.getHeader('Event-Subclass') === 'sofia::gateway_add' && added.push(e.getHeader('Gateway') ?? '')),
    });
    now = [{ ...base, gateways: [gatewayConfig('gw_1', 9, { register: false }), gatewayConfig('gw_2', 9, { register: false })] }];
    expect(await sw.api('sofia profile internal startgw gw_2')).toBe('Reload XML [Success]\n+OK start gateway gw_2 complete\n');
    expect(await sw.api('sofia profile internal startgw gw_2')).toBe('Reload XML [Success]\n-ERR cannot add gateway gw_2 for profile internal\n');
    expect(await sw.api('sofia profile internal rescan')).toBe('Reload XML [Success]\n+OK scan complete\n');
    expect(added).toEqual(['gw_2', 'gw_1']);
    expect(await sw.api('sofia profile internal gwlist up')).toBe('gw_2 gw_1 ');
    // a sofia.conf that no longer reads: logged, the profile kept as it is
    broken = true;
    expect(await sw.api('sofia profile internal rescan')).toBe('Reload XML [Success]\n+OK scan complete\n');
    expect(logs).toContain('ERR sofia: sofia.conf: sofia.conf gateway g: username param is REQUIRED');
    broken = false;

    expect(await sw.api('sofia profile internal restart')).toMatch(
      /^Profile internal must be up for at least 10 seconds to stop\/restart\.\nPlease wait (10|9) seconds\n$/,
    );
    await new Promise((r) => setTimeout(r, 10_100));
    expect(await sw.api('sofia profile internal stop')).toBe('Reload XML [Success]\nstopping: internal');
    expect(sofia.profilePids().has('internal')).toBe(false);
    expect(await sw.api('sofia profile internal gwlist up')).toBe('Invalid Profile [internal]');
    expect(await sw.api('sofia status')).toContain('\n0 profiles 0 aliases\n');
    expect(await sw.api('sofia profile internal start')).toBe('Reload XML [Success]\ninternal started successfully\n');
    const first = sofia.profilePids().get('internal');
    expect(first).toBeDefined();
    // the started profile read its configuration again: both gateways from the start
    expect(await sw.api('sofia profile internal gwlist up')).toBe('gw_1 gw_2 ');
    expect(await sw.api('sofia profile restart all')).toBe('');
    const second = sofia.profilePids().get('internal');
    expect(second).toBeDefined();
    expect(second).not.toEqual(first);
    expect(await sw.api('sofia profile internal stop')).toMatch(
      /^Profile internal must be up for at least 10 seconds to stop\/restart\.\nPlease wait (10|9) seconds\n$/,
    );
  }, 25_000);

  it('start: a running profile is rescanned; one sofia.conf lacks fails', async () => {
    rig = await startRig();
    expect(await rig.sw.api('sofia profile nosuch start')).toBe('Reload XML [Success]\nFailure starting nosuch\n');
    expect(await rig.sw.api('sofia profile internal start')).toBe('Reload XML [Success]\ninternal started successfully\n');
  });
});
