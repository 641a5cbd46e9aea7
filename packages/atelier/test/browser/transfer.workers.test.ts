import { describe, expect, test } from 'vitest'
import { define } from './fixtures/define'

describe('transfers with real workers', () => {
  test('by default, buffers in the arguments are transferred (detached here)', async () => {
    const { task } = define({ type: 'singleton' })
    const buffer = new ArrayBuffer(1024)
    const view = new Uint8Array(new ArrayBuffer(256))
    await expect(task.byteLength(buffer)).resolves.toBe(1024)
    expect(buffer.byteLength).toBe(0)
    await expect(task.echo({ nested: [view] })).resolves.toMatchObject({
      nested: [expect.any(Uint8Array)],
    })
    expect(view.byteLength).toBe(0)
  })

  test('transfer: [] copies everything, leaving the caller its buffers', async () => {
    const { task } = define({ type: 'singleton' })
    const buffer = new ArrayBuffer(1024)
    await expect(task.with({ transfer: [] }).byteLength(buffer)).resolves.toBe(1024)
    expect(buffer.byteLength).toBe(1024)
  })

  test('an explicit list transfers exactly what it lists', async () => {
    const { task } = define({ type: 'singleton' })
    const moved = new ArrayBuffer(16)
    const kept = new ArrayBuffer(32)
    await task.with({ transfer: [moved] }).echo([moved, kept])
    expect(moved.byteLength).toBe(0)
    expect(kept.byteLength).toBe(32)
  })

  test('results are transferred back by default: the worker loses its copy', async () => {
    const { task } = define({ type: 'singleton' })
    const result = await task.keptBuffer()
    expect(result.byteLength).toBe(8)
    await expect(task.keptByteLength()).resolves.toBe(0)
  })

  test('transferResult: false copies the result, leaving the worker its buffer', async () => {
    const { task } = define({ type: 'singleton' })
    await task.resetKept()
    const result = await task.with({ transferResult: false }).keptBuffer()
    expect(result.byteLength).toBe(8)
    await expect(task.keptByteLength()).resolves.toBe(8)
  })

  test('views on parts of a buffer are copied, unless the buffer is listed', async () => {
    const { task } = define({ type: 'singleton' })
    const buffer = new ArrayBuffer(64)
    const a = new Uint8Array(buffer, 0, 32)
    const b = new Uint8Array(buffer, 32, 32)
    const [ra, rb] = (await task.echo([a, b])) as Uint8Array[]
    // Still one buffer on arrival (structured cloning keeps the sharing), and still ours.
    expect(ra!.buffer).toBe(rb!.buffer)
    expect(buffer.byteLength).toBe(64)
    await task.with({ transfer: [buffer] }).echo([a, b])
    expect(buffer.byteLength).toBe(0)
  })

  test('an argument that cannot be cloned fails that call only, naming the argument', async () => {
    const { task } = define({ type: 'singleton' })
    const error = await task.add(1, (() => 2) as unknown as number).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toContain('Argument 1')
    expect(task.getState().queueDepth).toBe(0)
    await expect(task.add(1, 2)).resolves.toBe(3)
  })

  test('a result that cannot be cloned fails that call only', async () => {
    const { task } = define({ type: 'singleton' })
    const error = await task.returnFunction().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toContain('"returnFunction"')
    await expect(task.add(2, 2)).resolves.toBe(4)
  })
})
