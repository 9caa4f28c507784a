/** Embedded EPMD server + client (spec §1, §9 items 1-4). */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpmdServer, acquireEmbeddedEpmd } from '../src/epmd_server.ts';
import { epmdAlive, names, portPlease, registerNode, EpmdError } from '../src/epmd_client.ts';
import { MemoryLogger } from '../src/log.ts';
import { alive2, NAMES, portPlease2, raw } from './helpers/raw_epmd.ts';
import { freePort, transport, until } from './helpers/transport_kit.ts';

let srv: EpmdServer;
let port: number;

beforeAll(async () => {
  srv = new EpmdServer({ port: 0, host: '127.0.0.1', logger: new MemoryLogger() });
  port = await srv.start();
});
afterAll(async () => {
  await srv.stop();
});

describe('embedded EPMD', () => {
  it('ALIVE2 answers 118 with a non-zero 32-bit creation; PORT_PLEASE2 returns our port', async () => {
    const reg = await registerNode({ alive: 'a1', port: 5001, hidden: true, epmdPort: port });
    expect(reg.creation).toBeGreaterThanOrEqual(4);
    const info = await portPlease('a1', { epmdPort: port });
    expect(info).toMatchObject({ port: 5001, nodeType: 72, protocol: 0, highVersion: 6, lowVersion: 5, name: 'a1' });
    reg.close();
  });

  it('a duplicate name is refused with 118,1,0,0,0,99', async () => {
    const reg = await registerNode({ alive: 'dup', port: 5002, hidden: false, epmdPort: port });
    const { reply, socket } = await raw(port, alive2('dup', 5003), 6);
    expect(Array.from(reply)).toEqual([118, 1, 0, 0, 0, 99]);
    socket.destroy();
    await expect(registerNode({ alive: 'dup', port: 5003, hidden: false, epmdPort: port })).rejects.toThrow(EpmdError);
    reg.close();
  });

  it('closing the registration socket frees the name; the creation rises on re-register', async () => {
    const r1 = await registerNode({ alive: 'again', port: 5004, hidden: true, epmdPort: port });
    r1.close();
    await until(() => !srv.registered().some((n) => n.name === 'again'), 2000, 'unregister');
    const { reply } = await raw(port, portPlease2('again'));
    expect(Array.from(reply)).toEqual([119, 1]);
    const r2 = await registerNode({ alive: 'again', port: 5004, hidden: true, epmdPort: port });
    expect(r2.creation).toBe(r1.creation + 1);
    r2.close();
  });

  it('answers 121 with a 16-bit creation in 1..3 when HighestVersion < 6', async () => {
    const { reply, socket } = await raw(port, alive2('old5', 5005, 5, 5), 4);
    expect(reply.length).toBe(4);
    expect(reply[0]).toBe(121);
    expect(reply[1]).toBe(0);
    expect(reply.readUInt16BE(2)).toBeGreaterThanOrEqual(1);
    expect(reply.readUInt16BE(2)).toBeLessThanOrEqual(3);
    socket.destroy();
  });

  it('NAMES lists every registered node, newest first, after the EPMD port', async () => {
    const r1 = await registerNode({ alive: 'n1', port: 6001, hidden: true, epmdPort: port });
    const r2 = await registerNode({ alive: 'n2', port: 6002, hidden: true, epmdPort: port });
    const { reply } = await raw(port, NAMES);
    expect(reply.readUInt32BE(0)).toBe(port);
    const text = reply.subarray(4).toString();
    expect(text).toContain('name n2 at port 6002\nname n1 at port 6001\n');
    const parsed = await names({ epmdPort: port });
    expect(parsed.epmdPort).toBe(port);
    expect(parsed.nodes).toEqual(
      expect.arrayContaining([
        { name: 'n1', port: 6001 },
        { name: 'n2', port: 6002 },
      ]),
    );
    r1.close();
    r2.close();
  });

  it('PORT_PLEASE2 for an unknown name is 119,1; garbage requests close only that socket', async () => {
    expect(await portPlease('nobody', { epmdPort: port })).toBeUndefined();
    const { reply } = await raw(port, Uint8Array.of(250, 1, 2));
    expect(reply.length).toBe(0);
    expect(await epmdAlive(port)).toBe(true);
  });

  it('KILL is refused while nodes are registered', async () => {
    const r = await registerNode({ alive: 'k', port: 6003, hidden: true, epmdPort: port });
    const { reply } = await raw(port, Uint8Array.of(107));
    expect(reply.toString()).toBe('NO');
    r.close();
  });

  it('is shared per port inside one process and stops with its last user', async () => {
    const p = await freePort();
    const a = await acquireEmbeddedEpmd(p, new MemoryLogger(), '127.0.0.1');
    const b = await acquireEmbeddedEpmd(p, new MemoryLogger(), '127.0.0.1');
    expect(a.server).toBe(b.server);
    await a.release();
    expect(await epmdAlive(p)).toBe(true);
    await b.release();
    expect(await epmdAlive(p)).toBe(false);
  });
});

describe('start-up in auto mode', () => {
  it('a silent listener on the EPMD port fails the start at once with the probe’s reply timeout', async () => {
    const p = await freePort();
    const held: Socket[] = [];
    const silent = createServer((c) => held.push(c));
    await new Promise<void>((res) => silent.listen(p, '127.0.0.1', res));
    try {
      const t0 = Date.now();
      const err = await transport('auto_silent@localhost', p).then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(EpmdError);
      expect((err as EpmdError).code).toBe('timeout');
      expect((err as EpmdError).message).toBe(`epmd 127.0.0.1:${p}: reply timeout`);
      // the 1 s probe, then no registration attempt (its reply timeout is 5 s)
      expect(took).toBeLessThan(2500);
    } finally {
      for (const c of held) c.destroy();
      await new Promise<void>((res) => silent.close(() => res()));
    }
  });
});
