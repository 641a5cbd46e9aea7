/**
 * The bench page: runs the scenario named by `?scenario=` (a module in ./scenarios exporting
 * `run(params)`), then leaves its result on `window` for bench/run.mjs to collect. With
 * `?report=post` (bench/run.mjs under BENCH_DEVTOOLS=0, where no DevTools client can read
 * `window`), it also POSTs its start and its result to the preview server.
 */

import type { BenchResult } from './harness'

interface ScenarioModule {
  run(params: URLSearchParams): Promise<BenchResult>
}

declare global {
  interface Window {
    /** Set once this module runs: the page loaded. */
    __benchStarted?: boolean
    /** Set when the scenario finished, with a result or an error. */
    __benchDone?: boolean
    __benchResults?: BenchResult
    __benchError?: string
  }
}

const scenarios = import.meta.glob<ScenarioModule>('./scenarios/*.ts')
const nameOf = (path: string) => path.replace(/^\.\/scenarios\/|\.ts$/g, '')

const status = document.getElementById('status')!
const output = document.getElementById('results')!

async function main(): Promise<void> {
  window.__benchStarted = true
  const params = new URLSearchParams(location.search)
  const name = params.get('scenario') ?? ''
  const post = params.get('report') === 'post'
  try {
    // Awaited, so no request is in flight while the scenario measures.
    if (post) await report(params, { kind: 'started' })
    const load = scenarios[`./scenarios/${name}.ts`]
    if (!load) {
      const known = Object.keys(scenarios).map(nameOf).join(', ')
      throw new Error(`Unknown scenario "${name}" (?scenario=…); known: ${known}`)
    }
    status.textContent = `Running ${name}…`
    const scenario = await load()
    const result = await scenario.run(params)
    window.__benchResults = result
    status.textContent = `${name}: done`
    output.textContent = JSON.stringify(result, null, 2)
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
    window.__benchError = message
    status.textContent = `${name}: failed`
    output.textContent = message
  } finally {
    window.__benchDone = true
    if (post) {
      await report(params, {
        kind: 'done',
        result: window.__benchResults,
        error: window.__benchError,
      }).catch((error) => console.error('bench: could not report the result:', error))
    }
  }
}

/** POSTs to bench/plain-browser.mjs's endpoint, tagged with the `run` it was opened with. */
async function report(params: URLSearchParams, fields: Record<string, unknown>): Promise<void> {
  const run = params.get('run')
  let body: string
  try {
    body = JSON.stringify({ run, ...fields }, encodeNonFinite)
  } catch (error) {
    // A result JSON cannot hold: report that rather than nothing (run.mjs would wait it out).
    body = JSON.stringify({ run, kind: fields.kind, error: `unsendable result: ${error}` })
  }
  const response = await fetch('/__bench/report', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  })
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`)
}

/** JSON has no NaN nor ±Infinity (a ratio to a 0 ms best is one): sent as `{ nonFinite }`. */
function encodeNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { nonFinite: String(value) } : value
}

void main()
