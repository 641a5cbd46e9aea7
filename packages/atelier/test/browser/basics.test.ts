import { describe, expect, test } from 'vitest'
import { UnknownMethodError } from '../../src/index'
import { executorOf } from '../../src/task'
import { define } from './fixtures/define'
import { tick } from './fixtures/harness'

describe('calls', () => {
  test('a method call runs in a worker and resolves with its result', async () => {
    const { task } = define()
    await expect(task.add(2, 3)).resolves.toBe(5)
    await expect(task.echo({ nested: [1, 'two'] })).resolves.toEqual({ nested: [1, 'two'] })
  })

  test('the handler receives a context with key and call id', async () => {
    const { task } = define({ keyOf: () => 'doc-1' })
    const ctx = await task.context()
    expect(ctx).toEqual({ key: 'doc-1', callId: expect.any(String), aborted: false })
    const other = await task.with({ key: 'doc-2' }).context()
    expect(other.key).toBe('doc-2')
    expect(other.callId).not.toBe(ctx.callId)
  })

  test('the context always lands after the declared parameters', async () => {
    const { task } = define()
    const loose = task as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    // Optional arguments left out are padded, whatever the arity.
    await expect(loose.positions!()).resolves.toEqual({ a: null, b: null, context: true })
    await expect(loose.positions!(1)).resolves.toEqual({ a: 1, b: null, context: true })
    await expect(task.positions(1, 2)).resolves.toEqual({ a: 1, b: 2, context: true })
    await expect(task.five(1, 2, 3, 4, 5)).resolves.toEqual({
      values: [1, 2, 3, 4, 5],
      context: true,
    })
    await expect(loose.five!(1, 2)).resolves.toEqual({
      values: [1, 2, undefined, undefined, undefined],
      context: true,
    })
  })

  test('a method is made on first use and kept on the task', async () => {
    const { task } = define()
    const add = task.add
    expect(task.add).toBe(add)
    await expect(add(2, 2)).resolves.toBe(4)
    // Kept, not listed: the task's own enumerable keys stay its controls.
    expect(Object.keys(task)).not.toContain('add')
    // A frozen view cannot keep its methods, and still works.
    const frozen = Object.freeze(task.with({}))
    await expect(frozen.add(1, 2)).resolves.toBe(3)
    expect(frozen.add).not.toBe(add)
  })

  test('a task is not thenable, so awaiting it yields the task', async () => {
    const { task } = define()
    expect((task as unknown as { then?: unknown }).then).toBeUndefined()
    expect(await task).toBe(task)
  })

  test('handler errors keep their class, message and fields, and the task keeps working', async () => {
    const { task } = define()
    const error = await task.fail('bad input').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ name: 'RangeError', message: 'bad input', code: 'E_TEST' })
    await expect(task.add(1, 1)).resolves.toBe(2)
  })

  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'ech0'])(
    'inherited or unknown method %s is rejected in the worker, as an UnknownMethodError',
    async (name) => {
      const { task } = define()
      // Straight to the executor: the facade never sends inherited names (see below).
      const error = await executorOf(task)!
        .call(name, [], undefined)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UnknownMethodError)
      expect(error).toMatchObject({ name: 'UnknownMethodError', method: name })
      expect((error as Error).message).toContain(`"${name}"`)
      expect((error as Error).message).toContain('echo, add, context')
      await expect(task.add(1, 2)).resolves.toBe(3)
      expect(UnknownMethodError.name).toBe('UnknownMethodError')
    },
  )

  test('a task is safe to log and serialise: nothing reaches the worker', async () => {
    const { task, workers } = define({ taskName: 'resizer' })
    expect(String(task)).toBe('[Task resizer]')
    expect(`${task}`).toBe('[Task resizer]')
    expect(JSON.parse(JSON.stringify({ task }))).toEqual({
      task: { task: expect.any(String), name: 'resizer' },
    })
    const loose = task as unknown as Record<string, unknown>
    expect(loose.hasOwnProperty).toBe(Object.prototype.hasOwnProperty)
    expect(loose.valueOf).toBe(Object.prototype.valueOf)
    expect(Object.prototype.toString.call(task)).toBe('[object Object]')
    await tick(20)
    expect(workers.spawned).toBe(0)
    expect(task.getState().totalDispatched).toBe(0)
  })
})
