/** Types of power/stryker.config.mjs for power/files.ts. */
export declare const POWER_FILES: string[];
declare const config: Record<string, unknown>;
export default config;
