/**
 * Differential tests against a real erl: each scenario of tools/erl/core_diff.erl runs live in
 * erl (compiled into a temp dir) and again, written in TypeScript, on a fresh beamline Runtime
 * (helpers/otp_diff_scenarios.ts); both normalised results must print the same, sub-case by
 * sub-case. OTP 27 is the truth: on an older erl, the sub-cases whose result changed by OTP 27
 * are left out of the comparison. Sub-cases with no meaning in beamline (Erlang-only APIs) are
 * left out on both sides; each scenario's test name lists them, the reasons are in SCENARIOS.
 * The scenarios run concurrently (each on its own Runtime, real clock; they mostly wait).
 *
 * BEAMLINE_ERL selects the erl (and the erlc beside it), e.g. OTP 27:
 *   BEAMLINE_ERL=$(bash tools/install-otp27.sh .otp27) npx vitest run packages/core/test/otp_diff.interop.test.ts
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Term } from '@beamline/etf';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { erlBinary } from '../../../tools/erl/erl.ts';
import { Runtime } from '../src/index.ts';
import { SCENARIOS, execScenario, parseErlTerm, type Scenario, type SubCase } from './helpers/otp_diff_scenarios.ts';

const run = promisify(execFile);
const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/erl/core_diff.erl');
const ERLC = erlBinary.includes('/') ? join(dirname(erlBinary), 'erlc') : 'erlc';
/** erl VMs running scenarios at once (they mostly sleep; the machine may have 2 cores). */
const ERL_PARALLEL = 4;

let dir: string;
let otpRelease: number;
const erlResults = new Map<string, Promise<Term>>();

async function erlScenario(name: string): Promise<Term> {
  const { stdout } = await run(erlBinary, ['-noshell', '-pa', dir, '-eval', `core_diff:run(${name})`, '-s', 'init', 'stop'], {
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error(`erl printed nothing for ${name}`);
  return parseErlTerm(lines[lines.length - 1]);
}

/** Runs every scenario in erl, ERL_PARALLEL at a time; each test awaits its own. */
function startErlRuns(): void {
  const queue = [...SCENARIOS];
  let running = 0;
  const waiting = new Map<string, { resolve: (t: Term) => void; reject: (e: unknown) => void }>();
  for (const s of SCENARIOS) {
    const p = new Promise<Term>((resolve, reject) => waiting.set(s.name, { resolve, reject }));
    p.catch(() => {}); // reported by the scenario's test
    erlResults.set(s.name, p);
  }
  const next = (): void => {
    while (running < ERL_PARALLEL && queue.length > 0) {
      const s = queue.shift() as Scenario;
      const w = waiting.get(s.name)!;
      running++;
      erlScenario(s.name)
        .then(w.resolve, w.reject)
        .finally(() => {
          running--;
          next();
        });
    }
  };
  next();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'core-diff-'));
  await run(ERLC, ['-o', dir, SOURCE]);
  const { stdout } = await run(erlBinary, ['-noshell', '-eval', 'io:put_chars(erlang:system_info(otp_release)), halt().']);
  otpRelease = Number(stdout.trim());
  startErlRuns();
});

afterAll(async () => {
  await Promise.allSettled(erlResults.values());
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function beamline(s: Scenario): Promise<Term> {
  const rt = new Runtime({ logger: null });
  try {
    return await execScenario(rt, s.run);
  } finally {
    await rt.stop();
  }
}

function compared(s: Scenario, cases: SubCase[]): string[] {
  return cases.filter((c) => !(c.key in s.skipped) && !(otpRelease < 27 && s.otp27Only.includes(c.key))).map((c) => c.text);
}

describe.concurrent('core_diff: beamline against a live erl (OTP 27 semantics)', () => {
  SCENARIOS.forEach((s, i) => {
    const skipped = Object.keys(s.skipped);
    const title = `${i + 1}. ${s.name}${skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : ''}`;
    it(title, { timeout: 90_000 }, async ({ expect }) => {
      const [erl, ts] = await Promise.all([erlResults.get(s.name) as Promise<Term>, beamline(s)]);
      const expected = compared(s, s.split(erl));
      expect(expected.length).toBeGreaterThan(0);
      expect(compared(s, s.split(ts))).toEqual(expected);
    });
  });
});
