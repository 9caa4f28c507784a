/**
 * What `sofia status profile <name>` and `sofia xmlstatus profile <name>` say of a profile
 * (mod_sofia's cmd_status / cmd_xml_status): the same fields in the same order, as text lines
 * (`<label padded to 17>\t<value>`) or as `<profile-info>` elements. The settings this switch
 * does not read print what FreeSWITCH prints when the param is not set (DECISIONS #387).
 */
import type { ProfileStatus } from './profile.ts';

interface StatusField {
  /** cmd_status' label and cmd_xml_status' element. */
  readonly label: string;
  readonly tag: string;
  readonly value: string | number | boolean;
}

/** sofia.c's defaults for params this switch does not read (a zeroed profile, te 101, cng_pt 13, max_recv_requests_per_second 1000). */
const UNSET = { holdMusic: 'N/A', outboundProxy: 'N/A', codecs: '', telEvent: 101, cng: 13, sessionTimeout: 0, maxDialog: 0, maxRecvRps: 1000 };

function settingFields(p: ProfileStatus): StatusField[] {
  const c = p.config;
  const { extRtpIp, extSipIp, autoNat } = p.external;
  const f = (label: string, tag: string, value: StatusField['value']): StatusField => ({ label, tag, value });
  const fields = [
    f('Name', 'name', p.name),
    f('Domain Name', 'domain-name', 'N/A'),
    f('Auto-NAT', 'auto-nat', autoNat),
    f('DBName', 'db-name', `sofia_reg_${p.name}`),
    f('Pres Hosts', 'pres-hosts', c.presenceHosts.join(',')),
    f('Dialplan', 'dialplan', c.dialplan),
    f('Context', 'context', c.context),
    f('Challenge Realm', 'challenge-realm', c.challengeRealm === '' ? 'auto_to' : c.challengeRealm),
    f('RTP-IP', 'rtp-ip', p.rtpIp),
  ];
  if (extRtpIp !== undefined) fields.push(f('Ext-RTP-IP', 'ext-rtp-ip', extRtpIp));
  fields.push(f('SIP-IP', 'sip-ip', p.sipIp));
  if (extSipIp !== undefined) fields.push(f('Ext-SIP-IP', 'ext-sip-ip', extSipIp));
  if (!p.tlsOnly) fields.push(f('URL', 'url', p.url), f('BIND-URL', 'bind-url', p.bindUrl));
  if (p.tlsUrl) fields.push(f('TLS-URL', 'tls-url', p.tlsUrl), f('TLS-BIND-URL', 'tls-bind-url', p.tlsBindUrl ?? ''));
  fields.push(
    f('HOLD-MUSIC', 'hold-music', UNSET.holdMusic),
    f('OUTBOUND-PROXY', 'outbound-proxy', UNSET.outboundProxy),
    f('CODECS IN', 'inbound-codecs', UNSET.codecs),
    f('CODECS OUT', 'outbound-codecs', UNSET.codecs),
    f('TEL-EVENT', 'tel-event', UNSET.telEvent),
    f('DTMF-MODE', 'dtmf-mode', c.dtmfType),
    f('CNG', 'cng', UNSET.cng),
    f('SESSION-TO', 'session-to', UNSET.sessionTimeout),
    f('MAX-DIALOG', 'max-dialog', UNSET.maxDialog),
    f('MAX-RECV-RPS', 'max-recv-rps', UNSET.maxRecvRps),
    f('NOMEDIA', 'nomedia', false),
    f('LATE-NEG', 'late-neg', false),
    f('PROXY-MEDIA', 'proxy-media', false),
    f('AGGRESSIVENAT', 'aggressive-nat', c.aggressiveNatDetection),
  );
  return fields;
}

const line = (label: string, value: StatusField['value']) => `${label.padEnd(17)}\t${value}\n`;

/** cmd_status' profile lines, Name to REGISTRATIONS (the `=` lines around them are the caller's). */
export function profileStatusText(p: ProfileStatus): string {
  const { ibCalls, ibFailedCalls, obCalls, obFailedCalls } = p.calls;
  return (
    settingFields(p)
      .map((x) => line(x.label, x.value))
      .join('') +
    line('CALLS-IN', ibCalls) +
    line('FAILED-CALLS-IN', ibFailedCalls) +
    line('CALLS-OUT', obCalls) +
    line('FAILED-CALLS-OUT', obFailedCalls) +
    line('REGISTRATIONS', p.registrations.length)
  );
}

const element = (tag: string, value: StatusField['value']) => `    <${tag}>${value}</${tag}>\n`;

/** cmd_xml_status' `<profile-info>` (its calls in the XML's own order: in, out, failed in, failed out). */
export function profileInfoXml(p: ProfileStatus): string {
  const { ibCalls, ibFailedCalls, obCalls, obFailedCalls } = p.calls;
  return (
    '  <profile-info>\n' +
    settingFields(p)
      .map((x) => element(x.tag, x.value))
      .join('') +
    element('calls-in', ibCalls) +
    element('calls-out', obCalls) +
    element('failed-calls-in', ibFailedCalls) +
    element('failed-calls-out', obFailedCalls) +
    element('registrations', p.registrations.length) +
    '  </profile-info>\n'
  );
}
