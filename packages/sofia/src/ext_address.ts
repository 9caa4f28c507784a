/**
 * A profile's external addresses (`ext-sip-ip`, `ext-rtp-ip`) and where mod_sofia advertises them:
 * what each value means (sofia.c's profile params), the start-time lookups (`host:`, `stun:`),
 * and the NAT test that picks, per peer, the external or the local address
 * (sofia_glue_check_nat / switch_core_media_check_nat).
 */
import { lookup } from 'node:dns/promises';
import type { Switch } from '@beamline/switch';
import type { ProfileConfig } from './config.ts';
import type { ExternalAddresses } from './ext_config.ts';
import { inNetworkList } from './nat.ts';
import { stunLookup } from './stun.ts';

export const NO_EXTERNAL: ExternalAddresses = { extSipIp: undefined, extRtpIp: undefined, autoNat: false };

type Log = (level: 'ERR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG', text: string) => void;

/** sofia_glue_ext_address_lookup: `host:<name>` resolved, `stun:<server>[:port]` asked, anything else itself; undefined when a lookup fails. */
export async function extAddressLookup(value: string, log: Log, stunTimeoutMs = 500): Promise<string | undefined> {
  if (/^host:/i.test(value)) {
    try {
      return (await lookup(value.slice(5), { family: 4 })).address;
    } catch {
      return undefined;
    }
  }
  if (/^stun:/i.test(value)) {
    const [host, portText] = value.slice(5).split(':');
    const port = Number.parseInt(portText ?? '', 10);
    if (!host) {
      log('ERR', 'STUN Failed! NO STUN SERVER');
      return undefined;
    }
    const found = await stunLookup(host, port > 0 && port < 0xffff ? port : 3478, stunTimeoutMs);
    if (!found) {
      log('ERR', 'STUN Failed! No IP returned');
      return undefined;
    }
    log('DEBUG', `STUN Success [${found.address}]:[${found.port}]`);
    return found.address;
  }
  return value;
}

/**
 * The profile's external addresses from its `ext-sip-ip` / `ext-rtp-ip` as sofia.c reads them:
 * `auto` (and `0.0.0.0`, with a warning) is the switch's guessed address (`local_ip_v4`);
 * `autonat:<ip>` is `<ip>` with auto-nat (and, for ext-rtp-ip, ext-sip-ip too when unset);
 * `auto-nat` asks UPnP / NAT-PMP, which this switch has not, so nothing is set; `host:` / `stun:`
 * are looked up, and a failed ext-sip-ip lookup leaves the guessed address (ERROR
 * `Failed to get external ip.`), as the C does. An empty ext-rtp-ip is an ERROR and no address.
 */
export async function externalAddresses(c: ProfileConfig, guessIp: string, log: Log): Promise<ExternalAddresses> {
  let extSipIp: string | undefined;
  let extRtpIp: string | undefined;
  let autoNat = false;
  const rtp = c.extRtpIp;
  if (rtp !== undefined) {
    if (rtp === '') log('ERR', 'Invalid ext-rtp-ip');
    else if (rtp.toLowerCase() !== 'auto-nat') {
      let ip: string | undefined = guessIp;
      if (rtp === '0.0.0.0') log('WARNING', `Invalid IP 0.0.0.0 replaced with ${guessIp}`);
      else if (rtp.toLowerCase() !== 'auto') ip = rtp;
      if (/^autonat:/i.test(ip)) {
        extRtpIp = ip.slice(8);
        extSipIp = extRtpIp;
        autoNat = true;
      } else if (/^(host|stun):/i.test(ip)) {
        // switch_core_media resolves these for each call; here once, when the profile starts
        extRtpIp = await extAddressLookup(ip, log);
        if (extRtpIp === undefined) log('ERR', `ext-rtp-ip ${ip}: lookup failed; the SDP keeps rtp-ip`);
      } else extRtpIp = ip;
    }
  }
  const sip = c.extSipIp;
  if (sip !== undefined && sip.toLowerCase() !== 'auto-nat') {
    let ip = guessIp;
    if (sip === '0.0.0.0') log('WARNING', `Invalid IP 0.0.0.0 replaced with ${guessIp}`);
    else if (sip.toLowerCase() !== 'auto') {
      const found = await extAddressLookup(sip, log);
      if (found === undefined) log('ERR', 'Failed to get external ip.');
      else {
        ip = found;
        autoNat = false;
      }
    }
    if (/^autonat:/i.test(ip)) {
      extSipIp = ip.slice(8);
      autoNat = true;
    } else extSipIp = ip;
  }
  if (sip?.toLowerCase() === 'auto-nat' || rtp?.toLowerCase() === 'auto-nat')
    log('INFO', `sofia/${c.name}: auto-nat: no UPnP / NAT-PMP here, so no external address`);
  return { extSipIp, extRtpIp, autoNat };
}

/**
 * sofia_glue_check_nat: the profile has an ext-sip-ip and `ip` is neither loopback (the
 * `loopback.auto` list) nor inside `local-network-acl`.
 */
export function checkNat(sw: Switch, c: ProfileConfig, ip: string | undefined): boolean {
  const ext = c.external ?? NO_EXTERNAL;
  if (ext.extSipIp === undefined || !ip) return false;
  if (inNetworkList(sw, 'loopback.auto', ip)) return false;
  return c.localNetworkAcl === undefined || !inNetworkList(sw, c.localNetworkAcl, ip);
}

/** The profile's url host (config_sofia_profile_urls): the external address unless auto-nat. */
export function profileUrlHost(c: ProfileConfig, localIp: string): string {
  const ext = c.external ?? NO_EXTERNAL;
  return ext.extSipIp !== undefined && !ext.autoNat ? ext.extSipIp : localIp;
}

/**
 * The host our Contact and Via name to `peerIp` (sofia_glue_get_profile_url, the user_via of
 * sofia_glue_do_invite): the external address to a peer outside, else the profile's url host.
 */
export function sipHostFor(sw: Switch, c: ProfileConfig, localIp: string, peerIp: string | undefined): string {
  const ext = c.external ?? NO_EXTERNAL;
  return checkNat(sw, c, peerIp) && ext.extSipIp !== undefined ? ext.extSipIp : profileUrlHost(c, localIp);
}

/**
 * The address our SDP's `c=` / `o=` carry to `peerIp` (switch_core_media_choose_port): to a peer
 * outside, ext-rtp-ip (else rtp-ip); inside, rtp-ip.
 */
export function sdpIpFor(sw: Switch, c: ProfileConfig, peerIp: string | undefined): string {
  if (!checkNat(sw, c, peerIp)) return c.rtpIp;
  return c.external?.extRtpIp || c.rtpIp;
}
