/**
 * The handshake against a real erl, both directions (spec §2, §9 items 6-12): hidden and normal
 * modes, wrong cookies both ways, missing mandatory flags both ways, the `alive` path, Latin-1 /
 * unicode node names, simultaneous connects, and a stalled handshake on erl's side.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DFLAG, DEFAULT_FLAGS } from '../src/flags.ts';
import { runInitiator } from '../src/handshake_steps.ts';
import { MemoryLogger } from '../src/log.ts';
import { PacketChannel } from '../src/packet_channel.ts';
import { ConnectError, type NodeEvent } from '../src/transport.ts';
import type { DistTransport } from '../src/transport_impl.ts';
import type { EpmdServer } from '../src/epmd_server.ts';
import { portPlease } from '../src/epmd_client.ts';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { COOKIE, privateEpmd, sleep, transport, until } from './helpers/transport_kit.ts';

let epmd: EpmdServer;
let erl: ErlNode;
const ERL = 'hs_erl@localhost';

beforeAll(async () => {
  epmd = await privateEpmd();
  erl = await startErl({ name: ERL, cookie: COOKIE, epmdPort: epmd.port, args: ['-kernel', 'net_setuptime', '2'] });
  await erl.eval('ok = net_kernel:monitor_nodes(true, [{node_type, all}]).');
});
afterAll(async () => {
  await erl?.stop();
  await epmd?.stop();
});

/** Pop the next nodeup/nodedown the erl loop process received for `node`. */
const erlNodeEvent = (kind: 'nodeup' | 'nodedown', node: string) =>
  erl.eval(`receive {${kind}, '${node}', Info} -> proplists:get_value(node_type, Info) after 5000 -> timeout end`);

async function withTransport<T>(
  name: string,
  opts: Parameters<typeof transport>[2],
  f: (tr: DistTransport, log: MemoryLogger, events: NodeEvent[]) => Promise<T>,
): Promise<T> {
  const { tr, log } = await transport(name, epmd.port, opts);
  const events: NodeEvent[] = [];
  tr.events.subscribe((e) => events.push(e));
  try {
    return await f(tr, log, events);
  } finally {
    await tr.close();
  }
}

describe('erl → TS', () => {
  it('connects; TS is hidden on the erl side; nodeup on ours before any message', async () => {
    await withTransport('hs_a@localhost', {}, async (tr, _log, events) => {
      const order: string[] = [];
      tr.events.subscribe((e) => order.push(e.type));
      tr.onMessage = () => order.push('message');
      expect(await erl.eval("net_kernel:connect_node('hs_a@localhost')")).toBe('true');
      expect(await erlNodeEvent('nodeup', 'hs_a@localhost')).toBe('hidden');
      expect(await erl.eval("lists:member('hs_a@localhost', nodes(hidden))")).toBe('true');
      expect(await erl.eval("lists:member('hs_a@localhost', nodes())")).toBe('false');
      await erl.eval("{foo, 'hs_a@localhost'} ! hello, ok");
      await until(() => order.includes('message'), 3000, 'message');
      expect(order.slice(0, 2)).toEqual(['nodeup', 'message']);
      const c = tr.connection(ERL)!;
      expect(c.initiator).toBe(false);
      expect(c.peerHidden).toBe(false);
      expect(c.peerCreation).toBeGreaterThan(0);
      expect(c.flags & DFLAG.FRAGMENTS).toBe(DFLAG.FRAGMENTS);
      expect(c.flags & DFLAG.DIST_HDR_ATOM_CACHE).toBe(DFLAG.DIST_HDR_ATOM_CACHE);
      expect(events[0]).toMatchObject({ type: 'nodeup', peer: ERL, hidden: false });
    });
    expect(await erlNodeEvent('nodedown', 'hs_a@localhost')).toBe('hidden');
  });

  it('wrong cookie: refused, digest failure logged, nothing delivered, no nodeup', async () => {
    await withTransport('hs_b@localhost', { cookie: 'not_the_cookie' }, async (tr, log, events) => {
      let delivered = 0;
      tr.onMessage = () => delivered++;
      expect(await erl.eval("net_kernel:connect_node('hs_b@localhost')")).toBe('false');
      await until(() => log.has(/Invalid challenge reply/), 3000, 'digest failure log');
      expect(events).toEqual([]);
      expect(delivered).toBe(0);
      expect(tr.connections()).toEqual([]);
    });
  });

  it('erl aborts when we lack a mandatory flag (test mode): cannot handle', async () => {
    await withTransport('hs_c@localhost', { removeFlags: DFLAG.MAP_TAG | DFLAG.MANDATORY_25_DIGEST }, async (tr, _log, events) => {
      expect(await erl.eval("net_kernel:connect_node('hs_c@localhost')")).toBe('false');
      await erl.waitForOutput(/hs_c@localhost.*\n?.*cannot handle[^\n]*MAP_TAG/);
      expect(events).toEqual([]);
      expect(tr.connections()).toEqual([]);
    });
  });
});

describe('TS → erl', () => {
  it('connects; erl sees nodeup with node_type hidden', async () => {
    await withTransport('hs_d@localhost', {}, async (tr, _log, events) => {
      const c = await tr.connect(ERL);
      expect(c.state).toBe('up');
      expect(c.initiator).toBe(true);
      expect(c.peerName).toBe(ERL);
      expect(await erlNodeEvent('nodeup', 'hs_d@localhost')).toBe('hidden');
      // concurrent connects share the live connection
      const [c1, c2] = await Promise.all([tr.connect(ERL), tr.connect(ERL)]);
      expect(c1).toBe(c);
      expect(c2).toBe(c);
      expect(events.filter((e) => e.type === 'nodeup')).toHaveLength(1);
      c.close('test done');
      expect(await c.down).toEqual({ kind: 'local_close', detail: 'test done' });
      expect(await erlNodeEvent('nodedown', 'hs_d@localhost')).toBe('hidden');
      expect(events.map((e) => e.type)).toEqual(['nodeup', 'nodedown']);
    });
  });

  it('normal (published) mode: erl lists us in nodes()', async () => {
    await withTransport('hs_e@localhost', { hidden: false }, async (tr) => {
      const c = await tr.connect(ERL);
      expect(c.flags & DFLAG.PUBLISHED).toBe(DFLAG.PUBLISHED);
      // (erl delivers nodeup for a visible node only after `global` synced with it, which is
      // the node half's job; the transport only has to make erl list us as visible)
      expect(await erl.eval("lists:member('hs_e@localhost', nodes(visible))")).toBe('true');
      expect(await erl.eval("lists:member('hs_e@localhost', nodes(hidden))")).toBe('false');
    });
    await erl.eval("receive {nodeup, 'hs_e@localhost', _} -> ok after 500 -> ok end");
    await erl.eval("receive {nodedown, 'hs_e@localhost', _} -> ok after 3000 -> ok end");
  });

  it('wrong cookie is detected and refused; erl logs the bad digest', async () => {
    await withTransport('hs_f@localhost', { cookie: 'wrong' }, async (tr, log, events) => {
      const err = await tr.connect(ERL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).failure).toBe('bad_cookie');
      expect(log.has(/wrong cookie|cookie mismatch/)).toBe(true);
      await erl.waitForOutput(/hs_f@localhost.*rejected\. Invalid challenge reply|Invalid challenge reply[^\n]*hs_f/);
      expect(events).toEqual([]);
    });
  });

  it('not_allowed: erl refuses a node without mandatory flags', async () => {
    await withTransport('hs_g@localhost', { removeFlags: DFLAG.UTF8_ATOMS | DFLAG.MANDATORY_25_DIGEST }, async (tr) => {
      const err = (await tr.connect(ERL).catch((e: unknown) => e)) as ConnectError;
      expect(err.failure).toBe('not_allowed');
      await erl.waitForOutput(/hs_g@localhost.*\n?.*cannot handle[^\n]*UTF8_ATOMS/);
    });
  });

  it('alive: a restarted node with the same name replaces the old connection (strue)', async () => {
    await withTransport('hs_h@localhost', { epmd: 'none' }, async (old) => {
      const c1 = await old.connect(ERL);
      expect(await erlNodeEvent('nodeup', 'hs_h@localhost')).toBe('hidden');
      await withTransport('hs_h@localhost', { epmd: 'none' }, async (fresh) => {
        const c2 = await fresh.connect(ERL);
        expect(c2.state).toBe('up');
        // erl dropped the old connection ('alive' → 'true'), then came up again
        expect(await c1.down).toMatchObject({ kind: 'closed' });
        expect(await erlNodeEvent('nodedown', 'hs_h@localhost')).toBe('hidden');
        expect(await erlNodeEvent('nodeup', 'hs_h@localhost')).toBe('hidden');
        expect(await erl.eval("lists:member('hs_h@localhost', nodes(hidden))")).toBe('true');
        expect(old.connections()).toEqual([]);
        expect(fresh.connection(ERL)).toBe(c2);
      });
    });
  });

  it('unknown peers and bad names fail fast with typed errors', async () => {
    await withTransport('hs_i@localhost', {}, async (tr) => {
      await expect(tr.connect('nobody@localhost')).rejects.toMatchObject({ failure: 'not_registered' });
      await expect(tr.connect('x@127.0.0.1')).rejects.toMatchObject({ failure: 'bad_name' });
      await expect(tr.connect('\u4e2d@localhost')).rejects.toMatchObject({ failure: 'bad_name' });
      await expect(tr.connect('hs_i@localhost')).rejects.toMatchObject({ failure: 'bad_name' });
    });
  });
});

describe('peers coming and going', () => {
  it('a -hidden erl is seen as a hidden peer', async () => {
    const h = await startErl({ name: 'hs_hidden@localhost', cookie: COOKIE, epmdPort: epmd.port, hidden: true });
    try {
      await withTransport('hs_j@localhost', {}, async (tr) => {
        const c = await tr.connect('hs_hidden@localhost');
        expect(c.peerHidden).toBe(true);
        expect(c.peerFlags & DFLAG.PUBLISHED).toBe(0n);
      });
    } finally {
      await h.stop();
    }
  });

  it('a restarted erl (same name, new creation) is dialled again after nodedown', async () => {
    await withTransport('hs_k@localhost', {}, async (tr, _log, events) => {
      const e1 = await startErl({ name: 'hs_again@localhost', cookie: COOKIE, epmdPort: epmd.port });
      const c1 = await tr.connect('hs_again@localhost');
      const cr1 = c1.peerCreation;
      await e1.kill();
      expect((await c1.down).kind).toBe('closed');
      const e2 = await startErl({ name: 'hs_again@localhost', cookie: COOKIE, epmdPort: epmd.port });
      try {
        const c2 = await tr.connect('hs_again@localhost');
        expect(c2).not.toBe(c1);
        expect(c2.peerCreation).not.toBe(cr1);
        expect(events.map((e) => e.type)).toEqual(['nodeup', 'nodedown', 'nodeup']);
      } finally {
        await e2.stop();
      }
    });
  });
});

describe('dynamic node names (NAME_ME, named:)', () => {
  it('an erl started with -sname undefined gets its name from our acceptor', async () => {
    await withTransport('hs_dyn@localhost', {}, async (tr, _log, events) => {
      const e = await startErl({ name: 'undefined', cookie: COOKIE, epmdPort: epmd.port });
      try {
        expect(await e.eval("net_kernel:connect_node('hs_dyn@localhost')")).toBe('true');
        const name = (await e.eval('node()')).replace(/^'|'$/g, '');
        expect(name).toMatch(/^[A-Z0-9]{13}@/);
        expect(events[0]).toMatchObject({ type: 'nodeup', peer: name });
        const c = tr.connection(name)!;
        expect(c.peerCreation).toBeGreaterThan(0);
        expect(c.flags & DFLAG.NAME_ME).toBe(0n);
      } finally {
        await e.stop();
      }
    });
  });

  it('with assignNames: false the request is refused (not_allowed)', async () => {
    await withTransport('hs_nodyn@localhost', { assignNames: false }, async (tr, log) => {
      const e = await startErl({ name: 'undefined', cookie: COOKIE, epmdPort: epmd.port });
      try {
        expect(await e.eval("net_kernel:connect_node('hs_nodyn@localhost')")).toBe('false');
        expect(log.has(/dynamic name request .* refused/)).toBe(true);
        expect(tr.connections()).toEqual([]);
      } finally {
        await e.stop();
      }
    });
  });
});

describe('names on the wire', () => {
  const rawDial = async (ourName: string) => {
    const info = (await portPlease('hs_erl', { epmdPort: epmd.port }))!;
    const s = connect({ host: '127.0.0.1', port: info.port });
    await new Promise((r) => s.once('connect', r));
    const ch = new PacketChannel(s);
    const cfg = {
      ourName,
      ourFlags: DEFAULT_FLAGS,
      creation: 1234,
      cookie: COOKIE,
      setupTimeMs: 3000,
      requiredFlags: 0n,
      logger: new MemoryLogger(),
    };
    try {
      return await runInitiator(ch, cfg, ERL);
    } finally {
      s.destroy();
    }
  };

  it('erl refuses a non-ASCII (Latin-1 é) node name: nok and "Cannot get connection id"', async () => {
    await expect(rawDial('\u00e9t\u00e9@localhost')).rejects.toMatchObject({ failure: 'nok' });
    await erl.waitForOutput(/Cannot get connection id for node/);
    // the ASCII control case goes through
    expect((await rawDial('plain_ascii@localhost')).peerName).toBe(ERL);
    await erlNodeEvent('nodeup', 'plain_ascii@localhost');
    await erlNodeEvent('nodedown', 'plain_ascii@localhost');
  });

  it('our acceptor refuses non-ASCII names too (not_allowed)', async () => {
    await withTransport('hs_acc@localhost', {}, async (tr, log) => {
      const info = (await portPlease('hs_acc', { epmdPort: epmd.port }))!;
      const s = connect({ host: '127.0.0.1', port: info.port });
      await new Promise((r) => s.once('connect', r));
      const ch = new PacketChannel(s);
      const cfg = {
        ourName: '\u00e9@localhost',
        ourFlags: DEFAULT_FLAGS,
        creation: 1234,
        cookie: COOKIE,
        setupTimeMs: 3000,
        requiredFlags: 0n,
        logger: new MemoryLogger(),
      };
      await expect(runInitiator(ch, cfg, 'hs_acc@localhost')).rejects.toMatchObject({ failure: 'not_allowed' });
      s.destroy();
      expect(log.has(/not ASCII/)).toBe(true);
      expect(tr.connections()).toEqual([]);
    });
  });

  it('our own unicode alive names are refused like erl -sname refuses them', async () => {
    await expect(transport('\u00e9t\u00e9@localhost', epmd.port)).rejects.toThrow(/Invalid node name/);
    await expect(erl.eval('net_kernel:connect_node(list_to_atom([20013|"@localhost"]))')).resolves.toBe('false');
  });
});

describe('simultaneous connect', () => {
  for (const name of ['hs_a0@localhost', 'hs_zz@localhost']) {
    it(`both sides dial at once (${name} ${name > ERL ? '>' : '<'} ${ERL}): one connection, both succeed`, async () => {
      await withTransport(name, {}, async (tr, _log, events) => {
        for (let i = 0; i < 3; i++) {
          const [c, r] = await Promise.all([tr.connect(ERL), erl.eval(`net_kernel:connect_node('${name}')`)]);
          expect(r).toBe('true');
          expect(c.state).toBe('up');
          await sleep(200);
          expect(tr.connections()).toHaveLength(1);
          expect(await erl.eval(`length([N || N <- nodes(hidden), N =:= '${name}'])`)).toBe('1');
          expect(tr.connection(ERL)).toBe(c);
          c.close();
          await c.down;
          await erlNodeEvent('nodeup', name);
          await erlNodeEvent('nodedown', name);
        }
        expect(events.filter((e) => e.type === 'nodeup')).toHaveLength(3);
      });
    });
  }
});

describe('stalled handshake on the erl side', () => {
  it('erl cuts a peer that sends nothing after net_setuptime', async () => {
    const info = (await portPlease('hs_erl', { epmdPort: epmd.port }))!;
    const s = connect({ host: '127.0.0.1', port: info.port });
    const t0 = Date.now();
    await new Promise<void>((r) => s.on('close', () => r()).on('error', () => {}));
    const dt = Date.now() - t0;
    expect(dt).toBeGreaterThan(1500);
    expect(dt).toBeLessThan(6000);
  });
});
