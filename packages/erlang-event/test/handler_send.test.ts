/**
 * How events and log lines travel to a handler on another node: as the original's `ei_send` sends
 * them, `{SEND, '', To}` without a sender pid (the receiving erl then decodes no pid per event),
 * while the listener's replies keep theirs (SEND_SENDER). The handler node here is a beamline
 * node, whose router shows each message's control message; erl's handlers getting these is
 * proven by the interop suites.
 */
import { Runtime } from '@beamline/core';
import { type InboundMessage, MemoryLogger, startNode } from '@beamline/distribution';
import { Tuple, atom, t } from '@beamline/etf';
import { expect, it } from 'vitest';
import { startErlangEvent } from '../src/index.ts';
import { COOKIE, freePort, quietEnv } from './helpers.ts';

it('events and log lines go without a sender pid; replies to commands carry the listener pid', async () => {
  const epmdPort = await freePort();
  const fsName = 'fs_send@localhost';
  const fs = await startErlangEvent({
    env: quietEnv,
    runtime: new Runtime({ logger: null }),
    config: { nodeName: fsName, cookie: COOKIE, listenPort: await freePort() },
    node: { epmdPort },
    switch: { timers: false },
  });
  const runtime = new Runtime({ logger: null });
  const handlerNode = await startNode({ name: 'h_send@localhost', cookie: COOKIE, epmdPort, runtime, logger: new MemoryLogger(false) });
  const seen: InboundMessage[] = [];
  handlerNode.interceptMessages((_peer, m) => {
    seen.push(m);
    return false;
  });
  try {
    await handlerNode.inProcess(async (ctx) => {
      const OK = atom('ok');
      const command = async (cmd: unknown) => {
        ctx.send(['foo', fsName], cmd);
        expect(await ctx.receive((m) => m === OK, 5000)).toBe(OK);
      };
      await command(atom('register_event_handler'));
      await command(t(atom('event'), atom('CUSTOM'), atom('send::t')));
      await command(atom('register_log_handler'));
      const e = fs.sw.core.bus.create('CUSTOM', 'send::t');
      e.addHeader('Seq', '1');
      fs.sw.core.bus.fire(e);
      fs.sw.core.log('ERR', 'a line for the handler');
      const isTagged = (tag: string) => (m: unknown) => m instanceof Tuple && m.elements[0] === atom(tag);
      expect(await ctx.receive(isTagged('event'), 5000)).toBeInstanceOf(Tuple);
      expect(await ctx.receive(isTagged('log'), 5000)).toBeInstanceOf(Tuple);
    });
    const stream = seen.filter((m) => m.message instanceof Tuple && [atom('event'), atom('log')].includes(m.message.elements[0] as never));
    const replies = seen.filter((m) => m.message === atom('ok'));
    const tags = new Set(stream.map((m) => (m.message as Tuple).elements[0]));
    expect(tags).toEqual(new Set([atom('event'), atom('log')]));
    for (const m of stream) expect([m.kind, 'from' in m ? m.from : undefined]).toEqual(['send', undefined]);
    expect(replies).toHaveLength(3);
    for (const r of replies) expect(r.kind === 'send' && r.from?.node).toBe(atom(fsName));
  } finally {
    await handlerNode.stop();
    await runtime.stop();
    await fs.stop();
  }
});
