/**
 * net_adm:ping both ways (spec §4.6, §9 items 6 and 9), nodes(), nodeup/nodedown events and
 * monitor_node, against a real erl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atom, format, t } from '@beamline/etf';
import { startErl } from '../../../tools/erl/node.ts';
import { COOKIE, Inbox, ev, startPair, until, type Pair, freePort } from './helpers/node_pair.ts';

let EPMD = 0; // a fresh port per run (helpers/node_pair.ts freePort)
let p: Pair;

beforeAll(async () => {
  EPMD = await freePort();
  p = await startPair('ping', EPMD);
});
afterAll(async () => {
  await p?.stop();
});

describe('net_adm:ping', () => {
  it('erl → TS returns pong (OTP 24+ alias tag echoed, name monitor on net_kernel accepted)', async () => {
    const events: string[] = [];
    const sub = p.node.events.subscribe((e) => events.push(`${e.type} ${e.node}`));
    expect(await ev(p.erl, `net_adm:ping('${p.ts}')`)).toBe('pong');
    expect(await ev(p.erl, `lists:member('${p.ts}', nodes(hidden))`)).toBe('true');
    // hidden by default: not among the visible nodes
    expect(await ev(p.erl, `lists:member('${p.ts}', nodes())`)).toBe('false');
    expect(p.node.nodes()).toContain(p.erlName);
    await until(() => events.includes(`nodeup ${p.erlName}`), 2000, 'nodeup event');
    sub.unsubscribe();
    // the caller demonitors net_kernel afterwards; nothing is left behind on our side
    expect(p.node.stats().tables.aliases).toBe(0);
  });

  it('repeated pings keep answering', async () => {
    for (let i = 0; i < 5; i++) expect(await ev(p.erl, `net_adm:ping('${p.ts}')`)).toBe('pong');
  });

  it('TS → erl returns pong', async () => {
    expect(await p.node.ping(p.erlName)).toBe('pong');
  });

  it('TS → a node that does not exist returns pang', async () => {
    expect(await p.node.ping('nobody@localhost')).toBe('pang');
    expect(await p.node.connect('nobody@localhost')).toBe(false);
  });

  it('a gen_server:call to net_kernel with another request gets an answer, not a hang', async () => {
    expect(await ev(p.erl, `gen_server:call({net_kernel, '${p.ts}'}, something_else, 2000)`)).toBe('{error,unsupported}');
  });
});

describe('node events and monitor_node', () => {
  it('a second erl: nodeup, then nodedown + {nodedown, Node} to monitor_node subscribers when it dies', async () => {
    const erl2 = await startErl({ name: 'erl_ping2@localhost', cookie: COOKIE, epmdPort: EPMD });
    try {
      const events: string[] = [];
      const sub = p.node.events.subscribe((e) => events.push(`${e.type} ${e.node}`));
      const downs: string[] = [];
      const off = p.node.on('nodedown', (e) => downs.push(`${e.node} ${e.reason.kind}`));
      expect(await erl2.eval(`net_adm:ping('${p.ts}')`)).toBe('pong');
      await until(() => events.includes('nodeup erl_ping2@localhost'), 2000, 'nodeup');
      const inbox = new Inbox(p.node.runtime);
      expect(p.node.monitorNode(inbox.pid, 'erl_ping2@localhost')).toBe(true);
      await erl2.kill();
      const msg = await inbox.next();
      expect(msg).toEqual(t(atom('nodedown'), atom('erl_ping2@localhost')));
      await until(() => events.includes('nodedown erl_ping2@localhost'), 2000, 'nodedown');
      expect(p.node.nodes()).not.toContain('erl_ping2@localhost');
      expect(downs).toEqual(['erl_ping2@localhost closed']);
      off();
      sub.unsubscribe();
    } finally {
      await erl2.kill();
    }
  });

  it('monitor_node on a node that cannot be reached delivers nodedown at once', async () => {
    const inbox = new Inbox(p.node.runtime);
    p.node.monitorNode(inbox.pid, 'ghost@localhost');
    expect(await inbox.next()).toEqual(t(atom('nodedown'), atom('ghost@localhost')));
  });

  it('monitor_node(Node, false) cancels one monitor_node(Node, true), as erl counts them', async () => {
    const erl3 = await startErl({ name: 'erl_ping3@localhost', cookie: COOKIE, epmdPort: EPMD });
    try {
      expect(await p.node.connect('erl_ping3@localhost')).toBe(true);
      const inbox = new Inbox(p.node.runtime);
      p.node.monitorNode(inbox.pid, 'erl_ping3@localhost');
      p.node.monitorNode(inbox.pid, 'erl_ping3@localhost', false);
      const other = new Inbox(p.node.runtime);
      p.node.monitorNode(other.pid, 'erl_ping3@localhost');
      const twice = new Inbox(p.node.runtime);
      for (const flag of [true, true, false]) p.node.monitorNode(twice.pid, 'erl_ping3@localhost', flag);
      await erl3.kill();
      await other.next();
      await new Promise((r) => setTimeout(r, 50));
      expect(inbox.kept).toEqual([]);
      // two on, one off: one {nodedown, Node} (erl gives the same)
      expect(twice.kept.map((m) => format(m as never))).toEqual(['{nodedown,erl_ping3@localhost}']);
    } finally {
      await erl3.kill();
    }
  });

  it('nodeup on a hidden node says hidden for a visible peer too, as monitor_nodes on an erl -hidden does', async () => {
    const erl4 = await startErl({ name: 'erl_ping4@localhost', cookie: COOKIE, epmdPort: EPMD });
    const seen: unknown[] = [];
    const off = p.node.on('nodeup', (e) => seen.push(e));
    try {
      expect(p.node.transport.hidden).toBe(true);
      expect(await p.node.connect('erl_ping4@localhost')).toBe(true);
      await until(() => seen.length > 0, 3000, 'nodeup');
      expect(seen).toEqual([{ type: 'nodeup', node: 'erl_ping4@localhost', hidden: true }]);
    } finally {
      off();
      await erl4.kill();
    }
  });

  it('erl sees our node go away: monitor_node on the erl side gets nodedown when we disconnect', async () => {
    await ev(p.erl, `true = monitor_node('${p.ts}', true)`);
    expect(p.node.disconnect(p.erlName)).toBe(true);
    expect(await ev(p.erl, `receive {nodedown, $N} -> $N after 5000 -> timeout end`)).toBe(`${p.ts}`);
    // and it reconnects on demand
    expect(await ev(p.erl, `net_adm:ping('${p.ts}')`)).toBe('pong');
  });
});
