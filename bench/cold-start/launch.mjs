// Runs the `cold-start` scenario for bench/run.mjs: the time from a page's navigation start to
// the first result of a worker, for a bare `new Worker` and for Atelier's first call (lazy, and
// `init: 'eager'`). It needs a fresh page per sample, so it cannot run inside the bench page:
// esbuild builds pages/ for production into a temporary directory, server.mjs serves it, and
// every sample is a new browser context (an empty cache) opening one page. See bench/README.md.

import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs'
import { shuffler } from '../app/shuffler.mjs'
import { median, round } from '../app/stats.mjs'
import { makeTempDir } from '../temp-dir.mjs'
import { serveStatic } from './server.mjs'

export const COLD_START_SCENARIO = 'cold-start'

const PAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages')
const BARE = 'bare new Worker'
const TARGET = 1.1
/** One page may take this long to report; beyond it the scenario fails. */
const PAGE_TIMEOUT_MS = 30_000

/** `files`: what one page of the variant fetches, to check the server saw every fetch. */
const VARIANTS = [
  { name: BARE, path: 'bare.html', files: ['bare.html', 'bare.js', 'bare.worker.js'] },
  {
    name: 'Atelier, lazy',
    path: 'atelier.html?init=lazy',
    files: ['atelier.html', 'atelier.js', 'atelier.worker.js'],
  },
  {
    name: "Atelier, init: 'eager'",
    path: 'atelier.html?init=eager',
    files: ['atelier.html', 'atelier.js', 'atelier.worker.js'],
  },
]

/**
 * @param {{ query: string, timeoutMs: number }} options `query`: the scenario's parameters
 *   (BENCH_QUERY): `rounds` (pages per variant, default 60), `warmup` (rounds discarded first,
 *   default 1), `pool` (Atelier's `poolSize`, default the library's); `timeoutMs`: the whole run.
 */
export async function runColdStartScenario({ query, timeoutMs }) {
  const params = new URLSearchParams(query)
  const rounds = Number(params.get('rounds') ?? 60)
  const warmup = Number(params.get('warmup') ?? 1)
  const pool = params.get('pool')
  const deadline = performance.now() + timeoutMs

  const temp = await makeTempDir('atelier-bench-cold-')
  const outDir = temp.dir
  let server
  let browser
  try {
    const sizes = await buildPages(outDir)
    server = await serveStatic(outDir)
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })

    const samples = VARIANTS.map(() => [])
    const marks = VARIANTS.map(() => [])
    const order = shuffler(VARIANTS.length)
    for (let round = 0; round < warmup + rounds; round++) {
      for (const index of order()) {
        if (performance.now() > deadline) {
          throw new Error(
            `not done after ${timeoutMs / 1000}s (raise BENCH_TIMEOUT_MS if it is just slow)`,
          )
        }
        const variant = VARIANTS[index]
        const url = `${server.base}${variant.path}${pool && variant.name !== BARE ? `&pool=${pool}` : ''}`
        const page = await firstResult(browser, url)
        if (round >= warmup) {
          samples[index].push(page.result)
          marks[index].push(page)
        }
      }
    }

    // Every page must have fetched each of its files from the server: none came from a cache.
    const expected = new Map()
    for (const { files } of VARIANTS) {
      for (const file of files) expected.set(file, (expected.get(file) ?? 0) + warmup + rounds)
    }
    const missing = [...expected].filter(
      ([file, count]) => (server.requests.get(file) ?? 0) < count,
    )
    if (missing.length > 0) {
      const list = missing.map(
        ([file, count]) => `${file} (${server.requests.get(file) ?? 0} of ${count})`,
      )
      throw new Error(`some pages did not fetch their files from the server: ${list.join(', ')}`)
    }
    return {
      scenario: COLD_START_SCENARIO,
      rounds,
      rows: rowsOf(samples),
      notes: [
        ...notesOf(samples, sizes, server.requests, browser.version(), pool),
        ...phaseNotes(marks),
      ],
    }
  } finally {
    await browser?.close().catch(() => {})
    await server?.close().catch(() => {})
    await temp.remove()
  }
}

/**
 * Builds the two pages and two workers (minified, as an app ships them), pads the bare worker to
 * the size of Atelier's, and writes each page's HTML. Returns the bundles' sizes in bytes.
 */
async function buildPages(outDir) {
  await build({
    entryPoints: ['bare.ts', 'bare.worker.ts', 'atelier.ts', 'atelier.worker.ts'].map((file) =>
      path.join(PAGES, file),
    ),
    outdir: outDir,
    entryNames: '[name]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // As in the bench page's production build: `spans: 'auto'` is then off.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  })
  const worker = await padBareWorker(outDir)
  for (const name of ['bare', 'atelier']) {
    await writeFile(
      path.join(outDir, `${name}.html`),
      `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="./${name}.js"></script>\n`,
    )
  }
  const size = async (file) => (await readFile(path.join(outDir, file))).byteLength
  return { worker, bare: await size('bare.js'), atelier: await size('atelier.js') }
}

/**
 * Makes the bare worker as big as Atelier's, with the same code: Atelier's worker bundle goes in
 * as the body of a function the bare worker never calls, so both files download the same bytes
 * and the parser scans the same code (V8 only pre-parses a function until it is called). A
 * trailing comment on Atelier's evens out the few bytes of the bare handler and the wrapper.
 */
async function padBareWorker(outDir) {
  const barePath = path.join(outDir, 'bare.worker.js')
  const atelierPath = path.join(outDir, 'atelier.worker.js')
  const atelier = await readFile(atelierPath, 'utf8')
  const bare = `${await readFile(barePath, 'utf8')}function padding(){${atelier}}\n`
  const extra = Buffer.byteLength(bare) - Buffer.byteLength(atelier)
  await writeFile(barePath, bare)
  await writeFile(atelierPath, `${atelier}//${' '.repeat(Math.max(0, extra - 3))}\n`)
  const sizes = await Promise.all(
    [barePath, atelierPath].map(async (file) => (await readFile(file)).byteLength),
  )
  if (sizes[0] !== sizes[1]) throw new Error(`worker bundles of ${sizes.join(' and ')} bytes`)
  return sizes[0]
}

/**
 * Opens `url` in a new browser context (nothing cached, nothing shared with the pages before) and
 * returns the page's instants (`pages/report.ts`), in ms since navigation start: `result`, its
 * first result, is the sample. The page reports on the console, so nothing polls it while it
 * loads.
 */
async function firstResult(browser, url) {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (error) => errors.push(error.stack ?? error.message))
    const reported = page.waitForEvent('console', {
      predicate: (message) => message.text().startsWith('cold-start'),
      timeout: PAGE_TIMEOUT_MS,
    })
    await page.goto(url)
    const text = (await reported.catch(() => undefined))?.text()
    if (text?.startsWith('cold-start:')) return JSON.parse(text.slice('cold-start:'.length))
    const reason = text?.slice('cold-start-error:'.length) ?? errors.join('\n')
    throw new Error(`${url} reported no result${reason ? `: ${reason}` : ''}`)
  } finally {
    await context.close().catch(() => {})
  }
}

/** One row per variant: the fastest page as the secondary figure, the median's ratio to bare's. */
function rowsOf(samples) {
  const bare = median(samples[0])
  return VARIANTS.map((variant, i) => {
    const runs = samples[i]
    const row = {
      name: variant.name,
      value: round(Math.min(...runs)),
      unit: 'ms',
      ratio: round(median(runs) / bare, 3),
      samples: runs.map((ms) => round(ms)),
    }
    if (variant.name !== BARE) row.target = { max: TARGET, of: BARE }
    return row
  })
}

function notesOf(samples, sizes, requests, version, pool) {
  const halves = VARIANTS.map((variant, i) => {
    const runs = samples[i]
    const half = runs.length >> 1
    return `${variant.name} ${round(median(runs.slice(0, half)), 1)} → ${round(median(runs.slice(half)), 1)} ms`
  })
  // The same rounds paired up, to judge the headline: each page over the bare page of its round.
  const paired = VARIANTS.slice(1).map((variant, i) => {
    const ratios = samples[i + 1].map((ms, round) => ms / samples[0][round])
    return `${variant.name} ${round(median(ratios), 3)}×`
  })
  const served = [...requests]
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, count]) => `${file} ${count}`)
  return [
    'ratio: a variant’s median over the bare worker’s (one fresh page per sample; best is the fastest page)',
    `worker bundles ${sizes.worker} B each (the bare one padded with Atelier’s worker code, never called); page scripts: bare ${sizes.bare} B, Atelier ${sizes.atelier} B (minified, esbuild)`,
    `Atelier: a parallel task, poolSize ${pool ?? 'default (hardwareConcurrency)'}; eager starts the whole pool at defineTask, lazy one worker at the first call`,
    `paired ratios (the median over rounds of a page's time over the bare page's of its round): ${paired.join('; ')}`,
    `medians, first half of the pages → second half (a cache would make later pages cheaper): ${halves.join('; ')}`,
    `served (warm-up included; every page fetched its own files): ${served.join(', ')}`,
    `Chromium ${version}, a new browser context per page`,
  ]
}

/** The steps from one instant of `pages/report.ts` to the next, each named by where it ends. */
const PHASES = [
  ['script', 'start', 'parse and compile'],
  ['start', 'spawn', 'to new Worker'],
  ['spawn', 'worker', 'worker start and load'],
  ['worker', 'handler', 'to the handler'],
  ['handler', 'result', 'answer'],
]

/**
 * Where each variant's time went, step by step (median ms over its pages), beside the bare
 * page's. A step's median moves far less from run to run than a page's total does, whose spread
 * comes mostly from before any script runs: so these say what a change to the library did.
 */
function phaseNotes(marks) {
  const steps = VARIANTS.map((variant, i) => {
    const medians = PHASES.map(([from, to]) => median(marks[i].map((m) => m[to] - m[from])))
    return { name: variant.name, medians }
  })
  const header = `medians of each step, ms (${PHASES.map(([, , name]) => name).join(' | ')}; from the page's script downloaded to its result)`
  return [
    header,
    ...steps.map(({ name, medians }) => `  ${name}: ${medians.map((ms) => round(ms)).join(' | ')}`),
  ]
}
