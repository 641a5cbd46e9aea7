/**
 * What each public entry costs an app: the entry bundled with esbuild (minified, ESM, for the
 * browser) and gzipped at level 9, against its budget. The unit test `test/unit/size.test.ts`
 * asserts the budgets with the same build.
 *
 *   node packages/atelier/scripts/size.mjs              the table: raw, minified, gzip, budget
 *   node packages/atelier/scripts/size.mjs --why        and, per entry, each module's share of
 *                                                       the minified output, largest first
 *   node packages/atelier/scripts/size.mjs --markdown   the table as Markdown, for bench/README.md
 *
 * What is measured is what the package ships: `dist`, as `npm run build` compiles it from `src`
 * with `tsconfig.build.json`. Each module is compiled here in memory with those options (the
 * config has `isolatedModules`, so a file compiles alone as it does in the full build), which
 * keeps the figure deterministic and current without a build, and indifferent to a stale `dist`
 * or a type error elsewhere. (esbuild's own TypeScript transform emits slightly different code,
 * tens of bytes apart once gzipped; and the names the minifier picks depend a little on the file
 * paths, so an app's bundle of `node_modules/atelier/dist` may differ by a few bytes.)
 */

import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import ts from 'typescript'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** A kilobyte is 1,024 bytes throughout: a budget of 9 KB is 9,216 bytes of gzip. */
const KB = 1024

/**
 * The entries, as `package.json` exports them, each whole (every export kept), and then what an
 * app's bundler keeps of them for the two smallest uses: a page that defines a task and calls it,
 * and a worker that serves its handlers.
 *
 * `budget` is the goal: the main entry and the worker have the budgets of the size issue; `otel`
 * and `inspector` are opt-in, and their generous budgets only stop one of them from pulling in
 * the runtime by accident. `ceiling` is what `npm test` holds each to meanwhile: the figure when
 * it was last lowered, plus a little room, so no change adds bytes unnoticed. Lower it as bytes
 * go; a change that must add some (a fix) raises it in the open, saying why in its commit.
 */
export const ENTRIES = [
  { name: 'atelier', source: 'src/index.ts', budget: 9 * KB, ceiling: 26_950 },
  { name: 'atelier/worker', source: 'src/worker.ts', budget: 3 * KB, ceiling: 7_520 },
  { name: 'atelier/otel', source: 'src/otel.ts', budget: 2 * KB, ceiling: 2 * KB },
  { name: 'atelier/inspector', source: 'src/inspector.ts', budget: 12 * KB, ceiling: 12 * KB },
  {
    name: 'a page: define a task, call it',
    contents: `import { createTaskRuntime } from './index.js'
const task = createTaskRuntime().defineTask({ type: 'parallel', worker: () => new Worker('w.js') })
task.echo(1).then(console.log)`,
    budget: 9 * KB,
    ceiling: 21_900,
  },
  {
    name: 'a worker: serve(handlers)',
    contents: `import { serve } from './worker.js'
serve({ echo: (value) => value })`,
    budget: 3 * KB,
    ceiling: 7_460,
  },
]

/** Peers an app brings itself: never counted in the library's size. */
const EXTERNAL = ['@opentelemetry/api', 'comlink']

function buildOptions() {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.build.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )
  return { ...config.options, declaration: false, declarationMap: false }
}

/** An esbuild plugin that loads each `.ts` module as `tsc` compiles it into `dist`. */
function compiledAsDist() {
  const compilerOptions = buildOptions()
  return {
    name: 'compiled-as-dist',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
        const source = readFileSync(path, 'utf8')
        const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: path })
        return { contents: outputText, loader: 'js', resolveDir: dirname(path) }
      })
    },
  }
}

/**
 * One entry bundled, minified or not. `plugins` run before the compiling one, so a caller can
 * replace a module (the "what if this went" measurements do).
 */
export async function bundle(entry, { minify, plugins = [] }) {
  const result = await build({
    absWorkingDir: root,
    ...(entry.source === undefined
      ? { stdin: { contents: entry.contents, resolveDir: join(root, 'src'), loader: 'js' } }
      : { entryPoints: [join(root, entry.source)] }),
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    external: EXTERNAL,
    plugins: [...plugins, compiledAsDist()],
    metafile: true,
    write: false,
    logLevel: 'silent',
  })
  return { code: result.outputFiles[0].contents, metafile: result.metafile }
}

/**
 * The sizes of one entry in bytes: `raw` bundled, `min` minified, `gzip` minified then gzipped at
 * level 9; and `modules`, each source module's bytes in the minified output, largest first.
 */
export async function measure(entry, options = {}) {
  const [raw, min] = await Promise.all([
    bundle(entry, { ...options, minify: false }),
    bundle(entry, { ...options, minify: true }),
  ])
  const [output] = Object.values(min.metafile.outputs)
  const modules = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({
      path: relative(root, resolve(root, path)),
      bytes: bytesInOutput,
    }))
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
  return {
    raw: raw.code.length,
    min: min.code.length,
    gzip: gzipSync(min.code, { level: 9 }).length,
    modules,
  }
}

const kb = (bytes) => `${(bytes / KB).toFixed(2)} KB`
const exact = (bytes) => `${bytes.toLocaleString('en-US')} B`

function table(rows, markdown) {
  const head = ['entry', 'raw', 'minified', 'min+gzip', 'budget', 'min+gzip (B)', 'budget (B)', '']
  const body = rows.map(({ entry, size }) => [
    entry.name,
    kb(size.raw),
    kb(size.min),
    kb(size.gzip),
    kb(entry.budget),
    exact(size.gzip),
    exact(entry.budget),
    size.gzip <= entry.budget ? 'ok' : `over by ${exact(size.gzip - entry.budget)}`,
  ])
  if (markdown) {
    return [head, head.map(() => '---'), ...body].map((row) => `| ${row.join(' | ')} |`).join('\n')
  }
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)))
  const line = (row) =>
    row.map((cell, i) => (i ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')
  return [head, ...body].map(line).join('\n').trimEnd()
}

function breakdown({ entry, size }) {
  const lines = [`\n${entry.name}: ${size.min} bytes minified, by module`]
  for (const { path, bytes } of size.modules) {
    const share = ((bytes / size.min) * 100).toFixed(1)
    lines.push(`${String(bytes).padStart(8)}  ${share.padStart(5)}%  ${path}`)
  }
  return lines.join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = []
  for (const entry of ENTRIES) rows.push({ entry, size: await measure(entry) })
  console.log(table(rows, process.argv.includes('--markdown')))
  if (process.argv.includes('--why')) for (const row of rows) console.log(breakdown(row))
}
