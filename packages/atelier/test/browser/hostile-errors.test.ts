/**
 * Issue 11, class 10: wrong or silent errors. A bad key names `keyOf` and what it returned; a
 * task is safe to log and serialise (nothing is posted); hostile abort reasons and thrown values
 * still make spans and traces and reach the caller as they are; the runtime's own config is
 * checked; a view on WebAssembly memory is copied rather than failing the call.
 */
import { describe, expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeEvent, type TaskConfig } from '../../src/index'
import type { HostileAPI } from './fixtures/hostile.worker'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  sleep,
  thrown,
  workerCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

function nullProto(): object {
  const value = Object.create(null) as Record<string, unknown>
  value.why = 'no prototype'
  return value
}

function throwingToString(): object {
  return {
    toString(): never {
      throw new Error('toString threw')
    },
  }
}

describe('keyOf returning something that is not a key', () => {
  test.each([
    ['a number', () => 42, /keyOf.*"echo".*42/],
    ['a Symbol', () => Symbol('k'), /keyOf.*"echo".*Symbol\(k\)/],
    ['an object', () => ({ id: 1 }), /keyOf.*"echo"/],
    ['a BigInt', () => 7n, /keyOf.*"echo".*7n/],
    ['a revoked Proxy', revoked, /keyOf.*"echo"/],
    ['an object whose toString throws', throwingToString, /keyOf.*"echo"/],
  ])(
    '%s: the call rejects with a TypeError naming keyOf and the value',
    async (_, key, message) => {
      const { task } = defineHostile({ keyOf: key as never })
      let call: Promise<unknown>
      try {
        call = task.echo('x')
      } catch (error) {
        throw new Error(`the call threw synchronously: ${String(error)}`)
      }
      const error = await call.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(message)
      expect(task.getState()).toMatchObject({ totalDispatched: 0, queueDepth: 0 })
      await expect(task.with({ key: 'given' }).echo(1)).resolves.toBe(1)
      expectDrained(task)
    },
  )

  test('keyOf that throws: the call rejects with its error, nothing is posted', async () => {
    const { task } = defineHostile({
      keyOf: () => {
        throw new RangeError('no key here')
      },
    })
    await expect(task.echo(1)).rejects.toThrow('no key here')
    expect(task.getState().totalDispatched).toBe(0)
  })
})

describe('a task is safe to log and to serialise', () => {
  test('String, template literals, JSON.stringify, valueOf and inspection post nothing', async () => {
    const { task, workers } = defineHostile()
    const view = task.with({ key: 'k' })
    for (const subject of [task, view]) {
      expect(String(subject)).toMatch(/^\[Task /)
      expect(`${subject}`).toMatch(/^\[Task /)
      expect(JSON.parse(JSON.stringify(subject))).toMatchObject({ task: 'task-1' })
      expect(JSON.stringify({ nested: [subject] })).toContain('task-1')
      // biome-ignore lint/style/useTemplate: `+` tries valueOf first, which a template does not
      expect((subject as unknown as string) + '').toMatch(/^\[Task /)
      expect(Object.prototype.toString.call(subject)).toBe('[object Object]')
      expect((subject as unknown as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive]).toBe(
        undefined,
      )
      expect('asymmetricMatch' in subject).toBe(false)
    }
    await sleep(20)
    expect(workers.created).toBe(0)
    expect(task.getState()).toMatchObject({ totalDispatched: 0, queueDepth: 0, activeWorkers: 0 })
  })
})

describe('hostile abort reasons and thrown values', () => {
  test.each([
    ['a null-prototype object', nullProto],
    ['a revoked Proxy', revoked],
    ['an object whose toString throws', throwingToString],
    ['undefined-like: a Symbol', () => Symbol('why')],
  ])(
    '%s as an abort reason: the call rejects with that same value, and its span is recorded',
    async (_, make) => {
      const runtime = createTaskRuntime({ observability: { spans: 'on' } })
      const events: RuntimeEvent[] = []
      runtime.subscribeEvents((event) => events.push(event))
      const { task } = defineHostile({}, runtime)
      await task.startWorkers()
      const reason = make()
      const controller = new AbortController()
      // Boxed: a revoked Proxy cannot be a promise's value (resolving reads its `then`).
      const call = task
        .with({ signal: controller.signal })
        .sleep(10_000)
        .catch((e: unknown) => ({ rejected: e }))
      await sleep(10)
      controller.abort(reason)
      expect(((await call) as { rejected: unknown }).rejected).toBe(reason)
      const spans = events.filter((e) => e.kind === 'span')
      expect(spans).toEqual([
        expect.objectContaining({ status: 'canceled', errorKind: 'abort', method: 'sleep' }),
      ])
      expect(spans[0]).toMatchObject({
        error: { name: expect.any(String), message: expect.any(String) },
      })
      // The worker heard, stopped, and takes the next call.
      await expect(task.add(1, 1)).resolves.toBe(2)
    },
  )

  test('a null-prototype value thrown inside runWithTrace: it rejects with that value and the trace ends', async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const events: RuntimeEvent[] = []
    runtime.subscribeEvents((event) => events.push(event))
    const { task } = defineHostile({}, runtime)
    const value = nullProto()
    const outcome = await runtime
      .runWithTrace('hostile', async (trace) => {
        await task.with({ trace }).add(1, 2)
        throw value
      })
      .catch((e: unknown) => e)
    expect(outcome).toBe(value)
    const traces = events.filter((e) => e.kind === 'trace')
    expect(traces).toEqual([expect.objectContaining({ traceName: 'hostile', status: 'error' })])
    expect(events.filter((e) => e.kind === 'span')).toHaveLength(1)
  })

  test('a null-prototype object thrown by a handler fails the call alone, with a readable error', async () => {
    const { task } = defineHostile()
    const error = await task.make('null-proto', 'throw').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(typeof (error as Error).message).toBe('string')
    await expect(task.whoami()).resolves.toBe('0')
  })
})

describe('configuration of the runtime itself', () => {
  test.each([
    [null, /createTaskRuntime.*null/],
    [5, /createTaskRuntime.*5/],
    ['spans', /createTaskRuntime.*"spans"/],
    [{ observablity: {} }, /did you mean "observability"/],
  ])('createTaskRuntime(%s) throws a TypeError saying what it got', (config, message) => {
    const error = thrown(() => createTaskRuntime(config as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(message)
  })

  test('a misspelt task option is refused with a suggestion', () => {
    const workers = workerCounter()
    const error = thrown(() =>
      createTaskRuntime().defineTask({
        type: 'singleton',
        worker: workers.factory,
        timeOutMs: 100,
      } as TaskConfig<HostileAPI>),
    )
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/"timeOutMs".*did you mean "timeoutMs"/)
  })
})

describe('a view on WebAssembly memory', () => {
  test('is copied, not transferred: the call succeeds and the memory stays attached', async () => {
    const { task } = defineHostile()
    const memory = new WebAssembly.Memory({ initial: 1 })
    const floats = new Float32Array(memory.buffer, 0, 4)
    floats.set([1, 2, 3, 4])
    await expect(task.sizes([floats])).resolves.toEqual([16])
    await expect(task.echo(floats)).resolves.toEqual(new Float32Array([1, 2, 3, 4]))
    expect(memory.buffer.byteLength).toBe(65_536)
    expect(floats[3]).toBe(4)
    // Beside an ordinary buffer, too: the call still goes through.
    await expect(task.sizes([floats, new Uint8Array(8)])).resolves.toEqual([16, 8])
    expect(memory.buffer.byteLength).toBe(65_536)
  })
})
