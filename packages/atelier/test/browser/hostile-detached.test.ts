/**
 * Issue 11, class 11: detached buffers. A buffer an earlier call transferred is empty here; sending
 * it again fails that call at once with a TypeError naming the argument and where the buffer sits,
 * posts nothing, and leaves the worker free. An ImageData over a detached buffer hidden where the
 * walk does not look (inside a class instance) reaches the worker as an empty message: that call
 * fails too ("received this call empty") instead of hanging, and its neighbours are answered.
 */
import { describe, expect, test } from 'vitest'
import {
  defineHostile,
  expectDrained,
  expectNoPageErrors,
  settleCounter,
} from './fixtures/hostile-define'

expectNoPageErrors()

function pixels(): ImageData {
  const image = new ImageData(4, 4)
  image.data.fill(7)
  return image
}

class Frame {
  constructor(readonly image: ImageData) {}
}

/** An ImageData whose pixels were transferred away (here, by posting them to nowhere). */
function detachedImage(): ImageData {
  const image = pixels()
  structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
  return image
}

describe('an ImageData sent twice', () => {
  test('alone: the second call rejects at once naming the argument and .data; nothing is posted', async () => {
    const { task } = defineHostile()
    const image = pixels()
    const first = (await task.echo(image)) as ImageData
    expect(first.data[0]).toBe(7)
    expect(image.data.byteLength).toBe(0)
    const error = await task.echo(image).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(
      /^Argument 0 of "echo" holds a detached ArrayBuffer at \.data: an earlier call transferred it/,
    )
    expect(task.getState()).toMatchObject({ totalDispatched: 1, queueDepth: 0, busyWorkers: 0 })
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })

  test.each([
    ['a singleton (the others wait their turn)', 'singleton'],
    ['a pool of three (all dispatched together)', 'parallel'],
  ] as const)(
    'in Promise.all over three calls on %s: one succeeds, the others fail naming .data',
    async (_, type) => {
      const { task } = defineHostile(
        type === 'parallel' ? { type, poolSize: 3, maxInFlight: 3 } : { maxQueueDepth: 4 },
      )
      await task.startWorkers()
      const image = pixels()
      const calls = [0, 1, 2].map(() => settleCounter(task.echo(image)))
      const results = await Promise.all(calls.map((c) => c.result))
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      for (const result of results.filter((r) => !r.ok)) {
        expect(result.error).toBeInstanceOf(TypeError)
        expect(result.error.message).toMatch(
          /^Argument 0 of "echo" holds a detached ArrayBuffer at \.data/,
        )
      }
      expect(calls.every((c) => c.count() === 1)).toBe(true)
      expect(task.getState()).toMatchObject({ totalDispatched: 1, queueDepth: 0, busyWorkers: 0 })
      await expect(task.add(2, 2)).resolves.toBe(4)
      expectDrained(task)
    },
  )
})

describe('other containers of a detached buffer name its path', () => {
  const CASES: Array<[string, () => { value: unknown; view: ArrayBufferView }, RegExp]> = [
    [
      'a typed array',
      () => {
        const view = new Float64Array(4)
        return { value: view, view }
      },
      /^Argument 0 of "echo" holds a detached ArrayBuffer: /,
    ],
    [
      'a DataView in an array',
      () => {
        const view = new DataView(new ArrayBuffer(8))
        return { value: [1, view], view }
      },
      / at \[1\]: /,
    ],
    [
      'a nested object',
      () => {
        const view = new Uint8Array(16)
        return { value: { frame: { meta: 1, pixels: view } }, view }
      },
      / at \.frame\.pixels: /,
    ],
    [
      'a Map value',
      () => {
        const view = new Int16Array(4)
        return {
          value: new Map<string, unknown>([
            ['a', 1],
            ['b', view],
          ]),
          view,
        }
      },
      / at \[map value #1\]: /,
    ],
    [
      'a Set',
      () => {
        const view = new Uint32Array(2)
        return { value: new Set<unknown>(['x', view]), view }
      },
      / at \[set item #1\]: /,
    ],
  ]

  test.each(CASES)('%s', async (_, make, path) => {
    const { task } = defineHostile()
    const { value, view } = make()
    await task.echo(value)
    expect(view.buffer.byteLength).toBe(0)
    const error = await task.echo(value).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/holds a detached ArrayBuffer/)
    expect((error as Error).message).toMatch(path)
    expect(task.getState()).toMatchObject({ totalDispatched: 1, busyWorkers: 0 })
    await expect(task.add(1, 1)).resolves.toBe(2)
  })
})

describe('an ImageData over a detached buffer inside a class instance (not walked)', () => {
  test('the call fails as received empty instead of hanging; the worker answers the next', async () => {
    const { task } = defineHostile({ timeoutMs: 5000 })
    const error = await task.echo(new Frame(detachedImage())).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/received this call empty/)
    await expect(task.add(1, 2)).resolves.toBe(3)
    expect(task.getState().lastCrash).toBeUndefined()
    expectDrained(task)
  })

  test('pipelined between other calls on one worker: only that call fails', async () => {
    const { task } = defineHostile({ maxInFlight: 5, timeoutMs: 5000 })
    await task.startWorkers()
    const calls = [
      settleCounter(task.echo('before')),
      settleCounter(task.echo(new Frame(detachedImage()))),
      settleCounter(task.echo('between')),
      settleCounter(task.echo({ frame: new Frame(detachedImage()) })),
      settleCounter(task.echo('after')),
    ]
    const results = await Promise.all(calls.map((c) => c.result))
    expect(results[0]).toEqual({ ok: true, value: 'before' })
    expect(results[2]).toEqual({ ok: true, value: 'between' })
    expect(results[4]).toEqual({ ok: true, value: 'after' })
    for (const i of [1, 3]) {
      expect(results[i]!.ok).toBe(false)
      expect(results[i]!.ok || results[i]!.error.message).toMatch(/received this call empty/)
    }
    expect(calls.every((c) => c.count() === 1)).toBe(true)
    await expect(task.add(2, 3)).resolves.toBe(5)
    expectDrained(task)
  })
})
