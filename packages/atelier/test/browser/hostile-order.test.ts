/**
 * Lost messages after a replay (issues 11, classes 2 and 11). The worker traces a message that
 * arrived empty to its call by call ids, which assumes a worker reads its calls in increasing
 * id order. A call replayed after a crash takes a new id, above those of calls admitted while it
 * waited, yet goes first: the worker then reads a higher id before lower ones. An empty call
 * message or an empty answer in that window must still fail its call, not leave it hanging.
 */
import { describe, expect, test } from 'vitest'
import { TimeoutError } from '../../src/index'
import { defineHostile, expectDrained, expectNoPageErrors, until } from './fixtures/hostile-define'

expectNoPageErrors()

class Frame {
  constructor(readonly image: ImageData) {}
}

function detachedImage(): ImageData {
  const image = new ImageData(2, 2)
  structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
  return image
}

/** A singleton that replays a crashed call; calls are bounded so a hang shows as a timeout. */
function replaying() {
  return defineHostile({
    maxInFlight: 2,
    maxQueueDepth: 4,
    crashPolicy: 'restart-requeue-in-flight',
    timeoutMs: 3000,
  })
}

describe('after a replay, calls reach the new worker out of id order', () => {
  test('an argument that arrives empty still fails its call', async () => {
    const { task } = replaying()
    // Closes worker "0", so it is replayed on worker "1" with a new id.
    const replayed = task.closeInFirstWorker(7)
    await until(() => task.getState().lastCrash !== undefined, 3000, 'the first worker closed')
    // Admitted during the restart delay: a lower id than the replay's, dispatched after it.
    const empty = task.echo(new Frame(detachedImage())).catch((e: unknown) => e)
    await expect(replayed).resolves.toBe('7@1')
    const error = await empty
    expect(error).not.toBeInstanceOf(TimeoutError)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/received this call empty/)
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })

  test('an answer that arrives empty still fails its call, and frees its place', async () => {
    const { task } = replaying()
    // Closes worker "0"; replayed on worker "1", where its answer cannot be cloned whole.
    const replayed = task.emptyAnswerAfterFirstWorker().catch((e: unknown) => e)
    await until(() => task.getState().lastCrash !== undefined, 3000, 'the first worker closed')
    // Admitted during the restart delay, read by the new worker after the replay.
    const neighbour = task.sleep(50)
    const error = await replayed
    expect(error).not.toBeInstanceOf(TimeoutError)
    expect(error).toBeInstanceOf(TypeError)
    await expect(neighbour).resolves.toBe(50)
    await expect(task.add(1, 2)).resolves.toBe(3)
    expectDrained(task)
  })
})
