/**
 * Test support: the switch node brought up as startErlangEvent does (private EPMD port, free
 * distribution port), a real erl node beside it, and `shell(expr)`: an expression typed into the
 * erl node (its bindings persist, like a shell's).
 */
import { createServer } from 'node:net';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { type ErlangEventConfig, type StartOptions, type Started, startErlangEvent } from '../src/index.ts';

export const COOKIE = 'ClueCon';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Rig {
  fs: Started;
  erl: ErlNode;
  /** The switch node's name (`fs_<tag>@localhost`). */
  fsName: string;
  epmdPort: number;
  /** Evaluate on erl (a shell line); resolves with the `~p` text of the value. */
  shell(expr: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export const quietEnv = {
  hostname: 'localhost',
  home: undefined,
  readCookieFile: () => undefined,
  log: () => {},
};

/** Switch node `fs_<tag>@localhost` + erl `t_<tag>@localhost` on a private EPMD. */
export async function startRig(tag: string, config: Partial<ErlangEventConfig> = {}, opts: Partial<StartOptions> = {}): Promise<Rig> {
  const epmdPort = await freePort();
  const listenPort = await freePort();
  const fsName = `fs_${tag}@localhost`;
  const fs = await startErlangEvent({
    env: quietEnv,
    ...opts,
    config: { nodeName: fsName, cookie: COOKIE, listenPort, ...config },
    node: { epmdPort, ...opts.node },
    switch: { timers: false, ...opts.switch },
  });
  let erl: ErlNode;
  try {
    erl = await startErl({ name: `t_${tag}@localhost`, cookie: COOKIE, epmdPort, echo: process.env.BEAMLINE_TEST_ECHO === '1' });
  } catch (e) {
    await fs.stop();
    throw e;
  }
  await erl.eval(`FS = '${fsName}'`);
  return {
    fs,
    erl,
    fsName,
    epmdPort,
    shell: (expr, timeoutMs) => erl.eval(expr, timeoutMs),
    async stop() {
      await erl.stop().catch(() => {});
      await fs.stop();
    },
  };
}
