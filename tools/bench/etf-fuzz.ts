/**
 * `pnpm bench etf-fuzz [cases] [seed]`: mutation fuzzing of the @beamline/etf decoder (default
 * 200,000 cases). Every input must decode or fail with a DecodeError; anything else is a crash and
 * makes the run exit non-zero. Writes bench-results/etf-fuzz.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzz, fuzzCorpus } from '../../packages/etf/test/helpers/fuzz.ts';

const here = dirname(fileURLToPath(import.meta.url));

export async function main(args: string[]): Promise<void> {
  const cases = Number(args[0] ?? 200_000);
  const seed = Number(args[1] ?? Date.now() % 1_000_000);
  if (args.length > 2 || !Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed)) {
    console.error('usage: pnpm bench etf-fuzz [cases] [seed]   (whole numbers; default 200000 cases and a seed from the clock)');
    process.exitCode = 1;
    return;
  }
  const corpus = fuzzCorpus(seed, 1000);
  const started = performance.now();
  const report = fuzz(seed, cases, corpus);
  const seconds = (performance.now() - started) / 1000;
  console.log(`etf fuzz: seed ${seed}, ${report.cases} cases in ${seconds.toFixed(1)} s`);
  console.log(`  decoded:      ${report.decoded}`);
  console.log(`  DecodeError:  ${report.decodeErrors}  ${JSON.stringify(report.byCode)}`);
  console.log(`  crashes:      ${report.crashes.length}`);
  console.log(`  slowest case: ${report.slowestMs.toFixed(1)} ms`);
  for (const c of report.crashes.slice(0, 5)) console.log(`  crash on ${c.input}\n    ${c.error.split('\n').slice(0, 3).join('\n    ')}`);
  const outDir = resolve(here, '../../bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'etf-fuzz.json'), JSON.stringify({ date: new Date().toISOString(), seed, seconds, ...report }, null, 2));
  if (report.crashes.length > 0) process.exitCode = 1;
}
