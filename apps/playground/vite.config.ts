import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

/** The library's source: the playground always runs the workspace's Atelier, never a build. */
const atelier = (file: string) =>
  fileURLToPath(new URL(`../../packages/atelier/src/${file}`, import.meta.url))

const port = Number(process.env.PORT ?? 5173)

export default defineConfig({
  resolve: {
    alias: [
      { find: /^atelier\/worker$/, replacement: atelier('worker.ts') },
      { find: /^atelier\/inspector$/, replacement: atelier('inspector.ts') },
      // The inspector's own helpers (DOM, formatting), which the scenarios share with it.
      { find: /^atelier\/src\/(.*)$/, replacement: atelier('$1') },
      { find: /^atelier$/, replacement: atelier('index.ts') },
    ],
  },
  // Pre-bundled at startup: discovering comlink on the first worker's import would reload the page.
  optimizeDeps: { include: ['comlink'] },
  // Module workers, so worker files can import (comlink, atelier/worker) in the build too.
  worker: { format: 'es' },
  server: { host: 'localhost', port, strictPort: true },
  preview: { host: 'localhost', port, strictPort: true },
  build: { target: 'es2022' },
})
