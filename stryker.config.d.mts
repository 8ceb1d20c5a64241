/** Types of stryker.config.mjs for mutation/perFile.ts and mutation/run.ts. */
export declare const MUTATION_FILES: string[];
export declare function perFileOptions(file: string, dir: string): { mutate: string[]; reporters: string[]; jsonReporter: { fileName: string }; incrementalFile: string };
declare const config: Record<string, unknown>;
export default config;
