/**
 * mod_commands' banner, reg_url, db_cache, pool_stats and memory, with mod_commands.c's replies
 * (switch_core_banner, select_url on the core's registrations table, switch_cache_db_status).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type Setup, callNull as call, setup, stopSetup as stop } from './switch_helpers.ts';

const reg = (user: string, realm: string, token: string, url: string) => ({
  user,
  realm,
  token,
  url,
  expires: 0,
  networkIp: '127.0.0.1',
  networkPort: 5060,
  networkProto: 'udp',
});

describe('core information commands', () => {
  let t: Setup;
  beforeAll(async () => {
    t = await setup({
      dialplan: staticDialplan({
        default: { '100': [['set', 'sip_exclude_contact=10.0.0.2'], ['set', 'dial=${reg_url(1000@example.com)}'], ['park']] },
      }),
    });
    t.sw.core.registrations.multiple = true;
  });
  afterAll(() => stop(t));

  it('banner: switch_core_banner, as it is', async () => {
    const banner = await t.sw.api('banner');
    expect(banner.startsWith('\n.=============================================================.\n|   _____              ______')).toBe(true);
    expect(
      banner.endsWith(
        '|   Brought to you by ClueCon http://www.cluecon.com/         |\n.=============================================================.\n\n',
      ),
    ).toBe(true);
    expect(banner.split('\n')).toHaveLength(16);
  });

  it('reg_url: the urls of the user’s registrations, comma-joined; the realm defaults to the domain; none: error/user_not_registered', async () => {
    expect(await t.sw.api('reg_url 1000@example.com')).toBe('error/user_not_registered');
    expect(await t.sw.api('reg_url')).toBe('');
    t.sw.core.registrations.add(reg('1000', 'example.com', 'c1', 'sofia/internal/sip:1000@10.0.0.1:5060'));
    t.sw.core.registrations.add(reg('1000', 'example.com', 'c2', 'sofia/internal/sip:1000@10.0.0.2:5060'));
    t.sw.core.registrations.add(reg('1000', 'other.com', 'c3', 'sofia/internal/sip:1000@10.0.0.3:5060'));
    expect(await t.sw.api('reg_url 1000@example.com')).toBe('sofia/internal/sip:1000@10.0.0.1:5060,sofia/internal/sip:1000@10.0.0.2:5060');
    // the `/…` part is read and not used
    expect(await t.sw.api('reg_url 1000@other.com/xyz')).toBe('sofia/internal/sip:1000@10.0.0.3:5060');
    await t.sw.api('global_setvar domain=other.com');
    expect(await t.sw.api('reg_url 1000')).toBe('sofia/internal/sip:1000@10.0.0.3:5060');
    // a channel's sip_exclude_contact leaves out the urls containing it
    const uuid = await call(t, '100');
    expect(await t.sw.api(`uuid_getvar ${uuid} dial`)).toBe('sofia/internal/sip:1000@10.0.0.1:5060');
  });

  it('event_channel_broadcast: the argument is the JSON, its eventChannel names the channel', async () => {
    expect(await t.sw.api('event_channel_broadcast {"eventChannel":"conference-liveArray.3000@default","data":{"x":1}}')).toBe('+OK message sent\n');
    expect(await t.sw.api('event_channel_broadcast')).toBe('-ERR parsing channel\n');
    expect(await t.sw.api('event_channel_broadcast chan {"data":1}')).toBe('-ERR parsing json\n');
    expect(await t.sw.api('event_channel_broadcast {"eventChannel":5}')).toBe('');
    expect(t.logs).toContain('ERR NO EVENT CHANNEL SPECIFIED');
  });

  it('db_cache status: no cached handles; anything else: parameter missing', async () => {
    expect(await t.sw.api('db_cache status')).toBe('0 total. 0 in use.\n');
    expect(await t.sw.api('db_cache STATUS')).toBe('0 total. 0 in use.\n');
    expect(await t.sw.api('db_cache')).toBe('parameter missing\n');
    expect(await t.sw.api('db_cache flush')).toBe('parameter missing\n');
  });

  it('pool_stats and memory: what FreeSWITCH answers without pool debugging or mallinfo', async () => {
    expect(await t.sw.api('pool_stats')).toBe('Unable to get core pool statictics. Please rebuild FreeSWITCH with --enable-pool-debug');
    expect(await t.sw.api('memory')).toBe('-ERR Memory usage statistics is not implemented on the current platform.\n');
    expect(await t.sw.api('help banner')).toBe('banner,,Return the system banner,mod_commands\n');
  });
});
