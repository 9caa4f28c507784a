/**
 * A profile's SIP transports: its UDP socket and, on the same address and port, its TCP listener;
 * with `tls`, a TLS listener on `tls-sip-port` (`tls-only`: that one alone). TCP and TLS
 * connections are tcp_transport.ts's. The profile process gets every datagram and every stream
 * message as a message; its calls send through this object (like the switch's event bus: a send is
 * one synchronous step), over the transport the peer's address names (a TCP or TLS peer with no
 * connection gets one).
 */
import { type Socket, createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { type SipMessage, type SipRequest, formatMessage } from './sip/message.ts';
import { SipStreams, type StreamSockets, TCP_SOCKETS, type TcpLimits } from './tcp_transport.ts';

export type SipTransportName = 'udp' | 'tcp' | 'tls';

export interface Address {
  readonly address: string;
  readonly port: number;
  /** How to reach it: UDP unless it is a TCP or TLS connection's far end. */
  readonly transport?: SipTransportName;
}

/** Via's transport token for a peer (`UDP`, `TCP`, `TLS`). */
export const viaTransport = (a: Address) => (a.transport ?? 'udp').toUpperCase();

export interface BindOptions {
  readonly ip: string;
  /** UDP's and TCP's port (0: any free port). */
  readonly port: number;
  /** The TLS listener's port and sockets (tls_transport.ts), when the profile has TLS. */
  readonly tls?: { readonly port: number; readonly sockets: StreamSockets } | undefined;
  /** `tls-only`: no UDP socket, no TCP listener. */
  readonly tlsOnly?: boolean;
  readonly limits: TcpLimits;
  readonly onMessage: (data: Buffer, from: Address) => void;
  /**
   * A request (not an ACK) that could not go out over TCP or TLS: no connection to `to` could be
   * opened, or its peer was refused. sofia-sip's outgoing_tport_error then answers the transaction
   * itself with a 503.
   */
  readonly onUndelivered: (request: SipRequest, to: Address, why: string, phrase?: string) => void;
  readonly warn: (text: string) => void;
  /** What keeps TLS from listening while UDP and TCP do. */
  readonly error: (text: string) => void;
}

function bindUdp(ip: string, port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, ip, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export class SipTransport {
  sent = 0;
  received = 0;
  #closed = false;
  private constructor(
    private readonly socket: Socket | undefined,
    private readonly streams: SipStreams,
    /** UDP's and TCP's address (the configured one under `tls-only`). */
    readonly local: Address,
    /** The TLS listener's address, when TLS listens. */
    readonly tlsLocal: Address | undefined,
    private readonly warn: (text: string) => void,
    private readonly onUndelivered: BindOptions['onUndelivered'],
  ) {}

  /** Binds UDP on `ip:port` (0: any free port), then TCP on the port UDP got, then TLS on its own. */
  static async bind(o: BindOptions): Promise<SipTransport> {
    let t: SipTransport | undefined;
    const counted = (data: Buffer, from: Address) => {
      if (t) t.received++;
      o.onMessage(data, from);
    };
    const streams = new SipStreams(counted, o.limits, o.warn);
    let socket: Socket | undefined;
    let port = o.port;
    if (!o.tlsOnly) {
      socket = await bindUdp(o.ip, o.port);
      port = socket.address().port;
      try {
        await streams.listen(o.ip, port, TCP_SOCKETS);
      } catch (e) {
        socket.close();
        throw e;
      }
    }
    let tlsLocal: Address | undefined;
    if (o.tls) {
      try {
        tlsLocal = { address: o.ip, port: await streams.listen(o.ip, o.tls.port, o.tls.sockets), transport: 'tls' };
      } catch (e) {
        if (!socket) throw e;
        o.error(`tls ${o.ip}:${o.tls.port}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    t = new SipTransport(socket, streams, { address: o.ip, port }, tlsLocal, o.warn, o.onUndelivered);
    socket?.on('message', (data, rinfo) => counted(data, { address: rinfo.address, port: rinfo.port }));
    socket?.on('error', () => {});
    return t;
  }

  /** Our address on `transport`, as Via and Contact name it (TLS has its own port). */
  localOn(transport: SipTransportName | undefined): Address {
    return transport === 'tls' && this.tlsLocal ? this.tlsLocal : { ...this.local, transport: transport ?? 'udp' };
  }

  get hasTls(): boolean {
    return this.tlsLocal !== undefined;
  }

  /** `siptrace on`: told of each message sent. */
  trace: ((bytes: Buffer, to: Address) => void) | undefined;

  send(m: SipMessage, to: Address): void {
    if (this.#closed) {
      // a call that outlives its killed profile: its message has no socket left to go out on
      this.warn(`the profile's transports are closed: a message for ${to.address}:${to.port} is dropped`);
      return;
    }
    this.sent++;
    const bytes = formatMessage(m);
    this.trace?.(bytes, to);
    const transport = to.transport ?? 'udp';
    if (transport === 'udp') {
      // a host name that does not resolve: sofia-sip's nta answers the request itself, 503 DNS Error
      const lookedUp = m.kind === 'request' && m.method !== 'ACK' && isIP(to.address.replace(/^\[|\]$/g, '')) === 0;
      const failed = (e: Error | null) => {
        if (e && m.kind === 'request') this.onUndelivered(m, to, `${to.address}: ${e.message}`, 'DNS Error');
      };
      if (this.socket) this.socket.send(bytes, to.port, to.address, lookedUp ? failed : undefined);
      else this.warn(`no udp on this profile: a message for ${to.address}:${to.port} is dropped`);
    } else {
      const undelivered = m.kind === 'request' && m.method !== 'ACK' ? (why: string) => this.onUndelivered(m, to, why) : undefined;
      if (!this.streams.send(bytes, { address: to.address, port: to.port, transport }, undelivered)) {
        const why = `no ${transport} connection to ${to.address}:${to.port} may be opened`;
        this.warn(`${why}: a message for it is dropped`);
        undelivered?.(why);
      }
    }
  }

  /** What keeps a TCP or TLS connection open (a registration or a dialog on it), asked before closing one. */
  set inUse(used: (a: Address) => boolean) {
    this.streams.inUse = used;
  }

  /** Told of each TCP or TLS connection that has closed (`tcp-unreg-on-socket-close`). */
  set onClosed(fn: (a: Address) => void) {
    this.streams.closed = fn;
  }

  /** The stream connections' timers: idle ones closed, keep-alive pings sent, unanswered ones closed. */
  tick(nowMs: number): void {
    this.streams.tick(nowMs);
  }

  /** A TCP or TLS peer sent what is not SIP: its connection closes. */
  drop(from: Address, why: string): void {
    if (from.transport === 'tcp' || from.transport === 'tls')
      this.streams.drop({ address: from.address, port: from.port, transport: from.transport }, why);
  }

  /** The plain TCP connections open now. */
  get tcpConnections(): number {
    return this.streams.connections('tcp');
  }

  get tlsConnections(): number {
    return this.streams.connections('tls');
  }

  close(): void {
    this.#closed = true;
    this.streams.close();
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
  }
}
