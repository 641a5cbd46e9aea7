/**
 * Issue 11, class 1: an exception on the dispatch path fails that call alone. Arguments that
 * throw when read (getters, Proxy traps, revoked Proxies such as an Immer draft used after
 * `produce`) and per-call options that are not what they claim: the call never throws
 * synchronously, rejects with an error naming the argument or option, and leaves the worker free
 * for the next call. Real workers in Chromium.
 */
import { describe, expect, test } from 'vitest'
import type { Trace } from '../../src/index'
import { gate, release, started } from './fixtures/harness'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  recordPageErrors,
  settleCounter,
  sleep,
  thrown,
} from './fixtures/hostile-define'

expectNoPageErrors()

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({ draft: true }, {})
  revoke()
  return proxy
}

/** A model class whose instances carry an own accessor: structured cloning runs it. */
class Model {
  constructor() {
    Object.defineProperty(this, 'lazy', {
      enumerable: true,
      get() {
        throw new Error('Model.lazy threw while cloned')
      },
    })
  }
}

const HOSTILE_ARGUMENTS: Array<[string, () => unknown, RegExp]> = [
  [
    'an object with a throwing getter',
    () => ({
      ok: 1,
      get boom(): never {
        throw new Error('getter threw')
      },
    }),
    /could not be read to send it to the worker: getter threw/,
  ],
  [
    'a Proxy whose get trap throws',
    () =>
      new Proxy(
        { a: 1 },
        {
          get() {
            throw new Error('get trap threw')
          },
        },
      ),
    /could not be read to send it to the worker: get trap threw/,
  ],
  [
    'a Proxy whose ownKeys trap throws',
    () =>
      new Proxy(
        { a: 1 },
        {
          ownKeys() {
            throw new Error('ownKeys trap threw')
          },
        },
      ),
    /could not be read to send it to the worker: ownKeys trap threw/,
  ],
  [
    'a Proxy whose getPrototypeOf trap throws',
    () =>
      new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error('getPrototypeOf trap threw')
          },
        },
      ),
    /could not be read to send it to the worker: getPrototypeOf trap threw/,
  ],
  ['a revoked Proxy (an Immer draft after produce)', revoked, /revoked/],
  ['a revoked Proxy inside an array', () => [1, revoked()], /revoked/],
  ['a revoked Proxy inside a Map', () => new Map([['draft', revoked()]]), /revoked/],
  [
    'a class instance whose getter throws when cloned',
    () => new Model(),
    /could not be read to send it to the worker: Model.lazy threw while cloned/,
  ],
  [
    'a function (not cloneable)',
    () => ({ callback: () => 1 }),
    /could not be sent to the worker: .*could not be cloned/,
  ],
  [
    'a symbol (not cloneable)',
    () => Symbol('s'),
    /could not be sent to the worker: .*could not be cloned/,
  ],
]

/** Makes a call the way an app does, and fails the test if making it throws. */
function call<T>(make: () => Promise<T>): Promise<T> {
  let promise: Promise<T>
  try {
    promise = make()
  } catch (error) {
    throw new Error(`the call threw synchronously: ${String(error)}`)
  }
  return promise
}

describe('an argument that cannot be read or cloned fails its call alone', () => {
  test.each(HOSTILE_ARGUMENTS)(
    '%s: the call rejects naming the argument; the worker takes the next call',
    async (_, make, detail) => {
      const { task } = defineHostile()
      await task.startWorkers()
      const first = settleCounter(call(() => task.echo(make())))
      const second = settleCounter(call(() => task.add(1, make() as number)))
      const [a, b] = await Promise.all([first.result, second.result])
      expect(a.ok).toBe(false)
      expect(a.ok || a.error).toBeInstanceOf(TypeError)
      expect(a.ok || a.error.message).toMatch(/^Argument 0 of "echo" could not be/)
      expect(a.ok || a.error.message).toMatch(detail)
      expect(b.ok || b.error.message).toMatch(/^Argument 1 of "add" could not be/)
      expect(first.count() + second.count()).toBe(2)
      // Nothing was posted, nothing holds the worker.
      expect(task.getState()).toMatchObject({ totalDispatched: 0, queueDepth: 0, busyWorkers: 0 })
      await expect(task.add(2, 3)).resolves.toBe(5)
      expectDrained(task)
    },
  )

  test('dispatched from the queue (a worker answering frees the place), it still fails alone', async () => {
    const { task } = defineHostile({ maxQueueDepth: 8 })
    const g = gate('queue')
    const held = task.hold(g)
    await started(g)
    // Queued behind the held call: dispatched later, from the worker's answer.
    const queued = HOSTILE_ARGUMENTS.map(([, make]) => settleCounter(call(() => task.echo(make()))))
    const after = task.add(40, 2)
    release(g, 'released')
    await expect(held).resolves.toBe('released')
    const results = await Promise.all(queued.map((q) => q.result))
    for (const [i, result] of results.entries()) {
      expect(result.ok, HOSTILE_ARGUMENTS[i]![0]).toBe(false)
      expect(result.ok || result.error.message).toMatch(/^Argument 0 of "echo" could not be/)
    }
    await expect(after).resolves.toBe(42)
    expect(queued.every((q) => q.count() === 1)).toBe(true)
    expectDrained(task)
  })

  test('a getter that throws only the second time it is read (keyOf read it first) still fails alone', async () => {
    let reads = 0
    const { task } = defineHostile({
      keyOf: (value: unknown) => String((value as { id: string }).id),
    })
    const value = {
      get id() {
        if (++reads > 1) throw new Error('read twice')
        return 'doc-1'
      },
    }
    const result = await settleCounter(call(() => task.echo(value))).result
    expect(result.ok || result.error.message).toMatch(/^Argument 0 of "echo" could not be read/)
    await expect(task.add(1, 1)).resolves.toBe(2)
  })
})

describe('with(): bad per-call options throw at with(), naming the option; nothing is called', () => {
  const BAD_OPTIONS: Array<[string, Record<string, unknown>, RegExp]> = [
    ['signal: {} (not an AbortSignal)', { signal: {} }, /\bsignal\b/],
    [
      'signal: an object shaped like a signal',
      { signal: { aborted: false, addEventListener() {}, removeEventListener() {} } },
      /\bsignal\b/,
    ],
    ['key: a number', { key: 5 }, /\bkey\b/],
    ['key: a Symbol', { key: Symbol('k') }, /\bkey\b/],
    ['transfer: a string', { transfer: 'x' }, /\btransfer\b/],
    ['transfer: an array holding a string', { transfer: ['x'] }, /\btransfer\b/],
    ['transfer: an array holding a plain object', { transfer: [{}] }, /\btransfer\b/],
    ['transferResult: a string', { transferResult: 'no' }, /\btransferResult\b/],
    ['trace: {}', { trace: {} }, /\btrace\b/],
    ['a misspelt option (singal)', { singal: new AbortController().signal }, /"signal"/],
    ['an unknown option (timeoutMs)', { timeoutMs: 5 }, /timeoutMs/],
  ]

  test.each(BAD_OPTIONS)('%s', async (_, options, names) => {
    const { task } = defineHostile()
    const error = thrown(() => task.with(options as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(names)
    // Nothing ran, and the task is undisturbed.
    expect(task.getState()).toMatchObject({ totalDispatched: 0, queueDepth: 0 })
    await expect(task.add(1, 2)).resolves.toBe(3)
    expect(task.getState().totalDispatched).toBe(1)
  })

  test('a trace that is not from createTrace() never becomes a page error', async () => {
    const { task } = defineHostile()
    const fake = {
      id: 'forged',
      name: 'forged',
      get sampled(): boolean {
        throw new Error('the forged trace was read')
      },
      end() {},
    } as unknown as Trace
    const errors = recordPageErrors()
    let view: typeof task | undefined
    try {
      view = task.with({ trace: fake })
    } catch (error) {
      // Refusing it at with() is fine too, as long as the message names the option.
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(/\btrace\b/)
    }
    if (view) await settleCounter(call(() => view.echo(1))).result
    await sleep(0)
    expect(errors.stop().map(String)).toEqual([])
  })
})
