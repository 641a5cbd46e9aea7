/**
 * The suite's entry for Node, Deno and Bun. `runtimes.test.ts` bundles it next to the fixture
 * worker (`main.mjs`, `fixture.worker.mjs`) and runs it as `node main.mjs`, `deno run -A main.mjs`
 * or `bun main.mjs`, with `--worker-threads` for `node:worker_threads` Workers (Node's only kind)
 * rather than web Workers. Exits 1 if any test failed.
 */
import { runCases, type TestCase } from './runner'
import { defineSuite, type RuntimeName, type SuiteHost, type WorkerKind } from './suite'

interface HostProcess {
  argv: string[]
  exit(code?: number): never
}
const hostProcess = (globalThis as unknown as { process: HostProcess }).process

function runtimeName(): RuntimeName {
  const scope = globalThis as { Deno?: unknown; Bun?: unknown }
  if (scope.Deno !== undefined) return 'deno'
  if (scope.Bun !== undefined) return 'bun'
  return 'node'
}

const runtime = runtimeName()
const worker: WorkerKind =
  runtime === 'node' || hostProcess.argv.includes('--worker-threads') ? 'worker_threads' : 'web'
const fixture = new URL('./fixture.worker.mjs', import.meta.url)

let makeWorker: SuiteHost['makeWorker']
if (worker === 'worker_threads') {
  const { Worker: NodeWorker } = await import('node:worker_threads')
  makeWorker = () => new NodeWorker(fixture)
} else {
  makeWorker = () => new Worker(fixture, { type: 'module' })
}

const cases: TestCase[] = []
defineSuite({
  runtime,
  worker,
  makeWorker,
  test: (name, fn, knownBug) => cases.push({ name, fn, knownBug }),
})
const print = (line: string) => console.log(line)
print(`# ${runtime} (${worker} workers)`)
const failed = await runCases(cases, print, 20_000)
// Exit explicitly: the suite's gate channel and a test that timed out may hold the event loop.
hostProcess.exit(failed === 0 ? 0 : 1)
