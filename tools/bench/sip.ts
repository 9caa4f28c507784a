/**
 * `pnpm bench sip [--calls 2000] [--rate 400] [--limit 400] [--hold 1000] [--runs 3]`
 *
 * Calls in over SIP: SIPp (the phone) places `--calls` calls at up to `--rate` per second, at most
 * `--limit` at once, each through mod_sofia's whole path: INVITE, the 407 digest challenge and
 * the authenticated INVITE (a directory lookup), a channel routed by the dialplan (answer, park),
 * 200 + ACK, `--hold` ms of call, BYE. Rate = calls ÷ the time SIPp took, less the hold.
 * The anchor, in the same run on the same switch: the same number of channels through the same
 * extension by `originate null/1 2000` (no SIP at all), all at once. Also counted: calls SIPp saw
 * fail, and channels that did not end in CHANNEL_HANGUP_COMPLETE. Runs alternate; medians are
 * compared. Prints a table, writes bench-results/sip.json.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table as newTable } from './_table.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runSipp } from '../sipp/sipp.ts';
import { nonNegativeInt, positiveInt } from './_args.ts';
import { BENCH_USER, sipSwitch } from './_sip_switch.ts';
import { median } from './_stats.ts';
import { sipp as sippNeed } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export const needs = [sippNeed];

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '2000' },
      rate: { type: 'string', default: '400' },
      limit: { type: 'string', default: '400' },
      hold: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
    },
  });
  const N = positiveInt('--calls', values.calls);
  const rate = positiveInt('--rate', values.rate);
  const limit = positiveInt('--limit', values.limit);
  const hold = nonNegativeInt('--hold', values.hold);
  const RUNS = positiveInt('--runs', values.runs);
  const log = (s: string) => process.stderr.write(`[sip] ${s}\n`);
  const { sw, port, stop } = await sipSwitch({ '2000': [['answer'], ['park']] }, { timers: false });
  let ended = 0;
  let created = 0;
  const sub = sw.events.subscribe({
    types: ['CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'],
    capacity: 10_000_000,
    handler: (e) => {
      if (e.type === 'CHANNEL_CREATE') created++;
      else ended++;
    },
  });
  const settled = async () => {
    for (let i = 0; i < 3000 && (sw.core.sessions.count > 0 || ended < created); i++) await new Promise((r) => setTimeout(r, 10));
  };
  try {
    const anchor: number[] = [];
    const sip: number[] = [];
    let failed = 0;
    for (let run = 0; run < RUNS; run++) {
      log(`run ${run + 1}/${RUNS}: ${N} originates to 2000 (anchor)`);
      let t0 = performance.now();
      const plain = await Promise.all(Array.from({ length: N }, () => sw.originate('null/1 2000')));
      anchor.push(N / ((performance.now() - t0) / 1000));
      if (plain.some((x) => !x.startsWith('+OK'))) throw new Error(`anchor originate: ${plain.find((x) => !x.startsWith('+OK'))}`);
      await sw.api('hupall');
      await settled();

      log(`run ${run + 1}/${RUNS}: ${N} SIP calls to 2000 (rate ${rate}/s, ${limit} at once, ${hold} ms each)`);
      t0 = performance.now();
      const r = await runSipp({
        scenario: 'call',
        port,
        service: '2000',
        ...BENCH_USER,
        holdMs: hold,
        calls: N,
        rate,
        limit,
        timeoutSec: Math.ceil(N / Math.min(rate, limit)) * Math.ceil(hold / 1000 + 2) + 60,
      });
      const secs = (performance.now() - t0) / 1000 - hold / 1000;
      sip.push(N / secs);
      const bad = /Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.output)?.[1];
      failed += r.code === 0 ? 0 : Number(bad ?? N);
      await settled();
    }
    const a = median(anchor, Number);
    const s = median(sip, Number);
    const f = (x: number) => Math.round(x).toLocaleString('en-US');
    const unended = created - ended;
    const table = newTable({
      head: [`sip (${N} calls, SIPp at ≤ ${rate}/s, ≤ ${limit} at once)`, 'anchor: originate null/1 2000', 'SIP calls in', 'SIP / anchor'],
    });
    table.push(
      ['calls/s set up (median)', f(a), f(s), `${(s / a).toFixed(2)}×`],
      ['failed calls', '', String(failed), ''],
      ['channels not ended', '', String(unended), ''],
    );
    console.log(table.toString());
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      join(root, 'bench-results/sip.json'),
      `${JSON.stringify({ calls: N, rate, limit, holdMs: hold, runs: RUNS, anchorCallsPerSecond: anchor, sipCallsPerSecondRuns: sip, sipCallsPerSecond: s, ratio: s / a, failedCalls: failed, channelsNotEnded: unended }, null, 2)}\n`,
    );
  } finally {
    sub.unsubscribe();
    await stop();
  }
}
