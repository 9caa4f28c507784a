import { describe, expect, it } from 'vitest';
import { relativeTsSpecifiers, rewriteDtsSpecifiers } from '../dts_specifiers.ts';

describe('rewriteDtsSpecifiers', () => {
  it('gives relative imports, re-exports and import types the extension of the emitted JavaScript', () => {
    const dts = [
      `import { type Proc } from './process.ts';`,
      `import type { Runtime } from "../core/runtime.ts";`,
      `export * from './supervisor.ts';`,
      `export { a } from './a.mts';`,
      `import './side_effect.cts';`,
      `export declare const x: import("./types.ts").Dest;`,
      `export declare const y: import( './types.ts' ).Dest;`,
    ].join('\n');
    expect(rewriteDtsSpecifiers(dts)).toBe(
      [
        `import { type Proc } from './process.js';`,
        `import type { Runtime } from "../core/runtime.js";`,
        `export * from './supervisor.js';`,
        `export { a } from './a.mjs';`,
        `import './side_effect.cjs';`,
        `export declare const x: import("./types.js").Dest;`,
        `export declare const y: import( './types.js' ).Dest;`,
      ].join('\n'),
    );
  });

  it('keeps the text length, so declaration maps stay exact', () => {
    const dts = `export * from './a.ts';\nexport declare const b: import('./b.ts').B;\n`;
    expect(rewriteDtsSpecifiers(dts)).toHaveLength(dts.length);
  });

  it('leaves package specifiers, .js and .d.ts specifiers and mismatched quotes alone', () => {
    const dts = [
      `import { atom } from '@beamline/etf';`,
      `import type { X } from 'some-pkg/file.ts';`,
      `export * from './already.js';`,
      `import type { Y } from './types.d.ts';`,
      `import type { Z } from './odd.ts";`,
    ].join('\n');
    expect(rewriteDtsSpecifiers(dts)).toBe(dts);
  });

  it('relativeTsSpecifiers lists what is left to rewrite', () => {
    const dts = `export * from './a.ts';\nimport { b } from '@x/b';\nexport declare const c: import("../c.mts").C;`;
    expect(relativeTsSpecifiers(dts)).toEqual(['./a.ts', '../c.mts']);
    expect(relativeTsSpecifiers(rewriteDtsSpecifiers(dts))).toEqual([]);
  });
});
