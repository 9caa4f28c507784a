/**
 * `pnpm bench <name> [args...]`: runs tools/bench/<name>.ts's `main`. Each bench prints its
 * comparison table and writes bench-results/<name>.json.
 */
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Need } from './_needs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: pnpm bench <name> [args...]\n  benches: ${available.join(', ')}`);
  process.exit(1);
}
if (args.includes('--help') || args.includes('-h')) {
  // a bench's help is its file's opening comment, which lists its arguments
  const doc = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(join(here, `${name}.ts`), 'utf8'))?.[1] ?? '';
  console.log(doc.replace(/^ ?\* ?/gm, '').trim() || `tools/bench/${name}.ts has no opening comment`);
  process.exit(0);
}
const bench = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as {
  main?: (args: string[]) => Promise<void>;
  /** The outside programs the bench runs (its anchors or its phones), given its arguments. */
  needs?: readonly Need[] | ((args: string[]) => readonly Need[]);
};
if (typeof bench.main !== 'function') {
  console.error(`tools/bench/${name}.ts exports no main(args)`);
  process.exit(1);
}
for (const need of typeof bench.needs === 'function' ? bench.needs(args) : (bench.needs ?? [])) {
  if (!isExecutable(need.binary)) {
    console.error(
      `pnpm bench ${name} runs ${need.what}, and \`${need.binary}\` is not ${need.binary.includes('/') ? 'an executable file' : 'on PATH'}.\n` +
        `  Run \`bash tools/setup.sh\` once (it installs it from Debian's packages), or set ${need.env} to one.`,
    );
    process.exit(1);
  }
}
try {
  await bench.main(args);
} catch (e) {
  // A bad argument gets its one line, not a stack: the bench's arguments are in its file's opening comment.
  if (!(e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) throw e;
  console.error(`pnpm bench ${name}: ${e.message}\n  (its arguments are listed at the top of tools/bench/${name}.ts)`);
  process.exitCode = 1;
}

function isExecutable(binary: string): boolean {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, binary));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
