/**
 * Bringing the module up (mod_erlang_event's load + listen): the node must own the runtime before
 * the switch spawns anything (pids carry the node name), so the order is: read
 * erlang_event.conf out of the conf/ directory, start the node (hidden, registered in EPMD under
 * `listen-port`), start the switch on the node's runtime, then load the module.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { Runtime, type Where } from '@beamline/core';
import { type BeamNode, type NodeOptions, startNode } from '@beamline/distribution';
import { type Switch, type SwitchOptions, loadConf, startSwitch } from '@beamline/switch';
import { type ConfigEnv, type ErlangEventConfig, configFromXml } from './config.ts';
import { ErlangEvent, type LoadOptions } from './module.ts';

/** The machine's view for config.ts (file system, host name, HOME). */
export function systemConfigEnv(log: ConfigEnv['log'] = (level, text) => process.stderr.write(`[erlang_event] ${level}: ${text}\n`)): ConfigEnv {
  return {
    hostname: hostname(),
    home: process.env.HOME ?? homedir(),
    readCookieFile: (path) => {
      try {
        const st = statSync(path);
        return { text: readFileSync(path, 'utf8'), private: (st.mode & 0o077) === 0 };
      } catch {
        return undefined;
      }
    },
    log,
  };
}

/**
 * Load the module on a started switch and node. `where`: a process context links the module's
 * supervisor (`erlang_event`) to that process (a host's supervision tree); default: the node's runtime.
 */
export async function load(sw: Switch, node: BeamNode, config: ErlangEventConfig, options: LoadOptions = {}, where?: Where): Promise<ErlangEvent> {
  const m = new ErlangEvent(sw, node, config, options);
  await m.start(where);
  return m;
}

export interface StartOptions {
  /** A FreeSWITCH-layout conf/ directory; erlang_event.conf is read from it (and the switch's conf). */
  readonly confDir?: string;
  /** Settings that win over erlang_event.conf (tests: a free port, a cookie). */
  readonly config?: Partial<ErlangEventConfig>;
  readonly switch?: Omit<SwitchOptions, 'confDir'>;
  /** Node options besides name / cookie / port / hidden (epmdPort, logger, transport limits…). */
  readonly node?: Omit<NodeOptions, 'name' | 'cookie' | 'listenPort' | 'listenHost' | 'hidden' | 'runtime'>;
  readonly load?: LoadOptions;
  readonly env?: ConfigEnv;
  /** A runtime with no processes yet (default: a new one with the console logger). */
  readonly runtime?: Runtime;
  /** How long to keep retrying a failed bind when stop-on-bind-error is false (default: forever). */
  readonly bindRetryMs?: number;
}

export interface Started {
  readonly runtime: Runtime;
  readonly node: BeamNode;
  readonly sw: Switch;
  readonly module: ErlangEvent;
  readonly config: ErlangEventConfig;
  stop(): Promise<void>;
}

export async function startErlangEvent(o: StartOptions = {}): Promise<Started> {
  const env = o.env ?? systemConfigEnv();
  const root = o.confDir ? loadConf(o.confDir).root : undefined;
  const config = configFromXml(root, env, o.config);
  const runtime = o.runtime ?? new Runtime();
  let node: BeamNode | undefined;
  let sw: Switch | undefined;
  let module: ErlangEvent;
  try {
    node = await listen(config, runtime, o);
    sw = await startSwitch(runtime, { ...o.switch, ...(o.confDir ? { confDir: o.confDir } : {}) });
    module = await load(sw, node, config, o.load);
  } catch (e) {
    // nothing half-started is left behind
    await sw?.stop().catch(() => {});
    await node?.stop().catch(() => {});
    await runtime.stop().catch(() => {});
    throw e;
  }
  sw.core.log('NOTICE', `Connected to epmd and published erlang cnode name ${config.nodeName} at port ${node.port}`);
  const up = { node, sw };
  return {
    runtime,
    node: up.node,
    sw: up.sw,
    module,
    config,
    async stop() {
      await module.stop();
      await up.sw.stop();
      await up.node.stop();
      await runtime.stop();
    },
  };
}

/** Start the node; a failed bind either throws (stop-on-bind-error) or is retried every 100 ms. */
async function listen(config: ErlangEventConfig, runtime: Runtime, o: StartOptions): Promise<BeamNode> {
  const deadline = o.bindRetryMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.bindRetryMs;
  for (;;) {
    try {
      return await startNode({
        ...o.node,
        name: config.nodeName,
        cookie: config.cookie,
        listenPort: config.listenPort,
        ...(config.listenIp ? { listenHost: config.listenIp } : {}),
        hidden: true,
        runtime,
      });
    } catch (e) {
      if (config.stopOnBindError || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
