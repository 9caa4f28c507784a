/** sofia.conf as mod_sofia reads it: a profile's gateways with sofia.c's defaults and required params. */
import { describe, expect, it } from 'vitest';
import { parseXml } from '@beamline/switch';
import { SofiaConfigError, profilesFromXml } from '../src/config.ts';

const conf = (gateways: string) =>
  parseXml(
    `<configuration name="sofia.conf"><profiles><profile name="external"><gateways>${gateways}</gateways><settings/></profile></profiles></configuration>`,
  );

describe('gateways in sofia.conf', () => {
  it('fills in what is left out: realm from the proxy (else the name), proxy from the realm, from-user, auth-username, 3600 / 30 s', () => {
    const [p] = profilesFromXml(
      conf(`<gateway name="carrier"><param name="username" value="u1"/><param name="password" value="p1"/><param name="proxy" value="sip.carrier.test:5070"/></gateway>
            <gateway name="plain"><param name="username" value="u2"/><param name="password" value="p2"/><param name="expire-seconds" value="600"/></gateway>`),
    );
    const [carrier, plain] = p?.gateways ?? [];
    expect(carrier).toMatchObject({
      realm: 'sip.carrier.test:5070',
      proxy: 'sip.carrier.test:5070',
      fromUser: 'u1',
      authUsername: 'u1',
      register: true,
      expireSeconds: 3600,
      retrySeconds: 30,
    });
    expect(plain).toMatchObject({ realm: 'plain', proxy: 'plain', fromDomain: 'plain', expireSeconds: 600 });
  });

  it('a registering gateway needs username and password; one that does not register is FreeSWITCH with no password', () => {
    expect(() => profilesFromXml(conf('<gateway name="g"><param name="password" value="p"/></gateway>'))).toThrow(
      new SofiaConfigError('sofia.conf gateway g: username param is REQUIRED'),
    );
    expect(() => profilesFromXml(conf('<gateway name="g"><param name="username" value="u"/></gateway>'))).toThrow(/password param is REQUIRED/);
    const [p] = profilesFromXml(conf('<gateway name="g"><param name="register" value="false"/><param name="proxy" value="10.0.0.9"/></gateway>'));
    expect(p?.gateways[0]).toMatchObject({ username: 'FreeSWITCH', password: '', register: false, proxy: '10.0.0.9' });
    expect(() => profilesFromXml(conf('<gateway><param name="username" value="u"/></gateway>'))).toThrow(/a <gateway> without a name/);
  });

  it('<variables>: a variable without direction is inbound and outbound; inbound / outbound ones only that way; bare <variable>s too', () => {
    const [p] = profilesFromXml(
      conf(`<gateway name="g"><param name="register" value="false"/><variables>
              <variable name="both" value="b"/><variable name="in" value="i" direction="inbound"/><variable name="out" value="o" direction="OUTBOUND"/>
            </variables></gateway>
            <gateway name="h"><param name="register" value="false"/><variable name="bare" value="x"/></gateway>`),
    );
    const [g, h] = p?.gateways ?? [];
    expect([...(g?.variables?.inbound ?? [])]).toEqual([
      ['both', 'b'],
      ['in', 'i'],
    ]);
    expect([...(g?.variables?.outbound ?? [])]).toEqual([
      ['both', 'b'],
      ['out', 'o'],
    ]);
    expect([...(h?.variables?.inbound ?? [])]).toEqual([['bare', 'x']]);
  });
});

describe('TCP keep-alive params', () => {
  const settings = (params: string) =>
    profilesFromXml(
      parseXml(`<configuration name="sofia.conf"><profiles><profile name="p"><settings>${params}</settings></profile></profiles></configuration>`),
    )[0];
  it('tcp-keepalive and tcp-pingpong in ms, off by default; tcp-ping2pong sets the pong wait too, and wins over tcp-pingpong', () => {
    expect(settings('')).toMatchObject({ tcpKeepaliveMs: 0, tcpPingpongMs: 0, socketTcpKeepaliveSeconds: 30 });
    expect(settings('<param name="socket-tcp-keepalive" value="5"/>')).toMatchObject({ socketTcpKeepaliveSeconds: 5 });
    expect(settings('')).toMatchObject({ tcpUnregOnSocketClose: false });
    expect(settings('<param name="tcp-unreg-on-socket-close" value="true"/>')).toMatchObject({ tcpUnregOnSocketClose: true });
    expect(settings('<param name="tcp-keepalive" value="30000"/><param name="tcp-pingpong" value="5000"/>')).toMatchObject({
      tcpKeepaliveMs: 30000,
      tcpPingpongMs: 5000,
    });
    expect(settings('<param name="tcp-pingpong" value="5000"/><param name="tcp-ping2pong" value="7000"/>')).toMatchObject({ tcpPingpongMs: 7000 });
  });
});
