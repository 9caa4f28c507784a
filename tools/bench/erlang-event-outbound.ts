/**
 * `pnpm bench erlang-event-outbound [--calls 1000] [--runs 3] [--epmd-port 4492]`
 *
 * Issue 9's outbound row: `--calls` concurrent calls routed to `erlang cnt:! <erl node>`, each
 * getting its own erl handler process from the factory `cnt` (`{get_pid, …}` → `{Ref, Pid}`). Set-up
 * rate = calls ÷ the time from the first originate until every handler has its `{call, _}`. The
 * anchor, measured in the same run on the same switch: the same number of calls originated to a
 * plain `park` extension (no Erlang). Then all calls are hung up; every handler counts its
 * `{call_event, _}`s and `{call_hangup, _}`: lost events = what the switch fired for those calls
 * between the attachment and CHANNEL_DESTROY (which ends it) minus what the handlers received. Runs are
 * interleaved; medians compared. Prints a table, writes bench-results/erlang-event-outbound.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table as newTable } from './_table.ts';
import { Runtime } from '@beamline/core';
import { type Started, startErlangEvent } from '@beamline/erlang-event';
import { staticDialplan } from '@beamline/switch';
import { otpRelease, startErl } from '../erl/node.ts';
import { freePort } from '../erl/free_port.ts';
import { port, positiveInt } from './_args.ts';
import { median } from './_stats.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const COOKIE = 'beamline_bench';
const quiet = { hostname: 'localhost', home: undefined, readCookieFile: () => undefined, log: () => {} };

/** The counter (calls, call_events, call_hangups) and the factory whose handlers report to it. */
const ERL_SETUP = `
register(ctr, spawn(fun() -> (fun L(C, E, H) -> receive {c} -> L(C + 1, E, H); {e} -> L(C, E + 1, H); {h} -> L(C, E, H + 1); reset -> L(0, 0, 0); {get, F} -> F ! {counts, C, E, H}, L(C, E, H) end end)(0, 0, 0) end)),
register(cnt, spawn(fun() -> (fun F() -> receive {get_pid, _, R, Fs} -> P = spawn(fun() -> (fun G() -> receive {call, _} -> ctr ! {c}, G(); {call_event, _} -> ctr ! {e}, G(); {call_hangup, _} -> ctr ! {h} end end)() end), Fs ! {R, P}, F() end end)() end)),
Counts = fun() -> ctr ! {get, self()}, receive {counts, C_, E_, H_} -> [C_, E_, H_] end end,
ok`;

export const needs = [erlNeed];

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { calls: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, 'epmd-port': { type: 'string', default: '4492' } },
  });
  const N = positiveInt('--calls', values.calls);
  const RUNS = positiveInt('--runs', values.runs);
  const epmdPort = port('--epmd-port', values['epmd-port']);
  const otp = await otpRelease();
  const erlName = 'bench_ob@localhost';
  const fs: Started = await startErlangEvent({
    env: quiet,
    runtime: new Runtime({ logger: null }),
    config: { nodeName: 'bench_ob_fs@localhost', cookie: COOKIE, listenPort: await freePort() },
    node: { epmdPort },
    switch: {
      timers: false,
      maxSessions: 1_000_000,
      sessionsPerSecond: 1_000_000,
      dialplan: staticDialplan({ default: { '3000': [['erlang', `cnt:! ${erlName}`]], '1': [['park']] } }),
    },
  });
  const erl = await startErl({ name: erlName, cookie: COOKIE, epmdPort });
  const log = (s: string) => process.stderr.write(`[erlang-event-outbound] ${s}\n`);
  const counts = async () => JSON.parse(await erl.eval('Counts()')) as [number, number, number];
  const until = async (done: (c: [number, number, number]) => boolean) => {
    for (let i = 0; ; i++) {
      const c = await counts();
      if (done(c)) return c;
      if (i > 6000) throw new Error(`handlers stuck at ${c.join('/')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const settled = async () => {
    for (let i = 0; i < 1000 && fs.sw.core.sessions.count > 0; i++) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    const r = await erl.eval(ERL_SETUP);
    if (r !== 'ok') throw new Error(`erl setup: ${r}`);
    const anchor: number[] = [];
    const outbound: number[] = [];
    let lostEvents = 0;
    for (let run = 0; run < RUNS; run++) {
      log(`run ${run + 1}/${RUNS}: ${N} calls to park`);
      let t0 = performance.now();
      const plain = await Promise.all(Array.from({ length: N }, () => fs.sw.originate('null/1 1')));
      anchor.push(N / ((performance.now() - t0) / 1000));
      if (plain.some((x) => !x.startsWith('+OK'))) throw new Error(`anchor originate: ${plain.find((x) => !x.startsWith('+OK'))}`);
      await fs.sw.api('hupall');
      await settled();

      log(`run ${run + 1}/${RUNS}: ${N} calls to erlang cnt:!`);
      await erl.eval('ctr ! reset, ok');
      const fired = new Map<string, number>();
      const sub = fs.sw.events.subscribe({ name: 'bench', capacity: 10_000_000 });
      t0 = performance.now();
      const out = await Promise.all(Array.from({ length: N }, () => fs.sw.originate('null/1 3000')));
      if (out.some((x) => !x.startsWith('+OK'))) throw new Error(`outbound originate: ${out.find((x) => !x.startsWith('+OK'))}`);
      await until(([c]) => c >= N);
      outbound.push(N / ((performance.now() - t0) / 1000));
      await fs.sw.api('hupall');
      const [, e, h] = await until(([, , hh]) => hh >= N);
      await settled();
      // what each handler must get: its call's events after the erlang application started
      // (the CHANNEL_EXECUTE naming it comes before the attachment) up to CHANNEL_DESTROY
      const attached = new Set<string>();
      for (const ev of sub.take()) {
        const u = ev.getHeader('Unique-ID');
        if (u === undefined) continue;
        if (attached.has(u)) {
          // CHANNEL_DESTROY ends the attachment: it and what follows are not the handler's
          if (ev.type === 'CHANNEL_DESTROY') attached.delete(u);
          else fired.set(u, (fired.get(u) ?? 0) + 1);
        } else if (fired.has(u)) continue;
        else if (ev.type === 'CHANNEL_EXECUTE' && ev.getHeader('Application') === 'erlang') attached.add(u);
      }
      sub.unsubscribe();
      const expected = [...fired.values()].reduce((x, y) => x + y, 0);
      log(`run ${run + 1}: handlers got ${e} call_events and ${h} call_hangups; the switch fired ${expected} events for them`);
      lostEvents += Math.abs(expected - e) + (N - h);
    }
    const a = median(anchor, Number);
    const o = median(outbound, Number);
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const table = newTable({
      head: [`erlang-event outbound (OTP ${otp}, ${N} calls)`, 'anchor: calls to park', 'calls to erlang cnt:!', 'outbound / anchor'],
    });
    table.push(['calls/s set up', f(a), f(o), `${(o / a).toFixed(2)}×`], ['lost events', '', String(lostEvents), '']);
    console.log(table.toString());
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      join(root, 'bench-results/erlang-event-outbound.json'),
      `${JSON.stringify({ otp, calls: N, runs: RUNS, anchorCallsPerSecond: anchor, outboundCallsPerSecondRuns: outbound, outboundCallsPerSecond: o, ratio: o / a, lostEvents }, null, 2)}\n`,
    );
  } finally {
    await erl.stop().catch(() => {});
    await fs.stop();
  }
}
