/**
 * What `sofia profile <name> …` asks of a running profile (mod_sofia's cmd_profile, run inside the
 * profile's process): flushing registrations (sofia_reg_expire_call_id, sofia_reg_check_expire,
 * sofia_reg_check_sync), the check-sync NOTIFY to phones (sofia_reg_send_reboot), a gateway's
 * register / unregister / delete, new gateways of a re-read sofia.conf, and siptrace.
 */
import type { Switch } from '@beamline/switch';
import type { GatewayConfig, ProfileConfig } from './config.ts';
import { viaHeader } from './dialog.ts';
import { dialTarget } from './endpoint.ts';
import { fireExpire, fireSofiaEvent } from './events.ts';
import type { Gateway } from './gateway.ts';
import { type Registration, type Registrations, dialUri } from './registrations.ts';
import { newTag } from './sip/build.ts';
import type { SipRequest } from './sip/message.ts';
import type { SipTransport } from './transport.ts';

export type ProfileCommand =
  /** flush_inbound_reg: `match` a Call-ID, `user@host` or a host; none: every registration. */
  | { readonly op: 'flushReg'; readonly match?: string; readonly reboot: boolean }
  /** check_sync with a match: NOTIFY check-sync to those; without: every registration flushed. */
  | { readonly op: 'checkSync'; readonly match?: string }
  | { readonly op: 'gatewayCommand'; readonly command: 'register' | 'unregister' | 'kill'; readonly name: string }
  | { readonly op: 'gatewayNames'; readonly up: boolean }
  | { readonly op: 'addGateways'; readonly gateways: readonly GatewayConfig[] }
  | { readonly op: 'siptrace'; readonly on: boolean }
  | { readonly op: 'startedAt' };

/** What a command answers: how many rows it touched, a gateway's state, names, or nothing. */
export type ProfileCommandResult =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly noreg?: boolean;
      readonly names?: readonly string[];
      readonly added?: readonly string[];
      readonly startedAtMs?: number;
    };

/** The parts of a profile a command needs. */
export interface ProfileParts {
  readonly sw: Switch;
  readonly config: ProfileConfig;
  readonly transport: SipTransport;
  readonly registrations: Registrations;
  gateways: Gateway[];
  readonly url: string;
  readonly startedAtMs: number;
  siptrace: boolean;
  /** A new gateway of this profile. */
  readonly newGateway: (config: GatewayConfig) => Gateway;
}

const MATCH_ALL = undefined;

export function isProfileCommand(m: { readonly op: string }): m is ProfileCommand {
  return ['flushReg', 'checkSync', 'gatewayCommand', 'gatewayNames', 'addGateways', 'siptrace', 'startedAt'].includes(m.op);
}

export function runProfileCommand(p: ProfileParts, c: ProfileCommand): ProfileCommandResult {
  switch (c.op) {
    case 'flushReg':
      for (const r of matching(p, c.match)) expire(p, r, c.reboot);
      return { found: true };
    case 'checkSync':
      if (c.match === MATCH_ALL) for (const r of matching(p, MATCH_ALL)) expire(p, r, false);
      else for (const r of matching(p, c.match)) sendReboot(p, r);
      return { found: true };
    case 'gatewayCommand':
      return gatewayCommand(p, c.command, c.name);
    case 'gatewayNames':
      return { found: true, names: p.gateways.filter((g) => g.up === c.up).map((g) => g.config.name) };
    case 'addGateways': {
      const added: string[] = [];
      for (const g of c.gateways) {
        if (p.gateways.some((x) => x.config.name === g.name)) continue;
        p.gateways.push(p.newGateway(g));
        fireSofiaEvent(p.sw, 'sofia::gateway_add', [
          ['profile-name', p.config.name],
          ['Gateway', g.name],
        ]);
        added.push(g.name);
      }
      return { found: true, added };
    }
    case 'siptrace':
      p.siptrace = c.on;
      return { found: true };
    case 'startedAt':
      return { found: true, startedAtMs: p.startedAtMs };
  }
}

/** The registrations a flush or check_sync touches: all; else those with the Call-ID, or of `user@host` (a bare host: all of that host). */
function matching(p: ProfileParts, match: string | undefined): Registration[] {
  const all = p.registrations.all();
  if (match === undefined) return all;
  const at = match.indexOf('@');
  const user = at >= 0 ? match.slice(0, at) : '';
  const host = (at >= 0 ? match.slice(at + 1) : match) || 'none';
  return all.filter((r) => r.callId === match || (user === '' ? r.host === host : r.user === user && r.host === host));
}

/** sofia_reg_del_callback: the NOTIFY when rebooting, `sofia::expire`, PRESENCE_IN `Unregistered`; then the row goes. */
function expire(p: ProfileParts, r: Registration, reboot: boolean): void {
  if (reboot) sendReboot(p, r);
  p.registrations.delete(r.callId);
  p.sw.core.registrations.del(r.user, r.host, r.callId);
  fireExpire(p.sw, p.config.name, r);
  const e = p.sw.core.bus.create('PRESENCE_IN');
  e.addHeader('proto', 'sip');
  e.addHeader('rpid', 'away');
  e.addHeader('login', p.url);
  e.addHeader('user-agent', r.status);
  e.addHeader('from', `${r.user}@${r.host}`);
  e.addHeader('status', 'Unregistered');
  e.addHeader('event_type', 'presence');
  p.sw.core.fire(e);
}

/** sofia_reg_send_reboot's Event and body by the phone's User-Agent. */
export function rebootEvent(userAgent: string, callId: string): { event: string; contentType: string; body: string } {
  const ua = userAgent.toLowerCase();
  const plain = (event: string) => ({ event, contentType: 'application/simple-message-summary', body: '' });
  if (ua.includes('snom') || ua.includes('yealink')) return plain('check-sync;reboot=true');
  if (ua.includes('linksys/spa8000')) return plain('check-sync');
  if (ua.includes('linksys')) return plain('reboot_now');
  if (ua.includes('spa')) return plain('reboot');
  if (ua.includes('cisco-cp7960g') || ua.includes('cisco-cp7940g')) return plain('check-sync');
  if (ua.includes('cisco')) {
    const zero = '{0000000000000000}';
    const body = `action=restart\nRegisterCallId={${callId}}\nConfigVersionStamp=${zero}\nDialplanVersionStamp=${zero}\nSoftkeyVersionStamp=${zero}`;
    return { event: 'service-control', contentType: 'text/plain', body };
  }
  return plain('check-sync');
}

/** sofia_glue_send_notify: an out-of-dialog NOTIFY to the registered contact, on the registration's Call-ID. */
function sendReboot(p: ProfileParts, r: Registration): void {
  let target: ReturnType<typeof dialTarget>;
  try {
    target = dialTarget(dialUri(r));
  } catch {
    return; // a contact we cannot read gets nothing
  }
  const { event, contentType, body } = rebootEvent(r.userAgent, r.callId);
  const id = `<sip:${r.user}@${r.host}>`;
  const local = p.transport.localOn(target.transport);
  const request: SipRequest = {
    kind: 'request',
    method: 'NOTIFY',
    uri: target.requestUri.replace(/;fs_.*$/, ''),
    headers: [
      ['Via', viaHeader(local)],
      ['Max-Forwards', '70'],
      ['From', `${id};tag=${newTag()}`],
      ['To', id],
      ['Call-ID', r.callId],
      ['CSeq', `${Math.floor(Math.random() * 10_000) + 1} NOTIFY`],
      ['Contact', `<${p.url}>`],
      ['User-Agent', p.config.userAgent],
      ['Event', event],
      ['Subscription-State', 'terminated;reason=noresource'],
      ['Content-Type', contentType],
    ],
    body: Buffer.from(body),
  };
  p.transport.send(request, { address: target.host, port: target.port, transport: target.transport });
}

/** register / unregister / killgw on a gateway of this profile. */
function gatewayCommand(p: ProfileParts, command: 'register' | 'unregister' | 'kill', name: string): ProfileCommandResult {
  const all = name.toLowerCase() === (command === 'kill' ? '_all_' : 'all');
  const targets = all ? p.gateways : p.gateways.filter((g) => g.config.name === name && !g.deleted);
  if (targets.length === 0) return { found: all };
  for (const g of targets) {
    if (command === 'kill') g.remove();
    else if (g.state !== 'NOREG') command === 'register' ? g.reregister() : g.unregister();
  }
  return { found: true, noreg: !all && targets[0].state === 'NOREG' };
}
