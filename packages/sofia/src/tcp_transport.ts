/**
 * SIP over TCP on the profile's address and port (RFC 3261 §18.3): each connection's bytes are cut
 * into messages by Content-Length, CRLF keep-alives between them are skipped (sofia-sip sends no
 * pong unless `tcp-ping2pong`), and a message goes back over the connection its peer is on. A
 * frame that cannot be a message (a bad Content-Length, more than MAX_STREAM_MESSAGE bytes, or
 * what the profile cannot parse) closes that connection only, with a WARNING.
 */
import { type Server, type Socket, createServer } from 'node:net';

/** The most a message may take on a stream (the most a UDP datagram can carry). */
export const MAX_STREAM_MESSAGE = 65_535;

export class SipFramingError extends Error {
  override readonly name = 'SipFramingError';
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t]*$/im;

/** The whole messages at the front of a stream's bytes, and what is left for later. */
export function takeFrames(bytes: Buffer): { readonly frames: Buffer[]; readonly rest: Buffer } {
  const frames: Buffer[] = [];
  let rest = bytes;
  for (;;) {
    let skip = 0;
    while (skip < rest.length && (rest[skip] === 0x0d || rest[skip] === 0x0a)) skip++;
    rest = rest.subarray(skip);
    const headEnd = rest.indexOf(HEADER_END);
    if (headEnd < 0) {
      if (rest.length > MAX_STREAM_MESSAGE) throw new SipFramingError(`no end of headers in ${rest.length} bytes`);
      return { frames, rest };
    }
    const lengthText = CONTENT_LENGTH.exec(rest.subarray(0, headEnd).toString('latin1'))?.[1] ?? '0';
    if (!/^\d{1,9}$/.test(lengthText)) throw new SipFramingError(`bad Content-Length: ${JSON.stringify(lengthText.slice(0, 40))}`);
    const total = headEnd + HEADER_END.length + Number(lengthText);
    if (total > MAX_STREAM_MESSAGE) throw new SipFramingError(`a message of ${total} bytes`);
    if (rest.length < total) return { frames, rest };
    frames.push(rest.subarray(0, total));
    rest = rest.subarray(total);
  }
}

/** A connection's far end (transport.ts's Address, on TCP). */
export interface StreamAddress {
  readonly address: string;
  readonly port: number;
  readonly transport: 'tcp';
}

type HostPort = Pick<StreamAddress, 'address' | 'port'>;

const keyOf = (a: HostPort) => `${a.address}:${a.port}`;

/** The profile's TCP listener and the connections it accepted, by their far end's address. */
export class SipTcpListener {
  readonly #connections = new Map<string, Socket>();

  private constructor(
    private readonly server: Server,
    private readonly warn: (text: string) => void,
  ) {}

  static listen(
    ip: string,
    port: number,
    onMessage: (data: Buffer, from: StreamAddress) => void,
    warn: (text: string) => void,
  ): Promise<SipTcpListener> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      const listener = new SipTcpListener(server, warn);
      server.on('connection', (socket) => listener.#accept(socket, onMessage));
      server.once('error', reject);
      server.listen(port, ip, () => {
        server.off('error', reject);
        server.on('error', (e) => warn(`tcp ${ip}:${port}: ${e.message}`));
        resolve(listener);
      });
    });
  }

  #accept(socket: Socket, onMessage: (data: Buffer, from: StreamAddress) => void): void {
    const from: StreamAddress = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' };
    const key = keyOf(from);
    this.#connections.set(key, socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let cut: ReturnType<typeof takeFrames>;
      try {
        cut = takeFrames(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]));
      } catch (e) {
        this.drop(from, e instanceof Error ? e.message : String(e));
        return;
      }
      pending = Buffer.from(cut.rest);
      for (const frame of cut.frames) onMessage(frame, from);
    });
    socket.on('error', () => {}); // a reset peer: 'close' follows
    socket.on('close', () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
  }

  /** Writes to the connection `to` is on; false when there is none (the peer went away). */
  send(data: Buffer, to: HostPort): boolean {
    const socket = this.#connections.get(keyOf(to));
    if (!socket || socket.destroyed) return false;
    socket.write(data);
    return true;
  }

  /** Closes the connection `to` is on, saying why. */
  drop(to: HostPort, why: string): void {
    const socket = this.#connections.get(keyOf(to));
    if (!socket) return;
    this.#connections.delete(keyOf(to));
    this.warn(`closed the tcp connection from ${keyOf(to)}: ${why}`);
    socket.destroy();
  }

  get connections(): number {
    return this.#connections.size;
  }

  close(): void {
    for (const socket of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    this.server.close();
  }
}
