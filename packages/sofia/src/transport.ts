/**
 * A profile's UDP socket. The profile process owns it and gets every datagram as a message; its
 * calls send through it (an object, like the switch's event bus: a send is one synchronous step).
 */
import { type Socket, createSocket } from 'node:dgram';
import { type SipMessage, formatMessage } from './sip/message.ts';

export interface Address {
  readonly address: string;
  readonly port: number;
}

export class SipTransport {
  sent = 0;
  received = 0;
  private constructor(
    private readonly socket: Socket,
    readonly local: Address,
  ) {}

  static bind(ip: string, port: number, onDatagram: (data: Buffer, from: Address) => void): Promise<SipTransport> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, ip, () => {
        socket.off('error', reject);
        const t = new SipTransport(socket, { address: ip, port: socket.address().port });
        socket.on('message', (data, rinfo) => {
          t.received++;
          onDatagram(data, { address: rinfo.address, port: rinfo.port });
        });
        socket.on('error', () => {});
        resolve(t);
      });
    });
  }

  send(m: SipMessage, to: Address): void {
    this.sent++;
    this.socket.send(formatMessage(m), to.port, to.address);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
