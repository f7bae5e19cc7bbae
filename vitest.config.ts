import { defineConfig } from 'vitest/config';
import { wgslAsText } from './scripts/wgsl_text_plugin.js';

export default defineConfig({
  plugins: [wgslAsText],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { XDG_RUNTIME_DIR: '/tmp' },
  },
});
