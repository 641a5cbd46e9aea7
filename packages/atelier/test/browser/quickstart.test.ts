/** The README's quick start, run as written: if this fails, so does the first thing a user tries. */
import { expect, test } from 'vitest'
import { AbortError, createTaskRuntime } from '../../src/index'
import type { Photo, ResizeAPI } from './fixtures/quickstart.worker'

test('the quick start resizes, transfers, and cancels by key', async () => {
  const runtime = createTaskRuntime()
  const resize = runtime.defineTask<ResizeAPI>({
    type: 'parallel',
    worker: () =>
      new Worker(new URL('./fixtures/quickstart.worker.ts', import.meta.url), { type: 'module' }),
    keyOf: { resize: (photo) => photo.docId }, // cancellation key
    timeoutMs: 10_000,
  })

  const photo: Photo = { docId: 'doc-123', image: new ImageData(640, 480) }
  const small = await resize.resize(photo, 320) // runs in a worker; the pixels are transferred
  expect([small.width, small.height]).toEqual([320, 240])
  expect(photo.image.data.byteLength).toBe(0)
  // The same photo again: its pixels are gone, and the call says so at once.
  await expect(resize.resize(photo, 160)).rejects.toThrow(/detached ArrayBuffer at \.image\.data/)

  const pending = resize.resize({ docId: 'doc-123', image: new ImageData(64, 64) }, 32)
  runtime.abortTaskController.abort('doc-123') // cancels every queued and running call for doc-123
  await expect(pending).rejects.toBeInstanceOf(AbortError)
  await resize.dispose()
})
