import { describe, expect, test } from 'vitest'
import { AbortError, TimeoutError } from '../../src/index'
import { define, outcome } from './fixtures/define'
import { aborted, gate, hasStarted, release, started, tick } from './fixtures/harness'

describe('cancellation', () => {
  test('an in-flight call rejects at once and its handler sees the signal abort', async () => {
    const { task } = define({ type: 'singleton' })
    const controller = new AbortController()
    const g = gate()
    const call = outcome(task.with({ signal: controller.signal }).hold(g))
    await started(g)
    const reason = new Error('user gave up')
    controller.abort(reason)
    const result = await call
    expect(result).toEqual({ ok: false, error: reason })
    // The worker's handler observed its ctx.signal with the same kind of reason.
    expect(await aborted(g)).toBe('Error')
    // The worker answered, so its place is free again.
    await expect(task.add(1, 1)).resolves.toBe(2)
    expect(task.getState().queueDepth).toBe(0)
  })

  test('a pending call leaves the queue at once and never reaches the worker', async () => {
    const { task } = define({ type: 'singleton', maxQueueDepth: 2 })
    const [running, queued] = [gate('run'), gate('queued')]
    const first = task.hold(running)
    await started(running)
    const controller = new AbortController()
    const second = outcome(task.with({ signal: controller.signal }).hold(queued))
    expect(task.getState().pendingQueueDepth).toBe(1)
    controller.abort()
    const result = await second
    expect(result.ok === false && result.error.name).toBe('AbortError')
    expect(task.getState().pendingQueueDepth).toBe(0)
    release(running)
    await first
    await tick(20)
    expect(hasStarted(queued)).toBe(false)
  })

  test('a waiting (blocked) call leaves at once; the calls behind it move up', async () => {
    const { task } = define({ type: 'singleton', maxQueueDepth: 0, queuePolicy: 'block' })
    const [running, blocked, after] = [gate('run'), gate('blocked'), gate('after')]
    const first = task.hold(running)
    await started(running)
    const controller = new AbortController()
    const second = outcome(task.with({ signal: controller.signal }).hold(blocked))
    const third = task.hold(after)
    expect(task.getState().waitingQueueDepth).toBe(2)
    controller.abort()
    expect((await second).ok).toBe(false)
    expect(task.getState().waitingQueueDepth).toBe(1)
    release(running)
    await first
    await started(after)
    release(after)
    await third
    expect(hasStarted(blocked)).toBe(false)
  })

  test('aborting a key cancels its calls in every phase and leaves other keys running', async () => {
    const { task, runtime } = define({
      type: 'singleton',
      maxQueueDepth: 1,
      keyOf: (g: string) => g.split(':')[0]!,
    })
    const a1 = `doc-a:${gate()}`
    const a2 = `doc-a:${gate()}`
    const b1 = `doc-b:${gate()}`
    const calls = [a1, a2, b1].map((g) => outcome(task.hold(g)))
    await started(a1)
    expect(task.getState()).toMatchObject({
      queueDepth: 1,
      pendingQueueDepth: 1,
      waitingQueueDepth: 1,
    })
    runtime.abortTaskController.abort('doc-a')
    const [r1, r2] = await Promise.all([calls[0]!, calls[1]!])
    expect(r1.ok === false && r1.error).toBeInstanceOf(AbortError)
    expect(r2.ok === false && r2.error).toBeInstanceOf(AbortError)
    expect(await aborted(a1)).toBe('AbortError')
    // b moved up and runs.
    await started(b1)
    release(b1)
    expect(await calls[2]).toEqual({ ok: true, value: undefined })
    expect(hasStarted(a2)).toBe(false)
  })

  test('an aborted key rejects new calls at once until cleared', async () => {
    const { task, runtime } = define({ keyOf: () => 'doc' })
    const keys = runtime.abortTaskController
    keys.abort('doc')
    expect(keys.isAborted('doc')).toBe(true)
    await expect(task.add(1, 2)).rejects.toBeInstanceOf(AbortError)
    await expect(task.with({ key: 'other' }).add(1, 2)).resolves.toBe(3)
    keys.clear('doc')
    await expect(task.add(1, 2)).resolves.toBe(3)
  })

  test('timeouts reject with TimeoutError and abort the handler with it', async () => {
    const { task } = define({ type: 'singleton', timeoutMs: 50 })
    // Ready first: a worker still loading when the 50 ms run out would never see the call.
    await task.startWorkers()
    const g = gate()
    const result = await outcome(task.hold(g))
    expect(result.ok === false && result.error).toBeInstanceOf(TimeoutError)
    expect(result.ok === false && result.error.message).toContain('50 ms')
    expect(await aborted(g)).toBe('TimeoutError')
  })

  test('a timeout covers queued time too', async () => {
    const { task } = define({ type: 'singleton', timeoutMs: 80, maxQueueDepth: 4 })
    const running = gate('run')
    const first = outcome(task.hold(running))
    const queued = gate('queued')
    const second = outcome(task.hold(queued))
    const [r1, r2] = await Promise.all([first, second])
    expect(r1.ok === false && r1.error.name).toBe('TimeoutError')
    expect(r2.ok === false && r2.error.name).toBe('TimeoutError')
  })

  test('signal, key and timeout combine: whichever fires first wins', async () => {
    const { task, runtime } = define({ type: 'singleton', timeoutMs: 5_000, keyOf: () => 'k' })
    const controller = new AbortController()
    const g = gate()
    const call = outcome(task.with({ signal: controller.signal }).hold(g))
    await started(g)
    runtime.abortTaskController.abort('k')
    controller.abort(new Error('late'))
    const result = await call
    expect(result.ok === false && result.error).toBeInstanceOf(AbortError)
    expect(result.ok === false && result.error.message).toContain('"k"')
    runtime.abortTaskController.clear('k')
  })

  test('an already-aborted signal rejects with its reason without queueing', async () => {
    const { task } = define()
    const reason = new Error('never mind')
    await expect(task.with({ signal: AbortSignal.abort(reason) }).add(1, 2)).rejects.toBe(reason)
    expect(task.getState().totalDispatched).toBe(0)
  })

  test('a cancelled call that its handler ignores keeps the worker busy until it returns', async () => {
    const { task } = define({ type: 'singleton', maxQueueDepth: 4 })
    const stuck = gate('stuck')
    const controller = new AbortController()
    const call = outcome(task.with({ signal: controller.signal }).stubborn(stuck))
    await started(stuck)
    controller.abort()
    expect((await call).ok).toBe(false)
    // Still counted in flight: the worker has not answered.
    expect(task.getState().queueDepth).toBe(1)
    const next = task.add(2, 3)
    await tick(20)
    expect(task.getState().pendingQueueDepth).toBe(1)
    release(stuck)
    await expect(next).resolves.toBe(5)
    expect(task.getState().queueDepth).toBe(0)
  })

  test('abort reasons keep their class in the worker, and errors thrown there keep theirs here', async () => {
    const { task, runtime } = define({ timeoutMs: 2000 })
    const byKey = gate('classify')
    const keyed = outcome(task.with({ key: byKey }).classify(byKey))
    await started(byKey)
    runtime.abortTaskController.abort(byKey)
    await keyed
    expect(await aborted(byKey)).toBe('AbortError')

    const { task: quick } = define({ timeoutMs: 50 })
    await quick.startWorkers()
    const timed = gate('classify')
    const late = outcome(quick.classify(timed))
    expect((await late).ok).toBe(false)
    expect(await aborted(timed)).toBe('TimeoutError')

    const abort = await outcome(task.throwAtelier('abort'))
    expect(abort.ok === false && abort.error).toBeInstanceOf(AbortError)
    expect(abort.ok === false && abort.error.message).toBe('stopped in the worker')
    const timeout = await outcome(task.throwAtelier('timeout'))
    expect(timeout.ok === false && timeout.error).toBeInstanceOf(TimeoutError)
    expect(timeout.ok === false && timeout.error.timeoutMs).toBe(5)
  })

  test('keyOf by method: methods without one have no key, and a keyOf may return undefined', async () => {
    const { task, runtime } = define({
      keyOf: { hold: (g) => g, echo: (value) => (typeof value === 'string' ? value : undefined) },
    })
    // A method without arguments, and one whose keyOf says "no key", run as usual.
    await expect(task.context()).resolves.toMatchObject({ key: undefined })
    await expect(task.echo(5)).resolves.toBe(5)
    await expect(task.echo('doc-9')).resolves.toBe('doc-9')
    const g = gate('keyed')
    const held = outcome(task.hold(g))
    await started(g)
    runtime.abortTaskController.abort(g)
    const result = await held
    expect(result.ok === false && result.error).toBeInstanceOf(AbortError)
  })

  test('a single keyOf written for the arguments it may not get lets other methods run', async () => {
    const { task } = define({ keyOf: (first) => (typeof first === 'string' ? first : undefined) })
    await expect(task.context()).resolves.toMatchObject({ key: undefined })
    await expect(task.echo('doc-1')).resolves.toBe('doc-1')
    await expect(task.with({ key: 'x' }).context()).resolves.toMatchObject({ key: 'x' })
  })
})
