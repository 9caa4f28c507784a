/**
 * Relative module specifiers in emitted declaration files.
 *
 * The sources import each other as `./x.ts`. tsc's `rewriteRelativeImportExtensions` turns those
 * into `./x.js` in the emitted JavaScript, but declaration emit keeps `./x.ts` (TypeScript reads
 * that fine: in a .d.ts a `.ts` specifier finds `x.d.ts`; microsoft/TypeScript#61037). lib/ holds
 * no `x.ts`, though, so other tools following those paths find nothing. `rewriteDtsSpecifiers`
 * gives a declaration file the specifiers its JavaScript twin has. `.ts` → `.js`, `.mts` → `.mjs`
 * and `.cts` → `.cjs` keep the text's length, so declaration maps stay exact.
 */

const EXT: Record<string, string> = { ts: 'js', mts: 'mjs', cts: 'cjs' };

/**
 * A string literal in a module position (`from '…'`, `import '…'`, `import('…')`) naming a relative
 * path that ends in a TypeScript source extension (not `.d.ts`).
 */
const RELATIVE_TS_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\r\n]*?)(?<!\.d)\.(ts|mts|cts)\2/g;

/** The declaration text with every relative `.ts`/`.mts`/`.cts` specifier turned into `.js`/`.mjs`/`.cjs`. */
export function rewriteDtsSpecifiers(text: string): string {
  return text.replace(
    RELATIVE_TS_SPECIFIER,
    (_m, lead: string, quote: string, path: string, ext: string) => `${lead}${quote}${path}.${EXT[ext]}${quote}`,
  );
}

/** The relative specifiers in `text` that still end in a TypeScript source extension. */
export function relativeTsSpecifiers(text: string): string[] {
  return [...text.matchAll(RELATIVE_TS_SPECIFIER)].map((m) => `${m[3]}.${m[4]}`);
}
