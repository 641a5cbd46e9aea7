// `npm run build -w atelier`: the package's `dist`. Each public entry (`atelier`,
// `atelier/worker`, `atelier/otel`, `atelier/inspector`) is one ES module bundled by esbuild,
// with the code two entries share split into chunks; the declarations come from tsc, one per
// source module as before.
//
// Why bundles rather than tsc's module-per-file output: a dev server that serves the package
// as it is (a linked workspace, a package left out of pre-bundling) made the browser fetch some
// 75 modules before the first call, which measured the first call at about twice a bundle's time
// (see bench/README.md, cold-start). Bundlers still tree-shake it: the output is plain ESM with
// top-level declarations, and the package says it has no side effects.
//
// Nothing is minified (apps minify), names are kept (error classes are named by their class),
// and `process.env.NODE_ENV` and `import.meta.env` are left as written, for the app's bundler to
// replace (see `isDevelopmentBuild`).

import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist')
const ENTRIES = ['index', 'worker', 'otel', 'inspector']

rmSync(dist, { recursive: true, force: true })

execFileSync(
  process.execPath,
  [
    path.join(root, '../../node_modules/typescript/bin/tsc'),
    '-p',
    path.join(root, 'tsconfig.build.json'),
    '--emitDeclarationOnly',
  ],
  { stdio: 'inherit' },
)

await build({
  absWorkingDir: root,
  entryPoints: ENTRIES.map((name) => `src/${name}.ts`),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  sourcesContent: false,
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@opentelemetry/api', 'comlink'],
  logLevel: 'warning',
})
