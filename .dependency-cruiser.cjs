/**
 * dependency-cruiser rules for the beamline workspace (`pnpm lint` runs them, `pnpm depgraph`
 * prints the graph). Paths are repository-relative. `@beamline/x` resolves through the workspace
 * symlink in node_modules to packages/x/src/index.ts (its package.json `exports`), so the layering
 * rules below see real file paths whether an import is by package name or by relative path.
 *
 * Package folders: packages/*, apps/*, tools/bench. tools/erl (the erl driver) and tools/apps (the
 * apps as child processes) are shared test support, not packages: tests anywhere may import them.
 */

/** `from` package → the packages it may import (besides itself). apps/* and tools/* may import any. */
const layers = {
  etf: [],
  core: ['etf'],
  distribution: ['core', 'etf'],
  switch: ['core', 'etf'],
  'erlang-event': ['switch', 'distribution', 'core', 'etf'],
  sofia: ['switch', 'core', 'etf'],
};

const layerRules = Object.entries(layers).map(([pkg, allowed]) => ({
  name: `layer-${pkg}`,
  severity: 'error',
  comment:
    allowed.length === 0
      ? `@beamline/${pkg} is the bottom layer: it imports no other @beamline package.`
      : `@beamline/${pkg} may import only ${allowed.map((p) => `@beamline/${p}`).join(', ')}.`,
  from: { path: `^packages/${pkg}/` },
  to: { path: '^packages/[^/]+/', pathNot: [`^packages/${pkg}/`, ...allowed.map((p) => `^packages/${p}/`)] },
}));

/**
 * Inside @beamline/core, layers import only downward. Each entry: a layer (path regex under
 * packages/core/src/) → the layers above it, which it must not import.
 */
const CORE = '^packages/core/src/';
const coreLayers = [
  [
    'internal/basics/',
    [
      'internal/process/',
      'internal/services/',
      'internal/kernel',
      'internal/runtime',
      'internal/(gen|proc_lib|sys)',
      '(gen_server|state_machine|index)\\.ts',
      'supervisor/',
    ],
  ],
  [
    'internal/process/',
    [
      'internal/services/',
      'internal/kernel',
      'internal/runtime',
      'internal/(gen|proc_lib|sys)',
      '(gen_server|state_machine|index)\\.ts',
      'supervisor/',
    ],
  ],
  [
    'internal/services/',
    ['internal/kernel', 'internal/runtime', 'internal/(gen|proc_lib|sys)', '(gen_server|state_machine|index)\\.ts', 'supervisor/'],
  ],
  ['internal/(kernel|runtime)', ['internal/(gen|proc_lib|sys)', '(gen_server|state_machine|index)\\.ts', 'supervisor/']],
  ['internal/', ['(gen_server|state_machine|index)\\.ts', 'supervisor/']],
];
const coreLayerRules = coreLayers.map(([layer, above]) => ({
  name: `core-layer-${layer.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`,
  severity: 'error',
  comment: `In @beamline/core, src/${layer} must not import a higher layer (basics → process → services → kernel/runtime → gen/proc_lib/sys → behaviours → index).`,
  from: { path: `${CORE}${layer}` },
  to: { path: above.map((a) => `${CORE}${a}`) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular import (type-only imports count: a type-only cycle is still a cycle). Break it by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...coreLayerRules,
    {
      name: 'layer-unlisted-package',
      severity: 'error',
      comment: 'A package under packages/ that has no entry in `layers` in .dependency-cruiser.cjs: give it one before it imports another package.',
      from: { path: '^packages/([^/]+)/', pathNot: `^packages/(${Object.keys(layers).join('|')})/` },
      to: { path: '^packages/[^/]+/', pathNot: '^packages/$1/' },
    },
    {
      name: 'package-src-not-to-apps-or-tools',
      severity: 'error',
      comment: "A package's src must not import apps/ or tools/ (its tests may use tools/erl).",
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^(apps|tools)/' },
    },
    {
      name: 'no-internals-of-another-package',
      severity: 'error',
      comment:
        "Only a package's entry point (packages/x/src/index.ts, apps/x/src/index.ts) may be imported from outside it: import `@beamline/x` and export what you need from its index.ts.",
      from: { path: '^(packages/[^/]+|apps/[^/]+|tools/[^/]+)/', pathNot: '^tools/bench/etf-fuzz\\.ts$' },
      to: { path: '^(packages|apps)/[^/]+/', pathNot: ['^$1/', '^(packages|apps)/[^/]+/src/index\\.ts$'] },
    },
    {
      // The one deliberate exception to the rule above: the fuzz bench runs @beamline/etf's own fuzz
      // harness (packages/etf/test/helpers) at a larger scale. It may reach that folder and nothing else.
      name: 'etf-fuzz-bench-only-etf-test-helpers',
      severity: 'error',
      comment: 'tools/bench/etf-fuzz.ts may reach into packages/etf/test/helpers/ only; import everything else by package name.',
      from: { path: '^tools/bench/etf-fuzz\\.ts$' },
      to: { path: '^(packages|apps)/[^/]+/', pathNot: ['^packages/etf/test/helpers/', '^packages/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'no-relative-import-of-another-package',
      severity: 'error',
      comment: 'Import another package by its name (`@beamline/x`), not by a relative path to its index.ts.',
      from: { path: '^(packages/[^/]+|apps/[^/]+|tools/[^/]+)/' },
      to: { path: '^packages/[^/]+/src/index\\.ts$', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-deep-package-import',
      severity: 'error',
      comment: 'Import `@beamline/x` itself, not a path inside it (`@beamline/x/src/...`): only the entry point is public.',
      from: {},
      to: { path: '^@beamline/[^/]+/.', couldNotResolve: true },
    },
    {
      name: 'src-not-to-test',
      severity: 'error',
      comment: 'Source must not import test code (test/ folders).',
      from: { path: '^(packages|apps)/[^/]+/src/' },
      to: { path: '(^|/)test/' },
    },
    {
      name: 'no-undeclared-package',
      severity: 'error',
      comment: `Imports a @beamline package that this package's package.json does not list (pnpm links only listed ones). The layering: ${Object.entries(
        layers,
      )
        .map(([pkg, allowed]) => `${pkg} → ${allowed.join(', ') || 'nothing'}`)
        .join('; ')}; apps and tools → any.`,
      from: {},
      to: { path: '^@beamline/[^/]+$', couldNotResolve: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import does not resolve to a file (a typo, a missing dependency in package.json, or a deep import).',
      from: {},
      to: { couldNotResolve: true, pathNot: '^@beamline/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|lib|\\.otp27|bench-results|\\.turbo)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Keep type-only imports in the graph (`import type`): they count for cycles and layering.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // @beamline/source: the workspace's packages resolve to their sources, not lib/
      conditionNames: ['@beamline/source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
