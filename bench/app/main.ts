/**
 * The bench page: runs the scenario named by `?scenario=` (a module in ./scenarios exporting
 * `run(params)`), then leaves its result on `window` for bench/run.mjs to collect.
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
  try {
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
  }
}

void main()
