/**
 * `pnpm bench dist [--n 1000000] [--pings 20000] [--runs 5] [--epmd-port 4490] [--only in|out]`
 *
 * Distribution throughput and latency, beamline against Erlang itself, same machine, same run:
 *  1. erl → erl     an erl process sends N event-like messages to a registered sink on a second
 *                   erl node (the anchor);
 *  2. erl → TS      the same sender, the same messages, to a registered sink on a beamline node;
 *  3. TS → erl      a beamline process sends N messages to the erl sink (reverse direction);
 *  3'. the same two floods into the erl sink with bench_b reading its distribution sockets 64 KiB
 *                   at a time instead of OTP's 1,460 bytes (_read_buffer.ts): with OTP's setting
 *                   the sink is the bound of both, at a full core whoever sends;
 *  3''. erl → erl, erl → TS and TS → erl again with the receiving node alone on one CPU and the
 *                   sender on the others (_pin.ts; Linux with two CPUs or more), as on two machines;
 *  4. ping-pong     sequential round trips {ping, From, I} → {pong, I} from an erl process to an
 *                   echo on the second erl node, and to an echo on the beamline node: p50 / p99.
 * Throughput counts from the first send until the sink has seen all N messages (the sink answers
 * a final {done, From} marker with its count). The floods run `--runs` times, interleaved, and
 * the medians are compared. Prints a table with the ratios and writes bench-results/dist.json.
 * `--only in` / `--only out` runs just erl → erl and one direction, without ping-pong (profiling;
 * a partial run writes bench-results/dist-partial.json instead).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { table as newTable } from './_table.ts';
import { Runtime, type ProcessBehaviour, type ProcessContext } from '@beamline/core';
import { type Pid, Tuple, atom, t, type Term } from '@beamline/etf';
import { startNode } from '@beamline/distribution';
import { otpRelease, startErl } from '../erl/node.ts';
import { badArg, port, positiveInt } from './_args.ts';
import { placement } from './_pin.ts';
import { LARGE_READ_BUFFER, distReadBuffer, setDistReadBuffer } from './_read_buffer.ts';
import { median, percentiles } from './_stats.ts';
import { erl as erlNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const COOKIE = 'beamline_bench';

/**
 * The event the erl sender sends (dist_bench:event/0): its binaries as Uint8Arrays, bytes the
 * switch holds, so both senders hold the same bytes (JS strings would be UTF-8 encoded again at
 * every send, which erl's literal binaries never are).
 */
export function eventTerm(): Term {
  const bin = (s: string) => new Uint8Array(Buffer.from(s));
  const h = (k: string, v: string) => t(bin(k), bin(v));
  return t(atom('event'), [
    bin('5f0c3a2e-8f2b-4b5e-9a51-1d2c3b4a5f60'),
    h('Event-Name', 'CHANNEL_PARK'),
    h('Core-UUID', '0b9d6c52-2f8e-4a7c-8d9b-7e6f5a4b3c2d'),
    h('FreeSWITCH-Hostname', 'switch01'),
    h('Event-Date-Timestamp', '1700000000000000'),
    h('Channel-State', 'CS_EXECUTE'),
    h('Caller-Caller-ID-Number', '1000'),
    h('Caller-Destination-Number', '9999'),
  ]);
}

/** A counting sink: every message counts, `{done, From}` answers `{count, C}` and resets. */
function sink(): ProcessBehaviour {
  let count = 0;
  const DONE = atom('done');
  const COUNT = atom('count');
  return {
    behaviourName: 'bench_sink',
    handleMessage(ctx: ProcessContext, msg: unknown): void {
      if (msg instanceof Tuple && msg.elements.length === 2 && msg.elements[0] === DONE) {
        ctx.send(msg.elements[1] as Pid, t(COUNT, count));
        count = 0;
      } else count++;
    },
  };
}

/** `{ping, From, X}` → `From ! {pong, X}`. */
function echo(): ProcessBehaviour {
  const PING = atom('ping');
  const PONG = atom('pong');
  return {
    behaviourName: 'bench_echo',
    handleMessage(ctx: ProcessContext, msg: unknown): void {
      if (msg instanceof Tuple && msg.elements.length === 3 && msg.elements[0] === PING) {
        ctx.send(msg.elements[1] as Pid, t(PONG, msg.elements[2]));
      }
    },
  };
}

/** A flood's rate, and the CPU the two ends used over it (cores busy: CPU seconds / wall seconds). */
type Rate = { seconds: number; rate: number; nodeCpu?: number; erlReceiverCpu?: number; erlSenderCpu?: number };

/** CPU seconds (user + system, every thread) of the OS process `pid` so far (Linux /proc). */
function osCpuSeconds(pid: number): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

function nodeCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Run one flood and note the CPU the beamline node and the receiving erl used over it. */
async function measured(flood: () => Promise<Rate>, erlPid: number, senderPid: number): Promise<Rate> {
  const node0 = nodeCpuSeconds();
  const erl0 = osCpuSeconds(erlPid);
  const snd0 = osCpuSeconds(senderPid);
  const r = await flood();
  const erl1 = osCpuSeconds(erlPid);
  const snd1 = osCpuSeconds(senderPid);
  r.nodeCpu = (nodeCpuSeconds() - node0) / r.seconds;
  if (erl0 !== undefined && erl1 !== undefined) r.erlReceiverCpu = (erl1 - erl0) / r.seconds;
  if (snd0 !== undefined && snd1 !== undefined) r.erlSenderCpu = (snd1 - snd0) / r.seconds;
  return r;
}

const byRate = (r: Rate) => r.rate;

function parseFlood(text: string, n: number): Rate {
  const m = /^\{(\d+),(\d+)\}$/.exec(text.trim());
  if (!m) throw new Error(`flood failed: ${text}`);
  const micros = Number(m[1]);
  const count = Number(m[2]);
  if (count !== n) throw new Error(`sink counted ${count} of ${n} messages`);
  return { seconds: micros / 1e6, rate: n / (micros / 1e6) };
}

export const needs = [erlNeed];

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      n: { type: 'string', default: '1000000' },
      pings: { type: 'string', default: '20000' },
      runs: { type: 'string', default: '5' },
      'epmd-port': { type: 'string', default: '4490' },
      only: { type: 'string' },
    },
  });
  const N = positiveInt('--n', values.n);
  const PINGS = positiveInt('--pings', values.pings);
  const RUNS = positiveInt('--runs', values.runs);
  const epmdPort = port('--epmd-port', values['epmd-port']);
  const only = values.only;
  if (only !== undefined && only !== 'in' && only !== 'out') throw badArg(`--only ${only}: give in or out`);
  const otp = await otpRelease();

  const runtime = new Runtime({ logger: null });
  const node = await startNode({ name: 'bench_ts@localhost', cookie: COOKIE, epmdPort, runtime });
  const erlA = await startErl({ name: 'bench_a@localhost', cookie: COOKIE, epmdPort });
  const erlB = await startErl({ name: 'bench_b@localhost', cookie: COOKIE, epmdPort });
  const ts = node.name;
  const results: Record<string, unknown> = { otp, n: N, pings: PINGS, runs: RUNS, node: process.version };
  try {
    await erlA.loadModule(join(root, 'tools/erl/dist_bench.erl'));
    await erlB.loadModule(join(root, 'tools/erl/dist_bench.erl'));
    runtime.spawn(sink(), { name: 'sink' });
    runtime.spawn(echo(), { name: 'echo' });
    await erlB.eval(`dist_bench:start_sink(sink), dist_bench:start_echo(echo), ok`);
    const erlBPid = Number(JSON.parse(await erlB.eval('os:getpid()')));
    const erlAPid = Number(JSON.parse(await erlA.eval('os:getpid()')));
    // connect everything first (no handshake inside the timings), warm up both paths
    await erlA.eval(`pong = net_adm:ping('bench_b@localhost'), pong = net_adm:ping('${ts}'), ok`);
    await erlA.eval(`dist_bench:flood({sink, 'bench_b@localhost'}, 20000)`);
    await erlA.eval(`dist_bench:flood({sink, '${ts}'}, 20000)`);

    const log = (s: string) => process.stderr.write(`[bench dist] ${s}\n`);
    // The three floods run interleaved RUNS times; the median of each is reported (the machine
    // is shared, single runs swing by 2x).
    const runs: Record<'erlErl' | 'erlTs' | 'tsErl' | 'erlErlLargeRead' | 'tsErlLargeRead' | 'erlErlPinned' | 'erlTsPinned' | 'tsErlPinned', Rate[]> =
      {
        erlErl: [],
        erlTs: [],
        tsErl: [],
        erlErlLargeRead: [],
        tsErlLargeRead: [],
        erlErlPinned: [],
        erlTsPinned: [],
        tsErlPinned: [],
      };
    const pins = await placement();
    const me = process.pid;
    const sinkReadBuffer = await distReadBuffer(erlB);
    // erl A floods the sink on `peer`; the beamline node floods erl B's
    const erlFlood = (peer: string) =>
      measured(async () => parseFlood(await erlA.eval(`dist_bench:flood({sink, '${peer}'}, ${N})`, 600_000), N), erlBPid, erlAPid);
    const tsToErlSink = () => measured(() => tsFlood(node, runtime, 'bench_b@localhost', N), erlBPid, erlAPid);
    for (let r = 1; r <= RUNS; r++) {
      log(`run ${r}/${RUNS}: erl → erl, ${N} messages`);
      runs.erlErl.push(await erlFlood('bench_b@localhost'));
      if (only !== 'out') {
        log(`run ${r}/${RUNS}: erl → TS, ${N} messages`);
        runs.erlTs.push(await erlFlood(ts));
      }
      if (only !== 'in') {
        log(`run ${r}/${RUNS}: TS → erl, ${N} messages`);
        runs.tsErl.push(await tsToErlSink());
        await setDistReadBuffer(erlB, LARGE_READ_BUFFER);
        log(`run ${r}/${RUNS}: erl → erl, sink reads 64 KiB at a time, ${N} messages`);
        runs.erlErlLargeRead.push(await erlFlood('bench_b@localhost'));
        log(`run ${r}/${RUNS}: TS → erl, sink reads 64 KiB at a time, ${N} messages`);
        runs.tsErlLargeRead.push(await tsToErlSink());
        await setDistReadBuffer(erlB, sinkReadBuffer);
      }
      if (pins) {
        log(`run ${r}/${RUNS}: erl → erl, the sink alone on a CPU, ${N} messages`);
        await pins.placeReceiver(erlBPid, [erlAPid, me]);
        runs.erlErlPinned.push(await erlFlood('bench_b@localhost'));
        if (only !== 'out') {
          log(`run ${r}/${RUNS}: erl → TS, the node alone on a CPU, ${N} messages`);
          await pins.placeReceiver(me, [erlAPid, erlBPid]);
          runs.erlTsPinned.push(await erlFlood(ts));
        }
        if (only !== 'in') {
          log(`run ${r}/${RUNS}: TS → erl, the sink alone on a CPU, ${N} messages`);
          await pins.placeReceiver(erlBPid, [erlAPid, me]);
          runs.tsErlPinned.push(await tsToErlSink());
        }
        await pins.unpin([erlAPid, erlBPid, me]);
      }
      const last = (xs: Rate[]) => xs[xs.length - 1];
      for (const [label, x] of [
        ['erl → erl', last(runs.erlErl)],
        ['erl → TS', last(runs.erlTs)],
        ['TS → erl', last(runs.tsErl)],
        ['erl → erl, sink reads 64 KiB', last(runs.erlErlLargeRead)],
        ['TS → erl, sink reads 64 KiB', last(runs.tsErlLargeRead)],
        ['erl → erl, receiver alone on a CPU', last(runs.erlErlPinned)],
        ['erl → TS, receiver alone on a CPU', last(runs.erlTsPinned)],
        ['TS → erl, receiver alone on a CPU', last(runs.tsErlPinned)],
      ] as const) {
        if (x)
          log(
            `  ${label}: ${Math.round(x.rate)} msgs/s, node CPU ${x.nodeCpu?.toFixed(2)}, bench_b (erl sink) CPU ${x.erlReceiverCpu?.toFixed(2)}, bench_a (erl sender) CPU ${x.erlSenderCpu?.toFixed(2)}`,
          );
      }
    }
    if (only !== undefined) {
      const erlErl = median(runs.erlErl, byRate);
      const mine = median(only === 'in' ? runs.erlTs : runs.tsErl, byRate);
      const f = (x: number) => Math.round(x).toLocaleString('en-US');
      console.log(
        `${only === 'in' ? 'erl → TS' : 'TS → erl'}: ${f(mine.rate)} msgs/s; erl → erl ${f(erlErl.rate)}; ratio ${(mine.rate / erlErl.rate).toFixed(2)}×`,
      );
      if (only === 'out') {
        const [a, b] = [median(runs.erlErlLargeRead, byRate), median(runs.tsErlLargeRead, byRate)];
        console.log(`sink reads 64 KiB: TS → erl ${f(b.rate)} msgs/s; erl → erl ${f(a.rate)}; ratio ${(b.rate / a.rate).toFixed(2)}×`);
      }
      if (pins) {
        const a = median(runs.erlErlPinned, byRate);
        const b = median(only === 'in' ? runs.erlTsPinned : runs.tsErlPinned, byRate);
        console.log(`receiver alone on a CPU: ${f(b.rate)} msgs/s; erl → erl ${f(a.rate)}; ratio ${(b.rate / a.rate).toFixed(2)}×`);
      }
      mkdirSync(join(root, 'bench-results'), { recursive: true });
      writeFileSync(join(root, 'bench-results/dist-partial.json'), `${JSON.stringify({ ...results, only, allRuns: runs }, null, 2)}\n`);
      return;
    }
    const erlErl = median(runs.erlErl, byRate);
    const erlTs = median(runs.erlTs, byRate);
    const tsErl = median(runs.tsErl, byRate);
    const erlErlLargeRead = median(runs.erlErlLargeRead, byRate);
    const tsErlLargeRead = median(runs.tsErlLargeRead, byRate);
    const pinned = pins && {
      erlErl: median(runs.erlErlPinned, byRate),
      erlTs: median(runs.erlTsPinned, byRate),
      tsErl: median(runs.tsErlPinned, byRate),
    };

    log(`ping-pong, ${PINGS} round trips each`);
    const ppErl = percentiles(await erlA.eval(`dist_bench:pingpong({echo, 'bench_b@localhost'}, ${PINGS})`, 600_000));
    const ppTs = percentiles(await erlA.eval(`dist_bench:pingpong({echo, '${ts}'}, ${PINGS})`, 600_000));

    const table = newTable({ head: [`dist (OTP ${otp}), median of ${RUNS}`, 'erl anchor', 'beamline', 'beamline / erl', 'node CPU'] });
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const cpu = (x: Rate) => (x.nodeCpu === undefined ? 'n/a' : `${x.nodeCpu.toFixed(2)} of a core`);
    const spread = (xs: Rate[], anchor = erlErl) => {
      const r = xs.map((x) => x.rate / anchor.rate).sort((a, b) => a - b);
      return `${r[0]!.toFixed(2)}–${r[r.length - 1]!.toFixed(2)}`;
    };
    table.push(
      [
        `erl → node, ${N.toLocaleString('en-US')} events (msgs/s)`,
        f(erlErl.rate),
        f(erlTs.rate),
        `${(erlTs.rate / erlErl.rate).toFixed(2)}× (runs ${spread(runs.erlTs)})`,
        cpu(erlTs),
      ],
      [
        `node → erl (reverse, msgs/s)`,
        f(erlErl.rate),
        f(tsErl.rate),
        `${(tsErl.rate / erlErl.rate).toFixed(2)}× (runs ${spread(runs.tsErl)})`,
        cpu(tsErl),
      ],
      [
        `node → erl, the sink reading 64 KiB at a time`,
        f(erlErlLargeRead.rate),
        f(tsErlLargeRead.rate),
        `${(tsErlLargeRead.rate / erlErlLargeRead.rate).toFixed(2)}× (runs ${spread(runs.tsErlLargeRead, erlErlLargeRead)})`,
        cpu(tsErlLargeRead),
      ],
      ...(pinned
        ? [
            [
              'erl → node, the node alone on a CPU',
              f(pinned.erlErl.rate),
              f(pinned.erlTs.rate),
              `${(pinned.erlTs.rate / pinned.erlErl.rate).toFixed(2)}× (runs ${spread(runs.erlTsPinned, pinned.erlErl)})`,
              cpu(pinned.erlTs),
            ],
            [
              'node → erl, the erl sink alone on a CPU',
              f(pinned.erlErl.rate),
              f(pinned.tsErl.rate),
              `${(pinned.tsErl.rate / pinned.erlErl.rate).toFixed(2)}× (runs ${spread(runs.tsErlPinned, pinned.erlErl)})`,
              cpu(pinned.tsErl),
            ],
          ]
        : []),
      ['ping-pong p50 (µs)', ppErl.p50.toFixed(1), ppTs.p50.toFixed(1), `${(ppTs.p50 / ppErl.p50).toFixed(2)}×`, ''],
      ['ping-pong p99 (µs)', ppErl.p99.toFixed(1), ppTs.p99.toFixed(1), `${(ppTs.p99 / ppErl.p99).toFixed(2)}×`, ''],
    );
    console.log(table.toString());
    console.log(
      "node CPU: the beamline node's process.cpuUsage() over the flood ÷ its wall time (1.0 = one core busy). " +
        `The erl sink reads its distribution sockets ${sinkReadBuffer} bytes at a time (OTP's default), which bounds both floods into it. ` +
        `The erl sink's node used ${erlErl.erlReceiverCpu?.toFixed(2)} of a core receiving erl → erl, ${tsErl.erlReceiverCpu?.toFixed(2)} receiving from beamline (medians' runs); ` +
        `reading 64 KiB at a time, ${erlErlLargeRead.erlReceiverCpu?.toFixed(2)} and ${tsErlLargeRead.erlReceiverCpu?.toFixed(2)}, with the erl sender at ${erlErlLargeRead.erlSenderCpu?.toFixed(2)}.`,
    );
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    if (pinned)
      console.log(
        'alone on a CPU: the receiving node (the erl sink, or the beamline node) pinned to one CPU and every other process to the rest (taskset), ' +
          'as on two machines; in the erl → erl anchor the erl sink is placed the same way.',
      );
    else console.log('placement rows skipped: they need Linux, taskset and two CPUs or more');
    console.log(`load average at the end: ${load} (the machine has ${availableParallelism()} cores)`);
    const okThroughput = erlTs.rate >= erlErl.rate && tsErl.rate >= erlErl.rate;
    const okPinned = pinned && pinned.erlTs.rate >= pinned.erlErl.rate && pinned.tsErl.rate >= pinned.erlErl.rate;
    const okLatency = ppTs.p99 <= 2 * ppErl.p99;
    console.log(
      `targets: beamline ≥ 1.0× erl→erl throughput both ways: ${okThroughput ? 'met' : 'NOT met'}` +
        (pinned ? ` (receiver alone on a CPU: ${okPinned ? 'met' : 'NOT met'})` : '') +
        `; p99 ≤ 2× erl: ${okLatency ? 'met' : 'NOT met'}`,
    );
    Object.assign(results, {
      allRuns: runs,
      erlToErl: erlErl,
      erlToTs: erlTs,
      tsToErl: tsErl,
      throughputRatio: erlTs.rate / erlErl.rate,
      reverseRatio: tsErl.rate / erlErl.rate,
      sinkDefaultReadBuffer: sinkReadBuffer,
      erlToErlLargeRead: erlErlLargeRead,
      tsToErlLargeRead: tsErlLargeRead,
      reverseRatioLargeRead: tsErlLargeRead.rate / erlErlLargeRead.rate,
      ...(pinned && {
        pinned,
        throughputRatioPinned: pinned.erlTs.rate / pinned.erlErl.rate,
        reverseRatioPinned: pinned.tsErl.rate / pinned.erlErl.rate,
      }),
      pingPongErlUs: ppErl,
      pingPongTsUs: ppTs,
      p99Ratio: ppTs.p99 / ppErl.p99,
      targets: { throughput: okThroughput, throughputPinned: okPinned, latency: okLatency },
    });
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results/dist.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await erlA.stop();
    await erlB.stop();
    await node.stop();
    await runtime.stop();
  }
}

/**
 * A beamline process sends N events to `{sink, Peer}`, respecting the connection's back-pressure
 * (as a busy dist port suspends an Erlang sender), then waits for the sink's count.
 */
/** Messages a flooding beamline process sends between two turns of the event loop. */
const BATCH = 2000;

async function tsFlood(node: Awaited<ReturnType<typeof startNode>>, runtime: Runtime, peer: string, n: number) {
  const ev = eventTerm();
  const conn = node.connection(peer) ?? (await node.transport.connect(peer));
  return await new Promise<{ seconds: number; rate: number }>((resolvePromise, reject) => {
    runtime.spawn(async (ctx: ProcessContext) => {
      try {
        const dest: [string, string] = ['sink', peer];
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; ) {
          const end = Math.min(n, i + BATCH);
          for (; i < end; i++) ctx.send(dest, ev);
          // A JS process is not preempted: between batches it lets the event loop run, so the
          // socket writes what is queued while the next batch is encoded (without this the
          // sender and the receiving erl take turns, each idle half the time), and it waits
          // while the queue is above the high-water mark (a busy dist port suspends an erl sender).
          const queued = conn.stats().queuedBytes;
          if (queued > 4 * 1024 * 1024) await conn.drained();
          else if (queued > 0) await new Promise<void>((r) => setImmediate(r));
        }
        ctx.send(dest, t(atom('done'), ctx.self));
        const reply = (await ctx.receive((m) => m instanceof Tuple && m.elements[0] === atom('count'), 600_000)) as Tuple;
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        if (reply.elements[1] !== n) throw new Error(`erl sink counted ${String(reply.elements[1])} of ${n}`);
        resolvePromise({ seconds, rate: n / seconds });
      } catch (e) {
        reject(e);
      }
    });
  });
}
