/**
 * A profile's SIP transports: its UDP socket and, on the same address and port, its TCP listener
 * (tcp_transport.ts). The profile process gets every datagram and every TCP message as a message;
 * its calls send through this object (like the switch's event bus: a send is one synchronous
 * step), over the transport the peer's address names (a TCP peer with no connection gets one).
 */
import { type Socket, createSocket } from 'node:dgram';
import { type SipMessage, formatMessage } from './sip/message.ts';
import { SipTcpListener, type TcpLimits } from './tcp_transport.ts';

export type SipTransportName = 'udp' | 'tcp';

export interface Address {
  readonly address: string;
  readonly port: number;
  /** How to reach it: UDP unless it is a TCP connection's far end. */
  readonly transport?: SipTransportName;
}

/** Via's transport token for a peer (`UDP`, `TCP`). */
export const viaTransport = (a: Address) => (a.transport ?? 'udp').toUpperCase();

export class SipTransport {
  sent = 0;
  received = 0;
  private constructor(
    private readonly socket: Socket,
    private readonly tcp: SipTcpListener,
    readonly local: Address,
    private readonly warn: (text: string) => void,
  ) {}

  /** Binds UDP on `ip:port` (0: any free port), then TCP on the port UDP got. */
  static async bind(
    ip: string,
    port: number,
    limits: TcpLimits,
    onMessage: (data: Buffer, from: Address) => void,
    warn: (text: string) => void,
  ): Promise<SipTransport> {
    let t: SipTransport | undefined;
    const counted = (data: Buffer, from: Address) => {
      if (t) t.received++;
      onMessage(data, from);
    };
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, ip, () => {
        s.off('error', reject);
        resolve(s);
      });
    });
    const local = { address: ip, port: socket.address().port };
    let tcp: SipTcpListener;
    try {
      tcp = await SipTcpListener.listen(ip, local.port, counted, limits, warn);
    } catch (e) {
      socket.close();
      throw e;
    }
    t = new SipTransport(socket, tcp, local, warn);
    socket.on('message', (data, rinfo) => counted(data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', () => {});
    return t;
  }

  send(m: SipMessage, to: Address): void {
    this.sent++;
    const bytes = formatMessage(m);
    if (to.transport !== 'tcp') this.socket.send(bytes, to.port, to.address);
    else if (!this.tcp.send(bytes, to)) this.warn(`no tcp connection to ${to.address}:${to.port} may be opened: a message for it is dropped`);
  }

  /** What keeps a TCP connection open (a registration or a dialog on it), asked before closing one. */
  set inUse(used: (a: Address) => boolean) {
    this.tcp.inUse = used;
  }

  closeIdle(nowMs: number): void {
    this.tcp.closeIdle(nowMs);
  }

  /** A TCP peer sent what is not SIP: its connection closes. */
  drop(from: Address, why: string): void {
    if (from.transport === 'tcp') this.tcp.drop(from, why);
  }

  get tcpConnections(): number {
    return this.tcp.connections;
  }

  close(): void {
    this.tcp.close();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
