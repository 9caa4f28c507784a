/**
 * SIP MESSAGE, mod_sofia's chat (sofia_presence.c): a MESSAGE from a phone is authenticated
 * (`auth-messages`), answered 202 (200 under `messages-respond-200-ok`) and handed to the core's
 * chat delivery as a MESSAGE event; the `sip` chat interface (sofia_presence_chat_send) sends a
 * MESSAGE to where the `to` user registered and, asked to block, waits for its final answer.
 */
import { randomUUID } from 'node:crypto';
import type { Switch, SwitchEvent } from '@beamline/switch';
import { type AuthEnv, authenticate } from './auth.ts';
import type { ProfileConfig } from './config.ts';
import { viaHeader } from './dialog.ts';
import type { Registration, Registrations } from './registrations.ts';
import { parseNameAddr } from './sip/address.ts';
import { responseTo } from './sip/build.ts';
import { type SipRequest, type SipResponse, header } from './sip/message.ts';
import type { Address, SipTransport, SipTransportName } from './transport.ts';

/** How long a blocking send waits for the MESSAGE's final answer (sofia_presence_chat_send: 200 × 100 ms). */
const BLOCKING_WAIT_MS = 20_000;

export class SipChat {
  readonly #pending = new Map<string, (status: number) => void>();

  constructor(
    readonly sw: Switch,
    readonly config: ProfileConfig,
    readonly transport: SipTransport,
    readonly registrations: Registrations,
    readonly auth: AuthEnv,
  ) {}

  /** sofia_presence_handle_sip_i_message for a MESSAGE outside any dialog. */
  async request(req: SipRequest, source: Address): Promise<void> {
    if (this.config.enableChat && this.config.authMessages) {
      const a = await authenticate(this.auth, req, source);
      if (!a.ok) {
        this.transport.send(responseTo(req, a.status, { headers: a.headers }), source);
        return;
      }
    }
    if (this.config.enableChat && header(req, 'x-fs-sending-message') !== this.sw.core.identity.coreUuid) {
      const event = messageEvent(this.sw, this.config, req, source);
      if (event) this.sw.chat.queue(event, event.getHeader('to_proto'));
    } else if (this.config.enableChat) {
      this.transport.send(responseTo(req, 503), source);
      return;
    }
    this.transport.send(responseTo(req, this.config.messagesRespond200Ok ? 200 : 202), source);
  }

  /** The final answer to a MESSAGE this profile sent; false when it is not one. */
  response(res: SipResponse): boolean {
    const waiting = this.#pending.get(header(res, 'call-id') ?? '');
    if (!waiting) return false;
    if (res.status >= 200) waiting(res.status);
    return true;
  }

  /** This profile's registrations of `user@host` (any host when `host` is ours or empty). */
  contacts(user: string, host: string): Registration[] {
    return this.registrations.find(user, host);
  }

  /**
   * sofia_presence_chat_send: a MESSAGE to each registration of the event's `to`; true when one
   * went out (blocking: when every one was answered 2xx).
   */
  async send(e: SwitchEvent, targets: readonly Registration[], toUser: string, toHost: string): Promise<boolean> {
    const proto = e.getHeader('proto') ?? 'global';
    const fromText = e.getHeader('from') ?? '';
    // a relayed phone's MESSAGE keeps its From (a new tag: this is a new request)
    const from =
      proto.toLowerCase() === 'sip'
        ? (e.getHeader('from_full') ?? `<sip:${fromText}>`).replace(/;\s*tag=[^;]*/i, '')
        : globalFrom(e, fromText, toHost, proto);
    const blocking = e.getHeader('blocking') === 'true';
    let ok = targets.length > 0;
    for (const r of targets) {
      const status = await this.#message(r, from, `<sip:${toUser}@${toHost}>`, e, blocking);
      if (blocking && !(status >= 200 && status < 300)) ok = false;
      if (blocking) e.addHeader('Delivery-Result-Code', String(status));
    }
    return ok;
  }

  #message(r: Registration, from: string, to: string, e: SwitchEvent, blocking: boolean): Promise<number> {
    const transport: SipTransportName = /\(TLS/.test(r.status) ? 'tls' : /\(TCP/.test(r.status) ? 'tcp' : 'udp';
    const dest: Address = { address: r.networkIp, port: r.networkPort, transport };
    const local = this.transport.localOn(transport);
    const callId = randomUUID();
    const extra: [string, string][] = [];
    for (const h of e.headers) if (/^sip_h_/i.test(h.name)) extra.push([h.name.slice(6), h.value]);
    this.transport.send(
      {
        kind: 'request',
        method: 'MESSAGE',
        uri: r.contactUri,
        headers: [
          ['Via', viaHeader(local)],
          ['Max-Forwards', '70'],
          ['From', `${from};tag=${randomUUID().slice(0, 8)}`],
          ['To', to],
          ['Call-ID', callId],
          ['CSeq', '1 MESSAGE'],
          ['User-Agent', this.config.userAgent],
          ['Content-Type', e.getHeader('type') || 'text/html'],
          ['X-FS-Sending-Message', this.sw.core.identity.coreUuid],
          ...extra,
        ],
        body: Buffer.from(e.body ?? ''),
      },
      dest,
    );
    if (!blocking) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(0), BLOCKING_WAIT_MS);
      const done = (status: number) => {
        clearTimeout(timer);
        this.#pending.delete(callId);
        resolve(status);
      };
      this.#pending.set(callId, done);
    });
  }
}

/** The MESSAGE event a phone's MESSAGE makes (sofia_presence_handle_sip_i_message), or none (a composing indication, no To user). */
export function messageEvent(sw: Switch, config: ProfileConfig, req: SipRequest, source: Address): SwitchEvent | undefined {
  const type = header(req, 'content-type');
  if (type?.split(';')[0]?.split('/')[1]?.includes('composing')) return undefined;
  let from: ReturnType<typeof parseNameAddr>;
  let to: ReturnType<typeof parseNameAddr>;
  try {
    from = parseNameAddr(header(req, 'from') ?? '');
    to = parseNameAddr(header(req, 'to') ?? '');
  } catch {
    return undefined;
  }
  const toUser = to.uri.user;
  if (!toUser) return undefined;
  // `<proto>+<user>[+<host>]@…` addresses another chat protocol
  const plus = toUser.indexOf('+');
  const toProto = plus > 0 ? toUser.slice(0, plus) : 'sip';
  const toAddr = plus > 0 ? toUser.slice(plus + 1).replace('+', '@') : `${toUser}@${to.uri.host}`;
  const e = sw.core.bus.create('MESSAGE');
  const add = (n: string, v: string | undefined) => e.addHeader(n, v);
  add('login', `sip:mod_sofia@${config.sipIp}:${config.sipPort}`);
  add('proto', 'sip');
  add('to_proto', toProto);
  add('from', `${from.uri.user ?? ''}@${from.uri.host}`);
  add('from_user', from.uri.user);
  add('from_host', from.uri.host);
  add('to_user', toUser);
  add('to_host', to.uri.host);
  add('from_sip_ip', source.address);
  add('from_sip_port', String(source.port));
  add('to', toAddr);
  add('subject', 'SIMPLE MESSAGE');
  add('context', config.context);
  add('type', type ? type.split(';')[0]?.trim() : 'text/plain');
  add('from_full', header(req, 'from'));
  add('sip_profile', config.name);
  add('sip_call_info', header(req, 'call-info'));
  for (const [name, value] of req.headers) {
    if (value !== '' && /^(x-|p-)/i.test(name)) add(`sip_h_${name}`, value);
  }
  if (req.body.length > 0) e.body = req.body.toString('utf8');
  return e;
}

/** What receiveDialogMessage needs of a call. */
export interface ChatCall {
  readonly sw: Switch;
  readonly profile: ProfileConfig;
  readonly peer: Address;
  readonly channelUuid: string | undefined;
  send(m: SipResponse): void;
}

/**
 * A MESSAGE inside a call's dialog: 202 (or 200), and the same MESSAGE event for the core's chat
 * delivery, naming the call's channel (Unique-ID), as switch_channel_event_set_data does.
 */
export function receiveDialogMessage(call: ChatCall, req: SipRequest, toTag: string | undefined): void {
  const tag = toTag === undefined ? {} : { toTag };
  if (call.profile.enableChat) {
    const event = messageEvent(call.sw, call.profile, req, call.peer);
    if (event) {
      if (call.channelUuid) event.addHeader('Unique-ID', call.channelUuid);
      call.sw.chat.queue(event, event.getHeader('to_proto'));
    }
  }
  call.send(responseTo(req, call.profile.messagesRespond200Ok ? 200 : 202, tag));
}

/** The From of a message from another protocol: `"<user>" <sip:[<proto>+]<user>@<host>>`. */
function globalFrom(e: SwitchEvent, from: string, host: string, proto: string): string {
  const at = from.indexOf('@');
  const user = at < 0 ? from : from.slice(0, at);
  const domain = at < 0 || at === from.length - 1 ? host : from.slice(at + 1);
  const fromProto = e.getHeader('from_proto');
  const prefix = proto.toLowerCase().includes('global')
    ? !fromProto || fromProto.toLowerCase() === 'sip'
      ? ''
      : `${fromProto}+`
    : `${fromProto ?? proto}+`;
  return `"${user}" <sip:${prefix}${user}@${domain}>`;
}

const chatsOf = new WeakMap<Switch, Map<string, SipChat>>();

/**
 * Puts a profile's chat under the module's `sip` chat interface (added with the first profile);
 * returns its removal.
 */
export function addProfileChat(chat: SipChat): () => void {
  let chats = chatsOf.get(chat.sw);
  if (!chats) {
    const all = new Map<string, SipChat>();
    chats = all;
    chatsOf.set(chat.sw, all);
    chat.sw.chat.add('sip', { send: (e) => chatSend(all, e) });
  }
  chats.set(chat.config.name, chat);
  const mine = chats;
  return () => {
    if (mine.get(chat.config.name) === chat) mine.delete(chat.config.name);
  };
}

/**
 * The `sip` interface's chat_send: `to` is `[<profile>/]<user>[@<host>]`; the profile is the one
 * named, else `sip_profile`, else the one whose name or address is the host, else one the user
 * registered with at that host; the user's registrations there are the targets.
 */
async function chatSend(chats: ReadonlyMap<string, SipChat>, e: SwitchEvent): Promise<boolean> {
  const to = e.getHeader('to');
  if (!to || e.getHeader('from') === undefined) return false;
  const slash = to.indexOf('/');
  const named = slash < 0 ? e.getHeader('sip_profile') : to.slice(0, slash);
  const address = slash < 0 ? to : to.slice(slash + 1);
  const bare = address.replace(/^sips?:/i, '');
  const at = bare.indexOf('@');
  const user = at < 0 ? bare : bare.slice(0, at);
  const host = at < 0 ? '' : bare.slice(at + 1);
  const profile =
    (named ? chats.get(named) : undefined) ??
    [...chats.values()].find((c) => c.config.name === host || c.config.sipIp === host) ??
    // a domain of the directory: the profile the user registered with
    [...chats.values()].find((c) => c.contacts(user, host).length > 0);
  if (!profile) {
    e.addHeader('Chat-Error', `Invalid Profile ${named ?? host}`);
    return false;
  }
  const h = host || profile.config.sipIp;
  return profile.send(e, profile.contacts(user, h), user, h);
}
