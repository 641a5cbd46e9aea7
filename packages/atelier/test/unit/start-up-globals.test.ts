/**
 * What importing the library reads of the host. A browser builds an interface (its constructor
 * and prototype) on the first read of its global, a cost every page and every worker would pay
 * at start-up, so the classes only a rare path needs are read on that path. Getters on the
 * globals count the reads.
 */
import { afterAll, expect, test } from 'vitest'

/**
 * The transferables moved whole; the class only the error path asks about; the channel a worker
 * makes on the first turn it has to wait for.
 */
const TRANSFERABLES = [
  'MessagePort',
  'ImageBitmap',
  'OffscreenCanvas',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'VideoFrame',
  'AudioData',
]
const WATCHED = [...TRANSFERABLES, 'DOMException', 'MessageChannel']

const reads = new Map<string, number>()
const undo: Array<() => void> = []
const scope = globalThis as Record<string, unknown>
for (const name of WATCHED) {
  const own = Object.getOwnPropertyDescriptor(globalThis, name)
  const value = scope[name]
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      reads.set(name, (reads.get(name) ?? 0) + 1)
      return value
    },
  })
  undo.push(() => {
    if (own) Object.defineProperty(globalThis, name, own)
    else delete scope[name]
  })
}
afterAll(() => {
  for (const restore of undo) restore()
})

test('importing either entry reads none of them', async () => {
  await import('../../src/index.js')
  await import('../../src/worker.js')
  expect([...reads.keys()]).toEqual([])
})

test('a transfer walk reads the transferable classes once, when it meets an object it does not open', async () => {
  const { findTransferables } = await import('../../src/wire/transfer.js')
  const buffer = new ArrayBuffer(8)
  expect(findTransferables([{ pixels: buffer }, new Map([[1, [2]]]), new Set([3])])).toEqual([
    buffer,
  ])
  expect([...reads.keys()]).toEqual([])

  findTransferables([new (class Model {})()])
  expect([...reads.keys()].sort()).toEqual([...TRANSFERABLES].sort())
  const once = [...reads.values()]
  findTransferables([new (class Other {})()])
  expect([...reads.values()]).toEqual(once)
})

test('serializing an error reads DOMException, which only the error path needs', async () => {
  const { serializeError } = await import('../../src/wire/serialize-error.js')
  expect(reads.get('DOMException')).toBeUndefined()
  // Not an Error: whether it is a DOMException is the next question.
  expect(serializeError({ message: 'thrown as a plain object' }).message).toBe(
    'thrown as a plain object',
  )
  expect(reads.get('DOMException')).toBeGreaterThan(0)
})
