import { describe, expect, it } from 'vitest';
import { aclCheck, parseAclConf, parseXml } from '../src/index.ts';

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
