/**
 * The class behind every option bug found so far: a value of the caller's (an options object, a
 * field, a getter, a Proxy) that reached code which assumed its type, and failed there with the
 * engine's words ("Cannot read properties of null") or not at all. Every entry point that takes
 * options is fed random hostile ones; each must accept them or throw a TypeError or RangeError
 * that names the option at fault. Seeded: a failure names its seed, `VITE_FUZZ_SEED` reruns it.
 */
import { describe, expect, it } from 'vitest'
import { AbortTaskController } from '../../src/abort-task-controller.js'
import {
  DISPATCH_OPTIONS,
  resolveDispatchOptions,
  resolveTaskConfig,
  TASK_OPTIONS,
} from '../../src/options.js'
import { instrumentRuntime } from '../../src/otel.js'
import { parallelLimit } from '../../src/parallel-limit.js'
import { createTaskRuntime } from '../../src/runtime.js'
import { hostileOptions, hostileValue, isEngineMessage } from '../support/hostile.js'
import { mulberry32 } from '../support/random.js'

const envSeed = (import.meta as { env?: Record<string, string | undefined> }).env?.VITE_FUZZ_SEED
const baseSeed =
  envSeed === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(envSeed ?? 0x0971) >>> 0
const ROUNDS = 400

interface EntryPoint {
  name: string
  /** The words every error of this entry may name it by, when the options themselves are wrong. */
  label: string
  known: readonly string[]
  /** `whole`: the options are one hostile value, to be passed as they are. */
  call(options: unknown, whole: boolean): unknown
}

const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
const fakeRuntime = { subscribeEvents: () => () => undefined }
const worker = () => ({}) as Worker

const ENTRY_POINTS: EntryPoint[] = [
  {
    name: 'defineTask',
    label: 'defineTask',
    known: [...TASK_OPTIONS],
    call: (options, whole) =>
      resolveTaskConfig(
        !whole
          ? // Copied by descriptor: a spread would run the getters here, not in the library.
            (Object.defineProperties(
              { type: 'parallel', worker },
              Object.getOwnPropertyDescriptors(options),
            ) as never)
          : (options as never),
        'task-1',
      ),
  },
  {
    name: 'with()',
    label: 'with()',
    known: [...DISPATCH_OPTIONS],
    call: (options) => resolveDispatchOptions(options),
  },
  {
    name: 'createTaskRuntime',
    label: 'createTaskRuntime',
    known: ['observability'],
    call: (options) => createTaskRuntime(options as never),
  },
  {
    name: 'createTaskRuntime observability',
    label: 'observability',
    known: ['spans', 'measures'],
    call: (options) => createTaskRuntime({ observability: options as never }),
  },
  {
    name: 'subscribeRuntimeSnapshot',
    label: 'subscribeRuntimeSnapshot',
    known: ['intervalMs', 'emitImmediately', 'onlyOnChange'],
    call: (options) => runtime.subscribeRuntimeSnapshot(() => undefined, options as never)(),
  },
  {
    name: 'parallelLimit',
    label: 'parallelLimit',
    known: ['errorPolicy', 'onError', 'signal', 'abortTaskController', 'keyOf', 'returnSettled'],
    call: (options) => parallelLimit([1], 1, (n) => n, options as never),
  },
  {
    name: 'instrumentRuntime',
    label: 'instrumentRuntime',
    known: ['tracerProvider', 'meterProvider'],
    call: (options) => instrumentRuntime(fakeRuntime, options as never)(),
  },
  {
    name: 'trace.end',
    label: 'trace.end',
    known: ['status', 'error'],
    call: (options) => runtime.createTrace('t').end(options as never),
  },
]

describe('every entry point that takes options (seeded)', () => {
  it(`accepts them or throws a TypeError or RangeError naming the option (seed ${baseSeed}, ${ROUNDS} rounds each)`, () => {
    for (const entry of ENTRY_POINTS) {
      for (let round = 0; round < ROUNDS; round++) {
        const seed = (baseSeed + round) >>> 0
        const random = mulberry32(seed)
        // Now and then the options are not an object at all.
        const whole = random() < 0.15
        const { options, keys } = whole
          ? { options: hostileValue(random), keys: [] as string[] }
          : hostileOptions(random, entry.known)
        let error: unknown
        try {
          entry.call(options, whole)
          continue
        } catch (thrown) {
          error = thrown
        }
        const where = `${entry.name}, seed ${seed}, keys ${JSON.stringify(keys)}`
        expect(error, where).toBeInstanceOf(Error)
        const { message } = error as Error
        expect(
          [TypeError, RangeError].some((type) => error instanceof type),
          `${where}: ${message}`,
        ).toBe(true)
        expect(isEngineMessage(message), where).toBe(false)
        // A whole value that reads as anything (a Proxy) may be refused by the option it fails.
        const named = whole ? [entry.label, ...entry.known] : keys
        expect(
          named.some((name) => message.includes(name)),
          `${where}: "${message}" names none of ${named.join(', ')}`,
        ).toBe(true)
      }
    }
  })
})

describe('AbortTaskController keys (seeded)', () => {
  it(`a key is a string, or a TypeError names the method and the value (seed ${baseSeed})`, () => {
    for (let round = 0; round < ROUNDS; round++) {
      const seed = (baseSeed + round) >>> 0
      const random = mulberry32(seed)
      const controller = new AbortTaskController()
      const key = hostileValue(random)
      const method = (['abort', 'signalFor', 'abortMany'] as const)[Math.floor(random() * 3)]!
      const call = () =>
        method === 'abortMany'
          ? controller.abortMany(key as never)
          : controller[method](key as never)
      if (typeof key === 'string' && method !== 'abortMany') {
        expect(call).not.toThrow()
        continue
      }
      let error: unknown
      try {
        call()
      } catch (thrown) {
        error = thrown
      }
      // An empty array, or the like, aborts nothing and is fine.
      if (error === undefined) {
        expect(controller.sizes.aborted, `seed ${seed}`).toBe(0)
        continue
      }
      expect(error, `seed ${seed}`).toBeInstanceOf(TypeError)
      expect((error as Error).message, `seed ${seed}`).toMatch(
        new RegExp(`^AbortTaskController\\.${method}: `),
      )
    }
  })
})
