import { afterEach, describe, expect, it } from 'vitest'
import { DetachedBufferError, findTransferables } from '../../src/wire/transfer.js'

const openPorts: MessagePort[] = []

afterEach(() => {
  for (const port of openPorts.splice(0)) port.close()
})

/** Posts `message` across a real MessageChannel with `transfer`, resolving with what arrives. */
function post<T>(message: T, transfer: Transferable[]): Promise<T> {
  const { port1, port2 } = new MessageChannel()
  openPorts.push(port1, port2)
  return new Promise<T>((resolve, reject) => {
    port2.onmessage = (event) => resolve(event.data as T)
    port2.onmessageerror = () => reject(new Error('messageerror'))
    port1.postMessage(message, transfer)
  })
}

function pixels(width: number, height: number): ImageData {
  const image = new ImageData(width, height)
  for (let i = 0; i < image.data.length; i++) image.data[i] = i % 256
  return image
}

describe('findTransferables in Chromium', () => {
  it('lists the pixel buffer of an ImageData', () => {
    const image = pixels(4, 4)
    expect(findTransferables({ image })).toEqual([image.data.buffer])
  })

  it('detects ImageBitmap and OffscreenCanvas', async () => {
    const bitmap = await createImageBitmap(pixels(8, 8))
    const canvas = new OffscreenCanvas(16, 16)
    const found = findTransferables({ frames: [bitmap], target: canvas })
    expect(found).toHaveLength(2)
    expect(found[0]).toBe(bitmap)
    expect(found[1]).toBe(canvas)
    bitmap.close()
  })

  it('lists the buffers under whole typed arrays and DataViews, once each; parts stay copied', () => {
    const shared = new ArrayBuffer(64)
    const bytes = new Uint8Array(shared, 0, 32)
    const floats = new Float32Array(shared, 32, 8)
    const whole = new Float64Array(shared)
    const view = new DataView(new ArrayBuffer(16))
    const clamped = new Uint8ClampedArray(8)
    expect(findTransferables([bytes, floats])).toEqual([])
    const found = findTransferables([bytes, floats, whole, { view }, new Map([['c', clamped]])])
    expect(found).toEqual([shared, view.buffer, clamped.buffer])
  })

  it('a view on WebAssembly memory is never listed: that buffer cannot move', () => {
    const memory = new WebAssembly.Memory({ initial: 1 })
    const bytes = new Uint8Array(4)
    expect(findTransferables([bytes, new Float32Array(memory.buffer, 0, 4)])).toEqual([
      bytes.buffer,
    ])
  })

  it('detects VideoFrame', () => {
    const frame = new VideoFrame(new Uint8Array(4 * 4 * 4), {
      format: 'RGBA',
      codedWidth: 4,
      codedHeight: 4,
      timestamp: 0,
    })
    expect(findTransferables([frame])).toEqual([frame])
    frame.close()
  })

  it('detects AudioData', () => {
    const audio = new AudioData({
      format: 'f32',
      sampleRate: 48_000,
      numberOfFrames: 4,
      numberOfChannels: 1,
      timestamp: 0,
      data: new Float32Array(4),
    })
    expect(findTransferables({ audio })).toEqual([audio])
    audio.close()
  })

  it('finds a list postMessage accepts, and posting it detaches every buffer', async () => {
    const image = pixels(4, 4)
    const bytes = new Uint8Array(32)
    const floats = new Float32Array(8)
    floats.set([1, 2, 3, 4, 5, 6, 7, 8])
    const view = new DataView(new ArrayBuffer(8))
    view.setFloat64(0, Math.PI)
    const bitmap = await createImageBitmap(image)
    const canvas = new OffscreenCanvas(16, 16)
    const stream = new ReadableStream<number>({
      start(controller) {
        controller.enqueue(7)
        controller.close()
      },
    })
    const message = { image, parts: [bytes, floats], view, bitmap, canvas, stream, note: 'x' }

    const transfer = findTransferables(message)
    expect(transfer).toHaveLength(7)
    const received = await post(message, transfer)

    // The sender's buffers are detached: moved, not copied.
    expect(image.data.byteLength).toBe(0)
    expect(bytes.byteLength).toBe(0)
    expect(floats.byteLength).toBe(0)
    expect(view.buffer.byteLength).toBe(0)
    expect(bitmap.width).toBe(0)
    expect(stream.locked).toBe(true)

    // And the receiver has them intact.
    expect(received.image.width).toBe(4)
    expect(received.image.data[5]).toBe(5)
    expect(Array.from(received.parts[1] as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(received.view.getFloat64(0)).toBe(Math.PI)
    expect(received.bitmap.width).toBe(4)
    expect(received.canvas.width).toBe(16)
    const reader = received.stream.getReader()
    expect((await reader.read()).value).toBe(7)
    expect(received.note).toBe('x')
    received.bitmap.close()
  })

  it('returns nothing to transfer once everything has been moved', async () => {
    const floats = new Float64Array(4)
    const message = { floats, nested: { again: floats.buffer } }
    await post(message, findTransferables(message))
    expect(floats.byteLength).toBe(0)
    // Sending the detached buffer again would throw, or (inside an ImageData) arrive as null:
    // the walk refuses it and says where it sits.
    expect(() => findTransferables(message)).toThrow(DetachedBufferError)
    const fresh = new ArrayBuffer(4)
    const { port1 } = new MessageChannel()
    openPorts.push(port1)
    expect(() => port1.postMessage(fresh, [floats.buffer])).toThrow(DOMException)
    let error: unknown
    try {
      findTransferables([fresh, message])
    } catch (caught) {
      error = caught
    }
    expect((error as DetachedBufferError).path).toEqual([1, 'floats'])
  })

  it('refuses an ImageData whose pixels were transferred, which Chromium would deliver as null', async () => {
    const image = new ImageData(4, 4)
    await post(image, findTransferables(image))
    expect(image.data.byteLength).toBe(0)
    let error: unknown
    try {
      findTransferables({ frames: [image] })
    } catch (caught) {
      error = caught
    }
    expect((error as DetachedBufferError).path).toEqual(['frames', 0, 'data'])
  })
})
