/**
 * Values from another realm (an iframe's globals), which `instanceof` does not recognise: a real
 * AbortSignal must still be taken for one (class 10, a wrong error otherwise), and buffers and
 * images, which transfer detection does not recognise, are copied, or fail their call alone.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { defineHostile, expectNoPageErrors, sleep } from './fixtures/hostile-define'

expectNoPageErrors()

const frames: HTMLIFrameElement[] = []
afterEach(() => {
  for (const frame of frames.splice(0)) frame.remove()
})

/** The globals of a fresh same-origin iframe. */
function otherRealm(): typeof globalThis {
  const frame = document.createElement('iframe')
  document.body.append(frame)
  frames.push(frame)
  return frame.contentWindow as unknown as typeof globalThis
}

describe('an AbortSignal from another realm', () => {
  test('is accepted by with(), and aborting it cancels the call with its reason', async () => {
    const realm = otherRealm()
    const controller = new realm.AbortController()
    const { task } = defineHostile({ timeoutMs: 5000 })
    await task.startWorkers()
    const call = task
      .with({ signal: controller.signal })
      .sleep(3000)
      .catch((e: unknown) => e)
    await sleep(20)
    controller.abort('stop')
    expect(await call).toBe('stop')
    await expect(task.add(1, 1)).resolves.toBe(2)
  })
})

describe('buffers and images from another realm', () => {
  test('an ArrayBuffer is copied (not recognised, so not transferred); the call succeeds', async () => {
    const realm = otherRealm()
    const bytes = new realm.Uint8Array([1, 2, 3])
    const { task } = defineHostile()
    await expect(task.sizes([bytes])).resolves.toEqual([3])
    expect(bytes.byteLength).toBe(3)
  })

  test('an ImageData over a detached buffer fails its call alone', async () => {
    const realm = otherRealm()
    const image = new realm.ImageData(2, 2)
    structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
    const { task } = defineHostile({ timeoutMs: 5000 })
    const error = await task.echo(image).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    await expect(task.add(2, 2)).resolves.toBe(4)
  })
})
