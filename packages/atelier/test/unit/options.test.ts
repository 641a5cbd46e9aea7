import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { describe as describeValue } from '../../src/describe.js'
import { resolveDispatchOptions, resolveTaskConfig, type TaskConfig } from '../../src/options.js'

const worker = () => ({}) as Worker

/** Resolves with `overrides` on a minimal valid parallel config. Untyped: we feed it bad values. */
function resolve(overrides: Record<string, unknown> = {}) {
  return resolveTaskConfig({ type: 'parallel', worker, ...overrides } as TaskConfig, 'task-1')
}

/** Asserts `fn` throws exactly an instance of `kind` (not a subclass) with exactly `message`. */
function expectThrows(
  fn: () => unknown,
  kind: typeof TypeError | typeof RangeError,
  message: string,
): void {
  let error: unknown
  try {
    fn()
  } catch (caught) {
    error = caught
  }
  expect(error, 'expected a throw').toBeInstanceOf(kind)
  expect((error as Error).constructor).toBe(kind)
  expect((error as Error).message).toBe(message)
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('resolveTaskConfig: defaults', () => {
  it('parallel: poolSize from navigator.hardwareConcurrency, and every other default', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 })
    const resolved = resolveTaskConfig({ type: 'parallel', worker }, 'task-7')
    expect(resolved).toEqual({
      type: 'parallel',
      worker,
      init: 'lazy',
      poolSize: 6,
      keyOfMethod: expect.any(Function),
      timeoutMs: undefined,
      crashPolicy: 'restart-fail-in-flight',
      crashMaxRetries: 3,
      taskId: 'task-7',
      taskName: 'task-7',
      maxInFlight: 6,
      adaptiveInFlight: true,
      maxQueueDepth: 12,
      queuePolicy: 'block',
      balancer: 'least-busy',
      idleTimeoutMs: undefined,
      cancelGraceMs: undefined,
      connectTimeoutMs: 10_000,
      streamWindow: 16,
      priority: 1,
      priorityAgingMs: 500,
    })
    expect(resolved.worker).toBe(worker)
    expect(resolved.keyOfMethod('anything')).toBeUndefined()
  })

  it.each([
    ['no navigator', undefined],
    ['no hardwareConcurrency', {}],
    ['hardwareConcurrency 0', { hardwareConcurrency: 0 }],
    ['a non-numeric hardwareConcurrency', { hardwareConcurrency: '8' }],
  ])("parallel: poolSize falls back to Node's count with %s", (_, navigator) => {
    vi.stubGlobal('navigator', navigator)
    const cores = availableParallelism()
    const resolved = resolve()
    expect(resolved.poolSize).toBe(cores)
    expect(resolved.maxInFlight).toBe(cores)
    expect(resolved.maxQueueDepth).toBe(2 * cores)
  })

  it('parallel: poolSize falls back to 4 where neither the browser nor Node can count', () => {
    vi.stubGlobal('navigator', undefined)
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
    expect(resolve().poolSize).toBe(4)
  })

  it('parallel: maxInFlight defaults to an explicit poolSize, maxQueueDepth to twice that', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 16 })
    const resolved = resolve({ poolSize: 3 })
    expect(resolved.poolSize).toBe(3)
    expect(resolved.maxInFlight).toBe(3)
    expect(resolved.maxQueueDepth).toBe(6)
  })

  it('parallel: maxQueueDepth defaults to twice an explicit maxInFlight', () => {
    const resolved = resolve({ poolSize: 2, maxInFlight: 5 })
    expect(resolved.maxInFlight).toBe(5)
    expect(resolved.adaptiveInFlight).toBe(false)
    expect(resolved.maxQueueDepth).toBe(10)
  })

  it('singleton: one worker, one call in flight, two queued, whatever the core count', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 12 })
    const resolved = resolveTaskConfig({ type: 'singleton', worker }, 'task-2')
    expect(resolved).toMatchObject({
      type: 'singleton',
      poolSize: 1,
      maxInFlight: 1,
      maxQueueDepth: 2,
      init: 'lazy',
      crashPolicy: 'restart-fail-in-flight',
      crashMaxRetries: 3,
      queuePolicy: 'block',
      balancer: 'least-busy',
      taskId: 'task-2',
      taskName: 'task-2',
    })
  })

  it('singleton: poolSize 1 is accepted', () => {
    expect(resolveTaskConfig({ type: 'singleton', worker, poolSize: 1 }, 't').poolSize).toBe(1)
  })

  it('taskName defaults to an explicit taskId', () => {
    const resolved = resolve({ taskId: 'resize' })
    expect(resolved.taskId).toBe('resize')
    expect(resolved.taskName).toBe('resize')
  })

  it('keeps every valid explicit option', () => {
    const keyOf = (doc: { id: string }) => doc.id
    const resolved = resolve({
      init: 'eager',
      poolSize: 2,
      keyOf,
      timeoutMs: 250.5,
      crashPolicy: 'fail-task',
      crashMaxRetries: 0,
      taskId: 'id',
      taskName: 'Pretty name',
      maxInFlight: 3,
      maxQueueDepth: 0,
      queuePolicy: 'drop-oldest',
      balancer: 'round-robin',
      idleTimeoutMs: 1000,
      cancelGraceMs: 50,
      connectTimeoutMs: 30_000,
      streamWindow: 4,
      priority: 'background',
      priorityAgingMs: 0,
    })
    expect(resolved).toEqual({
      type: 'parallel',
      worker,
      init: 'eager',
      poolSize: 2,
      keyOfMethod: expect.any(Function),
      timeoutMs: 250.5,
      crashPolicy: 'fail-task',
      crashMaxRetries: 0,
      taskId: 'id',
      taskName: 'Pretty name',
      maxInFlight: 3,
      adaptiveInFlight: false,
      maxQueueDepth: 0,
      queuePolicy: 'drop-oldest',
      balancer: 'round-robin',
      idleTimeoutMs: 1000,
      cancelGraceMs: 50,
      connectTimeoutMs: 30_000,
      streamWindow: 4,
      priority: 2,
      priorityAgingMs: 0,
    })
    expect(resolved.keyOfMethod('resize')).toBe(keyOf)
  })

  it.each(['block', 'reject', 'drop-latest', 'drop-oldest'] as const)(
    'accepts queuePolicy %s',
    (queuePolicy) => {
      expect(resolve({ queuePolicy }).queuePolicy).toBe(queuePolicy)
    },
  )

  it.each(['restart-fail-in-flight', 'restart-requeue-in-flight', 'fail-task'] as const)(
    'accepts crashPolicy %s',
    (crashPolicy) => {
      expect(resolve({ crashPolicy }).crashPolicy).toBe(crashPolicy)
    },
  )
})

describe('resolveTaskConfig: invalid options', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['parallel', '"parallel"'],
    [42, '42'],
  ])('config %s', (config, shown) => {
    expectThrows(
      () => resolveTaskConfig(config as unknown as TaskConfig, 't'),
      TypeError,
      `defineTask needs a config object, received ${shown}`,
    )
  })

  it('type: missing', () => {
    expectThrows(
      () => resolveTaskConfig({ worker } as unknown as TaskConfig, 't'),
      TypeError,
      'type is required: "parallel" or "singleton"',
    )
  })

  it.each([
    ['pool', '"pool"'],
    ['Parallel', '"Parallel"'],
    [1, '1'],
    [null, 'null'],
  ])('type: %s', (type, shown) => {
    expectThrows(
      () => resolve({ type }),
      TypeError,
      `type must be one of "parallel", "singleton", received ${shown}`,
    )
  })

  it.each([
    ['./resize.worker.js', '"./resize.worker.js"'],
    [new URL('https://example.com/w.js'), 'an object'],
    [undefined, 'undefined'],
    [null, 'null'],
    [[], 'an array'],
  ])('worker: %s', (value, shown) => {
    expectThrows(
      () => resolve({ worker: value }),
      TypeError,
      `worker must be a function that creates a Worker, received ${shown}`,
    )
  })

  it.each([
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('poolSize: %s', (poolSize, shown) => {
    expectThrows(
      () => resolve({ poolSize }),
      RangeError,
      `poolSize must be a positive integer, received ${shown}`,
    )
  })

  it('poolSize: a string', () => {
    expectThrows(
      () => resolve({ poolSize: '2' }),
      TypeError,
      'poolSize must be a number, received "2"',
    )
  })

  it('poolSize: 2 on a singleton', () => {
    expectThrows(
      () => resolve({ type: 'singleton', poolSize: 2 }),
      RangeError,
      'poolSize applies to parallel tasks; a singleton has one worker, received 2',
    )
  })

  it('poolSize: 0 on a singleton is reported as an invalid poolSize', () => {
    expectThrows(
      () => resolve({ type: 'singleton', poolSize: 0 }),
      RangeError,
      'poolSize must be a positive integer, received 0',
    )
  })

  it.each([
    [0, '0'],
    [-2, '-2'],
    [2.5, '2.5'],
    [Number.NaN, 'NaN'],
  ])('maxInFlight: %s', (maxInFlight, shown) => {
    expectThrows(
      () => resolve({ maxInFlight }),
      RangeError,
      `maxInFlight must be a positive integer, received ${shown}`,
    )
  })

  it('maxInFlight: a string', () => {
    expectThrows(
      () => resolve({ maxInFlight: '4' }),
      TypeError,
      'maxInFlight must be a number, received "4"',
    )
  })

  it.each([
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [0.5, '0.5'],
  ])('maxQueueDepth: %s', (maxQueueDepth, shown) => {
    expectThrows(
      () => resolve({ maxQueueDepth }),
      RangeError,
      `maxQueueDepth must be a non-negative integer, received ${shown}`,
    )
  })

  it('maxQueueDepth: 0 is valid, for parallel and singleton', () => {
    expect(resolve({ maxQueueDepth: 0 }).maxQueueDepth).toBe(0)
    expect(resolve({ type: 'singleton', maxQueueDepth: 0 }).maxQueueDepth).toBe(0)
  })

  it('maxQueueDepth: a string', () => {
    expectThrows(
      () => resolve({ maxQueueDepth: '0' }),
      TypeError,
      'maxQueueDepth must be a number, received "0"',
    )
  })

  it.each([
    ['fifo', '"fifo"'],
    ['', '""'],
    [true, 'true'],
  ])('queuePolicy: %s', (queuePolicy, shown) => {
    expectThrows(
      () => resolve({ queuePolicy }),
      TypeError,
      `queuePolicy must be one of "block", "reject", "drop-latest", "drop-oldest", received ${shown}`,
    )
  })

  it.each([
    ['restart', '"restart"'],
    [{}, 'an object'],
  ])('crashPolicy: %s', (crashPolicy, shown) => {
    expectThrows(
      () => resolve({ crashPolicy }),
      TypeError,
      `crashPolicy must be one of "restart-fail-in-flight", "restart-requeue-in-flight", "fail-task", received ${shown}`,
    )
  })

  it.each([
    ['now', '"now"'],
    [true, 'true'],
  ])('init: %s', (init, shown) => {
    expectThrows(
      () => resolve({ init }),
      TypeError,
      `init must be one of "lazy", "eager", received ${shown}`,
    )
  })

  it.each([
    [0, '0'],
    [-5, '-5'],
    [Number.NaN, 'NaN'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('timeoutMs: %s', (timeoutMs, shown) => {
    expectThrows(
      () => resolve({ timeoutMs }),
      RangeError,
      `timeoutMs must be a number of milliseconds > 0, received ${shown}`,
    )
  })

  it('timeoutMs: a string', () => {
    expectThrows(
      () => resolve({ timeoutMs: '100' }),
      TypeError,
      'timeoutMs must be a number of milliseconds, received "100"',
    )
  })

  it.each([
    [0, '0'],
    [-1, '-1'],
    [Number.NaN, 'NaN'],
  ])('idleTimeoutMs: %s', (idleTimeoutMs, shown) => {
    expectThrows(
      () => resolve({ idleTimeoutMs }),
      RangeError,
      `idleTimeoutMs must be a number of milliseconds > 0, received ${shown}`,
    )
  })

  it('idleTimeoutMs: a string', () => {
    expectThrows(
      () => resolve({ idleTimeoutMs: '5s' }),
      TypeError,
      'idleTimeoutMs must be a number of milliseconds, received "5s"',
    )
  })

  it.each([
    [-1, '-1'],
    [-0.5, '-0.5'],
    [Number.NaN, 'NaN'],
  ])('cancelGraceMs: %s', (cancelGraceMs, shown) => {
    expectThrows(
      () => resolve({ cancelGraceMs }),
      RangeError,
      `cancelGraceMs must be a number of milliseconds >= 0, received ${shown}`,
    )
  })

  it('cancelGraceMs: a string', () => {
    expectThrows(
      () => resolve({ cancelGraceMs: '500' }),
      TypeError,
      'cancelGraceMs must be a number of milliseconds, received "500"',
    )
  })

  it.each([
    [0, '0'],
    [-5, '-5'],
    [Number.NaN, 'NaN'],
  ])('connectTimeoutMs: %s', (connectTimeoutMs, shown) => {
    expectThrows(
      () => resolve({ connectTimeoutMs }),
      RangeError,
      `connectTimeoutMs must be a number of milliseconds > 0, received ${shown}`,
    )
  })

  it.each([
    [0, RangeError, 'streamWindow must be a positive integer, received 0'],
    [-1, RangeError, 'streamWindow must be a positive integer, received -1'],
    [Infinity, RangeError, 'streamWindow must be a positive integer, received Infinity'],
    [1e7, RangeError, 'streamWindow must be at most 1000000, received 10000000'],
    ['16', TypeError, 'streamWindow must be a number, received "16"'],
  ])('streamWindow %s is refused', (streamWindow, kind, message) => {
    expectThrows(() => resolve({ streamWindow }), kind, message)
  })

  it.each(['user-blocking', 'user-visible', 'background'] as const)('priority %s', (priority) => {
    expect(resolve({ priority }).priority).toBe(
      ['user-blocking', 'user-visible', 'background'].indexOf(priority),
    )
  })

  it('priority and priorityAgingMs: refused values name the option', () => {
    expectThrows(
      () => resolve({ priority: 'urgent' }),
      TypeError,
      'priority must be one of "user-blocking", "user-visible", "background", received "urgent"',
    )
    expectThrows(
      () => resolve({ priorityAgingMs: -1 }),
      RangeError,
      'priorityAgingMs must be a number of milliseconds >= 0, received -1',
    )
  })

  it('priorityAgingMs: 0 and Infinity turn aging off', () => {
    expect(resolve({ priorityAgingMs: 0 }).priorityAgingMs).toBe(0)
    expect(resolve({ priorityAgingMs: Infinity }).priorityAgingMs).toBe(0)
    expect(resolve({ priorityAgingMs: 250 }).priorityAgingMs).toBe(250)
  })

  it('connectTimeoutMs defaults to 10 s', () => {
    expect(resolve().connectTimeoutMs).toBe(10_000)
    expect(resolve({ connectTimeoutMs: 250 }).connectTimeoutMs).toBe(250)
  })

  it('cancelGraceMs: 0 is valid (terminate at once), and unset means never', () => {
    expect(resolve({ cancelGraceMs: 0 }).cancelGraceMs).toBe(0)
    expect(resolve({ cancelGraceMs: 500 }).cancelGraceMs).toBe(500)
    expect(resolve()).toHaveProperty('cancelGraceMs', undefined)
  })

  it.each([
    [-1, '-1'],
    [2.5, '2.5'],
    [Number.NaN, 'NaN'],
  ])('crashMaxRetries: %s', (crashMaxRetries, shown) => {
    expectThrows(
      () => resolve({ crashMaxRetries }),
      RangeError,
      `crashMaxRetries must be a non-negative integer, received ${shown}`,
    )
  })

  it('crashMaxRetries: a string', () => {
    expectThrows(
      () => resolve({ crashMaxRetries: '3' }),
      TypeError,
      'crashMaxRetries must be a number, received "3"',
    )
  })

  it.each([
    ['docId', '"docId"'],
    [null, 'null'],
    [7, '7'],
  ])('keyOf: %s', (keyOf, shown) => {
    expectThrows(
      () => resolve({ keyOf }),
      TypeError,
      `keyOf must be a function or an object of functions by method, received ${shown}`,
    )
  })

  it('keyOf: an object whose entry is not a function', () => {
    expectThrows(
      () => resolve({ keyOf: { resize: 'docId' } }),
      TypeError,
      'keyOf.resize must be a function, received "docId"',
    )
  })

  it.each([
    ['', '""'],
    [7, '7'],
    [null, 'null'],
  ])('taskId: %s', (taskId, shown) => {
    expectThrows(
      () => resolve({ taskId }),
      TypeError,
      `taskId must be a non-empty string, received ${shown}`,
    )
  })

  it.each([
    ['', '""'],
    [Symbol.for('x'), 'Symbol(x)'],
  ])('taskName: %s', (taskName, shown) => {
    expectThrows(
      () => resolve({ taskName }),
      TypeError,
      `taskName must be a non-empty string, received ${shown}`,
    )
  })

  it.each([
    ['random', '"random"'],
    ['least_busy', '"least_busy"'],
  ])('balancer: %s', (balancer, shown) => {
    expectThrows(
      () => resolve({ balancer }),
      TypeError,
      `balancer must be one of "least-busy", "round-robin", received ${shown}`,
    )
  })
})

describe('describe (value rendering for error messages)', () => {
  it.each([
    ['text', '"text"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    [42, '42'],
    [-0.5, '-0.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [undefined, 'undefined'],
    [null, 'null'],
    [10n, '10n'],
    [Symbol('s'), 'Symbol(s)'],
    [[1, 2], 'an array'],
    [{ a: 1 }, 'an object'],
    [new Date(0), 'an object'],
  ])('%s → %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown)
  })

  it('names functions, or calls them anonymous', () => {
    function createWorker() {}
    expect(describeValue(createWorker)).toBe('function createWorker')
    expect(describeValue(Object.defineProperty(() => {}, 'name', { value: '' }))).toBe(
      'function (anonymous)',
    )
  })
})

describe('resolveTaskConfig: durations and sizes a timer or a pool cannot hold', () => {
  it.each(['timeoutMs', 'idleTimeoutMs', 'cancelGraceMs', 'connectTimeoutMs'])(
    '%s: Infinity means never (no timer is armed)',
    (name) => {
      expect(resolve({ [name]: Number.POSITIVE_INFINITY })).toHaveProperty(name, undefined)
    },
  )

  it.each([
    ['timeoutMs', 2 ** 31],
    ['idleTimeoutMs', Number.MAX_SAFE_INTEGER],
    ['cancelGraceMs', 3e9],
    ['connectTimeoutMs', 3e9],
  ])('%s: %s would wrap to 0 in a timer, so it is refused', (name, value) => {
    expectThrows(
      () => resolve({ [name]: value }),
      RangeError,
      `${name} must be at most 2147483647 ms (about 24.8 days), or Infinity for no limit, received ${value}`,
    )
  })

  it('accepts the largest delay a timer holds', () => {
    expect(resolve({ timeoutMs: 2 ** 31 - 1 }).timeoutMs).toBe(2 ** 31 - 1)
  })

  it('poolSize: at most 1024', () => {
    expectThrows(
      () => resolve({ poolSize: 1e6 }),
      RangeError,
      'poolSize must be at most 1024, received 1000000',
    )
    expect(resolve({ poolSize: 1024 }).poolSize).toBe(1024)
  })

  it('a reported core count above the cap gives the cap', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 4096 })
    expect(resolve().poolSize).toBe(1024)
  })
})

describe('resolveTaskConfig: unknown option names', () => {
  it.each([
    ['timeOutMs', 'timeoutMs'],
    ['poolsize', 'poolSize'],
    ['maxInflight', 'maxInFlight'],
    ['queuePolcy', 'queuePolicy'],
    ['keyof', 'keyOf'],
  ])('%s is refused with a suggestion of %s', (name, meant) => {
    let error: unknown
    try {
      resolve({ [name]: 1 })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(
      new RegExp(`^defineTask has no option "${name}"; did you mean "${meant}"\\?`),
    )
  })

  it('a name far from every option is refused and the options listed', () => {
    let error: unknown
    try {
      resolve({ colour: 'red' })
    } catch (caught) {
      error = caught
    }
    expect((error as Error).message).toBe(
      'defineTask has no option "colour" (options: type, worker, init, poolSize, keyOf, timeoutMs, crashPolicy, crashMaxRetries, taskName, taskId, maxInFlight, maxQueueDepth, queuePolicy, balancer, idleTimeoutMs, cancelGraceMs, connectTimeoutMs, streamWindow, priority, priorityAgingMs)',
    )
  })
})

describe('keyOf by method', () => {
  it('gives each method its own function and none to the others', () => {
    const resize = (photo: { docId: string }) => photo.docId
    const resolved = resolve({ keyOf: { resize } })
    expect(resolved.keyOfMethod('resize')).toBe(resize)
    expect(resolved.keyOfMethod('stats')).toBeUndefined()
    // Inherited names are not methods with a key.
    expect(resolved.keyOfMethod('toString')).toBeUndefined()
  })
})

describe('resolveDispatchOptions (task.with)', () => {
  it("copies valid options, so later changes to the caller's object do not leak in", () => {
    const controller = new AbortController()
    const given = { key: 'doc', signal: controller.signal, transfer: [], transferResult: false }
    const resolved = resolveDispatchOptions(given)
    given.key = 'other'
    expect(resolved).toEqual({
      key: 'doc',
      signal: controller.signal,
      transfer: [],
      transferResult: false,
    })
  })

  it.each([
    [{ signal: {} }, 'with(): signal must be an AbortSignal, received an object'],
    [{ key: 7 }, 'with(): key must be a string, received 7'],
    [
      { transfer: 'x' },
      'with(): transfer must be an array of transferables (or [] to copy everything), received "x"',
    ],
    [{ transferResult: 'no' }, 'with(): transferResult must be a boolean, received "no"'],
    [{ trace: {} }, 'with(): trace must be a trace from runtime.createTrace(), received an object'],
    [null, 'with() needs an options object, received null'],
    [{ onProgress: 'log' }, 'with(): onProgress must be a function, received "log"'],
    [{ streamWindow: '4' }, 'with(): streamWindow must be a number, received "4"'],
    [
      { priority: 'high' },
      'with(): priority must be one of "user-blocking", "user-visible", "background", received "high"',
    ],
  ])('%o is refused naming the option', (options, message) => {
    expectThrows(() => resolveDispatchOptions(options), TypeError, message)
  })

  it.each([
    [0, 'with(): streamWindow must be a positive integer, received 0'],
    [2.5, 'with(): streamWindow must be a positive integer, received 2.5'],
    [Number.NaN, 'with(): streamWindow must be a positive integer, received NaN'],
    [2_000_000, 'with(): streamWindow must be at most 1000000, received 2000000'],
  ])('streamWindow %s is out of range', (streamWindow, message) => {
    expectThrows(() => resolveDispatchOptions({ streamWindow }), RangeError, message)
  })

  it('keeps onProgress, streamWindow and priority', () => {
    const onProgress = () => {}
    expect(resolveDispatchOptions({ onProgress, streamWindow: 3, priority: 'background' })).toEqual(
      {
        onProgress,
        streamWindow: 3,
        priority: 'background',
      },
    )
  })

  it('a misspelt option is refused with a suggestion', () => {
    expect(() => resolveDispatchOptions({ singal: new AbortController().signal })).toThrow(
      'with() has no option "singal"; did you mean "signal"?',
    )
  })

  it('a getter that throws surfaces at with(), not at a call', () => {
    const options = {
      get key(): string {
        throw new Error('getter')
      },
    }
    expect(() => resolveDispatchOptions(options)).toThrow('getter')
  })
})
