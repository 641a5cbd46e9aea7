/**
 * The A/B page (bench/ab/launch.mjs): the working tree's library against another revision's
 * (`atelier-base`, aliased at build time) and the hand-written floor, all on one worker thread.
 * Each variant reaches the thread over its own `MessageChannel`, which Atelier takes for a
 * worker (a `MessagePort` with a `terminate`). Reports one line on the console: `AB-RESULT {…}`.
 */
import { createTaskRuntime as createBase } from 'atelier-base'
import { createTaskRuntime } from '../../../packages/atelier/src/index'
import { interleave, median, pairedRatio, round } from '../../app/harness'
import type { Side } from './shared.worker'

interface Echo {
  echo(value: unknown): Promise<unknown>
}

const params = new URLSearchParams(location.search)
const rounds = Number(params.get('rounds') ?? 20)
/** Calls per variant per round, cut into slices taken in turn (see `interleave`). */
const calls = Number(params.get('calls') ?? 2000)
const slices = Number(params.get('slices') ?? 40)
const burst = Number(params.get('burst') ?? 1000)

const thread = new Worker(new URL('./shared.worker.js', import.meta.url), { type: 'module' })

function channel(side: Side): MessagePort & { terminate(): void } {
  const { port1, port2 } = new MessageChannel()
  thread.postMessage([side, port2], [port2])
  port1.start()
  return Object.assign(port1, { terminate: () => port1.close() })
}

function bare(): Echo {
  const port = channel('bare')
  const waiting = new Map<number, (value: unknown) => void>()
  let next = 0
  port.onmessage = (event: MessageEvent<[number, unknown]>) => {
    const [id, value] = event.data
    const resolve = waiting.get(id)!
    waiting.delete(id)
    resolve(value)
  }
  return {
    echo: (value) =>
      new Promise((resolve) => {
        const id = next++
        waiting.set(id, resolve)
        port.postMessage([id, value])
      }),
  }
}

function atelier(create: typeof createTaskRuntime, side: Side): Echo {
  // Spans off, as in the bench's `latency`: the call's own path, nothing observed.
  const runtime = create({ observability: { spans: 'off' } })
  return runtime.defineTask<Echo>({
    type: 'parallel',
    poolSize: 1,
    worker: () => channel(side),
  }) as unknown as Echo
}

const variants: Record<Side, Echo> = {
  bare: bare(),
  base: atelier(createBase as typeof createTaskRuntime, 'base'),
  work: atelier(createTaskRuntime, 'work'),
}
const sides = Object.keys(variants) as Side[]

/** One call at a time, each awaited before the next. */
function sequential(echo: Echo, count: number) {
  return async () => {
    const start = performance.now()
    for (let i = 0; i < count; i++) await echo.echo(i)
    return performance.now() - start
  }
}

/** `count` calls made at once, then all awaited. */
function together(echo: Echo, count: number) {
  return async () => {
    const start = performance.now()
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < count; i++) pending.push(echo.echo(i))
    await Promise.all(pending)
    return performance.now() - start
  }
}

async function measure(name: string, perCall: number, make: (echo: Echo) => () => Promise<number>) {
  const samples = await interleave(
    sides.map((side) => ({ name: side, run: make(variants[side]) })),
    { rounds, warmup: 2, slices: name === 'sequential' ? slices : 5 },
  )
  const runs = (side: Side) => samples.get(side)!
  return {
    name,
    rows: sides.map((side) => ({
      side,
      usPerCall: round((median(runs(side)) * 1000) / perCall),
      overBare: round(pairedRatio(runs(side), runs('bare')), 3),
      overBase: round(pairedRatio(runs(side), runs('base')), 3),
    })),
  }
}

async function main() {
  // Warm every path (and start the harnesses) before anything counts.
  for (const side of sides) await sequential(variants[side], 3000)()
  const results = [
    await measure('sequential', calls, (echo) => sequential(echo, calls / slices)),
    await measure('burst', burst * 5, (echo) => together(echo, burst)),
  ]
  console.log(`AB-RESULT ${JSON.stringify({ rounds, results })}`)
}

main().catch((error: unknown) => {
  console.log(`AB-ERROR ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
})
