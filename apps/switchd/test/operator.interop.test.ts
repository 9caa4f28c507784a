/**
 * switchd as an operator meets it, on real processes: SIGHUP (a TRAP event, switchd runs on),
 * the console's log level at run time (`console loglevel`, under the `fsctl loglevel` ceiling),
 * start-up messages that name what holds a port, a banner that says what SIP listens on,
 * report lines that name a supervisor by its place in the tree, beamctl taking a child id, and a
 * switchd registered with another one's embedded EPMD losing it when that one stops.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startErl, type ErlNode } from '../../../tools/erl/node.ts';
import { freePort, run, spawnApp, type Proc, type Ran } from '../../../tools/apps/run.ts';

const A = 'ops_a@localhost';
let EPMD = 0;
let LISTEN = 0;
let a: Proc;
let erl: ErlNode | undefined;
let sipPort = 0;

const ctl = (...args: string[]) => run('beamctl', ['--node', A, '--cookie', 'ClueCon', '--epmd-port', String(EPMD), ...args]);
const sh = (line: string) => erl!.eval(line, 10_000);
/** An API line through the switchd rpc module, from the erl already connected (faster than a beamctl each). */
const api = (line: string) => sh(`rpc:call('${A}', switchd, api, [<<"${line}">>])`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function oneLine(r: Ran): string {
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

async function listening(port: number, onConnection?: () => void): Promise<Server> {
  // a listener that never answers: not an EPMD, not a node
  const s = createServer(() => onConnection?.());
  await new Promise<void>((res) => s.listen(port, '127.0.0.1', res));
  return s;
}

beforeAll(async () => {
  EPMD = await freePort();
  LISTEN = await freePort();
  a = spawnApp('switchd', ['--name', A, '--epmd-port', String(EPMD), '--listen-port', String(LISTEN)]);
  await a.waitFor(/Ctrl-C/, 60_000);
  erl = await startErl({ name: 'ops_erl@localhost', cookie: 'ClueCon', epmdPort: EPMD });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  if (a && a.child.exitCode === null) {
    a.child.kill('SIGKILL');
    await a.exited;
  }
});

describe('switchd for operators', { timeout: 60_000 }, () => {
  it('the banner says what the SIP profile listens on: udp and tcp, the port it bound', () => {
    const m = /^ {2}sip +udp\+tcp 127\.0\.0\.1:(\d+) \(sofia profile internal; phones register as <user>@127\.0\.0\.1\)$/m.exec(a.stdout());
    expect(m).not.toBeNull();
    sipPort = Number(m![1]);
    expect(sipPort).toBeGreaterThan(0); // SWITCHD_SIP_PORT=0: the port it got, not 0
    expect(a.stdout()).toMatch(/^ {2}epmd +embedded EPMD on port \d+, all interfaces/m);
  });

  it('SIGHUP fires a TRAP event (Trapped-Signal: HUP) and switchd runs on', async () => {
    expect(await sh(`{foo, '${A}'} ! register_event_handler, receive R1 -> R1 after 2000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${A}'} ! {event, 'TRAP'}, receive R2 -> R2 after 2000 -> timeout end.`)).toBe('ok');
    a.child.kill('SIGHUP');
    expect(
      await sh(
        `receive {event, [_ | H]} -> {proplists:get_value("Event-Name", H), proplists:get_value("Trapped-Signal", H)} after 5000 -> timeout end.`,
      ),
    ).toBe('{"TRAP","HUP"}');
    await a.waitFor(/\[NOTICE\] switchd: SIGHUP: TRAP event fired \(Trapped-Signal: HUP\); still running/);
    await sleep(300);
    expect(a.child.exitCode).toBeNull();
    const ping = await ctl('ping');
    expect([ping.code, ping.stdout]).toEqual([0, 'pong\n']);
  });

  it('console loglevel sets what the console shows; fsctl loglevel caps every line, as in FreeSWITCH', async () => {
    expect(await api('console loglevel')).toBe('<<"+OK console log level set to INFO\\n">>');
    await api('log DEBUG ops-debug-hidden');
    expect(await api('console loglevel debug')).toBe('<<"+OK console log level set to DEBUG\\n">>');
    await api('log DEBUG ops-debug-shown');
    await a.waitFor(/\[DEBUG\] switch: ops-debug-shown/, 5000);
    expect(a.out()).not.toContain('ops-debug-hidden');
    expect(await api('console loglevel loud')).toBe('<<"-ERR Invalid console loglevel (loud)!\\n\\n">>');

    // the ceiling: at ERR, a NOTICE line is dropped, also switchd's own (a second SIGHUP's)
    expect(await api('fsctl loglevel err')).toBe('<<"+OK log level: ERR [3]\\n">>');
    await api('log NOTICE ops-notice-capped');
    a.child.kill('SIGHUP');
    expect(await sh(`receive {event, [_ | H2]} -> proplists:get_value("Trapped-Signal", H2) after 5000 -> timeout end.`)).toBe('"HUP"');
    await api('log ERR ops-err-passes');
    await a.waitFor(/\[ERR\] switch: ops-err-passes/, 5000);
    expect(a.out()).not.toContain('ops-notice-capped');
    expect(a.out().match(/switchd: SIGHUP:/g)).toHaveLength(1);
    await api('fsctl loglevel debug');
    await api('console loglevel info');
    expect(await sh(`{foo, '${A}'} ! noevents, receive R3 -> R3 after 2000 -> timeout end.`)).toBe('ok');
  });

  it('beamctl kill and info take a child id from the tree; the supervisor report names the supervisor by its place', async () => {
    const k = await ctl('kill', 'reaper', '--yes');
    expect(k.code).toBe(0);
    expect(k.stdout).toMatch(/^killed <0\.\d+\.0> \[\w+\] with reason kill$/m);
    await a.waitFor(/\[WARNING\] supervisor: switchd_sup\/switch <0\.\d+\.0>: child_terminated reaper <0\.\d+\.0> reason killed/, 5000);
    const [info, ambiguous, none] = await Promise.all([ctl('info', 'switch/reaper'), ctl('info', 'calls'), ctl('kill', 'no_such_child', '--yes')]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^pid: +<0\.\d+\.0>$/m);
    expect(ambiguous.code).toBe(5);
    expect(ambiguous.stderr).toMatch(
      /calls is a child id in 2 places on ops_a@localhost: switchd_sup\/erlang_event\/module\/calls, switchd_sup\/sofia\/calls; give one/,
    );
    expect(none.code).toBe(5);
    expect(none.stderr).toBe(
      'beamctl: no process no_such_child on ops_a@localhost: give a pid (<0.42.0>), a registered name, or a child id as `beamctl tree` shows it (id, or ids/down/to/it)\n',
    );
  });

  it('from erl, as through mod_erlang_event: fsctl pause refuses new calls, resume lets them in, min_idle_cpu refuses below the measured idle CPU, shutdown stops switchd', async () => {
    const D = 'ops_d@localhost';
    const d = spawnApp('switchd', ['--name', D, '--epmd-port', String(EPMD), '--listen-port', '0']);
    try {
      await d.waitFor(/Ctrl-C/, 60_000);
      let n = 0;
      const fs = (cmd: string, args: string) => {
        const v = `OpsD${++n}`;
        return sh(`{foo, '${D}'} ! {api, ${cmd}, "${args}"}, receive ${v} -> ${v} after 8000 -> timeout end.`);
      };
      expect(await fs('fsctl', 'pause')).toBe('{ok,"+OK\\n"}');
      expect(await fs('fsctl', 'ready_check')).toBe('{ok,"false"}');
      expect(await fs('originate', 'null/1000 &park')).toBe('{error,"-ERR DESTINATION_OUT_OF_ORDER\\n"}');
      await d.waitFor(/\[CRIT\] switch: The system cannot create any outbound sessions at this time\./, 5000);
      expect(await fs('fsctl', 'resume')).toBe('{ok,"+OK\\n"}');
      expect(await fs('originate', 'null/1000 &park')).toMatch(/^\{ok,"\+OK [0-9a-f-]{36}\\n"\}$/);
      // min-idle-cpu above any idle figure refuses every new call, silently; status shows the measured figure
      expect(await fs('fsctl', 'min_idle_cpu 100.5')).toBe('{ok,"+OK min idle cpu: 100.50%\\n"}');
      expect(await fs('status', '')).toMatch(/min idle cpu 100\.50\/\d{1,3}\.\d\d\\nCurrent Stack Size\/Max \d+K\/\d+K\\n"\}$/);
      expect(await fs('originate', 'null/1001 &park')).toBe('{error,"-ERR DESTINATION_OUT_OF_ORDER\\n"}');
      expect(await fs('fsctl', 'min_idle_cpu 0')).toBe('{ok,"+OK min idle cpu: DISABLED\\n"}');
      expect(await fs('originate', 'null/1001 &park')).toMatch(/^\{ok,"\+OK [0-9a-f-]{36}\\n"\}$/);
      expect(await sh(`monitor_node('${D}', true)`)).toBe('true');
      expect(await fs('shutdown', '')).toBe('{ok,"+OK\\n"}');
      expect(await sh(`receive {nodedown, '${D}'} -> down after 15000 -> timeout end.`)).toBe('down');
      expect((await d.exited).code).toBe(0);
      expect(d.out()).toMatch(/\[NOTICE\] switchd: fsctl shutdown: shutting down/);
    } finally {
      if (d.child.exitCode === null) {
        d.child.kill('SIGKILL');
        await d.exited;
      }
    }
  });

  it('a listen port in use: the message names the node EPMD lists on it, or says how to find the program', async () => {
    const port = await freePort();
    const holder = await listening(port);
    try {
      const [taken, other] = await Promise.all([
        run('switchd', ['--name', 'ops_b@localhost', '--epmd-port', String(EPMD), '--listen-port', String(LISTEN)]),
        run('switchd', ['--name', 'ops_b2@localhost', '--epmd-port', String(EPMD), '--listen-port', String(port)]),
      ]);
      expect(oneLine(taken)).toBe(
        `switchd: listen port ${LISTEN} (0.0.0.0) is in use by the Erlang node ops_a (the EPMD on port ${EPMD} lists it there); stop it or choose another port with --listen-port (0: any free port)`,
      );
      expect(oneLine(other)).toBe(
        `switchd: listen port ${port} (0.0.0.0) is in use by another program (\`ss -ltnp 'sport = :${port}'\` shows which program); stop it or choose another port with --listen-port (0: any free port)`,
      );
    } finally {
      holder.close();
    }
  });

  it('EPMD start-up failures: a real EPMD under --epmd embedded, a port that is no EPMD, a silent listener, --epmd system', async () => {
    const [notEpmd, silent, noEpmd] = await Promise.all([freePort(), freePort(), freePort()]);
    const holders = [await listening(notEpmd), await listening(silent)];
    try {
      const [embedded, busy, quiet, system] = await Promise.all([
        run('switchd', ['--name', 'ops_e@localhost', '--epmd', 'embedded', '--epmd-port', String(EPMD), '--listen-port', '0']),
        run('switchd', ['--name', 'ops_f@localhost', '--epmd', 'embedded', '--epmd-port', String(notEpmd), '--listen-port', '0']),
        run('switchd', ['--name', 'ops_g@localhost', '--epmd-port', String(silent), '--listen-port', '0']),
        run('switchd', ['--name', 'ops_h@localhost', '--epmd', 'system', '--epmd-port', String(noEpmd), '--listen-port', '0']),
      ]);
      expect(oneLine(embedded)).toBe(
        `switchd: an EPMD already runs on port ${EPMD}, so --epmd embedded cannot start switchd's own there; use --epmd auto (or system) to register with it, or give another --epmd-port`,
      );
      expect(oneLine(busy)).toBe(
        `switchd: EPMD port ${notEpmd} is in use by something that is not EPMD (\`ss -ltnp 'sport = :${notEpmd}'\` shows which program); free it, or use --epmd-port / ERL_EPMD_PORT`,
      );
      expect(oneLine(quiet)).toBe(
        `switchd: EPMD port ${silent} is held by something that does not answer as EPMD (epmd 127.0.0.1:${silent}: reply timeout; \`ss -ltnp 'sport = :${silent}'\` shows which program); free it, or use --epmd-port / ERL_EPMD_PORT`,
      );
      expect(oneLine(system)).toBe(
        `switchd: no EPMD answers on port ${noEpmd} (--epmd system); start one with \`epmd -daemon -port ${noEpmd}\`, or use --epmd auto`,
      );
    } finally {
      for (const h of holders) h.close();
    }
  });

  it("a profile that cannot bind: the banner says so; a switchd on another's embedded EPMD registers again when that one stops", async () => {
    const c = spawnApp('switchd', ['--name', 'ops_c@localhost', '--epmd-port', String(EPMD), '--listen-port', '0'], {
      SWITCHD_SIP_PORT: String(sipPort),
    });
    try {
      await c.waitFor(/Ctrl-C/, 60_000);
      expect(c.stdout()).toContain(
        `  sip      NOT LISTENING: sofia profile internal did not start on 127.0.0.1:${sipPort} (its ERR line below says why;`,
      );
      expect(c.stdout()).toMatch(/^ {2}epmd +the EPMD already running on port \d+ \(a system epmd or another switchd's embedded one: if it stops/m);
      // a peer linked to and monitoring FsPid: when switchd stops, both end noconnection (the
      // connection closes first, as FreeSWITCH's module unload does; no `shutdown` from the node)
      expect(
        await sh(
          `process_flag(trap_exit, true), {x, '${A}'} ! getpid, receive {ok, OpsFs} -> link(OpsFs), OpsMon = erlang:monitor(process, OpsFs), linked after 2000 -> timeout end`,
        ),
      ).toBe('linked');
      a.child.kill('SIGTERM');
      expect((await a.exited).code).toBe(0);
      expect(await sh(`receive {'EXIT', OpsFs, OpsWhy} -> OpsWhy after 3000 -> timeout end`)).toBe('noconnection');
      expect(await sh(`receive {'DOWN', OpsMon, process, OpsFs, OpsWhy2} -> OpsWhy2 after 3000 -> timeout end`)).toBe('noconnection');
      await erl?.stop();
      erl = undefined;
      await c.waitFor(/\[ERR\] dist: the EPMD registration socket closed; peers can no longer resolve this node until it registers again/, 10_000);
      expect(c.out()).not.toContain('dist: dist:');
      // no EPMD answers on the port any more: it embeds its own and registers there, so peers find it again
      await c.waitFor(new RegExp(`dist: registered with its own embedded EPMD on port ${EPMD} again`), 15_000);
      const later = await startErl({ name: 'ops_erl2@localhost', cookie: 'ClueCon', epmdPort: EPMD });
      try {
        expect(await later.eval(`net_adm:ping('ops_c@localhost')`)).toBe('pong');
      } finally {
        await later.stop();
      }
    } finally {
      c.child.kill('SIGTERM');
      await c.exited;
    }
  });
});
