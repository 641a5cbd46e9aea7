/**
 * Issue 11, class 10: a view on WebAssembly memory is copied (its buffer cannot be transferred),
 * the call succeeds and the memory stays attached, wherever the view sits among the arguments.
 * Chromium detaches the transferables of a message one by one and throws at the first it cannot
 * move, so a buffer listed before the memory's would be lost (detached, yet never sent).
 */
import { describe, expect, test } from 'vitest'
import { defineHostile, expectNoPageErrors } from './fixtures/hostile-define'

expectNoPageErrors()

function wasmView(): { memory: WebAssembly.Memory; view: Float32Array } {
  const memory = new WebAssembly.Memory({ initial: 1 })
  const view = new Float32Array(memory.buffer, 0, 4)
  view.set([1, 2, 3, 4])
  return { memory, view }
}

/** Whether `value` (arrays and Maps, searched deeply) holds a Uint8Array with these bytes. */
function holdsBytes(value: unknown, bytes: number[]): boolean {
  if (value instanceof Uint8Array) return Array.from(value).join() === bytes.join()
  if (Array.isArray(value)) return value.some((item) => holdsBytes(item, bytes))
  if (value instanceof Map) {
    return [...value.keys(), ...value.values()].some((item) => holdsBytes(item, bytes))
  }
  return false
}

describe('a view on WebAssembly memory after an ordinary buffer', () => {
  test.each([
    ['in one array', (bytes: Uint8Array, view: Float32Array) => [[bytes, view]]],
    ['in two arguments', (bytes: Uint8Array, view: Float32Array) => [bytes, view]],
    ['in a Map', (bytes: Uint8Array, view: Float32Array) => [new Map([[bytes, view]])]],
  ])('%s: the call succeeds, and neither buffer is lost', async (_, args) => {
    const { task } = defineHostile()
    const { memory, view } = wasmView()
    const bytes = new Uint8Array([9, 8, 7])
    const echo = task.echo as unknown as (...values: unknown[]) => Promise<unknown>
    const result = await echo(...args(bytes, view)).catch((e: unknown) => e)
    expect(result).not.toBeInstanceOf(Error)
    expect(memory.buffer.byteLength).toBe(65_536)
    // Copied (still here), or moved to the worker and back in the result: never just emptied.
    expect(bytes.byteLength === 3 || holdsBytes(result, [9, 8, 7])).toBe(true)
    await expect(task.add(1, 1)).resolves.toBe(2)
  })
})
