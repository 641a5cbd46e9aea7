// `npm run bench:ab [-- revision]`: the working tree's library against another revision's
// (default HEAD, so the uncommitted change is what is measured), both beside the hand-written
// floor on one worker thread, in headless Chromium. For regressions and micro-optimisations the
// main bench cannot resolve: sharing the thread removes the wake-up noise that own threads add,
// and the two libraries run in one page, round by round. See bench/README.md, "A/B".
//
// BENCH_QUERY takes `rounds` (default 20), `calls` (sequential calls per variant per round,
// default 2000), `slices` (default 40) and `burst` (calls made at once, default 1000).

import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs'
import { serveStatic } from '../cold-start/server.mjs'
import { makeTempDir } from '../temp-dir.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../..')
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000)

const revision = process.argv.slice(2).find((arg) => arg !== '--') ?? 'HEAD'
const git = (...args) =>
  execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

// The base's sources and the build; removed at the end, or on Ctrl-C.
const temp = await makeTempDir('atelier-bench-ab-')
let browser
let server

try {
  let commit
  try {
    commit = git('rev-parse', '--quiet', '--verify', '--short', `${revision}^{commit}`).trim()
  } catch {
    throw new Error(`no commit "${revision}" in this repository`)
  }
  const base = path.join(temp.dir, 'base')
  // The base's library sources only, as the revision has them: no checkout, nothing to clean in .git.
  await mkdir(base)
  const archive = execFileSync('git', ['archive', commit, 'packages/atelier/src'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  })
  execFileSync('tar', ['-x', '-C', base], { input: archive })
  const baseSrc = path.join(base, 'packages/atelier/src')
  const harness = await readFile(path.join(baseSrc, 'harness/serve.ts'), 'utf8').catch(() => '')
  if (!harness.includes('endpoint?: HarnessEndpoint')) {
    throw new Error(
      `${revision} (${commit}) predates serve(handlers, endpoint), which the A/B page needs (6309c50 and later)`,
    )
  }

  const out = path.join(temp.dir, 'out')
  await build({
    entryPoints: {
      page: path.join(HERE, 'pages/page.ts'),
      'shared.worker': path.join(HERE, 'pages/shared.worker.ts'),
    },
    outdir: out,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    // The base's sources live outside the repository: their packages resolve from ours.
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'warning',
    plugins: [
      {
        name: 'atelier-base',
        setup(builder) {
          builder.onResolve({ filter: /^atelier-base(\/worker)?$/ }, ({ path: id }) => ({
            path: path.join(baseSrc, id.endsWith('/worker') ? 'worker.ts' : 'index.ts'),
          }))
        },
      },
    ],
  })
  await writeFile(
    path.join(out, 'ab.html'),
    '<!doctype html><script type="module" src="page.js"></script>\n',
  )

  server = await serveStatic(out)
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  const page = await browser.newPage()
  const report = new Promise((resolve, reject) => {
    page.on('console', (message) => {
      const text = message.text()
      if (text.startsWith('AB-RESULT ')) resolve(JSON.parse(text.slice('AB-RESULT '.length)))
      if (text.startsWith('AB-ERROR ')) reject(new Error(text.slice('AB-ERROR '.length)))
    })
    page.on('pageerror', reject)
    setTimeout(() => reject(new Error(`no result after ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS).unref()
  })
  const query = process.env.BENCH_QUERY ?? ''
  await page.goto(`${server.base}ab.html${query ? `?${query}` : ''}`)
  const { rounds, results } = await report

  const dirty = git('status', '--porcelain', '--', 'packages/atelier/src').trim() !== ''
  console.log(
    `A/B, one worker thread, ${rounds} rounds: work = the working tree${dirty ? ' (uncommitted changes)' : ''}, base = ${revision} (${commit})`,
  )
  for (const { name, rows } of results) {
    console.log(`\n${name}`)
    console.log('  variant   µs/call   × bare (paired)   × base (paired)')
    for (const row of rows) {
      console.log(
        `  ${row.side.padEnd(8)}${String(row.usPerCall).padStart(8)}${row.overBare.toFixed(3).padStart(18)}${row.overBase.toFixed(3).padStart(18)}`,
      )
    }
  }
} catch (error) {
  console.error(`bench:ab failed: ${error instanceof Error ? error.message : error}`)
  process.exitCode = 1
} finally {
  await browser?.close().catch(() => {})
  await server?.close().catch(() => {})
  await temp.remove()
}
