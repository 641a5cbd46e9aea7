// `npm run bench [-- scenario…]`: builds the bench page (bench/app) for production, serves it,
// runs each scenario in headless Chromium and prints its rows; results go to
// bench/results/latest.json. Targets print as PASS/MISS but never fail the run: the exit code
// is non-zero only when something broke (a build error, a page that threw, a timeout).
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), BENCH_TIMEOUT_MS (per scenario,
// default 10 minutes), BENCH_QUERY (extra query parameters for every scenario, e.g.
// `rounds=3&calls=1000`, for a quick try; the charts and latest.json then show that run),
// BENCH_DEVTOOLS=0 (the in-page scenarios run in a Chromium with no DevTools client attached,
// launched as a plain process: bench/plain-browser.mjs; every result says which way it ran).
//
// The `node` scenario runs in Node rather than in the page: bench/node/launch.mjs bundles and
// runs it (see bench/README.md); it prints and saves its result like the others. So does
// `cold-start`, which needs a fresh page per sample: bench/cold-start/launch.mjs.

import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { build, preview } from 'vite'
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs'
import { median, round } from './app/stats.mjs'
import { writeCharts } from './chart.mjs'
import { COLD_START_SCENARIO, runColdStartScenario } from './cold-start/launch.mjs'
import { NODE_SCENARIO, runNodeScenario } from './node/launch.mjs'
import { createPageReports, launchPlainBrowser, readChromiumVersion } from './plain-browser.mjs'
import { makeTempDir } from './temp-dir.mjs'

const BENCH = path.dirname(fileURLToPath(import.meta.url))
const APP = path.join(BENCH, 'app')
const RESULTS = path.join(BENCH, 'results')
const LATEST = path.join(RESULTS, 'latest.json')
const CHROMIUM = chromiumPath
const CHROMIUM_ARGS = [
  ...chromiumArgs,
  // Lets the page collect garbage between runs, so one variant's garbage is not another's cost.
  '--js-flags=--expose-gc',
  // performance.memory as measured, not bucketed (the backpressure scenario reads it).
  '--enable-precise-memory-info',
]
const START_TIMEOUT_MS = 30_000
const SCENARIO_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000)
const EXTRA_QUERY = process.env.BENCH_QUERY ?? ''
// Playwright is a DevTools (CDP) client, which makes some of what the page does cost more than
// it costs a user (see bench/plain-browser.mjs). BENCH_DEVTOOLS=0 measures without one.
const DEVTOOLS = process.env.BENCH_DEVTOOLS !== '0'
const PLAYWRIGHT = 'Playwright, DevTools client attached'
/** How the in-page scenarios reach the browser: in the header and each result's `browser`. */
const PAGE_CLIENT = DEVTOOLS ? PLAYWRIGHT : 'no DevTools client'

async function main() {
  const known = (await readdir(path.join(APP, 'scenarios')))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.slice(0, -3))
    .concat(NODE_SCENARIO, COLD_START_SCENARIO)
    .sort()
  const asked = process.argv.slice(2).filter((arg) => arg !== '--')
  const unknown = asked.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    console.error(`Unknown scenario: ${unknown.join(', ')}. Known: ${known.join(', ')}`)
    return 1
  }
  const selected = asked.length > 0 ? asked : known
  // No page to build nor browser to launch for a run of the Node or cold-start scenarios alone.
  const inPage = selected.some((name) => name !== NODE_SCENARIO && name !== COLD_START_SCENARIO)

  const temp = await makeTempDir('atelier-bench-')
  const outDir = temp.dir
  let server
  let browser
  let base
  let version
  const reports = createPageReports()
  try {
    if (inPage) {
      console.log('Building bench/app (production)…')
      await build({
        root: APP,
        configFile: false,
        mode: 'production',
        logLevel: 'warn',
        publicDir: false,
        build: { outDir, emptyOutDir: true, reportCompressedSize: false },
        worker: { format: 'es' },
      })

      server = await preview({
        root: APP,
        configFile: false,
        mode: 'production',
        logLevel: 'warn',
        build: { outDir },
        // Takes the page's reports when it cannot be read over CDP (BENCH_DEVTOOLS=0).
        plugins: [reports.plugin],
        preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
      })
      const { port } = server.httpServer.address()
      base = `http://127.0.0.1:${port}/`

      if (DEVTOOLS) {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
        version = browser.version()
      } else {
        version = await readChromiumVersion(CHROMIUM)
      }
    }
    const environment = {
      ...(version ? { chromium: version } : {}),
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
    }
    console.log(
      inPage
        ? `Serving ${base} · Chromium ${environment.chromium} (headless, ${PAGE_CLIENT}) · ${environment.cpus} cores\n`
        : `Node ${environment.node} · ${environment.cpus} cores\n`,
    )
    if (!DEVTOOLS && selected.includes(COLD_START_SCENARIO)) {
      console.log(`${COLD_START_SCENARIO} runs through Playwright whatever BENCH_DEVTOOLS says\n`)
    }

    const results = {}
    let failed = 0
    for (const name of selected) {
      console.log(`▶ ${name}`)
      const started = performance.now()
      try {
        const inNode = name === NODE_SCENARIO
        const result = inNode
          ? await runNodeScenario({ query: EXTRA_QUERY, timeoutMs: SCENARIO_TIMEOUT_MS })
          : name === COLD_START_SCENARIO
            ? await runColdStartScenario({ query: EXTRA_QUERY, timeoutMs: SCENARIO_TIMEOUT_MS })
            : DEVTOOLS
              ? await runScenario(browser, base, name)
              : await runScenarioWithoutDevTools(reports, base, name)
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        console.log(formatResult(result, seconds))
        // The Node scenario runs no browser: its entry records no Chromium. cold-start launches
        // its own, through Playwright.
        const { chromium: _, ...nodeEnvironment } = environment
        const client = name === COLD_START_SCENARIO ? PLAYWRIGHT : PAGE_CLIENT
        results[name] = {
          ...result,
          ranAt: new Date().toISOString(),
          environment: inNode
            ? nodeEnvironment
            : { ...environment, browser: `chromium (${client})` },
        }
      } catch (error) {
        failed++
        console.error(`✗ ${name} failed: ${error instanceof Error ? error.message : error}\n`)
      }
    }
    if (Object.keys(results).length > 0) {
      console.log(formatTargets(results))
      const merged = await saveResults(results)
      console.log(`Results written to ${path.relative(process.cwd(), LATEST)}`)
      for (const file of await writeCharts(merged.scenarios)) {
        console.log(`Chart written to ${path.relative(process.cwd(), file)}`)
      }
    }
    return failed > 0 ? 1 : 0
  } finally {
    await browser?.close().catch(() => {})
    await server?.close().catch(() => {})
    await temp.remove()
  }
}

/** The bench page's address for one scenario, with BENCH_QUERY and any `extra` parameters. */
function pageUrl(base, name, extra = '') {
  const query = [`scenario=${encodeURIComponent(name)}`, EXTRA_QUERY.replace(/^[?&]/, ''), extra]
  return `${base}?${query.filter(Boolean).join('&')}`
}

const notStarted = () =>
  new Error(
    `the bench page did not start within ${START_TIMEOUT_MS / 1000}s (did main.ts fail to load? see page errors above)`,
  )
const notDone = () =>
  new Error(
    `not done after ${SCENARIO_TIMEOUT_MS / 1000}s (raise BENCH_TIMEOUT_MS if it is just slow)`,
  )

/** The scenario's result from what the page left, or why there is none. */
function resultOf({ result, error }) {
  if (error) throw new Error(`the scenario threw:\n${error}`)
  if (!result) throw new Error('the scenario finished without a result')
  return result
}

/** Opens the page for one scenario and returns its result; throws if it broke or hung. */
async function runScenario(browser, base, name) {
  const page = await browser.newPage()
  const log = (line) => console.log(`  [page] ${line}`)
  page.on('console', (message) => {
    const type = message.type()
    if (type !== 'error' && type !== 'warning') return
    const { url } = message.location()
    log(`console.${type}: ${message.text()}${url ? ` (${url})` : ''}`)
  })
  page.on('pageerror', (error) => log(`uncaught: ${error.stack ?? error.message}`))
  let crash
  const crashed = new Promise((_, reject) => {
    crash = () => reject(new Error('the page crashed'))
    page.once('crash', crash)
  })
  crashed.catch(() => {})
  try {
    await page.goto(pageUrl(base, name))
    // Polling rather than requestAnimationFrame: the wait must not run code every frame
    // while the page measures.
    await Promise.race([
      page
        .waitForFunction(() => window.__benchStarted === true, null, {
          timeout: START_TIMEOUT_MS,
          polling: 250,
        })
        .catch(() => {
          throw notStarted()
        }),
      crashed,
    ])
    await Promise.race([
      page
        .waitForFunction(() => window.__benchDone === true, null, {
          timeout: SCENARIO_TIMEOUT_MS,
          polling: 1000,
        })
        .catch(() => {
          throw notDone()
        }),
      crashed,
    ])
    return resultOf(
      await page.evaluate(() => ({
        result: window.__benchResults,
        error: window.__benchError,
      })),
    )
  } finally {
    page.off('crash', crash)
    await page.close().catch(() => {})
  }
}

/**
 * As `runScenario`, in a browser of its own with no DevTools client (BENCH_DEVTOOLS=0): the page
 * POSTs its start and its result (`report=post`), and a browser or a tab that dies before it
 * reported fails the scenario.
 */
async function runScenarioWithoutDevTools(reports, base, name) {
  const run = randomUUID()
  const report = reports.expect(run)
  const browser = await launchPlainBrowser({
    executable: CHROMIUM,
    args: CHROMIUM_ARGS,
    url: pageUrl(base, name, `report=post&run=${run}`),
    log: (line) => console.log(`  [page] ${line}`),
  })
  try {
    await within(Promise.race([report.started, browser.failed]), START_TIMEOUT_MS, notStarted)
    return resultOf(
      await within(Promise.race([report.done, browser.failed]), SCENARIO_TIMEOUT_MS, notDone),
    )
  } finally {
    report.cancel()
    await browser.close()
  }
}

/** `promise`, or `timeoutError()` thrown if it has not settled after `ms` (the timer goes with it). */
async function within(promise, ms, timeoutError) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A target is judged on the row's headline ratio, however the scenario took it (best or paired). */
function verdictOf(row) {
  return row.ratio !== undefined && row.ratio <= row.target.max ? 'PASS' : 'MISS'
}

function formatResult(result, seconds) {
  const rows = result.rows
  const table = [
    ['', 'ratio', 'target', '', 'best', 'median', ''],
    ...rows.map((row) => {
      let target = ''
      let verdict = ''
      if (row.target) {
        target = `≤ ${row.target.max.toFixed(2)}× ${row.target.of}`
        verdict = verdictOf(row)
      }
      return [
        row.name,
        row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`,
        target,
        verdict,
        String(row.value),
        row.samples?.length ? String(round(median(row.samples))) : '',
        row.unit,
      ]
    }),
  ]
  const widths = table[0].map((_, i) => Math.max(...table.map((line) => line[i].length)))
  const right = new Set([1, 4, 5])
  const lines = table.map(
    (line) =>
      `  ${line
        .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd()}`,
  )
  const notes = (result.notes ?? []).map((note) => `  · ${note}`)
  const header =
    result.rounds > 1
      ? `${result.scenario}: ${result.rounds} interleaved rounds after a warm-up (${seconds}s)`
      : `${result.scenario}: one run (${seconds}s)`
  return [header, ...lines, ...notes, ''].join('\n')
}

/** Every targeted row of this run, one line each: the headline verdicts in one place. */
function formatTargets(results) {
  const lines = []
  for (const [scenario, result] of Object.entries(results)) {
    for (const row of result.rows) {
      if (!row.target) continue
      lines.push([
        scenario,
        row.name,
        row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`,
        `≤ ${row.target.max.toFixed(2)}× ${row.target.of}`,
        verdictOf(row),
      ])
    }
  }
  if (lines.length === 0) return ''
  const widths = lines[0].map((_, i) => Math.max(...lines.map((line) => line[i].length)))
  const table = lines.map(
    (line) =>
      `  ${line
        .map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd()}`,
  )
  return ['Targets:', ...table, ''].join('\n')
}

/** Merges into latest.json: a partial run replaces only the scenarios it ran. */
async function saveResults(results) {
  let previous = {}
  try {
    previous = JSON.parse(await readFile(LATEST, 'utf8')).scenarios ?? {}
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  const merged = { updatedAt: new Date().toISOString(), scenarios: { ...previous, ...results } }
  await mkdir(RESULTS, { recursive: true })
  const tmp = `${LATEST}.${process.pid}.tmp`
  // Number arrays (the per-round samples) on one line each, so the file reads and diffs well.
  const json = JSON.stringify(merged, null, 2).replace(
    /\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g,
    (_, numbers) => `[${numbers.split(/,\s+/).join(', ')}]`,
  )
  await writeFile(tmp, `${json}\n`)
  await rename(tmp, LATEST)
  return merged
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exitCode = 1
  },
)
