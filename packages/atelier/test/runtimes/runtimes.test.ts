/**
 * The runtime matrix outside the browser: the one suite (`suite.ts`) run by Node, Deno and Bun,
 * each with its own workers. esbuild bundles the entry (`main.ts`) and the fixture worker once
 * into a temporary folder (Deno cannot load the sources' `./x.js` specifiers for `.ts` files);
 * each runtime then runs the bundle as a child process, two at a time (the machines have two
 * cores), and each of its tests becomes a test here, under the runtime's name, failing with what
 * the child printed. Chromium runs the same suite in `chromium.test.ts`.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { type CaseResult, parseResults } from './runner'
import { defineSuite, type RuntimeName, type WorkerKind } from './suite'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const BIN = resolve(HERE, '../../../../node_modules/.bin')

interface Run {
  runtime: Exclude<RuntimeName, 'chromium'>
  worker: WorkerKind
  /** The command, run in the bundle's folder. */
  command: string[]
}

const RUNS: Run[] = [
  { runtime: 'node', worker: 'worker_threads', command: [process.execPath, 'main.mjs'] },
  { runtime: 'deno', worker: 'web', command: [join(BIN, 'deno'), 'run', '-A', 'main.mjs'] },
  {
    runtime: 'deno',
    worker: 'worker_threads',
    command: [join(BIN, 'deno'), 'run', '-A', 'main.mjs', '--worker-threads'],
  },
  { runtime: 'bun', worker: 'web', command: [join(BIN, 'bun'), 'main.mjs'] },
  {
    runtime: 'bun',
    worker: 'worker_threads',
    command: [join(BIN, 'bun'), 'main.mjs', '--worker-threads'],
  },
]

/** Runs at once: one per core. */
const CONCURRENCY = 2
/** A child that runs longer than this is killed (its own per-test bound is 20 s). */
const RUN_TIMEOUT_MS = 180_000

// The children's environment: no color codes to parse around, no update check from Deno, and
// none of the options vitest's own Node may have been started with.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !/^npm_/i.test(name)),
)
Object.assign(env, { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' })

interface RunOutput {
  results: Map<string, CaseResult>
  output: string
  code: number | null
  ms: number
}

let folder: string | undefined
const outputs = new Map<Run, Promise<RunOutput>>()

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'atelier-runtimes-'))
  await build({
    entryPoints: [join(HERE, 'main.ts'), join(HERE, 'fixture.worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // `node:worker_threads` is imported by main.ts only where the runtime has it.
    external: ['node:*'],
    outdir: folder,
    // .mjs: ES modules for Node too, with no package.json beside them.
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  })
  const queue = limit(CONCURRENCY)
  for (const run of RUNS)
    outputs.set(
      run,
      queue(() => execute(run, folder!)),
    )
}, 60_000)

afterAll(async () => {
  await Promise.allSettled(outputs.values())
  if (folder) await rm(folder, { recursive: true, force: true })
})

for (const run of RUNS) {
  const label = `${run.runtime} (${run.worker} workers)`
  describe(label, () => {
    for (const { name, knownBug } of suiteCases(run)) {
      ;(knownBug ? test.fails : test)(name, async () => {
        const { results, output, code } = await outputs.get(run)!
        const result = results.get(name)
        if (result === undefined) {
          throw new Error(
            `${label} never reported this test (exit code ${code}); its output ended:\n${tail(output)}`,
          )
        }
        if (!result.passed) {
          throw new Error(`${label}: ${result.details.slice(0, 12).join('\n')}`)
        }
      })
    }
  })
}

/** The suite's tests as this runtime registers them (their names, and which are known bugs). */
function suiteCases(run: Run): Array<{ name: string; knownBug: string | undefined }> {
  const cases: Array<{ name: string; knownBug: string | undefined }> = []
  defineSuite({
    runtime: run.runtime,
    worker: run.worker,
    test: (name, _fn, knownBug) => cases.push({ name, knownBug }),
    makeWorker: () => {
      throw new Error('only listed here: the suite runs in the child process')
    },
  })
  return cases
}

function execute(run: Run, cwd: string): Promise<RunOutput> {
  const start = Date.now()
  const [command, ...args] = run.command
  const child = spawn(command!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
  return new Promise((resolve) => {
    let settled = false
    const done = (code: number | null) => {
      if (settled) return
      settled = true
      clearTimeout(killer)
      const ms = Date.now() - start
      const results = parseResults(output)
      const passed = [...results.values()].filter((r) => r.passed).length
      console.log(
        `${run.runtime} (${run.worker} workers): ${passed} of ${results.size} passed in ${(ms / 1000).toFixed(1)} s, exit code ${code}`,
      )
      resolve({ results, output, code, ms })
    }
    child.on('error', (error) => {
      output += `\n${String(error)}`
      done(null)
    })
    child.on('close', done)
  })
}

/** Runs at most `n` of the functions given at once, in order. */
function limit(n: number) {
  let running = 0
  const waiting: Array<() => void> = []
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await fn()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
