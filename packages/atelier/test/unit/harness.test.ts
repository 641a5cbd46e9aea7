/**
 * The worker side without a browser: `serve(handlers, port)` on one end of a Node
 * `MessageChannel`, the test speaking the executor's protocol on the other.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { TimeoutError } from '../../src/errors.js'
import { serve } from '../../src/harness/serve.js'
import type { TaskContext } from '../../src/task-context.js'
import type { ExecutorMessage, HarnessMessage } from '../../src/wire/protocol.js'
import { deserializeError } from '../../src/wire/serialize-error.js'
import { hostileOptions, hostileValue, isEngineMessage } from '../support/hostile.js'
import { mulberry32 } from '../support/random.js'

const ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports.splice(0)) port.close()
})

/** Serves `handlers` and returns the executor's end: post, and read what the harness says. */
function connect(handlers: object) {
  const { port1, port2 } = new MessageChannel()
  ports.push(port1, port2)
  const inbox: HarnessMessage[] = []
  const waiting: Array<() => void> = []
  let messages = 0
  port1.on('message', (message: HarnessMessage) => {
    messages++
    // Answers that travelled together are read one by one, as the executor reads them.
    if (message[0] === 'atelier:answers') inbox.push(...message[1])
    else inbox.push(message)
    for (const wake of waiting.splice(0)) wake()
  })
  serve(handlers, port2 as unknown as Parameters<typeof serve>[1])
  const next = async (match: (m: HarnessMessage) => boolean): Promise<HarnessMessage> => {
    for (;;) {
      const index = inbox.findIndex(match)
      if (index >= 0) return inbox.splice(index, 1)[0]!
      await new Promise<void>((resolve) => waiting.push(resolve))
    }
  }
  return {
    post: (message: ExecutorMessage | unknown) => port1.postMessage(message),
    next,
    answer: (id: number) =>
      next((m) => (m[0] === 'atelier:result' || m[0] === 'atelier:error') && m[1] === id),
    inbox,
    get messages() {
      return messages
    },
  }
}

describe('serve() on a MessagePort', () => {
  it('says it is ready, listing its own handler functions only', async () => {
    const end = connect({ add: (a: number, b: number) => a + b, value: 3 })
    expect(await end.next((m) => m[0] === 'atelier:ready')).toEqual(['atelier:ready', ['add'], []])
  })

  it('runs a call and answers with its result, the context last', async () => {
    const end = connect({
      add: (a: number, b: number, ctx: TaskContext) => ({ sum: a + b, callId: ctx.callId }),
    })
    end.post(['atelier:call', 7, 'add', [2, 3]])
    expect(await end.answer(7)).toEqual(['atelier:result', 7, { sum: 5, callId: '7' }])
  })

  it('an unknown method is an UnknownMethodError naming the available ones', async () => {
    const end = connect({ add: () => 1 })
    end.post(['atelier:call', 1, 'toString', []])
    const answer = await end.answer(1)
    expect(answer[0]).toBe('atelier:error')
    const error = deserializeError((answer as [string, number, never])[2])
    expect(error.name).toBe('UnknownMethodError')
    expect(error.message).toContain('Available: add')
  })

  it('a class instance serves none of its methods, and the error says why', async () => {
    class Counter {
      step(by: number) {
        return by
      }
    }
    const end = connect(new Counter())
    expect(await end.next((m) => m[0] === 'atelier:ready')).toEqual(['atelier:ready', [], []])
    end.post(['atelier:call', 1, 'step', [1]])
    const error = deserializeError(((await end.answer(1)) as [string, number, never])[2])
    expect(error.name).toBe('UnknownMethodError')
    expect(error.message).toBe(
      'Unknown task method "step". Available: (none): serve() takes the object\'s own functions, and a class\'s methods are on its prototype (serve an object literal)',
    )
  })

  it('a cancel aborts the handler with the reason, as its class', async () => {
    let seen: unknown
    const end = connect({
      wait: (ctx: TaskContext) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            seen = ctx.signal.reason
            reject(ctx.signal.reason)
          }),
        ),
    })
    end.post(['atelier:call', 1, 'wait', []])
    end.post(['atelier:cancel', 1, { name: 'TimeoutError', message: 'late', stack: undefined }])
    const answer = await end.answer(1)
    expect(answer[0]).toBe('atelier:error')
    expect(seen).toBeInstanceOf(TimeoutError)
  })

  it('whatever a handler returns or throws, that call fails alone and later calls run', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const detached = new ArrayBuffer(8)
    structuredClone(detached, { transfer: [detached] })
    const results: Record<string, () => unknown> = {
      getter: () => ({
        get boom() {
          throw new Error('getter threw')
        },
      }),
      asyncGetter: async () => ({
        get boom() {
          throw new Error('getter threw')
        },
      }),
      thenThrows: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
        then: () => {
          throw new Error('then threw')
        },
      }),
      thenGetterThrows: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
        get then() {
          throw new Error('then getter threw')
        },
      }),
      func: () => () => 1,
      detached: () => ({ pixels: detached }),
      throwsRevoked: () => {
        throw proxy
      },
      throwsNullProto: () => {
        throw Object.create(null)
      },
    }
    const end = connect({ ...results, ok: () => 'fine' })
    const names = Object.keys(results)
    names.forEach((name, i) => {
      end.post(['atelier:call', i + 1, name, []])
    })
    for (let i = 0; i < names.length; i++) {
      const answer = await end.answer(i + 1)
      expect(answer[0], names[i]).toBe('atelier:error')
    }
    end.post(['atelier:call', 99, 'ok', []])
    expect(await end.answer(99)).toEqual(['atelier:result', 99, 'fine'])
  })

  it('calls that come in one message are answered in one message, in order', async () => {
    const end = connect({ add: (a: number, b: number) => a + b, later: async (x: number) => x })
    await end.next((m) => m[0] === 'atelier:ready')
    const before = end.messages
    end.post([
      'atelier:calls',
      Array.from({ length: 50 }, (_, i) => [
        'atelier:call',
        i + 1,
        i % 2 ? 'later' : 'add',
        [i, 1],
      ]),
    ])
    for (let i = 0; i < 50; i++) {
      expect(await end.answer(i + 1)).toEqual(['atelier:result', i + 1, i % 2 ? i : i + 1])
    }
    // One, unless a call was slowed down (a collection, a busy machine): a call that runs for
    // half a millisecond sends what waits at once, by design.
    expect(end.messages - before).toBeLessThanOrEqual(3)
  })

  it('in a batch, whatever a handler returns or throws fails that call alone', async () => {
    const func = () => () => 1
    const end = connect({
      ok: (x: number) => x,
      func,
      throws: () => {
        throw new Error('boom')
      },
      unknown: undefined as unknown as () => void,
    })
    await end.next((m) => m[0] === 'atelier:ready')
    end.post([
      'atelier:calls',
      [
        ['atelier:call', 1, 'ok', [1]],
        ['atelier:call', 2, 'func', []],
        ['atelier:call', 3, 'ok', [3]],
        ['atelier:call', 4, 'throws', []],
        ['atelier:call', 5, 'nope', []],
        ['atelier:call', 6, 'ok', [6]],
      ],
    ])
    expect(await end.answer(1)).toEqual(['atelier:result', 1, 1])
    const unsendable = await end.answer(2)
    expect(unsendable[0]).toBe('atelier:error')
    expect((unsendable[2] as { message: string }).message).toMatch(
      /^The result of "func" could not be sent back/,
    )
    expect(await end.answer(3)).toEqual(['atelier:result', 3, 3])
    expect((await end.answer(4))[0]).toBe('atelier:error')
    expect((await end.answer(5))[2]).toMatchObject({ name: 'UnknownMethodError' })
    expect(await end.answer(6)).toEqual(['atelier:result', 6, 6])
  })

  it('in a batch, the answers before a slow call go before it runs', async () => {
    const spin = (ms: number) => {
      const until = performance.now() + ms
      while (performance.now() < until) {}
    }
    const end = connect({ quick: (x: number) => x, slow: (ms: number) => spin(ms) })
    await end.next((m) => m[0] === 'atelier:ready')
    // A first slow call, in a batch, teaches the harness that "slow" takes its time.
    end.post(['atelier:calls', [['atelier:call', 1, 'slow', [2]]]])
    await end.answer(1)
    let before = end.messages
    end.post([
      'atelier:calls',
      [
        ['atelier:call', 2, 'quick', [2]],
        ['atelier:call', 3, 'quick', [3]],
      ],
    ])
    await end.answer(3)
    expect(end.messages - before).toBeLessThanOrEqual(2)
    before = end.messages
    end.post([
      'atelier:calls',
      [
        ['atelier:call', 4, 'quick', [4]],
        ['atelier:call', 5, 'slow', [5]],
      ],
    ])
    await end.answer(5)
    // The quick answer went on its own, before the slow call began.
    expect(end.messages - before).toBe(2)
    expect(end.inbox.findIndex((m) => m[1] === 4)).toBeGreaterThanOrEqual(0)
  })

  it('a sync names every call of the message that arrived empty; those never read fail', async () => {
    const end = connect({ add: (a: number, b: number) => a + b })
    end.post(['atelier:call', 1, 'add', [1, 1]])
    await end.answer(1)
    end.post(null)
    expect(await end.next((m) => m[0] === 'atelier:unreadable')).toEqual(['atelier:unreadable', 1])
    // Calls 2 to 4 travelled together in the message that arrived empty.
    end.post(['atelier:sync', [2, 3, 4]])
    for (const id of [2, 3, 4]) expect((await end.answer(id))[0]).toBe('atelier:error')
    end.post(['atelier:call', 5, 'add', [2, 3]])
    expect(await end.answer(5)).toEqual(['atelier:result', 5, 5])
  })

  it('a detached buffer in a result is named by its path', async () => {
    const buffer = new ArrayBuffer(4)
    structuredClone(buffer, { transfer: [buffer] })
    const end = connect({ give: () => ({ frames: [buffer] }) })
    end.post(['atelier:call', 1, 'give', []])
    const answer = await end.answer(1)
    const error = deserializeError((answer as [string, number, never])[2])
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain(
      'The result of "give" holds a detached ArrayBuffer at .frames[0]',
    )
  })

  it('ignores what does not parse, and answers real calls', async () => {
    const end = connect({ add: (a: number, b: number) => a + b })
    for (const junk of [
      ['atelier:call'],
      ['atelier:call', 'x', 'add', [1, 2]],
      ['atelier:call', 1, 5, [1, 2]],
      ['atelier:call', 1, 'add', 'not args'],
      ['atelier:cancel', 'x'],
      ['atelier:sync', 3],
      ['atelier:sync', [3]],
      ['atelier:calls', 'not calls'],
      ['atelier:calls', [['atelier:call', 'x', 'add', [1, 2]], 'junk']],
      { type: 'call' },
      'hello',
    ]) {
      end.post(junk)
    }
    end.post(['atelier:call', 2, 'add', [1, 2]])
    expect(await end.answer(2)).toEqual(['atelier:result', 2, 3])
    expect(end.inbox.filter((m) => m[0] !== 'atelier:ready')).toEqual([])
  })

  it('an unreadable message is reported after the last call read; a sync fails that call only if unread', async () => {
    const end = connect({ add: (a: number, b: number) => a + b })
    end.post(['atelier:call', 4, 'add', [1, 1]])
    await end.answer(4)
    end.post(null)
    expect(await end.next((m) => m[0] === 'atelier:unreadable')).toEqual(['atelier:unreadable', 4])
    // Call 5 was the message that arrived empty: it never came, so the sync fails it.
    end.post(['atelier:call', 6, 'add', [2, 2]])
    end.post(['atelier:sync', [5]])
    const lost = await end.answer(5)
    expect(lost[0]).toBe('atelier:error')
    expect(await end.answer(6)).toEqual(['atelier:result', 6, 4])
    // The app's own null: the call that follows is read, and the sync about it changes nothing.
    end.post(null)
    await end.next((m) => m[0] === 'atelier:unreadable')
    end.post(['atelier:call', 7, 'add', [3, 3]])
    end.post(['atelier:sync', [7]])
    expect(await end.answer(7)).toEqual(['atelier:result', 7, 6])
    end.post(['atelier:call', 8, 'add', [4, 4]])
    expect(await end.answer(8)).toEqual(['atelier:result', 8, 8])
    expect(end.inbox.filter((m) => m[0] !== 'atelier:ready')).toEqual([])
  })

  it('asked which calls it answered, names those read and no longer running', async () => {
    let finish: (value: unknown) => void = () => {}
    const end = connect({
      quick: () => 1,
      slow: () => new Promise((resolve) => (finish = resolve)),
    })
    end.post(['atelier:call', 1, 'quick', []])
    end.post(['atelier:call', 2, 'slow', []])
    await end.answer(1)
    end.post(['atelier:query', [1, 2, 3]])
    // 1 was answered; 2 is still running; 3 never came.
    expect(await end.next((m) => m[0] === 'atelier:answered')).toEqual(['atelier:answered', [1]])
    finish('done')
    expect(await end.answer(2)).toEqual(['atelier:result', 2, 'done'])
  })

  it('a cancel without a readable reason is ignored', async () => {
    let aborted = false
    let finish: (value: unknown) => void = () => {}
    const end = connect({
      slow: (ctx: TaskContext) => {
        ctx.signal.addEventListener('abort', () => (aborted = true))
        return new Promise((resolve) => (finish = resolve))
      },
    })
    end.post(['atelier:call', 1, 'slow', []])
    for (const reason of [undefined, null, 'stop']) {
      end.post(['atelier:cancel', 1, reason])
    }
    end.post(['atelier:query', []])
    await end.next((m) => m[0] === 'atelier:answered')
    expect(aborted).toBe(false)
    finish('ok')
    expect(await end.answer(1)).toEqual(['atelier:result', 1, 'ok'])
  })
})

describe('serve(): its arguments (seeded)', () => {
  it("serves, or throws a TypeError that names serve and what was wrong, never the engine's words", () => {
    const envSeed = (import.meta as { env?: Record<string, string | undefined> }).env
      ?.VITE_FUZZ_SEED
    const base =
      envSeed === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(envSeed ?? 0x5e7e) >>> 0
    for (let round = 0; round < 300; round++) {
      const seed = (base + round) >>> 0
      const random = mulberry32(seed)
      const { port1, port2 } = new MessageChannel()
      ports.push(port1, port2)
      // Handlers: a hostile value, or an object of hostile members (some getters that throw).
      const handlers =
        random() < 0.5 ? hostileValue(random) : hostileOptions(random, ['run', 'stop']).options
      // The endpoint: this channel's port, or a hostile value (never undefined: that would
      // mean this test thread's own parent port).
      const endpoint = random() < 0.5 ? port2 : (hostileValue(random) ?? null)
      try {
        serve(handlers as object, endpoint as never)
      } catch (error) {
        const { message } = error as Error
        expect(error, `seed ${seed}: ${message}`).toBeInstanceOf(TypeError)
        expect(message, `seed ${seed}`).toMatch(/^serve[: ]/)
        expect(isEngineMessage(message), `seed ${seed}: ${message}`).toBe(false)
      }
    }
  })
})

describe('serve(): streams and progress', () => {
  it('announces generator handlers as streaming', async () => {
    const end = connect({ async *tiles() {}, *lines() {}, plain: () => 1 })
    expect(await end.next((m) => m[0] === 'atelier:ready')).toEqual([
      'atelier:ready',
      ['tiles', 'lines', 'plain'],
      ['tiles', 'lines'],
    ])
  })

  it('never runs the generator past its credit; credit lets it go on', async () => {
    let produced = 0
    const end = connect({
      *count(n: number) {
        for (let i = 0; i < n; i++) {
          produced++
          yield i
        }
      },
    })
    end.post(['atelier:call', 1, 'count', [10], undefined, undefined, undefined, 3])
    expect(await end.next((m) => m[0] === 'atelier:chunks')).toEqual([
      'atelier:chunks',
      1,
      [0, 1, 2],
    ])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(produced).toBe(3)
    // The consumer took those three, and grants them back, as the main thread does.
    const rest: unknown[] = []
    let granted = 3
    end.post(['atelier:credit', 1, 3])
    for (;;) {
      const message = await end.next((m) => m[1] === 1)
      if (message[0] !== 'atelier:chunks') {
        expect(message).toEqual(['atelier:end', 1])
        break
      }
      const values = message[2] as unknown[]
      rest.push(...values)
      expect(produced).toBeLessThanOrEqual(granted + 3)
      granted += values.length
      end.post(['atelier:credit', 1, values.length])
    }
    expect(rest).toEqual([3, 4, 5, 6, 7, 8, 9])
  })

  it('a cancel returns the generator, running its finally, and answers with the reason', async () => {
    let cleaned = false
    const end = connect({
      async *forever() {
        try {
          for (let i = 0; ; i++) yield i
        } finally {
          cleaned = true
        }
      },
    })
    end.post(['atelier:call', 4, 'forever', [], undefined, undefined, undefined, 2])
    await end.next((m) => m[0] === 'atelier:chunks')
    end.post(['atelier:cancel', 4, { name: 'TimeoutError', message: 'too slow', stack: undefined }])
    const answer = await end.answer(4)
    expect(cleaned).toBe(true)
    expect(answer[0]).toBe('atelier:error')
    expect(deserializeError((answer as [string, number, never])[2])).toBeInstanceOf(TimeoutError)
  })

  it('progress: one value in flight until acknowledged, the latest kept, all before the answer', async () => {
    let report!: (value: number) => void
    let finish!: () => void
    const end = connect({
      work(ctx: TaskContext) {
        report = (value) => ctx.progress(value)
        return new Promise<string>((resolve) => {
          finish = () => resolve('done')
        })
      },
    })
    end.post(['atelier:call', 9, 'work', [], undefined, undefined, true])
    await end.next((m) => m[0] === 'atelier:ready')
    while (report === undefined) await new Promise((resolve) => setTimeout(resolve, 1))
    report(1)
    report(2)
    report(3)
    expect(await end.next((m) => m[0] === 'atelier:progress')).toEqual(['atelier:progress', 9, 1])
    end.post(['atelier:ack', 9])
    expect(await end.next((m) => m[0] === 'atelier:progress')).toEqual(['atelier:progress', 9, 3])
    report(4)
    finish()
    // Not acknowledged yet, but the call is answering: its latest value goes first.
    expect(await end.next((m) => m[0] === 'atelier:progress' || m[1] === 9)).toEqual([
      'atelier:progress',
      9,
      4,
    ])
    expect(await end.answer(9)).toEqual(['atelier:result', 9, 'done'])
  })

  it('without the progress flag, ctx.progress posts nothing', async () => {
    const end = connect({
      work(ctx: TaskContext) {
        for (let i = 0; i < 100; i++) ctx.progress(i)
        return 'done'
      },
    })
    end.post(['atelier:call', 2, 'work', []])
    expect(await end.answer(2)).toEqual(['atelier:result', 2, 'done'])
    expect(end.inbox.filter((m) => m[0] === 'atelier:progress')).toEqual([])
  })
})
