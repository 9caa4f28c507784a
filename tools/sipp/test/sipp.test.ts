/**
 * The SIPp harness: a run's message log holds only what was sent to that run. A switch may still
 * send a finished run something (a BYE resent because its 200 was read late); SIPp logs whatever
 * reaches its port, so the next run must not be listening on the same one.
 */
import { type Socket, createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, runSipp, startSipp } from '../sipp.ts';

/** A registrar for the `register` scenario: 401 with a challenge, then 200 (the credentials are not checked). */
class Registrar {
  readonly socket: Socket = createSocket('udp4');
  /** Where each REGISTER came from. */
  readonly sources: number[] = [];
  /** Called as a REGISTER comes, before it is answered. */
  onRegister: (port: number) => Promise<void> = async () => {};

  async start(): Promise<number> {
    this.socket.on('message', (m, from) => void this.#answer(m.toString(), from.port));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  async #answer(req: string, port: number): Promise<void> {
    if (!req.startsWith('REGISTER ')) return;
    this.sources.push(port);
    await this.onRegister(port);
    const copy = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((h) => new RegExp(`^${h}:.*$`, 'im').exec(req)?.[0] ?? '');
    const challenged = /^Authorization:/im.test(req);
    const head = challenged
      ? ['SIP/2.0 200 OK', ...copy, 'Contact: <sip:1000@127.0.0.1>;expires=60']
      : ['SIP/2.0 401 Unauthorized', ...copy, 'WWW-Authenticate: Digest realm="sipp.test", nonce="0123456789abcdef", algorithm=MD5'];
    this.socket.send(`${[...head, 'Content-Length: 0', '', ''].join('\r\n')}`, port, '127.0.0.1');
  }
}

const STRAY_CALL_ID = 'stray-call@127.0.0.1';

/** A BYE of a dialog the run at `port` never had, with the Reason of another test's switch. */
const strayBye = (port: number) =>
  [
    `BYE sip:1000@127.0.0.1:${port} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKstray;rport',
    'From: <sip:2005@beamline.test>;tag=switch',
    'To: <sip:1000@beamline.test>;tag=phone',
    `Call-ID: ${STRAY_CALL_ID}`,
    'CSeq: 100 BYE',
    'Reason: SIP;cause=488;text="No answer to offer"',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('SIPp runs one after another', () => {
  const registrar = new Registrar();
  let port: number;
  beforeAll(async () => {
    port = await registrar.start();
  });
  afterAll(() => registrar.socket.close());

  const run = { scenario: 'register', service: '1000', authUser: '1000', password: '1234', traceMessages: true, timeoutSec: 10 } as const;

  it('do not share a SIP port: what is still sent to a finished run stays out of the next run’s log', async () => {
    const first = await runSipp({ ...run, port });
    expect(first.code, first.output + first.errors).toBe(0);
    const firstPort = registrar.sources[0];
    // the next run's first REGISTER comes after something was sent to the finished run's port
    registrar.onRegister = async () => {
      registrar.onRegister = async () => {};
      registrar.socket.send(strayBye(firstPort), firstPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
    };
    const second = await (await startSipp({ ...run, port })).done;
    expect(second.code, second.output + second.errors).toBe(0);
    expect(registrar.sources.at(-1)).not.toBe(firstPort);
    expect(second.messages.filter((m) => m.includes(STRAY_CALL_ID))).toEqual([]);
  });
});

describe('freeUdpPort', () => {
  it('skips a port another process listens on over TCP (a profile binds TCP on its SIP port too)', async () => {
    const first = await freeUdpPort();
    // the next port handed out would be first + 4: hold it over TCP only
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(first + 4, '127.0.0.1', resolve));
    try {
      expect(await freeUdpPort()).not.toBe(first + 4);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
