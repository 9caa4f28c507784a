/**
 * The `build` script of the library packages (packages/etf, core, distribution):
 *
 *   tsx ../../tools/packaging/build-package.ts [packageDir]     (default: the current directory)
 *
 * 1. removes lib/, so a source file deleted since the last build leaves nothing behind;
 * 2. runs the workspace's tsc on the package's tsconfig.build.json: src/ → lib/ (JavaScript with
 *    `.js` specifiers, .d.ts, declaration maps, source maps with the sources inlined). That config
 *    drops the `@beamline/source` condition, so a package compiles against the lib/ of the
 *    packages it depends on (built before it: turbo's `dependsOn: ["^build"]`), as a consumer would;
 * 3. rewrites the relative `./x.ts` specifiers tsc leaves in the .d.ts files to `./x.js`
 *    (dts_specifiers.ts says why).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { rewriteDtsSpecifiers } from './dts_specifiers.ts';

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
  console.error('usage: tsx tools/packaging/build-package.ts [packageDir]');
  process.exit(2);
}
const dir = resolve(args[0] ?? '.');
const lib = join(dir, 'lib');
rmSync(lib, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error(`build-package: tsc failed in ${dir}`);
  process.exit(built.status ?? 1);
}

let rewritten = 0;
for (const entry of readdirSync(lib, { recursive: true, encoding: 'utf8' })) {
  if (!/\.d\.[mc]?ts$/.test(entry)) continue;
  const file = join(lib, entry);
  const text = readFileSync(file, 'utf8');
  const fixed = rewriteDtsSpecifiers(text);
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten++;
  }
}
console.log(`build-package: ${dir} → lib/ (${rewritten} declaration files given .js specifiers)`);
