/**
 * Issue 11, class 8: messages shaped like the protocol but malformed, from a library inside the
 * worker (to the page) or from the app (to its own Worker). None may hang a call, throw in a
 * listener or crash the worker; real calls still get their own answers.
 */
import { describe, expect, test } from 'vitest'
import { gate, release, started } from './fixtures/harness'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  settleCounter,
  sleep,
} from './fixtures/hostile-define'

expectNoPageErrors()

/** The held call is the task's first, so its id is 1. */
const HELD_ID = 1

describe('a library in the worker posts malformed protocol messages to the page', () => {
  test('they are ignored; the call they name and the call that posted them get their own answers', async () => {
    const { task } = defineHostile({ maxInFlight: 2, timeoutMs: 5000 })
    const g = gate('held')
    const held = settleCounter(task.hold(g))
    await started(g)
    const junk: unknown[] = [
      ['atelier:result'],
      ['atelier:result', 'x', 1],
      ['atelier:result', HELD_ID],
      ['atelier:result', Number.NaN, 1],
      ['atelier:error'],
      ['atelier:error', 1, null],
      ['atelier:error', HELD_ID],
      ['atelier:error', HELD_ID, 'a string, not an error'],
      ['atelier:error', HELD_ID, 42],
      ['atelier:error', 'x', {}],
      ['atelier:ready', null],
      ['atelier:ready'],
      ['atelier:unreadable'],
      ['atelier:unreadable', 'x'],
      ['atelier:unknown', HELD_ID, 'value'],
      [],
      ['atelier:'],
      { 0: 'atelier:result', 1: HELD_ID, 2: 'forged', length: 3 },
      'atelier:result',
      null,
    ]
    await expect(task.post(junk)).resolves.toBe('posted')
    await sleep(20)
    expect(held.count()).toBe(0)
    release(g, 'mine')
    expect(await held.result).toEqual({ ok: true, value: 'mine' })
    await expect(task.add(1, 2)).resolves.toBe(3)
    expect(task.getState()).toMatchObject({ lastCrash: undefined, activeWorkers: 1 })
    expectDrained(task)
  })
})

describe('the app posts malformed protocol messages to its own Worker', () => {
  const MALFORMED: unknown[] = [
    ['atelier:call'],
    ['atelier:call', 1, 5, 'x'],
    ['atelier:call', 1.5, 'echo', []],
    ['atelier:call', 'x', 'echo', []],
    ['atelier:call', 1e21, 'echo', []],
    ['atelier:call', 77, 'echo', 'not an array'],
    ['atelier:call', 78, 'echo', [], 5],
    ['atelier:cancel', 'x'],
    ['atelier:cancel'],
    ['atelier:sync'],
    ['atelier:sync', 'x'],
    ['atelier:'],
    [],
    null,
    undefined,
    { 0: 'atelier:call', 1: 79, 2: 'echo', 3: [], length: 4 },
  ]

  test('none hangs a call, crashes the worker or disturbs its answers', async () => {
    const { task, workers } = defineHostile({ maxInFlight: 2, timeoutMs: 5000 })
    await task.startWorkers()
    const worker = workers.workers[0]!
    const g = gate('app-junk')
    const held = settleCounter(task.hold(g))
    await started(g)
    for (const message of MALFORMED) worker.postMessage(message)
    // Interleaved with real calls: each gets its own answer.
    const calls = Array.from({ length: 10 }, (_, i) => {
      worker.postMessage(MALFORMED[i % MALFORMED.length])
      return task.echo(`call ${i}`)
    })
    await expect(Promise.all(calls)).resolves.toEqual(
      Array.from({ length: 10 }, (_, i) => `call ${i}`),
    )
    release(g, 'held value')
    expect(await held.result).toEqual({ ok: true, value: 'held value' })
    expect(task.getState()).toMatchObject({ lastCrash: undefined, activeWorkers: 1 })
    expect(workers.created).toBe(1)
    expectDrained(task)
  })

  test('many nulls racing real calls: every call is answered with its own value', async () => {
    const { task, workers } = defineHostile({ type: 'parallel', poolSize: 2, maxInFlight: 8 })
    await task.startWorkers()
    const calls: Promise<unknown>[] = []
    for (let i = 0; i < 60; i++) {
      if (i % 3 === 0) for (const worker of workers.workers) worker.postMessage(null)
      calls.push(task.echo(i))
    }
    await expect(Promise.all(calls)).resolves.toEqual(Array.from({ length: 60 }, (_, i) => i))
    expect(task.getState().lastCrash).toBeUndefined()
    expectDrained(task)
  })

  test.each([
    ['no reason', ['atelier:cancel', HELD_ID]],
    ['a null reason', ['atelier:cancel', HELD_ID, null]],
    ['a string reason', ['atelier:cancel', HELD_ID, 'stop']],
  ])('a cancel with %s is malformed: the call it names is not cancelled', async (_, message) => {
    const { task, workers } = defineHostile({ timeoutMs: 5000 })
    await task.startWorkers()
    const g = gate('cancel-junk')
    const held = settleCounter(task.hold(g))
    await started(g)
    workers.workers[0]!.postMessage(message)
    await sleep(20)
    release(g, 'not cancelled')
    expect(await held.result).toEqual({ ok: true, value: 'not cancelled' })
  })
})
