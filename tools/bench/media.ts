/**
 * `pnpm bench media [--calls 200] [--members 50] [--seconds 4] [--runs 3]`
 *
 * The media path under load. SIPp sets up the calls, each phone's SDP naming one UDP socket of
 * this bench; then the bench is every phone at once, sending a 20 ms PCMU packet to each call's RTP
 * port every 20 ms for `--seconds`, and counting what comes back.
 *  - echo: `--calls` calls to `answer, echo`: each packet goes through sofia's RTP socket, the
 *    switch's media table and out as the call's own stream;
 *  - conference: `--members` calls into one conference, every phone talking (a tone): each tick
 *    the conference mixes what the others said for each member and sends it.
 * The anchor, in the same run and process, with the same sender: a bare Node UDP echo per call
 * (receive, send the datagram back), the least any relay can cost here. Compared: the process's
 * CPU per packet sent (sender and receiver included in both), and the packets lost (for the
 * conference: packets sent less packets heard, the members hearing one each tick). Echo runs
 * alternate with their anchor's; the conference's anchor runs before the conference exists, as it
 * sends whatever comes in. Medians are compared. Prints a table, writes bench-results/media.json.
 */
import { type Socket, createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table as newTable } from './_table.ts';
import { linearToUlaw, type Switch } from '@beamline/switch';
import { startSipp } from '../sipp/sipp.ts';
import { positiveInt, positiveNumber } from './_args.ts';
import { BENCH_USER, sipSwitch } from './_sip_switch.ts';
import { median } from './_stats.ts';
import { sipp as sippNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

interface Run {
  readonly sent: number;
  readonly received: number;
  /** Process CPU µs per packet sent. */
  readonly cpuUsPerPacket: number;
  /** Share of one core the process used. */
  readonly cpuShare: number;
}

/** Every 20 ms, one packet of `payload` from `socket` to each of `ports` for `seconds`; what came back counted after `drainMs`. */
async function traffic(
  socket: Socket,
  ports: readonly number[],
  seconds: number,
  received: () => number,
  payload: Buffer,
  drainMs = 300,
): Promise<Run> {
  let seq = 0;
  let sent = 0;
  const before = received();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ticks = Math.round((seconds * 1000) / 20);
  for (let tick = 0; tick < ticks; tick++) {
    const p = Buffer.alloc(172);
    p[0] = 0x80;
    p[1] = 0;
    p.writeUInt16BE(seq++ & 0xffff, 2);
    p.writeUInt32BE((tick * 160) >>> 0, 4);
    p.writeUInt32BE(0x5eed, 8);
    payload.copy(p, 12);
    for (const port of ports) socket.send(p, port, '127.0.0.1');
    sent += ports.length;
    const next = t0 + (tick + 1) * 20;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  await new Promise((r) => setTimeout(r, drainMs));
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  return { sent, received: received() - before, cpuUsPerPacket: (cpu.user + cpu.system) / sent, cpuShare: (cpu.user + cpu.system) / wallUs };
}

async function bound(): Promise<Socket> {
  // all the phones' audio comes back to one socket: a deep buffer (the kernel caps it at net.core.rmem_max)
  const s = createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

/** μ-law silence, and a loud 400 Hz packet (a tone's whole cycles: every packet the same). */
const SILENCE = Buffer.alloc(160, 0xff);
const TALKING = Buffer.from(Array.from({ length: 160 }, (_, i) => linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / 8000)))));

/** Calls from SIPp to `service`, all with the bench's socket as their audio; the RTP port of each once `ready` counts them all. */
async function placeCalls(sw: Switch, sipPort: number, service: string, n: number, phones: Socket, holdMs: number, ready: () => number) {
  const sipp = await startSipp({
    scenario: 'call',
    port: sipPort,
    service,
    ...BENCH_USER,
    holdMs,
    calls: n,
    rate: Math.min(n, 200),
    limit: n,
    audioPort: phones.address().port,
    timeoutSec: holdMs / 1000 + 60,
  });
  for (let i = 0; i < 6000 && ready() < n; i++) await new Promise((r) => setTimeout(r, 10));
  if (ready() < n) throw new Error(`only ${ready()} of ${n} calls to ${service} are up`);
  const uuids = [...(await sw.api('show channels as json')).matchAll(/"uuid":"([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '');
  const ports = await Promise.all(uuids.map(async (u) => Number(await sw.api(`uuid_getvar ${u} local_media_port`))));
  return { sipp, ports };
}

interface Phase {
  readonly calls: number;
  readonly anchor: Run[];
  readonly switched: Run[];
}

export const needs = [sippNeed];

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '200' },
      members: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '4' },
      runs: { type: 'string', default: '3' },
    },
  });
  const N = positiveInt('--calls', values.calls);
  const M = positiveInt('--members', values.members);
  const SECONDS = positiveNumber('--seconds', values.seconds);
  const RUNS = positiveInt('--runs', values.runs);
  const log = (s: string) => process.stderr.write(`[media] ${s}\n`);
  const {
    sw,
    port: sipPort,
    stop,
  } = await sipSwitch({
    '9196': [['answer'], ['echo']],
    '3000': [['answer'], ['conference', 'bench@default']],
  });
  const phones = await bound();
  let received = 0;
  phones.on('message', () => {
    received++;
  });
  const bare: Socket[] = [];
  let echoing = 0;
  let members = 0;
  const sub = sw.events.subscribe({
    types: ['CHANNEL_EXECUTE', 'CUSTOM'],
    handler: (e) => {
      if (e.type === 'CHANNEL_EXECUTE' && e.getHeader('Application') === 'echo') echoing++;
      else if (e.getHeader('Action') === 'add-member') members++;
    },
  });
  const holdMs = (RUNS * 2 * (SECONDS + 1) + 10) * 1000;
  const anchorRun = (n: number, payload: Buffer) => {
    log(`${n} bare UDP echoes (anchor)`);
    return traffic(
      phones,
      bare.slice(0, n).map((s) => s.address().port),
      SECONDS,
      () => received,
      payload,
    );
  };
  try {
    for (let i = 0; i < Math.max(N, M); i++) {
      const s = await bound();
      s.on('message', (m, from) => s.send(m, from.port, from.address));
      bare.push(s);
    }
    log(`setting up ${N} echo calls`);
    const echo = await placeCalls(sw, sipPort, '9196', N, phones, holdMs, () => echoing);
    const echoed: Phase = { calls: N, anchor: [], switched: [] };
    for (let run = 0; run < RUNS; run++) {
      echoed.anchor.push(await anchorRun(N, SILENCE));
      log(`run ${run + 1}/${RUNS}: ${N} calls echoed by the switch`);
      echoed.switched.push(await traffic(phones, echo.ports, SECONDS, () => received, SILENCE));
    }
    await sw.api('hupall');
    await echo.sipp.done;
    // a conference sends to every member each tick whatever comes in, so its anchor runs before it exists
    const mixed: Phase = { calls: M, anchor: [], switched: [] };
    for (let run = 0; run < RUNS; run++) mixed.anchor.push(await anchorRun(M, TALKING));
    log(`setting up ${M} calls into one conference`);
    const conf = await placeCalls(sw, sipPort, '3000', M, phones, holdMs, () => members);
    for (let run = 0; run < RUNS; run++) {
      log(`run ${run + 1}/${RUNS}: ${M} members talking in one conference`);
      mixed.switched.push(await traffic(phones, conf.ports, SECONDS, () => received, TALKING, 0));
    }
    await sw.api('hupall');
    await conf.sipp.done;

    // a conference's window can catch one tick more than was sent: that is not a gain
    const lost = (rs: Run[]) => rs.reduce((n, r) => n + Math.max(0, r.sent - r.received), 0);
    const rows = (label: string, p: Phase) => {
      const a = median(p.anchor, (r) => r.cpuUsPerPacket);
      const s = median(p.switched, (r) => r.cpuUsPerPacket);
      return [
        [
          `${label}: CPU µs per packet (sender and receiver included)`,
          a.cpuUsPerPacket.toFixed(2),
          s.cpuUsPerPacket.toFixed(2),
          `${(s.cpuUsPerPacket / a.cpuUsPerPacket).toFixed(2)}×`,
        ],
        [`${label}: share of a core`, `${Math.round(a.cpuShare * 100)}%`, `${Math.round(s.cpuShare * 100)}%`, ''],
        [`${label}: packets lost (all runs)`, String(lost(p.anchor)), String(lost(p.switched)), ''],
      ];
    };
    const table = newTable({
      head: [`media (× 50 packets/s each, ${SECONDS} s a run, median of ${RUNS})`, 'anchor: bare UDP echo', 'switch', 'switch / anchor'],
    });
    table.push(...rows(`echo, ${N} calls`, echoed), ...rows(`conference, ${M} members`, mixed));
    console.log(table.toString());
    const ratio = (p: Phase) => median(p.switched, (r) => r.cpuUsPerPacket).cpuUsPerPacket / median(p.anchor, (r) => r.cpuUsPerPacket).cpuUsPerPacket;
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      join(root, 'bench-results/media.json'),
      `${JSON.stringify({ seconds: SECONDS, runs: RUNS, echo: { ...echoed, cpuRatio: ratio(echoed), lostPackets: lost(echoed.switched) }, conference: { ...mixed, cpuRatio: ratio(mixed), lostPackets: lost(mixed.switched) } }, null, 2)}\n`,
    );
  } finally {
    sub.unsubscribe();
    for (const s of bare) s.close();
    phones.close();
    await stop();
  }
}
