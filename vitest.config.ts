import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The workspace runs on sources: the `@beamline/source` condition picks each package's
 * src/index.ts from its `exports` (lib/ is for projects that install the packed packages; see the
 * README). Node-environment tests resolve through `ssr.resolve`; `resolve` serves browser-like
 * environments. Setting `conditions` replaces Vite's defaults, so these lists repeat them.
 */
const SOURCE = '@beamline/source';

export default defineConfig({
  resolve: { conditions: [SOURCE, 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE, 'module', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one on a two-core box, where the suite
    // (which mostly waits on timers, SIPp and erl rather than computing) took 20 minutes of CI.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
