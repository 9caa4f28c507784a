/**
 * The embedded EPMD against the real one (spec §9 item 5), real erl nodes registering in and
 * resolving through our embedded EPMD, the `epmd` CLI talking to it, and the step-aside path
 * (a real epmd already runs: the transport uses it instead of starting ours).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpmdServer } from '../src/epmd_server.ts';
import { portPlease } from '../src/epmd_client.ts';
import { MemoryLogger } from '../src/log.ts';
import { startErl } from '../../../tools/erl/node.ts';
import { alive2, NAMES, portPlease2, raw, startRealEpmd } from './helpers/raw_epmd.ts';
import { COOKIE, freePort, transport, until } from './helpers/transport_kit.ts';

const run = promisify(execFile);

describe('embedded EPMD answers like epmd, byte for byte', () => {
  let ours: EpmdServer;
  let real: Awaited<ReturnType<typeof startRealEpmd>>;
  let realPort: number;
  beforeAll(async () => {
    ours = new EpmdServer({ port: 0, host: '127.0.0.1', logger: new MemoryLogger() });
    await ours.start();
    realPort = await freePort();
    real = await startRealEpmd(realPort);
  });
  afterAll(async () => {
    await ours.stop();
    await real.stop();
  });

  it('ALIVE2, duplicate, PORT2 (known / unknown), NAMES, v5 ALIVE2', async () => {
    const both = async (body: Uint8Array, wait?: number) => {
      const a = await raw(ours.port, body, wait);
      const b = await raw(realPort, body, wait);
      return [a, b] as const;
    };
    // register the same node in both
    const [ra, rb] = await both(alive2('cmp', 40001, 6, 5, 72), 6);
    expect(ra.reply.length).toBe(6);
    expect(rb.reply.length).toBe(6);
    expect([ra.reply[0], ra.reply[1]]).toEqual([rb.reply[0], rb.reply[1]]);
    expect(ra.reply.readUInt32BE(2)).toBeGreaterThan(3);
    // duplicate
    const [da, db] = await both(alive2('cmp', 40002), 6);
    da.socket.destroy();
    db.socket.destroy();
    expect(da.reply.toString('hex')).toBe(db.reply.toString('hex'));
    // port please, known and unknown
    const [pa, pb] = await both(portPlease2('cmp'));
    expect(pa.reply.toString('hex')).toBe(pb.reply.toString('hex'));
    const [ua, ub] = await both(portPlease2('nope'));
    expect(ua.reply.toString('hex')).toBe(ub.reply.toString('hex'));
    // names (the 4-byte prefix is each daemon's own port)
    const [na, nb] = await both(NAMES);
    expect(na.reply.readUInt32BE(0)).toBe(ours.port);
    expect(nb.reply.readUInt32BE(0)).toBe(realPort);
    expect(na.reply.subarray(4).toString()).toBe(nb.reply.subarray(4).toString());
    // v5 registration gets the 4-byte 121 reply from both
    const [va, vb] = await both(alive2('cmp5', 40003, 5, 5), 4);
    expect([va.reply.length, va.reply[0], va.reply[1]]).toEqual([vb.reply.length, vb.reply[0], vb.reply[1]]);
    for (const s of [ra, rb, va, vb]) s.socket.destroy();
    // closing frees the name in both
    await until(() => ours.registered().length === 0, 2000, 'our unregister');
    await new Promise((r) => setTimeout(r, 100));
    const [ga, gb] = await both(portPlease2('cmp'));
    expect(ga.reply.toString('hex')).toBe('7701');
    expect(gb.reply.toString('hex')).toBe('7701');
  });
});

describe('real erl nodes use our embedded EPMD', () => {
  it('erl registers in it, `epmd -names` lists it, and two erl nodes find each other through it', async () => {
    const port = await freePort();
    const { tr } = await transport('ts_epmd@localhost', port, { epmd: 'embedded' });
    const e1 = await startErl({ name: 'epmd_e1@localhost', cookie: COOKIE, epmdPort: port });
    const e2 = await startErl({ name: 'epmd_e2@localhost', cookie: COOKIE, epmdPort: port });
    try {
      expect(tr.epmdMode).toBe('embedded');
      const info = await portPlease('epmd_e1', { epmdPort: port });
      expect(info?.nodeType).toBe(77);
      expect(info?.highVersion).toBe(6);
      const { stdout } = await run('epmd', ['-names'], { env: { ...process.env, ERL_EPMD_PORT: String(port) } });
      expect(stdout).toContain(`epmd: up and running on port ${port} with data:`);
      expect(stdout).toMatch(/name epmd_e1 at port \d+/);
      expect(stdout).toMatch(/name ts_epmd at port \d+/);
      expect(await e1.eval("net_adm:ping('epmd_e2@localhost')")).toBe('pong');
      expect(await e1.eval('erl_epmd:names("localhost")')).toMatch(/\{"epmd_e2",\d+\}/);
      // erl resolves and connects to us through it as well
      expect(await e2.eval("net_kernel:connect_node('ts_epmd@localhost')")).toBe('true');
    } finally {
      await e1.stop();
      await e2.stop();
      await tr.close();
    }
  });
});

describe('where the embedded EPMD listens', () => {
  /** The IPv4 address a socket listening on `port` is bound to, from /proc/net/tcp (state 0A: LISTEN). */
  const boundAddress = async (port: number): Promise<string | undefined> => {
    for (const line of (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hex, p] = (local ?? '').split(':');
      if (state !== '0A' || Number.parseInt(p ?? '', 16) !== port || !hex) continue;
      return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
    }
    return undefined;
  };

  it('on loopback for a node kept on loopback, on every interface otherwise', async () => {
    for (const [listenHost, expected] of [
      ['127.0.0.1', '127.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
    ] as const) {
      const port = await freePort();
      const { tr } = await transport('ts_where@localhost', port, { epmd: 'embedded', listenHost });
      try {
        expect(tr.embeddedEpmdHost).toBe(expected);
        expect(await boundAddress(port)).toBe(expected);
        expect(await portPlease('ts_where', { epmdPort: port })).toBeDefined();
      } finally {
        await tr.close();
      }
    }
  });
});

describe('step aside for a real epmd', () => {
  it('with a real epmd on the port, the transport registers there instead of starting its own', async () => {
    const port = await freePort();
    const real = await startRealEpmd(port);
    const { tr } = await transport('ts_aside@localhost', port);
    const e = await startErl({ name: 'aside_e@localhost', cookie: COOKIE, epmdPort: port });
    try {
      expect(tr.epmdMode).toBe('external');
      const { stdout } = await run('epmd', ['-names'], { env: { ...process.env, ERL_EPMD_PORT: String(port) } });
      expect(stdout).toMatch(/name ts_aside at port \d+/);
      expect(await e.eval("net_kernel:connect_node('ts_aside@localhost')")).toBe('true');
      const c = await tr.connect('aside_e@localhost');
      expect(c.state).toBe('up');
    } finally {
      await e.stop();
      await tr.close();
      await real.stop();
    }
  });

  it("'external' fails when no epmd runs; 'embedded' fails when the port is taken", async () => {
    const port = await freePort();
    await expect(transport('ts_noepmd@localhost', port, { epmd: 'external' })).rejects.toThrow();
    const real = await startRealEpmd(port);
    try {
      await expect(transport('ts_taken@localhost', port, { epmd: 'embedded' })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await real.stop();
    }
  });
});
