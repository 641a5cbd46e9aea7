/**
 * Issue 11, classes 8 and 11 meeting: an abort reason is posted to the worker with the cancel,
 * so a reason Chromium cannot clone whole (an ImageData over a detached buffer, which arrives as
 * an empty message) must still reach the running handler, or the handler runs on and holds its
 * worker until it returns (or `cancelGraceMs` kills it).
 */
import { describe, expect, test } from 'vitest'
import { defineHostile, expectNoPageErrors, sleep } from './fixtures/hostile-define'

expectNoPageErrors()

class Frame {
  constructor(readonly image: ImageData) {}
}

/** An ImageData whose pixels were transferred away (here, by posting them to nowhere). */
function detachedImage(): ImageData {
  const image = new ImageData(4, 4)
  structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
  return image
}

describe('an abort reason holding an ImageData over a detached buffer', () => {
  test('still reaches the running handler: its worker is not left to run on', async () => {
    // cancelGraceMs replaces a worker whose handler ignores (or never hears of) its cancel.
    const { task, workers } = defineHostile({ cancelGraceMs: 200, timeoutMs: 5000 })
    await task.startWorkers()
    const controller = new AbortController()
    const call = task
      .with({ signal: controller.signal })
      .sleep(10_000)
      .catch((e: unknown) => e)
    await sleep(20)
    const reason = { image: detachedImage() }
    controller.abort(reason)
    expect(await call).toBe(reason)
    // The handler heard and stopped: the same worker answers the next call.
    await expect(task.whoami()).resolves.toBe('0')
    expect(workers.created).toBe(1)
  })

  test('inside a class instance (not walked), it still reaches the running handler', async () => {
    const { task, workers } = defineHostile({ cancelGraceMs: 200, timeoutMs: 5000 })
    await task.startWorkers()
    const controller = new AbortController()
    const call = task
      .with({ signal: controller.signal })
      .sleep(10_000)
      .catch((e: unknown) => e)
    await sleep(20)
    const reason = new Frame(detachedImage())
    controller.abort(reason)
    expect(await call).toBe(reason)
    await expect(task.whoami()).resolves.toBe('0')
    expect(workers.created).toBe(1)
  })
})
