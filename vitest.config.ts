import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs'

/** Headless Debian Chromium, as every browser-mode project runs it. */
const chromium = {
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  }),
  instances: [{ browser: 'chromium' as const }],
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['packages/*/test/unit/**/*.test.ts'],
          typecheck: {
            enabled: true,
            include: ['packages/*/test/types/**/*.test-d.ts'],
            tsconfig: 'packages/atelier/test/tsconfig.json',
          },
        },
      },
      {
        // Pre-bundled up front: discovering a dependency mid-run makes Vite reload the page.
        optimizeDeps: {
          include: [
            'comlink',
            '@opentelemetry/api',
            '@opentelemetry/core',
            '@opentelemetry/sdk-trace-base',
            '@opentelemetry/sdk-metrics',
          ],
        },
        test: {
          name: 'browser',
          include: ['packages/*/test/browser/**/*.test.ts'],
          testTimeout: 20_000,
          browser: chromium,
        },
      },
      {
        // The runtime matrix (test/runtimes): one behaviour suite, run by Node, Deno and Bun as
        // child processes with their own workers...
        test: {
          name: 'runtimes',
          environment: 'node',
          include: ['packages/*/test/runtimes/runtimes.test.ts'],
          testTimeout: 200_000,
          hookTimeout: 60_000,
        },
      },
      {
        // ...and in Chromium, with web Workers.
        test: {
          name: 'runtimes-chromium',
          include: ['packages/*/test/runtimes/chromium.test.ts'],
          testTimeout: 20_000,
          browser: chromium,
        },
      },
      {
        // The playground end to end: starts its own Vite server and drives Chromium itself.
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['apps/playground/e2e/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The packed library installed in small apps built by Vite, webpack and esbuild, in a
        // temporary folder; drives Chromium itself.
        test: {
          name: 'consumers',
          environment: 'node',
          include: ['packages/*/test/consumers/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
