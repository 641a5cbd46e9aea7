import { afterEach, describe, expect, it } from 'vitest'
import {
  DetachedBufferError,
  findTransferables,
  formatPath,
  isDetached,
  MAX_TRANSFER_DEPTH,
} from '../../src/wire/transfer.js'

const openPorts: MessagePort[] = []

function channel(): MessageChannel {
  const ch = new MessageChannel()
  openPorts.push(ch.port1, ch.port2)
  return ch
}

afterEach(() => {
  for (const port of openPorts.splice(0)) port.close()
})

function nest(value: unknown, levels: number): unknown {
  let out = value
  for (let i = 0; i < levels; i++) out = [out]
  return out
}

describe('findTransferables', () => {
  it('returns the same frozen empty array for primitives and objects without transferables', () => {
    const empty = findTransferables(1)
    expect(empty).toEqual([])
    expect(Object.isFrozen(empty)).toBe(true)
    for (const value of [
      undefined,
      null,
      'text',
      42,
      true,
      10n,
      Symbol('s'),
      () => {},
      {},
      [],
      { a: 1, b: 'two', c: [3, { d: null }] },
      new Map([['k', 1]]),
      new Set([1, 2]),
    ]) {
      expect(findTransferables(value)).toBe(empty)
    }
  })

  it('finds an ArrayBuffer passed directly', () => {
    const buffer = new ArrayBuffer(8)
    expect(findTransferables(buffer)).toEqual([buffer])
  })

  it('finds buffers nested in arrays and plain objects, in the order met', () => {
    const a = new ArrayBuffer(4)
    const b = new ArrayBuffer(4)
    const c = new ArrayBuffer(4)
    const found = findTransferables({ first: a, list: [1, { deep: [b] }], last: { c } })
    expect(found).toEqual([a, b, c])
    expect(found[0]).toBe(a)
    expect(found[1]).toBe(b)
    expect(found[2]).toBe(c)
  })

  it('walks null-prototype objects', () => {
    const buffer = new ArrayBuffer(4)
    const record = Object.create(null) as Record<string, unknown>
    record.payload = buffer
    expect(findTransferables(record)).toEqual([buffer])
  })

  it('does not walk objects whose prototype is another object', () => {
    const buffer = new ArrayBuffer(4)
    const child = Object.create({ inherited: buffer }) as Record<string, unknown>
    child.own = buffer
    expect(findTransferables({ child })).toHaveLength(0)
  })

  it('reads only own keys of plain objects', () => {
    const buffer = new ArrayBuffer(4)
    const proto = Object.prototype as Record<string, unknown>
    proto.polluted = buffer
    try {
      expect(findTransferables({ a: 1 })).toHaveLength(0)
    } finally {
      delete proto.polluted
    }
  })

  it('lists the buffer under typed arrays and DataViews', () => {
    const u8 = new Uint8Array(16)
    const f64 = new Float64Array(2)
    const view = new DataView(new ArrayBuffer(8))
    expect(findTransferables([u8, f64, view])).toEqual([u8.buffer, f64.buffer, view.buffer])
  })

  it('lists a buffer once however many times it is reached', () => {
    const buffer = new ArrayBuffer(32)
    const head = new Uint8Array(buffer, 0, 16)
    const tail = new Float32Array(buffer, 16, 4)
    const view = new DataView(buffer)
    const found = findTransferables({ buffer, again: buffer, head, tail, nested: [view, head] })
    expect(found).toEqual([buffer])
  })

  it('still deduplicates past the point where it switches to a Set', () => {
    const buffers = Array.from({ length: 40 }, () => new ArrayBuffer(1))
    const found = findTransferables([buffers, buffers.map((b) => new Uint8Array(b)), buffers])
    expect(found).toHaveLength(40)
    expect(new Set(found).size).toBe(40)
    expect(found).toEqual(buffers)
  })

  it('terminates on cycles and still finds what they hold', () => {
    const buffer = new ArrayBuffer(4)
    const self: Record<string, unknown> = { buffer }
    self.self = self
    expect(findTransferables(self)).toEqual([buffer])

    const list: unknown[] = []
    list.push(list, { back: list, buffer })
    expect(findTransferables(list)).toEqual([buffer])

    const a: Record<string, unknown> = {}
    const b: Record<string, unknown> = { a }
    a.b = b
    const other = new ArrayBuffer(4)
    a.buffer = other
    const map = new Map<unknown, unknown>([[a, b]])
    map.set('map', map)
    expect(findTransferables([map, a, b])).toEqual([other])
  })

  it('opens each container once, the root included', () => {
    let reads = 0
    const buffer = new ArrayBuffer(4)
    const root: Record<string, unknown> = {
      get counted() {
        reads++
        return buffer
      },
    }
    root.self = root
    root.list = [root, { root }]
    expect(findTransferables(root)).toEqual([buffer])
    expect(reads).toBe(1)
  })

  it('walks a shared (non-cyclic) container once per call but finds its contents', () => {
    const buffer = new ArrayBuffer(4)
    const shared = { buffer }
    expect(findTransferables([shared, shared, { shared }])).toEqual([buffer])
  })

  it(`inspects values down to depth ${MAX_TRANSFER_DEPTH} and no deeper`, () => {
    const atCap = new ArrayBuffer(4)
    expect(findTransferables(nest(atCap, MAX_TRANSFER_DEPTH))).toEqual([atCap])
    const beyond = new ArrayBuffer(4)
    expect(findTransferables(nest(beyond, MAX_TRANSFER_DEPTH + 1))).toHaveLength(0)
    // A deep chain does not overflow the stack.
    expect(findTransferables(nest(new ArrayBuffer(4), 100_000))).toHaveLength(0)
  })

  it('never lists SharedArrayBuffers or views on them', () => {
    const shared = new SharedArrayBuffer(16)
    const plain = new ArrayBuffer(16)
    const found = findTransferables({ shared, view: new Int32Array(shared), plain })
    expect(found).toEqual([plain])
  })

  it('refuses a detached buffer at any depth, naming where it sits', () => {
    const detach = <T extends ArrayBuffer | ArrayBufferView>(value: T): T => {
      const buffer = value instanceof ArrayBuffer ? value : (value.buffer as ArrayBuffer)
      structuredClone(buffer, { transfer: [buffer] })
      return value
    }
    const buffer = () => detach(new ArrayBuffer(16))
    const cases: Array<[unknown, string]> = [
      [buffer(), '(the value itself)'],
      [[new ArrayBuffer(4), buffer()], '[1]'],
      [{ frames: [{ pixels: detach(new Uint8Array(8)) }] }, '.frames[0].pixels'],
      [{ view: detach(new DataView(new ArrayBuffer(8))) }, '.view'],
      [{ 'odd key': detach(new Float32Array(2)) }, '["odd key"]'],
      [new Map([['k', { buf: buffer() }]]), '[map value #0].buf'],
      [new Map([[buffer(), 1]]), '[map key #0]'],
      [new Set([1, buffer()]), '[set item #1]'],
    ]
    for (const [value, path] of cases) {
      let error: unknown
      try {
        findTransferables(value)
      } catch (caught) {
        error = caught
      }
      expect(error, path).toBeInstanceOf(DetachedBufferError)
      expect(error).toBeInstanceOf(TypeError)
      expect(formatPath((error as DetachedBufferError).path)).toBe(path)
    }
  })

  it('an empty buffer is not detached, and not listed', () => {
    expect(findTransferables([new ArrayBuffer(0), new Uint8Array(0)])).toHaveLength(0)
    expect(isDetached(new ArrayBuffer(0))).toBe(false)
  })

  it('never visits the holes of a sparse array, however long', () => {
    const buffer = new ArrayBuffer(8)
    const sparse: unknown[] = []
    sparse.length = 2 ** 32 - 1
    sparse[5] = { buffer }
    sparse[2 ** 31] = [buffer]
    const started = performance.now()
    expect(findTransferables(sparse)).toEqual([buffer])
    expect(findTransferables(new Array(2 ** 27))).toHaveLength(0)
    // Walking 2^32 holes one by one takes seconds; the walk must not take a noticeable fraction.
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('finds what follows a hole in an array that is otherwise dense', () => {
    const buffer = new ArrayBuffer(8)
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(findTransferables([1, , { buffer }])).toEqual([buffer])
  })

  it('lets a throwing getter or a revoked Proxy throw, for the caller to report', () => {
    const getter = {
      get boom(): unknown {
        throw new Error('getter threw')
      },
    }
    expect(() => findTransferables({ nested: getter })).toThrow('getter threw')
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(() => findTransferables([proxy])).toThrow(TypeError)
  })

  it('walks Map keys and values and Set values', () => {
    const key = new ArrayBuffer(1)
    const value = new ArrayBuffer(2)
    const member = new ArrayBuffer(3)
    const nested = new ArrayBuffer(4)
    const found = findTransferables({
      map: new Map<unknown, unknown>([
        [key, 'v'],
        ['k', value],
      ]),
      set: new Set([member, { nested }]),
    })
    expect(found).toEqual([key, value, member, nested])
  })

  it('does not walk class instances', () => {
    class Model {
      buffer = new ArrayBuffer(8)
      list = [new ArrayBuffer(8)]
    }
    expect(findTransferables(new Model())).toHaveLength(0)
    expect(findTransferables({ model: new Model(), items: [new Model()] })).toHaveLength(0)
    // Nor errors, dates or other built-ins that are not transferable.
    const error = Object.assign(new Error('x'), { buffer: new ArrayBuffer(8) })
    expect(findTransferables([error, new Date(), /re/])).toHaveLength(0)
  })

  it('detects MessagePorts', () => {
    const { port1, port2 } = channel()
    expect(findTransferables({ reply: port2, nested: [port1, port2] })).toEqual([port2, port1])
  })

  it('detects web streams', () => {
    const readable = new ReadableStream()
    const writable = new WritableStream()
    const transform = new TransformStream()
    const found = findTransferables([readable, { writable }, new Set([transform])])
    expect(found).toEqual([readable, writable, transform])
    // The transform's sides are separate objects, found only where referenced.
    expect(findTransferables(transform.readable)).toEqual([transform.readable])
  })

  it('returns a list postMessage accepts: the buffers are moved, not copied', () => {
    const buffer = new ArrayBuffer(64)
    const floats = new Float32Array(8)
    const message = { frame: { buffer }, samples: floats, tags: ['a'] }
    const transfer = findTransferables(message)
    const clone = structuredClone(message, { transfer })
    expect(buffer.byteLength).toBe(0)
    expect(floats.byteLength).toBe(0)
    expect(clone.frame.buffer.byteLength).toBe(64)
    expect(clone.samples.length).toBe(8)
  })

  it('is safe to call again from inside a getter', () => {
    const inner = new ArrayBuffer(4)
    const outer = new ArrayBuffer(4)
    let nested: Transferable[] = []
    const value = {
      first: outer,
      get second() {
        nested = findTransferables({ inner })
        return inner
      },
    }
    expect(findTransferables(value)).toEqual([outer, inner])
    expect(nested).toEqual([inner])
  })

  it('does not keep state between calls', () => {
    const a = new ArrayBuffer(4)
    const container = { a }
    expect(findTransferables(container)).toEqual([a])
    // Had the visited marks survived, the second walk would skip the container.
    expect(findTransferables(container)).toEqual([a])
    expect(() =>
      findTransferables({
        get boom(): never {
          throw new Error('getter')
        },
      }),
    ).toThrow('getter')
    expect(findTransferables(container)).toEqual([a])
  })
})
