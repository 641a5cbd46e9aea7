/**
 * Seeded fuzz over streams: many streaming and plain calls at once on a pool of two, each with
 * a random window, a random way of being consumed (read to the end, left early, awaited, awaited
 * late) and sometimes a random cancellation. Whatever the mix: every consumer finishes within its
 * bound, sees the chunks its generator yielded in order (a prefix of them when cut short), ends
 * with the error that fits, and the task's bookkeeping ends empty. Rerun a seed with
 * `VITE_FUZZ_SEED=<seed>`.
 */
import { afterEach, expect, test } from 'vitest'
import { AbortError, createTaskRuntime, type Task, WorkerCrashedError } from '../../src/index'
import { expectDrained } from '../support/drained'
import { expectNoPageErrors, sleep, until } from './fixtures/hostile-define'
import { Random, resolveSeed } from './fixtures/hostile-values'
import type { StreamAPI } from './fixtures/stream.worker'

expectNoPageErrors()

const SEED = resolveSeed(import.meta.env.VITE_FUZZ_SEED, 0x57ea3)
const BOUND_MS = 4000

const tasks: Array<Task<StreamAPI>> = []
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.dispose()))
})

type Method = 'count' | 'countSync' | 'failAfter' | 'endless' | 'crashAfter' | 'plain'
type Consumption = 'read' | 'leave' | 'await' | 'late-await'

interface Case {
  label: string
  method: Method
  n: number
  window: number
  consume: Consumption
  leaveAfter: number
  cancelAfterMs: number | undefined
}

function draw(random: Random, index: number): Case {
  const method = random.pick<Method>([
    'count',
    'count',
    'countSync',
    'failAfter',
    'endless',
    'crashAfter',
    'plain',
  ])
  const endless = method === 'endless'
  const consume: Consumption =
    // A plain promise rejected before anyone awaits it is an unhandled rejection, as any is:
    // only a stream holds back its failure until it is looked at.
    method === 'plain'
      ? 'await'
      : endless
        ? random.pick<Consumption>(['leave', 'read'])
        : random.pick<Consumption>(['read', 'leave', 'await', 'late-await'])
  return {
    label: `fuzz-${SEED}-${index}`,
    method,
    n: random.int(method === 'crashAfter' ? 5 : 200),
    window: 1 + random.int(20),
    consume,
    leaveAfter: random.int(50),
    // An endless stream read to its end needs a cancellation to end at all.
    cancelAfterMs:
      (endless && consume === 'read') || random.chance(0.25) ? random.int(60) : undefined,
  }
}

interface Seen {
  chunks: unknown[]
  error?: unknown
  value?: unknown
}

async function run(task: Task<StreamAPI>, c: Case): Promise<Seen> {
  const controller = new AbortController()
  const view = task.with({ streamWindow: c.window, signal: controller.signal })
  if (c.cancelAfterMs !== undefined) {
    setTimeout(() => controller.abort(new AbortError(`cancelled ${c.label}`)), c.cancelAfterMs)
  }
  const stream =
    c.method === 'plain'
      ? view.plain(c.n)
      : c.method === 'endless'
        ? view.endless(c.label)
        : view[c.method](c.n)
  const seen: Seen = { chunks: [] }
  try {
    if (c.consume === 'await' || c.consume === 'late-await') {
      if (c.consume === 'late-await') await sleep(20)
      const value = await stream
      if (Array.isArray(value)) seen.chunks = value
      else seen.value = value
    } else {
      for await (const chunk of stream as AsyncIterable<unknown>) {
        seen.chunks.push(chunk)
        if (c.consume === 'leave' && seen.chunks.length > c.leaveAfter) break
      }
    }
  } catch (error) {
    seen.error = error
  }
  return seen
}

/** What a case may end as: undefined if fine, else what is wrong. */
function judge(c: Case, seen: Seen): string | undefined {
  const { chunks, error } = seen
  const prefix = chunks.every((chunk, i) => chunk === i)
  if (!prefix) return `chunks out of order: ${JSON.stringify(chunks.slice(0, 10))}…`
  const cancelled = error instanceof AbortError && error.message === `cancelled ${c.label}`
  if (cancelled) return undefined
  // Under restart-fail-in-flight a crash fails what ran on that worker: the policy's collateral.
  if (error instanceof WorkerCrashedError && c.method !== 'crashAfter') return undefined
  const awaited = c.consume === 'await' || c.consume === 'late-await'
  const left = c.consume === 'leave'
  switch (c.method) {
    case 'plain':
      return seen.value === c.n * 2 ? undefined : `plain answered ${String(seen.value)}`
    case 'count':
    case 'countSync':
      if (error !== undefined) return `unexpected error ${String(error)}`
      if (left)
        return chunks.length === Math.min(c.n, c.leaveAfter + 1)
          ? undefined
          : 'left at the wrong chunk'
      return chunks.length === c.n ? undefined : `${chunks.length} of ${c.n} chunks`
    case 'failAfter':
      if (left && c.leaveAfter + 1 <= c.n && error === undefined) return undefined
      if (!(error instanceof RangeError)) return `expected the RangeError, got ${String(error)}`
      return chunks.length === c.n || awaited
        ? undefined
        : `${chunks.length} chunks before the error`
    case 'crashAfter':
      if (left && c.leaveAfter + 1 <= c.n && error === undefined) return undefined
      return error instanceof WorkerCrashedError
        ? undefined
        : `expected a crash, got ${String(error)}`
    case 'endless':
      return left && error === undefined ? undefined : `endless ended with ${String(error)}`
  }
}

test(`seed ${SEED}: streams, plain calls, cancellations and crashes at once`, async () => {
  const random = new Random(SEED)
  const task = createTaskRuntime().defineTask<StreamAPI>({
    type: 'parallel',
    poolSize: 2,
    maxQueueDepth: 100,
    cancelGraceMs: 500,
    worker: () =>
      new Worker(new URL('./fixtures/stream.worker.ts', import.meta.url), { type: 'module' }),
  })
  tasks.push(task)
  const cases = Array.from({ length: 96 }, (_, i) => draw(random, i))
  const problems: string[] = []
  // In waves, so crashes, cancellations and streams overlap.
  for (let wave = 0; wave < cases.length; wave += 8) {
    await Promise.all(
      cases.slice(wave, wave + 8).map(async (c) => {
        const outcome = await Promise.race([run(task, c), sleep(BOUND_MS).then(() => 'hung')])
        if (outcome === 'hung') problems.push(`${c.label} ${JSON.stringify(c)}: did not finish`)
        else {
          const wrong = judge(c, outcome as Seen)
          if (wrong) problems.push(`${c.label} ${JSON.stringify(c)}: ${wrong}`)
        }
      }),
    )
  }
  expect(problems, `seed ${SEED}`).toEqual([])
  await until(() => task.getState().queueDepth === 0, 5000, 'every place freed')
  expectDrained(task)
}, 60_000)
