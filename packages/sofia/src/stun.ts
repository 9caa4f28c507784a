/**
 * A STUN Binding request (RFC 5389, read as RFC 3489 servers answer too): what address and port a
 * server saw us come from. Used for `ext-sip-ip` / `ext-rtp-ip` `stun:<server>` (switch_stun_lookup).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const BINDING_REQUEST = 0x0001;
const BINDING_RESPONSE = 0x0101;
const MAGIC_COOKIE = 0x2112a442;
const MAPPED_ADDRESS = 0x0001;
const XOR_MAPPED_ADDRESS = 0x0020;

export interface StunMapped {
  readonly address: string;
  readonly port: number;
}

export function bindingRequest(transactionId: Buffer): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(BINDING_REQUEST, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(b, 8, 0, 12);
  return b;
}

/** The mapped IPv4 address of a Binding response to `transactionId`, or undefined. */
export function parseBindingResponse(b: Buffer, transactionId: Buffer): StunMapped | undefined {
  if (b.length < 20 || b.readUInt16BE(0) !== BINDING_RESPONSE || !b.subarray(8, 20).equals(transactionId)) return undefined;
  const end = Math.min(b.length, 20 + b.readUInt16BE(2));
  let found: StunMapped | undefined;
  for (let at = 20; at + 4 <= end; ) {
    const type = b.readUInt16BE(at);
    const len = b.readUInt16BE(at + 2);
    const v = b.subarray(at + 4, at + 4 + len);
    if ((type === MAPPED_ADDRESS || type === XOR_MAPPED_ADDRESS) && len >= 8 && v[1] === 0x01) {
      const xor = type === XOR_MAPPED_ADDRESS;
      const port = v.readUInt16BE(2) ^ (xor ? MAGIC_COOKIE >>> 16 : 0);
      const ip = (v.readUInt32BE(4) ^ (xor ? MAGIC_COOKIE : 0)) >>> 0;
      const mapped = { address: [24, 16, 8, 0].map((s) => (ip >>> s) & 0xff).join('.'), port };
      if (xor || !found) found = mapped; // XOR-MAPPED-ADDRESS wins
    }
    at += 4 + Math.ceil(len / 4) * 4;
  }
  return found;
}

/** Asks `host:port` (UDP) up to five times, 100 ms apart, within `timeoutMs`; undefined when nobody answers. */
export function stunLookup(host: string, port: number, timeoutMs: number): Promise<StunMapped | undefined> {
  return new Promise((resolve) => {
    const id = randomBytes(12);
    const socket = createSocket('udp4');
    let tries = 0;
    let over = false;
    const done = (r: StunMapped | undefined) => {
      if (over) return;
      over = true;
      clearInterval(resend);
      clearTimeout(timer);
      socket.close();
      resolve(r);
    };
    const ask = () => {
      if (!over && tries++ < 5) socket.send(bindingRequest(id), port, host, (e) => e && done(undefined));
    };
    socket.on('message', (m) => {
      const mapped = parseBindingResponse(m, id);
      if (mapped) done(mapped);
    });
    socket.on('error', () => done(undefined));
    const resend = setInterval(ask, 100);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    ask();
  });
}
