/**
 * `pnpm bench media [--calls 200] [--seconds 4] [--runs 3]`
 *
 * The media path under load: SIPp sets up `--calls` calls to an `echo` extension (answer, echo),
 * each phone's SDP naming one UDP socket of this bench; then the bench is every phone at once,
 * sending a 20 ms PCMU packet to each call's RTP port every 20 ms for `--seconds`, and counting
 * what comes back. Each packet goes through sofia's RTP socket, the switch's media table and out as
 * the call's own stream. The anchor, in the same run and process, with the same sender: a bare
 * Node UDP echo per call (receive, send the datagram back), the least any relay can cost here.
 * Compared: the process's CPU per packet echoed (sender and receiver included in both), and the
 * packets lost. Runs alternate; medians are compared. Prints a table, writes bench-results/media.json.
 */
import { type Socket, createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startSipp } from '../sipp/sipp.ts';
import { BENCH_USER, sipSwitch } from './_sip_switch.ts';
import { median } from './_stats.ts';

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

/** Every 20 ms, one packet from `socket` to each of `ports` for `seconds`; what came back counted after a 300 ms drain. */
async function traffic(socket: Socket, ports: readonly number[], seconds: number, received: () => number): Promise<Run> {
  const payload = Buffer.alloc(160, 0xff);
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
  await new Promise((r) => setTimeout(r, 300));
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

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { calls: { type: 'string', default: '200' }, seconds: { type: 'string', default: '4' }, runs: { type: 'string', default: '3' } },
  });
  const N = Number(values.calls);
  const SECONDS = Number(values.seconds);
  const RUNS = Number(values.runs);
  const log = (s: string) => process.stderr.write(`[media] ${s}\n`);
  const { sw, port: sipPort, stop } = await sipSwitch('9196', ['answer', 'echo']);
  const phones = await bound();
  let echoed = 0;
  phones.on('message', () => {
    echoed++;
  });
  const bare: Socket[] = [];
  let echoing = 0;
  const sub = sw.events.subscribe({
    types: ['CHANNEL_EXECUTE'],
    handler: (e) => {
      if (e.getHeader('Application') === 'echo') echoing++;
    },
  });
  try {
    log(`setting up ${N} echo calls`);
    const hold = (RUNS * 2 * (SECONDS + 1) + 10) * 1000;
    const sipp = await startSipp({
      scenario: 'call',
      port: sipPort,
      service: '9196',
      ...BENCH_USER,
      holdMs: hold,
      calls: N,
      rate: Math.min(N, 200),
      limit: N,
      audioPort: phones.address().port,
      timeoutSec: hold / 1000 + 60,
    });
    for (let i = 0; i < 6000 && echoing < N; i++) await new Promise((r) => setTimeout(r, 10));
    if (echoing < N) throw new Error(`only ${echoing} of ${N} calls reached echo`);
    const uuids = [...(await sw.api('show channels as json')).matchAll(/"uuid":"([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '');
    const ports = await Promise.all(uuids.map(async (u) => Number(await sw.api(`uuid_getvar ${u} local_media_port`))));
    for (let i = 0; i < N; i++) {
      const s = await bound();
      s.on('message', (m, from) => s.send(m, from.port, from.address));
      bare.push(s);
    }
    const barePorts = bare.map((s) => s.address().port);
    const anchor: Run[] = [];
    const switched: Run[] = [];
    for (let run = 0; run < RUNS; run++) {
      log(`run ${run + 1}/${RUNS}: ${N} bare UDP echoes (anchor)`);
      anchor.push(await traffic(phones, barePorts, SECONDS, () => echoed));
      log(`run ${run + 1}/${RUNS}: ${N} calls echoed by the switch`);
      switched.push(await traffic(phones, ports, SECONDS, () => echoed));
    }
    await sw.api('hupall');
    await sipp.done;
    const a = median(anchor, (r) => r.cpuUsPerPacket);
    const s = median(switched, (r) => r.cpuUsPerPacket);
    const lost = (r: Run) => r.sent - r.received;
    const table = new Table({
      head: [
        `media (${N} calls × 50 packets/s, ${SECONDS} s a run, median of ${RUNS})`,
        'anchor: bare UDP echo',
        'switch: sofia echo',
        'switch / anchor',
      ],
    });
    table.push(
      [
        'CPU µs per packet (sender and receiver included)',
        a.cpuUsPerPacket.toFixed(2),
        s.cpuUsPerPacket.toFixed(2),
        `${(s.cpuUsPerPacket / a.cpuUsPerPacket).toFixed(2)}×`,
      ],
      ['share of a core', `${Math.round(a.cpuShare * 100)}%`, `${Math.round(s.cpuShare * 100)}%`, ''],
      ['packets lost (all runs)', String(anchor.reduce((n, r) => n + lost(r), 0)), String(switched.reduce((n, r) => n + lost(r), 0)), ''],
    );
    console.log(table.toString());
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      join(root, 'bench-results/media.json'),
      `${JSON.stringify({ calls: N, seconds: SECONDS, runs: RUNS, anchor, switched, cpuRatio: s.cpuUsPerPacket / a.cpuUsPerPacket, lostPackets: switched.reduce((n, r) => n + lost(r), 0) }, null, 2)}\n`,
    );
  } finally {
    sub.unsubscribe();
    for (const s of bare) s.close();
    phones.close();
    await stop();
  }
}
