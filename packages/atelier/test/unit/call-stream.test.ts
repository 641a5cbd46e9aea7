/**
 * The caller's side of a stream on its own, with a fake engine: the modes (iterated, awaited,
 * neither yet), credit, the ends, and a seeded property test over random interleavings of a
 * producer that spends credit and a consumer that pulls, awaits, or leaves.
 */
import { describe, expect, it } from 'vitest'
import { Call, STREAM_END } from '../../src/engine/call.js'
import { CallStream } from '../../src/engine/call-stream.js'
import type { CallOutcome } from '../../src/outcomes.js'
import { recordUnhandledRejections } from '../support/async.js'
import { mulberry32 } from '../support/random.js'

const unhandled = recordUnhandledRejections()

/** A stream over a fake engine: grants add credit; a cancel settles the stream as the desk would. */
function setup(window: number, method = 'tiles') {
  const engine = {
    credit: window,
    granted: 0,
    cancels: [] as unknown[],
    grant(_call: Call, chunks: number) {
      this.credit += chunks
      this.granted += chunks
    },
    cancel(_call: Call, reason: unknown, kind: CallOutcome) {
      this.cancels.push(reason)
      stream.finish(false, reason, kind)
    },
    graceExpired() {},
    reprioritize() {},
  }
  const call = new Call(engine, 1, method, [], undefined, { streamWindow: window, priority: 1 })
  const stream = new CallStream(engine, call)
  /** What a producer respecting credit may send. */
  const send = (values: unknown[]) => {
    expect(values.length).toBeLessThanOrEqual(engine.credit)
    engine.credit -= values.length
    stream.push(values)
  }
  return { engine, stream, send }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('CallStream', () => {
  it('iterated: chunks in order, credit back in halves of the window, then done', async () => {
    const { engine, stream, send } = setup(4)
    const iterator = stream[Symbol.asyncIterator]()
    send([0, 1, 2, 3])
    expect(await iterator.next()).toEqual({ value: 0, done: false })
    expect(engine.granted).toBe(0)
    await iterator.next()
    expect(engine.granted).toBe(2)
    await iterator.next()
    await iterator.next()
    expect(engine.granted).toBe(4)
    const pending = iterator.next()
    stream.finish(true, STREAM_END, 'ok')
    expect(await pending).toEqual({ value: undefined, done: true })
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
  })

  it('awaited: collects every chunk, granting credit as they arrive', async () => {
    const { engine, stream, send } = setup(2)
    send([1, 2])
    const all = stream.then((chunks) => chunks)
    expect(engine.granted).toBe(2)
    send([3])
    stream.finish(true, STREAM_END, 'ok')
    expect(await all).toEqual([1, 2, 3])
  })

  it('neither yet: holds what came; an error waits to be looked at', async () => {
    const { stream, send } = setup(3)
    send([1, 2])
    stream.finish(false, new RangeError('late'), 'exception')
    await flush()
    expect(unhandled.reasons).toEqual([])
    const iterator = stream[Symbol.asyncIterator]()
    expect((await iterator.next()).value).toBe(1)
    expect((await iterator.next()).value).toBe(2)
    await expect(iterator.next()).rejects.toThrow('late')
    expect(await iterator.next()).toEqual({ value: undefined, done: true })
  })

  it("a cancellation drops what was not read; the worker's error comes after it", async () => {
    const cancelled = setup(4)
    const it1 = cancelled.stream[Symbol.asyncIterator]()
    cancelled.send([1, 2, 3])
    cancelled.stream.finish(false, new Error('timeout'), 'timeout')
    await expect(it1.next()).rejects.toThrow('timeout')

    const failed = setup(4)
    const it2 = failed.stream[Symbol.asyncIterator]()
    failed.send([1, 2])
    failed.stream.finish(false, new Error('threw'), 'exception')
    expect((await it2.next()).value).toBe(1)
    expect((await it2.next()).value).toBe(2)
    await expect(it2.next()).rejects.toThrow('threw')
  })

  it('return() cancels once, answers waiting next() calls with done', async () => {
    const { engine, stream } = setup(4)
    const iterator = stream[Symbol.asyncIterator]()
    const waiting = iterator.next()
    expect(await iterator.return!()).toEqual({ value: undefined, done: true })
    expect(await waiting).toEqual({ value: undefined, done: true })
    await iterator.return!()
    expect(engine.cancels).toHaveLength(1)
    expect((engine.cancels[0] as Error).name).toBe('AbortError')
  })

  it('a plain answer resolves the promise, and fails iteration with a TypeError', async () => {
    const awaited = setup(4)
    awaited.stream.finish(true, 42, 'ok')
    expect(await awaited.stream).toBe(42)
    const iterated = setup(4, 'plain')
    const iterator = iterated.stream[Symbol.asyncIterator]()
    iterated.stream.finish(true, 42, 'ok')
    await expect(iterator.next()).rejects.toThrow('"plain" does not stream')
  })

  it('promise methods derive plain promises', () => {
    const { stream } = setup(1)
    const derived = stream.then(() => 1)
    expect(Object.getPrototypeOf(derived)).toBe(Promise.prototype)
    expect(stream).toBeInstanceOf(Promise)
  })
})

describe('CallStream under random interleavings', () => {
  it.each(Array.from({ length: 40 }, (_, i) => 1000 + i))('seed %i', async (seed) => {
    const random = mulberry32(seed)
    const window = 1 + Math.floor(random() * 8)
    const total = Math.floor(random() * 60)
    const { engine, stream, send } = setup(window)
    const mode = random() < 0.6 ? 'iterate' : random() < 0.5 ? 'await' : 'late-await'
    const ending = random() < 0.7 ? 'ok' : random() < 0.5 ? 'exception' : 'abort'
    const leaveAt = mode === 'iterate' && random() < 0.3 ? Math.floor(random() * total) : -1

    let sent = 0
    let ended = false
    const taken: unknown[] = []
    let iterationError: unknown
    let iterationDone = false
    let awaited: Promise<unknown> | undefined
    const iterator = mode === 'iterate' ? stream[Symbol.asyncIterator]() : undefined
    if (mode === 'await')
      awaited = stream.then(
        (v) => v,
        (e: unknown) => ({ error: e }),
      )
    let pulling: Promise<void> | undefined

    for (let step = 0; step < 2000 && !(ended && (mode !== 'iterate' || iterationDone)); step++) {
      const roll = random()
      if (!ended && roll < 0.45 && engine.credit > 0 && sent < total) {
        const k = 1 + Math.floor(random() * Math.min(engine.credit, total - sent))
        send(Array.from({ length: k }, (_, i) => sent + i))
        sent += k
      } else if (!ended && sent === total && roll < 0.6) {
        ended = true
        if (ending === 'ok') stream.finish(true, STREAM_END, 'ok')
        else stream.finish(false, new Error(ending), ending === 'abort' ? 'abort' : 'exception')
      } else if (iterator && !pulling && !iterationDone) {
        pulling = iterator.next().then(
          (result) => {
            pulling = undefined
            if (result.done) iterationDone = true
            else taken.push(result.value)
            if (taken.length === leaveAt + 1 && leaveAt >= 0) {
              iterationDone = true
              void iterator.return!()
            }
          },
          (error: unknown) => {
            pulling = undefined
            iterationError = error
            iterationDone = true
          },
        )
      }
      // Never more unread than the window, whatever the interleaving.
      expect(stream.unread).toBeLessThanOrEqual(window)
      await flush()
    }
    if (mode === 'late-await')
      awaited = stream.then(
        (v) => v,
        (e: unknown) => ({ error: e }),
      )
    await flush()

    const all = Array.from({ length: sent }, (_, i) => i)
    if (mode === 'iterate') {
      // In order, no gaps, no repeats: a prefix of what was sent.
      expect(taken).toEqual(all.slice(0, taken.length))
      expect(engine.granted).toBeLessThanOrEqual(taken.length)
      if (leaveAt < 0 && ended && ending !== 'abort') expect(taken).toEqual(all)
      if (leaveAt < 0 && ended && ending !== 'ok')
        expect((iterationError as Error).message).toBe(ending)
      expect(engine.cancels.length).toBeLessThanOrEqual(1)
    } else if (ended) {
      const result = await awaited
      if (ending === 'ok') expect(result).toEqual(all)
      else expect((result as { error: Error }).error.message).toBe(ending)
    }
    expect(unhandled.reasons).toEqual([])
  })
})
