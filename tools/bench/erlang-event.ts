/**
 * `pnpm bench erlang-event [--n 200000] [--rtts 5000] [--runs 5] [--calls 1000] [--epmd-port 4491]`
 *
 * The Erlang module against Erlang itself, same machine, same run:
 *  1. events/s delivered to one erl event handler (CUSTOM events fired on the switch's bus, sent
 *     by the module), binary and string encoding, against an erl node (B) sending the very same
 *     event terms (decoded from what the module sends) to the same kind of counting process on the
 *     same receiving erl node (A): a node's own cost per message varies by a few percent. The
 *     rate is taken between the first and the last event the counter sees. After one unmeasured
 *     warm-up flood each way (`--n` / 4 events), runs `--runs` times, interleaved; medians compared.
 *     Each run floods twice more with the receiving erl reading its distribution sockets 64 KiB at
 *     a time instead of OTP's 1,460 bytes (_read_buffer.ts): the receiver is then not the bound.
 *  2. `{api, status, ""}` round trips from erl to the switch node against `gen_server:call` from erl
 *     to a process on another erl node answering a status-like text: p50 / p99, `--runs` times
 *     interleaved; the medians of the runs' p50s and p99s compared. Node CPU per event and the share
 *     of the time the node ran or waited runnable for a CPU are printed for each events run, with
 *     the erl sender's CPU per event beside it and the receiving erl's on both sides (on two cores
 *     the receiver, at a full core, bounds both rates; what the sender takes is taken from it).
 *  3. `--calls` (1,000) concurrent outbound calls, each with its own erl handler process (see
 *     `outbound` below): set-up rate and lost events (no erl anchor: erl has no switch).
 * Lost events (queue overflow) across all runs must be 0. Prints a table with the ratios and
 * writes bench-results/erlang-event.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table as newTable } from './_table.ts';
import { Runtime } from '@beamline/core';
import { encode } from '@beamline/etf';
import { staticDialplan } from '@beamline/switch';
import { type Encoding, type Started, eventTerm, startErlangEvent } from '@beamline/erlang-event';
import { type ErlNode, otpRelease, startErl } from '../erl/node.ts';
import { freePort } from '../erl/free_port.ts';
import { port, positiveInt } from './_args.ts';
import { LARGE_READ_BUFFER, distReadBuffer, setDistReadBuffer } from './_read_buffer.ts';
import { median, percentiles } from './_stats.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const COOKIE = 'beamline_bench';
const quiet = { hostname: 'localhost', home: undefined, readCookieFile: () => undefined, log: () => {} };

type Rate = {
  micros: number;
  rate: number;
  /** CPU the receiving erl node spent per event (Linux /proc), both sides. */
  receiverCpuUsPerEvent?: number;
  /** CPU the erl sender (anchor) spent per event (Linux /proc). */
  senderCpuUsPerEvent?: number;
  nodeCpuUsPerEvent?: number;
  nodeCpuShare?: number;
  nodeRunqueueShare?: number;
};

/** Nanoseconds the main thread has waited runnable for a CPU (Linux /proc schedstat), else NaN. */
function runqueueWaitNs(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return Number.NaN;
  }
}
const byRate = (r: Rate) => r.rate;

/** Microseconds of CPU (user + system) process `pid` has used (Linux /proc, 100 ticks a second), else NaN. */
function processCpuUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

function parseCount(text: string, n: number): Rate {
  const m = /^\{(\d+),(\d+)\}$/.exec(text.trim());
  if (!m || Number(m[1]) !== n) throw new Error(`counter: ${text}`);
  const micros = Math.max(1, Number(m[2]));
  return { micros, rate: (n - 1) / (micros / 1e6) };
}

type Pct = { p50: number; p99: number };

/** The receiving erl node as OTP sets it up, and reading 64 KiB at a time (_read_buffer.ts). */
const RECEIVERS = ['default', 'read 64 KiB'] as const;
type Receiver = (typeof RECEIVERS)[number];

/**
 * Fire `n` CUSTOM bench::x events on the bus, paced by the handler's queue: at most ~2,000 events
 * wait for the handler, as erl's flood waits once ~1 MB is queued for its connection (OTP's
 * dist_buf_busy_limit suspends the sender). A deeper backlog measures the GC of 20,000 queued
 * events more than the module (~25% of the node's CPU at 20,000, in a profile). While the queue is
 * full the generator sleeps a millisecond (~6 ms of events stay queued), as the suspended erl
 * sender does not run: polling every turn of the event loop took CPU from the receiving erl on a
 * two-core machine, more the faster the node was.
 */
async function fire(fs: Started, peer: string, n: number): Promise<void> {
  const bus = fs.sw.core.bus;
  const handler = () => fs.module.listener(peer)?.events.all[0];
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + 1000);
    for (; i < end; i++) {
      const e = bus.create('CUSTOM', 'bench::x');
      e.addHeader('N', String(i));
      bus.fire(e);
    }
    await new Promise((r) => setImmediate(r));
    while ((handler()?.pump.queued ?? 0) > 2000) await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * `calls` concurrent calls routed to `erlang mee_bench:ob_launch <erl>`: each gets its own handler
 * process on erl (rex, the `module:function` form). Set-up rate: from the first originate until
 * every handler has its `{call, _}`. Then all are killed; each handler reports the Event-Sequence of
 * its first and last call_event and how many it got; the events the switch fired for that call
 * between those two (CHANNEL_DESTROY excepted, spec §3.3) that the handler did not get are lost.
 */
async function outbound(
  fs: Started,
  erl: ErlNode,
  calls: number,
): Promise<{ calls: number; callsPerSecond: number; setupMs: number; lostEvents: number; missingCalls: number; eventsDelivered: number }> {
  if ((await erl.eval(`mee_bench:start_ob(${calls})`)) !== 'ok') throw new Error('start_ob');
  const fired = new Map<string, number[]>();
  const sub = fs.sw.events.subscribe({
    name: 'bench outbound',
    capacity: 10_000_000,
    handler: (e) => {
      const uuid = e.getHeader('Unique-ID');
      if (uuid === undefined || e.type === 'CHANNEL_DESTROY') return;
      let seqs = fired.get(uuid);
      if (!seqs) fired.set(uuid, (seqs = []));
      seqs.push(Number(e.getHeader('Event-Sequence')));
    },
  });
  try {
    const t0 = performance.now();
    const replies = await Promise.all(Array.from({ length: calls }, () => fs.sw.originate('null/1 ob')));
    const uuids = replies.map((r) => {
      const m = /^\+OK ([0-9a-f-]{36})\n$/.exec(r);
      if (!m) throw new Error(`originate: ${r}`);
      return m[1]!;
    });
    const setUp = await erl.eval(`mee_bench:wait_ob(calls, 120000)`, 130_000);
    const setupMs = performance.now() - t0;
    if (setUp !== 'ok') throw new Error(`outbound calls not all set up: ${setUp}`);
    await Promise.all(uuids.map((u) => fs.sw.api(`uuid_kill ${u}`)));
    const hung = await erl.eval(`mee_bench:wait_ob(hangups, 120000)`, 130_000);
    if (hung !== 'ok') throw new Error(`outbound hangups not all seen: ${hung}`);
    const report = await erl.eval('mee_bench:ob_report()', 60_000);
    const seen = new Set<string>();
    let lostEvents = 0;
    let eventsDelivered = 0;
    for (const m of report.matchAll(/\{\s*"([0-9a-f-]{36})"\s*,\s*(\d+|undefined)\s*,\s*(\d+|undefined)\s*,\s*(\d+)\s*\}/g)) {
      const [, uuid, first, last, count] = m as unknown as [string, string, string, string, string];
      seen.add(uuid);
      eventsDelivered += Number(count);
      const seqs = fired.get(uuid) ?? [];
      const expected = first === 'undefined' ? 0 : seqs.filter((q) => q >= Number(first) && q <= Number(last)).length;
      lostEvents += Math.max(0, expected - Number(count));
    }
    const missingCalls = uuids.filter((u) => !seen.has(u)).length;
    return { calls, callsPerSecond: calls / (setupMs / 1000), setupMs, lostEvents, missingCalls, eventsDelivered };
  } finally {
    sub.unsubscribe();
  }
}

export const needs = [erlNeed];

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string', default: '200000' },
      rtts: { type: 'string', default: '5000' },
      runs: { type: 'string', default: '5' },
      calls: { type: 'string', default: '1000' },
      'epmd-port': { type: 'string', default: '4491' },
    },
  });
  const N = positiveInt('--n', values.n);
  const RTTS = positiveInt('--rtts', values.rtts);
  const RUNS = positiveInt('--runs', values.runs);
  const CALLS = positiveInt('--calls', values.calls);
  const WARMUP = Math.max(1000, Math.round(N / 4));
  const epmdPort = port('--epmd-port', values['epmd-port']);
  const otp = await otpRelease();
  const log = (s: string) => process.stderr.write(`[bench erlang-event] ${s}\n`);

  const start = async (encoding: Encoding): Promise<Started> =>
    startErlangEvent({
      env: quiet,
      runtime: new Runtime({ logger: null }),
      config: { nodeName: `bench_fs_${encoding}@localhost`, cookie: COOKIE, listenPort: await freePort(), encoding },
      node: { epmdPort },
      switch: {
        timers: false,
        maxSessions: 100_000,
        sessionsPerSecond: 100_000,
        // outbound: each call's own handler process, by rpc (the `module:function` form)
        dialplan: staticDialplan({ default: { ob: [['erlang', 'mee_bench:ob_launch bench_mee_a@localhost']] } }),
      },
    });
  // the first switch node also hosts the EPMD the erl nodes use; both live to the end
  const nodes: Record<Encoding, Started> = { binary: await start('binary'), string: await start('string') };
  const erlA = await startErl({ name: 'bench_mee_a@localhost', cookie: COOKIE, epmdPort });
  const erlB = await startErl({ name: 'bench_mee_b@localhost', cookie: COOKIE, epmdPort });
  const results: Record<string, unknown> = { otp, n: N, rtts: RTTS, runs: RUNS, node: process.version };
  let lostEvents = 0;
  type Result = { erl: Rate; beamline: Rate; all: { erl: Rate[]; beamline: Rate[] } };
  const events: Record<Receiver, Record<Encoding, Result>> = { default: {} as never, 'read 64 KiB': {} as never };
  try {
    await erlA.loadModule(join(root, 'tools/erl/mee_bench.erl'));
    await erlB.loadModule(join(root, 'tools/erl/mee_bench.erl'));
    await erlA.eval(`pong = net_adm:ping('bench_mee_b@localhost'), ok`);
    const defaultBuffer = await distReadBuffer(erlA);
    for (const encoding of ['binary', 'string'] as Encoding[]) {
      const fs = nodes[encoding];
      const FS = fs.config.nodeName;
      await erlA.eval(`pong = net_adm:ping('${FS}'), ok`);
      const sample = fs.sw.core.bus.create('CUSTOM', 'bench::x');
      sample.addHeader('N', '0');
      const b64 = Buffer.from(encode(eventTerm(sample, encoding))).toString('base64');
      await erlA.eval(`Ev_${encoding} = binary_to_term(base64:decode("${b64}")), ok`);
      // erl B floods a counter on erl A: the receiving node is the same as for the switch's flood
      const erlFlood = async (n: number): Promise<Rate> => {
        const receiver0 = processCpuUs(erlA.pid);
        const sender0 = processCpuUs(erlB.pid);
        const rate = parseCount(
          await erlA.eval(
            `(fun() -> C = mee_bench:start_counter(${n}, undefined, self()), rpc:call('bench_mee_b@localhost', erlang, spawn, [mee_bench, flood, [C, Ev_${encoding}, ${n}]]), mee_bench:wait(C, 600000) end)()`,
            700_000,
          ),
          n,
        );
        rate.receiverCpuUsPerEvent = (processCpuUs(erlA.pid) - receiver0) / n;
        rate.senderCpuUsPerEvent = (processCpuUs(erlB.pid) - sender0) / n;
        return rate;
      };
      let flood = 0;
      const switchFlood = async (n: number): Promise<Rate> => {
        const cb = `Cb_${encoding}_${++flood}`; // a fresh shell variable for each counter
        await erlA.eval(`${cb} = mee_bench:start_counter(${n}, '${FS}', self()), ok`);
        const receiver0 = processCpuUs(erlA.pid);
        const cpu0 = process.cpuUsage();
        const wait0 = runqueueWaitNs();
        const wall0 = performance.now();
        await fire(fs, erlA.name, n);
        const rate = parseCount(await erlA.eval(`mee_bench:wait(${cb}, 600000)`, 700_000), n);
        const cpu = process.cpuUsage(cpu0);
        rate.receiverCpuUsPerEvent = (processCpuUs(erlA.pid) - receiver0) / n;
        const cpuUs = cpu.user + cpu.system;
        rate.nodeCpuUsPerEvent = cpuUs / n;
        const wallMs = performance.now() - wall0;
        rate.nodeCpuShare = cpuUs / 1000 / wallMs;
        rate.nodeRunqueueShare = (runqueueWaitNs() - wait0) / 1e6 / wallMs;
        await erlA.eval(`exit(${cb}, kill), timer:sleep(100), ok`);
        return rate;
      };
      // Unmeasured first: the node's JIT and heap reach their steady state (the first flood of a
      // process ran ~25% slower than the next ones), and both erl nodes see the same traffic once.
      log(`${encoding} warm-up: ${WARMUP} events each way`);
      await erlFlood(WARMUP);
      await switchFlood(WARMUP);
      const all: Record<Receiver, { erl: Rate[]; beamline: Rate[] }> = {
        default: { erl: [], beamline: [] },
        'read 64 KiB': { erl: [], beamline: [] },
      };
      for (let r = 1; r <= RUNS; r++) {
        for (const receiver of RECEIVERS) {
          await setDistReadBuffer(erlA, receiver === 'default' ? defaultBuffer : LARGE_READ_BUFFER);
          const runs = all[receiver];
          log(`${encoding} run ${r}/${RUNS}, receiver ${receiver}: erl → erl, ${N} events`);
          runs.erl.push(await erlFlood(N));
          log(`${encoding} run ${r}/${RUNS}, receiver ${receiver}: switch → erl handler, ${N} events`);
          const rate = await switchFlood(N);
          log(
            `  ${Math.round(rate.rate)} events/s, node CPU ${rate.nodeCpuUsPerEvent!.toFixed(2)} µs/event, ${(100 * rate.nodeCpuShare!).toFixed(0)}% of a core, waited runnable ${(100 * rate.nodeRunqueueShare!).toFixed(0)}% of the time; receiving erl ${rate.receiverCpuUsPerEvent!.toFixed(2)} µs/event (erl → erl: ${Math.round(runs.erl.at(-1)!.rate)} events/s, sender ${runs.erl.at(-1)!.senderCpuUsPerEvent!.toFixed(2)}, receiver ${runs.erl.at(-1)!.receiverCpuUsPerEvent!.toFixed(2)})`,
          );
          runs.beamline.push(rate);
        }
      }
      await setDistReadBuffer(erlA, defaultBuffer);
      lostEvents += fs.module.listener(erlA.name)?.events.lost ?? 0; // this node's, all its floods
      for (const receiver of RECEIVERS) {
        const runs = all[receiver];
        events[receiver][encoding] = { erl: median(runs.erl, byRate), beamline: median(runs.beamline, byRate), all: runs };
      }
    }

    // round trips, interleaved per run like the events; medians of each run's p50 and p99
    const FS = nodes.string.config.nodeName;
    const gen = await erlA.eval(`GenS = rpc:call('bench_mee_b@localhost', mee_bench, start_gen, []), ok`);
    if (gen !== 'ok') throw new Error(`start_gen: ${gen}`);
    const apiRuns = { erl: [] as Pct[], beamline: [] as Pct[] };
    for (let r = 1; r <= RUNS; r++) {
      log(`api run ${r}/${RUNS}: ${RTTS} round trips each`);
      apiRuns.erl.push(percentiles(await erlA.eval(`mee_bench:gen_rtt(GenS, ${RTTS})`, 600_000)));
      apiRuns.beamline.push(percentiles(await erlA.eval(`mee_bench:api_rtt('${FS}', ${RTTS})`, 600_000)));
    }
    const medians = (runs: Pct[]): Pct => ({
      p50: median(
        runs.map((x) => x.p50),
        Number,
      ),
      p99: median(
        runs.map((x) => x.p99),
        Number,
      ),
    });
    const apiErl = medians(apiRuns.erl);
    const apiMee = medians(apiRuns.beamline);

    log(`outbound: ${CALLS} concurrent calls, each with its own erl handler process`);
    const ob = await outbound(nodes.string, erlA, CALLS);
    lostEvents += ob.lostEvents;
    log(`  ${Math.round(ob.callsPerSecond)} calls/s set up, ${ob.lostEvents} events lost, ${ob.missingCalls} calls missing`);

    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const table = newTable({ head: [`erlang-event (OTP ${otp})`, 'erl anchor', 'beamline', 'beamline / erl'] });
    for (const [receiver, enc] of RECEIVERS.flatMap((r) => (['binary', 'string'] as Encoding[]).map((e) => [r, e] as const))) {
      const e = events[receiver][enc];
      const label = receiver === 'default' ? enc : `${enc}, receiver reads 64 KiB at a time`;
      table.push([`events/s to one handler, ${label}`, f(e.erl.rate), f(e.beamline.rate), `${(e.beamline.rate / e.erl.rate).toFixed(2)}×`]);
      table.push([
        `  sender's CPU per event (µs) (node: share of a core)`,
        e.erl.senderCpuUsPerEvent!.toFixed(2),
        `${e.beamline.nodeCpuUsPerEvent!.toFixed(2)} (${(100 * e.beamline.nodeCpuShare!).toFixed(0)}%)`,
        `${(e.beamline.nodeCpuUsPerEvent! / e.erl.senderCpuUsPerEvent!).toFixed(2)}×`,
      ]);
      table.push([
        `  receiving erl's CPU per event (µs)`,
        e.erl.receiverCpuUsPerEvent!.toFixed(2),
        e.beamline.receiverCpuUsPerEvent!.toFixed(2),
        `${(e.beamline.receiverCpuUsPerEvent! / e.erl.receiverCpuUsPerEvent!).toFixed(2)}×`,
      ]);
    }
    table.push(
      ['{api, status, ""} vs gen_server:call p50 (µs)', apiErl.p50.toFixed(1), apiMee.p50.toFixed(1), `${(apiMee.p50 / apiErl.p50).toFixed(2)}×`],
      ['{api, status, ""} vs gen_server:call p99 (µs)', apiErl.p99.toFixed(1), apiMee.p99.toFixed(1), `${(apiMee.p99 / apiErl.p99).toFixed(2)}×`],
      [`outbound: ${CALLS} concurrent calls set up /s`, '—', f(ob.callsPerSecond), '—'],
      ['  events lost / calls without call or call_hangup', '', `${ob.lostEvents} / ${ob.missingCalls}`, ''],
      ['lost events', '', String(lostEvents), ''],
    );
    console.log(table.toString());
    console.log(
      `The receiving erl reads its distribution sockets ${defaultBuffer} bytes at a time (OTP's default): it is then the bound of both\n` +
        'floods, at a full core whoever sends, and ~1.0× is parity. Reading 64 KiB at a time it keeps up, and those rows compare the senders.',
    );
    const ratio = (receiver: Receiver, enc: Encoding) => events[receiver][enc].beamline.rate / events[receiver][enc].erl.rate;
    Object.assign(results, {
      events: events.default,
      eventsRatioBinary: ratio('default', 'binary'),
      eventsRatioString: ratio('default', 'string'),
      receiverDefaultReadBuffer: defaultBuffer,
      eventsLargeReadBuffer: events['read 64 KiB'],
      eventsRatioBinaryLargeReadBuffer: ratio('read 64 KiB', 'binary'),
      eventsRatioStringLargeReadBuffer: ratio('read 64 KiB', 'string'),
      apiErlUs: apiErl,
      apiBeamlineUs: apiMee,
      apiRuns,
      apiP99Ratio: apiMee.p99 / apiErl.p99,
      outboundCallsPerSecond: ob.callsPerSecond,
      outbound: ob,
      lostEvents,
    });
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results/erlang-event.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await erlA.stop().catch(() => {});
    await erlB.stop().catch(() => {});
    await nodes.string.stop();
    await nodes.binary.stop();
  }
}
