import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/security/**/*.test.ts',
      'test/fuzz/**/*.test.ts',
    ],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: false,
    // Every log line the suite produces is captured and scanned for secrets at the end (issue 10).
    setupFiles: ['test/support/logCapture.ts'],
    globalSetup: ['test/support/secretScanGlobal.ts'],
  },
})
