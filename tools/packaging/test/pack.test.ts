/**
 * The library packages as another TypeScript service gets them: built once (each package's
 * `build` script), packed with `pnpm pack`, installed with npm from the tarballs into a plain
 * Node ESM project outside the workspace, then the service in ../consumer/service.ts is compiled
 * by plain tsc (module NodeNext, no tsx, no allowImportingTsExtensions, skipLibCheck off so our
 * .d.ts files are checked too) and run by node; its output must be exactly the block in that file.
 *
 * The same tarballs run examples/embed-http (the HTTP service of the README's embedding section):
 * installed from vendor/ with npm, compiled with plain tsc, started with node, hit over HTTP; a
 * killed worker comes back; SIGTERM stops it with exit 0.
 *
 * The only test that builds: the rest of the workspace runs on sources. lib/ folders this test
 * created are removed again afterwards. BEAMLINE_KEEP_PACK_DIR=1 keeps the temporary project.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeTsSpecifiers } from '../dts_specifiers.ts';
import { freePort } from '../../erl/free_port.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const LIBS = ['etf', 'core', 'distribution', 'switch', 'erlang-event', 'sofia'] as const;
type Lib = (typeof LIBS)[number];
const SERVICE_SOURCE = join(here, '../consumer/service.ts');
const pnpmSpec = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

interface Run {
  stdout: string;
  stderr: string;
}

/** Runs a command; a non-zero exit rejects with everything it printed. */
function run(cmd: string, args: string[], cwd: string, timeout: number, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { cwd, timeout, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) {
        // execFile kills the child at the timeout and says only "Command failed"
        const why = error.killed && error.signal === 'SIGTERM' ? `timed out after ${timeout / 1000} s` : error.message;
        reject(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${why}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      } else resolveRun({ stdout, stderr });
    });
  });
}

/** The lines between the `---- expected output ----` and `---- end ----` markers of service.ts. */
function expectedOutput(): string[] {
  const lines = readFileSync(SERVICE_SOURCE, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes('---- expected output ----'));
  const end = lines.findIndex((l, i) => i > start && l.includes('---- end ----'));
  if (start < 0 || end < 0) throw new Error(`${SERVICE_SOURCE}: no expected output block`);
  return lines.slice(start + 1, end).map((l) => l.replace(/^\s*\* ?/, ''));
}

/** npm as a service's developer runs it: without the npm_* variables pnpm exports to scripts. */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

let work: string;
let service: string;
const tarballs = new Map<Lib, string>();
const packedFiles = new Map<Lib, string[]>();
const builtHere: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'beamline-pack-'));
  service = join(work, 'service');
  const packDir = join(work, 'tarballs');
  await mkdir(join(service, 'src'), { recursive: true });
  await mkdir(packDir);

  // 1. build: each library package's `build` script, in dependency order (what `pnpm build` runs
  //    through turbo, without turbo's cache, so this always compiles the sources as they are).
  for (const lib of LIBS) if (!existsSync(join(root, 'packages', lib, 'lib'))) builtHere.push(join(root, 'packages', lib, 'lib'));
  // tsc over every package: ~30 s alone, several times that on a loaded two-core machine
  await run('npx', ['-y', pnpmSpec, '-r', '--filter', './packages/*', 'run', 'build'], root, 240_000);

  // 2. pack: pnpm pack rewrites `workspace:*` to the versions and keeps what `files` names.
  await Promise.all(
    LIBS.map(async (lib) => {
      const { stdout } = await run('npx', ['-y', pnpmSpec, 'pack', '--pack-destination', packDir, '--json'], join(root, 'packages', lib), 30_000);
      const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename: string; files: { path: string }[] };
      tarballs.set(lib, resolve(packDir, report.filename));
      packedFiles.set(
        lib,
        report.files.map((f) => f.path),
      );
    }),
  );

  // 3. a plain Node ESM project that installs the tarballs; overrides make the packages' own
  //    dependencies on @beamline/etf and @beamline/core take the tarballs too, not the registry.
  const dependencies = Object.fromEntries(LIBS.map((lib) => [`@beamline/${lib}`, `file:${tarballs.get(lib)}`]));
  const pkg = {
    name: 'beamline-pack-consumer',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies,
    overrides: Object.fromEntries(LIBS.map((lib) => [`@beamline/${lib}`, `$@beamline/${lib}`])),
  };
  await writeFile(join(service, 'package.json'), JSON.stringify(pkg, null, 2));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2022'],
      strict: true,
      skipLibCheck: false,
      rootDir: 'src',
      outDir: 'out',
      // the workspace's @types/node, to spare a download; everything else comes from node_modules
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
    },
    include: ['src'],
  };
  await writeFile(join(service, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await copyFile(SERVICE_SOURCE, join(service, 'src/main.ts'));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], service, 90_000, plainEnv());
}, 330_000);

afterAll(async () => {
  for (const dir of builtHere) await rm(dir, { recursive: true, force: true });
  if (work !== undefined && process.env.BEAMLINE_KEEP_PACK_DIR !== '1') await rm(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('hold lib/ (JavaScript, declarations, maps), package.json, the READMEs and DECISIONS.md (erlang-event: its Erlang client helper too, core: src/API.md); no sources or tests', () => {
    for (const lib of LIBS) {
      const files = packedFiles.get(lib)!;
      expect(files, lib).toContain('package.json');
      expect(files, lib).toContain('README.md');
      for (const f of ['index.js', 'index.d.ts', 'index.js.map', 'index.d.ts.map']) expect(files, lib).toContain(`lib/${f}`);
      const erlang = lib === 'erlang-event' ? ['erlang/freeswitch.erl'] : [];
      // core's READMEs link to src/API.md, the contract: it ships, and no other source does
      expect(
        files.filter((f) => f.startsWith('src/')),
        lib,
      ).toEqual(lib === 'core' ? ['src/API.md'] : []);
      expect(
        files.filter((f) => f.startsWith('erlang/')),
        lib,
      ).toEqual(erlang);
      expect(
        files.filter((f) => !/^(lib|erlang|src)\//.test(f) && f !== 'package.json' && !/^(README[^/]*|DECISIONS)\.md$/.test(f)),
        lib,
      ).toEqual([]);
      expect(
        files.filter((f) => f.startsWith('lib/') && !/\.(js|d\.ts)(\.map)?$/.test(f)),
        lib,
      ).toEqual([]);
    }
  });

  it('name versions, not workspace:, for their @beamline dependencies; export only lib/ (not the workspace-only source condition)', () => {
    for (const lib of LIBS) {
      const manifest = JSON.parse(readFileSync(join(service, 'node_modules/@beamline', lib, 'package.json'), 'utf8')) as {
        version: string;
        dependencies: Record<string, string>;
        exports: unknown;
      };
      expect(manifest.version).toBe('0.1.0');
      expect(manifest.exports, lib).toEqual({ '.': { types: './lib/index.d.ts', default: './lib/index.js' } });
      for (const [dep, range] of Object.entries(manifest.dependencies)) {
        expect(range, `${lib} → ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith('@beamline/')) expect(range, `${lib} → ${dep}`).toBe('0.1.0');
      }
    }
  });

  it('are installed once each, from the tarballs', () => {
    const lock = JSON.parse(readFileSync(join(service, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    const beamline = Object.keys(lock.packages).filter((k) => k.includes('@beamline/'));
    expect(beamline.sort()).toEqual(LIBS.map((lib) => `node_modules/@beamline/${lib}`).sort());
    for (const lib of LIBS) expect(lock.packages[`node_modules/@beamline/${lib}`].resolved).toMatch(/^file:.*\.tgz$/);
  });

  it('have declaration files whose relative specifiers name .js files, as lib/ holds', () => {
    for (const lib of LIBS) {
      const dir = join(service, 'node_modules/@beamline', lib, 'lib');
      const dts = readdirSync(dir).filter((f) => f.endsWith('.d.ts'));
      expect(dts.length, lib).toBeGreaterThan(0);
      for (const f of dts) expect(relativeTsSpecifiers(readFileSync(join(dir, f), 'utf8')), `${lib}/lib/${f}`).toEqual([]);
    }
  });

  it('resolve, in the service, to lib/index.js in its own node_modules', async () => {
    const script = `for (const p of ${JSON.stringify(LIBS.map((lib) => `@beamline/${lib}`))}) console.log(import.meta.resolve(p));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], service, 20_000);
    expect(stdout.trim().split('\n')).toEqual(LIBS.map((lib) => pathToFileURL(join(service, 'node_modules/@beamline', lib, 'lib/index.js')).href));
  });

  it('compile with plain tsc into a service that node runs', async () => {
    await run(process.execPath, [tsc, '-p', join(service, 'tsconfig.json')], service, 60_000);
    const { stdout, stderr } = await run(process.execPath, [join(service, 'out/main.js')], service, 20_000);
    expect(stdout.trimEnd().split('\n')).toEqual(expectedOutput());
    expect(stderr).toBe('');
  }, 90_000);
});

describe('examples/embed-http on the packed packages', () => {
  it('installs from vendor/, compiles with tsc, serves; a killed worker is restarted; SIGTERM exits 0', async () => {
    const app = join(work, 'embed-http');
    await cp(join(root, 'examples/embed-http'), app, { recursive: true, filter: (src) => !/(node_modules|vendor|out)$/.test(src) });
    await mkdir(join(app, 'vendor'));
    for (const lib of ['etf', 'core'] as const) await copyFile(tarballs.get(lib)!, join(app, 'vendor', `beamline-${lib}-0.1.0.tgz`));
    // devDependencies (typescript, @types/node) are the workspace's here, to spare a download
    await run(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'],
      app,
      90_000,
      plainEnv(),
    );
    await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json'), '--typeRoots', join(root, 'node_modules/@types')], app, 60_000);

    const port = await freePort();
    const child = spawn(process.execPath, [join(app, 'out/main.js')], {
      cwd: app,
      env: { ...plainEnv(), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      await expect.poll(() => out, { timeout: 10_000 }).toContain('listening on');
      const get = async (path: string, method = 'GET') =>
        (await fetch(`http://127.0.0.1:${port}${path}`, { method })).json() as Promise<Record<string, unknown>>;
      expect(await get('/work?n=10')).toMatchObject({ worker: 'w1', result: 55 });
      expect(await get('/work?n=20')).toMatchObject({ worker: 'w2', result: 6765 });
      const before = (await get('/workers')).w1 as string;
      expect(before).toMatch(/^<0\.\d+\.0>$/);
      expect(await get('/kill?worker=w1', 'POST')).toEqual({ killed: before });
      await expect.poll(async () => (await get('/workers')).w1, { timeout: 5000 }).toMatch(/^<0\.\d+\.0>$/);
      const after = (await get('/workers')).w1;
      expect(after).not.toBe(before);
      expect(await get('/work?n=10')).toMatchObject({ result: 55 }); // the restarted pool still answers
      expect(((await get('/stats')).requests as number) >= 7).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('stopped');
  }, 120_000);
});
