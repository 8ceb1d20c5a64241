/** Types of stryker.config.mjs for mutation/perFile.ts and mutation/run.ts. */
export declare const MUTATION_FILES: string[];
/** A unit's file, part number and lines: `src/a/b.ts@2:151-300` → part 2, lines 151 to 300; a whole file → part undefined, lines 1 to ∞. */
export declare function parseUnit(unit: string): { file: string; part: number | undefined; from: number; to: number };
export declare function perFileOptions(unit: string, dir: string): { mutate: string[]; reporters: string[]; jsonReporter: { fileName: string }; incrementalFile: string };
declare const config: Record<string, unknown>;
export default config;
