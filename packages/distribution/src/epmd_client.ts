/**
 * EPMD client (spec §1): ALIVE2 registration (the socket is kept open for the life of the
 * registration; closing it unregisters), PORT_PLEASE2 and NAMES. Works against a real `epmd`
 * and against our embedded server alike.
 */
import { connect, type Socket } from 'node:net';
import { ByteQueue } from './byte_queue.ts';
import { whenConnected } from './dial.ts';

export const DEFAULT_EPMD_PORT = 4369;

export function epmdPortFromEnv(): number {
  const v = process.env.ERL_EPMD_PORT;
  const n = v ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : DEFAULT_EPMD_PORT;
}

export class EpmdError extends Error {
  constructor(
    msg: string,
    readonly code: 'unreachable' | 'refused' | 'protocol' | 'timeout',
  ) {
    super(msg);
    this.name = 'EpmdError';
  }
}

export interface PortInfo {
  port: number;
  nodeType: number; // 77 normal, 72 hidden
  protocol: number;
  highVersion: number;
  lowVersion: number;
  name: string;
  extra: Uint8Array;
}

export interface Registration {
  creation: number;
  /** Closing it unregisters the node. */
  socket: Socket;
  close(): void;
}

function request(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + body.length);
  new DataView(out.buffer).setUint16(0, body.length);
  out.set(body, 2);
  return out;
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const s = connect({ host, port, family: host.includes(':') ? 6 : 4 }); // IPv4 like inet_tcp
  return whenConnected(s, 'connect', timeoutMs, (cause) =>
    cause === 'timeout'
      ? new EpmdError(`epmd ${host}:${port}: connect timeout`, 'timeout')
      : new EpmdError(`epmd ${host}:${port}: ${cause.message}`, 'unreachable'),
  );
}

/** Send a request and collect the reply until `done(buf)` says it is complete or the peer closes. */
async function exchange(
  host: string,
  port: number,
  body: Uint8Array,
  done: (q: ByteQueue) => boolean,
  timeoutMs = 5000,
  keepOpen = false,
): Promise<{ reply: Uint8Array; socket: Socket }> {
  const s = await openSocket(host, port, timeoutMs);
  return new Promise((resolve, reject) => {
    const q = new ByteQueue();
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      s.removeListener('data', onData);
      s.removeListener('end', onEnd);
      s.removeListener('close', onEnd);
      if (err) {
        s.destroy();
        reject(err);
        return;
      }
      const reply = q.take(q.length);
      if (!keepOpen) s.end();
      resolve({ reply, socket: s });
    };
    const onData = (c: Buffer) => {
      q.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
      if (done(q)) finish();
    };
    const onEnd = () => (q.length > 0 && !keepOpen ? finish() : finish(new EpmdError(`epmd ${host}:${port} closed the connection`, 'protocol')));
    const timer = setTimeout(() => finish(new EpmdError(`epmd ${host}:${port}: reply timeout`, 'timeout')), timeoutMs);
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('close', onEnd);
    s.on('error', () => {}); // 'close' follows
    s.write(request(body));
  });
}

export function encodeAlive2(port: number, nodeType: number, alive: string, highVersion = 6, lowVersion = 5): Uint8Array {
  const nb = Buffer.from(alive, 'utf8');
  const b = new Uint8Array(1 + 2 + 1 + 1 + 2 + 2 + 2 + nb.length + 2);
  const dv = new DataView(b.buffer);
  b[0] = 120;
  dv.setUint16(1, port);
  b[3] = nodeType;
  b[4] = 0;
  dv.setUint16(5, highVersion);
  dv.setUint16(7, lowVersion);
  dv.setUint16(9, nb.length);
  b.set(nb, 11);
  dv.setUint16(11 + nb.length, 0);
  return b;
}

/** Register `alive` (alive part only) on `port`. Keep the returned socket open. */
export async function registerNode(opts: {
  alive: string;
  port: number;
  hidden: boolean;
  epmdHost?: string;
  epmdPort?: number;
  timeoutMs?: number;
}): Promise<Registration> {
  const host = opts.epmdHost ?? '127.0.0.1';
  const epmdPort = opts.epmdPort ?? epmdPortFromEnv();
  const body = encodeAlive2(opts.port, opts.hidden ? 72 : 77, opts.alive);
  const { reply, socket } = await exchange(
    host,
    epmdPort,
    body,
    (q) => q.length >= 1 && q.length >= (q.byteAt(0) === 118 ? 6 : 4),
    opts.timeoutMs,
    true,
  );
  const dv = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  let result: number;
  let creation: number;
  if (reply[0] === 118 && reply.length >= 6) {
    result = reply[1]!;
    creation = dv.getUint32(2);
  } else if (reply[0] === 121 && reply.length >= 4) {
    result = reply[1]!;
    creation = dv.getUint16(2);
  } else {
    socket.destroy();
    throw new EpmdError(`ALIVE2: unexpected reply ${Array.from(reply.subarray(0, 8))}`, 'protocol');
  }
  if (result !== 0) {
    socket.destroy();
    throw new EpmdError(`ALIVE2 for ${opts.alive} refused (result ${result}): the name is probably in use`, 'refused');
  }
  socket.on('error', () => {});
  socket.setKeepAlive(true);
  return { creation, socket, close: () => socket.destroy() };
}

/** PORT_PLEASE2: undefined when EPMD does not know the name. */
export async function portPlease(
  alive: string,
  opts: { epmdHost?: string; epmdPort?: number; timeoutMs?: number } = {},
): Promise<PortInfo | undefined> {
  const host = opts.epmdHost ?? '127.0.0.1';
  const epmdPort = opts.epmdPort ?? epmdPortFromEnv();
  const nb = Buffer.from(alive, 'utf8');
  const body = new Uint8Array(1 + nb.length);
  body[0] = 122;
  body.set(nb, 1);
  const complete = (q: ByteQueue): boolean => {
    if (q.length < 2) return false;
    if (q.byteAt(1) !== 0) return true;
    if (q.length < 12) return false;
    const nlen = (q.byteAt(10) << 8) | q.byteAt(11);
    if (q.length < 12 + nlen + 2) return false;
    const elen = (q.byteAt(12 + nlen) << 8) | q.byteAt(13 + nlen);
    return q.length >= 14 + nlen + elen;
  };
  const { reply } = await exchange(host, epmdPort, body, complete, opts.timeoutMs);
  if (reply[0] !== 119 || reply.length < 2) throw new EpmdError(`PORT_PLEASE2: unexpected reply`, 'protocol');
  if (reply[1] !== 0) return undefined;
  if (!complete(qOf(reply))) throw new EpmdError('PORT2_RESP truncated', 'protocol');
  const dv = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const nlen = dv.getUint16(10);
  const elen = dv.getUint16(12 + nlen);
  return {
    port: dv.getUint16(2),
    nodeType: reply[4]!,
    protocol: reply[5]!,
    highVersion: dv.getUint16(6),
    lowVersion: dv.getUint16(8),
    name: Buffer.from(reply.subarray(12, 12 + nlen)).toString('utf8'),
    extra: reply.slice(14 + nlen, 14 + nlen + elen),
  };
}

function qOf(b: Uint8Array): ByteQueue {
  const q = new ByteQueue();
  q.push(b);
  return q;
}

/** NAMES: the EPMD port and `[name, port]` pairs. */
export async function names(
  opts: { epmdHost?: string; epmdPort?: number; timeoutMs?: number } = {},
): Promise<{ epmdPort: number; nodes: { name: string; port: number }[]; raw: string }> {
  const host = opts.epmdHost ?? '127.0.0.1';
  const epmdPort = opts.epmdPort ?? epmdPortFromEnv();
  const { reply } = await exchange(host, epmdPort, Uint8Array.of(110), () => false, opts.timeoutMs);
  if (reply.length < 4) throw new EpmdError('NAMES reply truncated', 'protocol');
  const port = new DataView(reply.buffer, reply.byteOffset, reply.byteLength).getUint32(0);
  const raw = Buffer.from(reply.subarray(4)).toString('utf8');
  const nodes: { name: string; port: number }[] = [];
  for (const line of raw.split('\n')) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) nodes.push({ name: m[1]!, port: Number(m[2]) });
  }
  return { epmdPort: port, nodes, raw };
}

/** Is something speaking EPMD on this port? (NAMES round trip.) */
export async function epmdAlive(epmdPort: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return (await epmdProbe(epmdPort, host, timeoutMs)) === undefined;
}

/**
 * A NAMES round trip: undefined when an EPMD answers, else why not. `unreachable` means nothing
 * listened on the port; `timeout` or `protocol` that something holds it without speaking EPMD.
 */
export async function epmdProbe(epmdPort: number, host = '127.0.0.1', timeoutMs = 1000): Promise<EpmdError | undefined> {
  try {
    await names({ epmdHost: host, epmdPort, timeoutMs });
    return undefined;
  } catch (e) {
    return e instanceof EpmdError ? e : new EpmdError(`epmd ${host}:${epmdPort}: ${(e as Error).message}`, 'unreachable');
  }
}
