import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.js';

/** The unit tests as `npm test` runs them, plus the per-test hit limit of mutation/hitLimit.ts for Stryker's runs. */
export default mergeConfig(base, defineConfig({ test: { setupFiles: ['mutation/hitLimit.setup.ts'] } }));
