import { describe, expect, it } from 'vitest';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { aclCheck, parseAclConf, parseXml } from '../src/index.ts';
import { callNull, setup, stopSetup } from './switch_helpers.ts';

const CONF = parseXml(`<configuration name="acl.conf">
  <network-lists>
    <list name="lan" default="allow">
      <node type="deny" cidr="192.168.42.0/24"/>
      <node type="allow" cidr="192.168.42.42/32"/>
    </list>
    <list name="office" default="deny">
      <node type="allow" host="10.1.2.0" mask="255.255.255.0"/>
      <node type="allow" cidr="bogus"/>
    </list>
  </network-lists>
</configuration>`);

describe('ACL lists', () => {
  const { lists, warnings } = parseAclConf(CONF);
  it('lan: the most specific node decides, else the default', () => {
    const lan = lists.get('lan')!;
    expect(aclCheck(lan, '192.168.42.1')).toBe(false);
    expect(aclCheck(lan, '192.168.42.42')).toBe(true);
    expect(aclCheck(lan, '8.8.8.8')).toBe(true);
  });
  it('loopback.auto allows 127/8 only; rfc1918.auto the private ranges', () => {
    const lo = lists.get('loopback.auto')!;
    expect(['127.0.0.1', '127.5.5.5', '10.0.0.1'].map((ip) => aclCheck(lo, ip))).toEqual([true, true, false]);
    const rfc = lists.get('rfc1918.auto')!;
    expect(['10.9.9.9', '172.20.0.1', '192.168.1.1', '8.8.8.8'].map((ip) => aclCheck(rfc, ip))).toEqual([true, true, true, false]);
    expect(aclCheck(lists.get('wan.auto')!, '8.8.8.8')).toBe(true);
    expect(aclCheck(lists.get('wan.auto')!, '10.0.0.1')).toBe(false);
  });
  it('host + mask; a bad node is skipped with a warning', () => {
    const office = lists.get('office')!;
    expect(aclCheck(office, '10.1.2.77')).toBe(true);
    expect(aclCheck(office, '10.1.3.1')).toBe(false);
    expect(office.nodes).toHaveLength(1);
    expect(warnings).toEqual(['Invalid cidr/host in list office (line 9)']);
  });
  it('an IPv4-mapped IPv6 address is checked as IPv4', () => {
    expect(aclCheck(lists.get('loopback.auto')!, '::ffff:127.0.0.1')).toBe(true);
  });
});

describe('switch_check_network_list_ip from the acl API and the check_acl application', () => {
  it('a list name with a `/` is a CIDR, or several separated by commas; any other unknown name allows nothing', async () => {
    const t = await setup();
    expect(await t.sw.api('acl 10.1.2.3 10.0.0.0/8')).toBe('true');
    expect(await t.sw.api('acl 11.1.2.3 10.0.0.0/8')).toBe('false');
    expect(await t.sw.api('acl 192.168.1.9 10.0.0.0/8,192.168.1.0/24')).toBe('true');
    expect(await t.sw.api('acl 192.168.2.9 10.0.0.0/8,192.168.1.0/24')).toBe('false');
    expect(await t.sw.api('acl 10.1.2.3 nosuchlist')).toBe('false');
    expect(await t.sw.api('acl 127.0.0.1 loopback.auto')).toBe('true');
    await stopSetup(t);
  });

  it('check_acl: an address the list allows goes on; one it refuses hangs up CALL_REJECTED, or the cause given', async () => {
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          '1': [['check_acl', '10.1.2.3 10.0.0.0/8'], ['check_acl', '127.0.0.1 loopback.auto USER_BUSY'], ['set', 'passed=yes'], ['park']],
          '2': [['check_acl', '8.8.8.8 10.0.0.0/8,192.168.0.0/16'], ['set', 'passed=yes'], ['park']],
          '3': [['check_acl', '8.8.8.8 rfc1918.auto 17'], ['set', 'passed=yes'], ['park']],
          '4': [['check_acl', '8.8.8.8'], ['check_acl', ''], ['set', 'passed=yes'], ['park']],
        },
      }),
    });
    const hangups = async (dest: string) => {
      const uuid = await callNull(t, dest);
      const passed = await t.sw.api(`uuid_getvar ${uuid} passed`);
      const cause = t.sub
        .take()
        .find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Unique-ID') === uuid)
        ?.getHeader('Hangup-Cause');
      return [passed, cause ?? 'up'];
    };
    expect(await hangups('1')).toEqual(['yes', 'up']);
    expect(await hangups('2')).toEqual(['-ERR No such channel!\n', 'CALL_REJECTED']);
    expect(await hangups('3')).toEqual(['-ERR No such channel!\n', 'USER_BUSY']);
    expect(await hangups('4')).toEqual(['yes', 'up']);
    expect(t.logs).toContain('DEBUG Call failed acl check for ip 8.8.8.8 on list 10.0.0.0/8,192.168.0.0/16');
    await stopSetup(t);
  });
});
