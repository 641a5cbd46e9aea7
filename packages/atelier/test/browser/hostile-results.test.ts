/**
 * Issue 11, class 2: whatever a handler returns or throws, that call fails alone and the worker
 * lives. Each hostile value is built in the worker (`hostile.worker.ts`) and returned, resolved,
 * thrown or rejected; the task's `timeoutMs` bounds every call, so a hang shows as a
 * `TimeoutError` rather than a stuck test.
 */
import { describe, expect, test } from 'vitest'
import { TimeoutError, WorkerCrashedError } from '../../src/index'
import { defineHostile, expectDrained, expectNoPageErrors } from './fixtures/hostile-define'
import { HOSTILE_KINDS, type HostileKind, type HostileMode } from './fixtures/hostile-kinds'

expectNoPageErrors()

/** Long enough for any answer on a loaded machine; a hang costs only this. */
const BOUND_MS = 1500

const FAILING = (Object.keys(HOSTILE_KINDS) as HostileKind[]).filter(
  (kind) => HOSTILE_KINDS[kind] === 'fails',
)

const RESULT_CASES: Array<[HostileKind, HostileMode]> = FAILING.flatMap((kind) => [
  [kind, 'sync'] as [HostileKind, HostileMode],
  [kind, 'async'] as [HostileKind, HostileMode],
])

/** Thrown values: anything a handler can throw, the kinds that build a value at once. */
const THROWN = (Object.keys(HOSTILE_KINDS) as HostileKind[]).filter(
  (kind) => HOSTILE_KINDS[kind] === 'fails' || HOSTILE_KINDS[kind] === 'ok',
)
const THROWN_CASES: Array<[HostileKind, HostileMode]> = THROWN.flatMap((kind) => [
  [kind, 'throw'] as [HostileKind, HostileMode],
  [kind, 'reject'] as [HostileKind, HostileMode],
])

async function expectFailsAlone(kind: HostileKind, mode: HostileMode) {
  const { task, workers } = defineHostile({ timeoutMs: BOUND_MS })
  await expect(task.whoami()).resolves.toBe('0')
  const error = await task.make(kind, mode).then(
    () => {
      throw new Error(`make(${kind}, ${mode}) resolved`)
    },
    (e: unknown) => e,
  )
  expect(error).not.toBeInstanceOf(TimeoutError)
  expect(error).not.toBeInstanceOf(WorkerCrashedError)
  expect(error).toBeInstanceOf(Error)
  // The same worker answers the next call: it was neither killed nor replaced.
  await expect(task.whoami()).resolves.toBe('0')
  expect(task.getState()).toMatchObject({ lastCrash: undefined, failed: false, queueDepth: 0 })
  expect(workers.created).toBe(1)
  expectDrained(task)
  return error as Error
}

describe('a result that cannot be read or sent back fails its call; the worker lives', () => {
  test.each(RESULT_CASES)('%s, %s', async (kind, mode) => {
    const error = await expectFailsAlone(kind, mode)
    // Results are read in the worker: say so, or pass on what the handler's value threw.
    expect(error.message.length).toBeGreaterThan(0)
  })

  test('a result holding a buffer the worker transferred earlier names where it sits', async () => {
    const { task } = defineHostile({ timeoutMs: BOUND_MS })
    const first = await task.giveKept()
    expect(first.byteLength).toBe(32)
    const error = (await task.keptAgain().catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('"keptAgain"')
    expect(error.message).toContain('.kept')
    await expect(task.whoami()).resolves.toBe('0')
  })
})

describe('a thrown or rejected value of any kind fails its call; the worker lives', () => {
  test.each(THROWN_CASES)('%s, %s', async (kind, mode) => {
    await expectFailsAlone(kind, mode)
  })
})

describe('cloneable oddities come back intact', () => {
  test('null-prototype objects, cycles, BigInts, deep nesting and a sparse array of length 2^32-1', async () => {
    const { task } = defineHostile({ timeoutMs: BOUND_MS })
    const nullProto = (await task.make('null-proto', 'sync')) as Record<string, unknown>
    expect(nullProto.reason).toBe('no prototype')
    const cycle = (await task.make('cycle', 'async')) as Record<string, unknown>
    expect(cycle.self).toBe(cycle)
    await expect(task.make('bigint', 'sync')).resolves.toBe(2n ** 70n)
    let deep = (await task.make('deep', 'sync')) as { next?: unknown }
    let depth = 0
    while (typeof deep === 'object' && deep.next !== undefined) {
      deep = deep.next as { next?: unknown }
      depth++
    }
    expect(depth).toBe(1000)
    const sparse = (await task.make('sparse', 'async')) as unknown[]
    expect(sparse.length).toBe(2 ** 32 - 1)
    expect([sparse[0], sparse[2 ** 32 - 2], Object.keys(sparse).length]).toEqual([
      'first',
      'last',
      2,
    ])
  })
})

describe('under restart-requeue-in-flight', () => {
  test('no hostile result or thrown value counts as a crash, so none fails the task', async () => {
    const { task, workers } = defineHostile({
      type: 'parallel',
      poolSize: 2,
      maxQueueDepth: 200,
      crashPolicy: 'restart-requeue-in-flight',
      crashMaxRetries: 0,
      timeoutMs: 4 * BOUND_MS,
    })
    const cases = [...RESULT_CASES, ...THROWN_CASES]
    const outcomes = await Promise.all(
      cases.map(([kind, mode]) =>
        task.make(kind, mode).then(
          () => 'resolved',
          (e: unknown) => (e as Error).name,
        ),
      ),
    )
    for (const [i, name] of outcomes.entries()) {
      expect(name, cases[i]!.join(', ')).not.toMatch(/^(resolved|TimeoutError|WorkerCrashedError)$/)
    }
    expect(task.getState()).toMatchObject({ failed: false, lastCrash: undefined })
    expect(workers.created).toBe(2)
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })
})
