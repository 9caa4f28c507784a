/**
 * `pnpm bench <name> [args...]`: runs tools/bench/<name>.ts's `main`. Each bench prints its
 * comparison table and writes bench-results/<name>.json.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name> [args...]\n  benches: ${available.join(', ')}`);
  process.exit(name ? 1 : 0);
}
const bench = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as {
  main?: (args: string[]) => Promise<void>;
};
if (typeof bench.main !== 'function') {
  console.error(`tools/bench/${name}.ts exports no main(args)`);
  process.exit(1);
}
await bench.main(args);
