/**
 * Automatic transfer-list detection: finds the objects in a message that `postMessage` can move
 * instead of copy.
 *
 * What is walked, and why only that:
 * - arrays, plain objects (prototype `Object.prototype` or `null`), `Map` keys and values, and
 *   `Set` values. These are the shapes task arguments and results are built from.
 * - Class instances are NOT walked (other than the transferable types themselves). They can
 *   own large object graphs and accessors with side effects, and walking them would make the
 *   cost of every call depend on what an app happens to hang off its models. A buffer inside a
 *   class instance is still delivered, just copied; put it in a plain object or array to have it
 *   moved.
 * - Only own enumerable string keys of plain objects are read (what structured cloning copies).
 *   Extra non-index properties on arrays are ignored.
 *
 * Instances are recognised with `instanceof`, so objects from another realm (an iframe) are not
 * detected; they are copied, which is still correct.
 *
 * Two things make the walk refuse rather than list:
 * - a detached buffer (one an earlier call transferred). `postMessage` either throws on it or,
 *   inside an `ImageData`, quietly delivers `null`, which would leave the call waiting forever.
 *   The walk throws a {@link DetachedBufferError} that names where the buffer sits.
 * - an exception from reading the value (a throwing getter, a revoked Proxy): it propagates to
 *   the caller, which fails that one call with it.
 *
 * Arrays are walked by index while they are dense and by their own keys from the first hole, so
 * `new Array(2 ** 32 - 1)` costs as little as `[]`: the walk never visits holes.
 */

/**
 * How many containers deep the walk goes. Transferables in real payloads sit a few levels down
 * (`{ frames: [{ pixels }] }`); the cap bounds the recursion so a deep linked list cannot
 * overflow the stack or make dispatch cost proportional to its length. A transferable deeper than
 * this is copied rather than moved: slower, never wrong.
 *
 * The root value is depth 0; a value inside `n` containers is depth `n`. Values up to and
 * including this depth are inspected; containers at this depth are not opened. A container
 * first met near the cap is not reopened when met again higher up, so in such a graph a few
 * transferables may be copied instead.
 */
export const MAX_TRANSFER_DEPTH = 32

/**
 * Returned whenever nothing is found, so the common case allocates nothing.
 * Shared by every caller: it must never be mutated (it is frozen, so a push throws). Callers only
 * hand it to `postMessage`.
 */
const NO_TRANSFERABLES: Transferable[] = Object.freeze([]) as unknown as Transferable[]

/** Lists longer than this switch from linear dedup to a Set. */
const LINEAR_DEDUP_LIMIT = 16

type Constructor = abstract new (...args: any[]) => object

/** See {@link wholeTransferables}. */
let wholeClasses: readonly Constructor[] | undefined

/**
 * Transferable classes that are moved as themselves. Each global may be missing depending on the
 * environment (Node has no `ImageBitmap` or `OffscreenCanvas`; `VideoFrame` and `AudioData` are
 * absent from some browsers), and a bare reference to a missing global throws. Resolved when a
 * walk first meets an object that is not a container, a buffer or an `ImageData`, not at load:
 * a browser builds each of these interfaces on its first read, which cost every page and every
 * worker some 0.3 ms of its start-up, for arguments that are mostly numbers, strings and plain
 * objects.
 */
function wholeTransferables(): readonly Constructor[] {
  wholeClasses ??= (
    [
      typeof MessagePort !== 'undefined' ? MessagePort : undefined,
      typeof ImageBitmap !== 'undefined' ? ImageBitmap : undefined,
      typeof OffscreenCanvas !== 'undefined' ? OffscreenCanvas : undefined,
      typeof ReadableStream !== 'undefined' ? ReadableStream : undefined,
      typeof WritableStream !== 'undefined' ? WritableStream : undefined,
      typeof TransformStream !== 'undefined' ? TransformStream : undefined,
      typeof VideoFrame !== 'undefined' ? VideoFrame : undefined,
      typeof AudioData !== 'undefined' ? AudioData : undefined,
    ] as (Constructor | undefined)[]
  ).filter((ctor): ctor is Constructor => ctor !== undefined)
  return wholeClasses
}

const ImageDataCtor: typeof ImageData | undefined =
  typeof ImageData !== 'undefined' ? ImageData : undefined

const objectProto = Object.prototype
const hasOwn = Object.prototype.hasOwnProperty

/** A step of a path into a value: an array index, a property name, or a Map/Set position. */
export type PathStep = string | number | { readonly entry: string }

/** A detached buffer was found at `path` (from the walked root). */
export class DetachedBufferError extends TypeError {
  override name = 'TypeError'
  constructor(readonly path: readonly PathStep[]) {
    super(`holds an ArrayBuffer at ${formatPath(path)} that is detached`)
  }
}

/** `[0, 'data']` → `[0].data`; an empty path is the root itself. */
export function formatPath(path: readonly PathStep[]): string {
  if (path.length === 0) return '(the value itself)'
  let out = ''
  for (const step of path) {
    out +=
      typeof step === 'object'
        ? `[${step.entry}]`
        : typeof step === 'number'
          ? `[${step}]`
          : /^[A-Za-z_$][\w$]*$/.test(step)
            ? `.${step}`
            : `[${JSON.stringify(step)}]`
  }
  return out
}

/** Thrown inside the walk: cheap, no path. The slow path then finds where the buffer sits. */
const FOUND_DETACHED: unique symbol = Symbol('detached buffer')

/** Per-call walk state. One instance is reused across calls (see `spare`). */
class Walk {
  found: Transferable[] | undefined = undefined
  foundSet: Set<Transferable> | undefined = undefined
  /** The first container met; the visited Set is only created once there is a second. */
  first: object | undefined = undefined
  visited: Set<object> | undefined = undefined
  /** It met something it does not open (see {@link walkedWhole}). */
  opaque = false

  reset(): void {
    // Drop every reference so the spare walk does not keep the caller's data alive.
    this.found = undefined
    this.foundSet = undefined
    this.first = undefined
    this.visited = undefined
    this.opaque = false
  }
}

/**
 * Calls do not normally overlap, so one walk is reused. They can overlap, though: a getter on a
 * plain object runs user code, which may call back in. Such a nested call finds no spare and
 * allocates its own.
 */
let spare: Walk | undefined = new Walk()

/** What the last walk saw: see {@link walkedWhole}. */
let lastWalkWhole = true

/**
 * Whether the last {@link findTransferables} saw all of its value: false if it met something it
 * does not open (a class instance, a container past the depth cap), where a detached buffer may
 * hide. A message holding one of those may arrive empty (`null`), so it is best sent alone.
 */
export function walkedWhole(): boolean {
  return lastWalkWhole
}

/**
 * Everything in `value` that `postMessage` can transfer, each once, in the order met.
 *
 * When nothing is found this returns a shared frozen empty array: do not mutate the result.
 * `SharedArrayBuffer`s are never listed (they are shared, not moved), nor are buffers that are
 * already detached or empty (transferring a detached buffer throws; an empty one costs nothing to
 * copy).
 */
export function findTransferables(value: unknown): Transferable[] {
  lastWalkWhole = true
  if (typeof value !== 'object' || value === null) return NO_TRANSFERABLES
  if (holdsOnlyPrimitives(value)) return NO_TRANSFERABLES
  const walk = spare ?? new Walk()
  spare = undefined
  try {
    visit(walk, value, 0)
    lastWalkWhole = !walk.opaque
    return walk.found ?? NO_TRANSFERABLES
  } catch (error) {
    if (error === FOUND_DETACHED) throw new DetachedBufferError(pathToDetached(value) ?? [])
    throw error
  } finally {
    walk.reset()
    spare = walk
  }
}

/**
 * One transfer list for several messages posted as one (see `atelier:calls`, `atelier:answers`).
 * Each list was found by {@link findTransferables}, so none holds a duplicate; two may share a
 * buffer (an app that passed it twice), which makes the merged post throw, as it should.
 */
export function mergeTransfers(lists: readonly Transferable[][]): Transferable[] {
  let merged: Transferable[] | undefined
  for (const list of lists) {
    if (list.length === 0) continue
    if (merged === undefined) merged = []
    for (const item of list) merged.push(item)
  }
  return merged ?? NO_TRANSFERABLES
}

/**
 * An array of primitives (most argument lists, most chunk batches): nothing to walk. Checked
 * first because it is far cheaper than setting a walk up. Plain arrays only: a subclass or a
 * Proxy may answer `length` or its indices with code of its own, which the walk guards against.
 */
function holdsOnlyPrimitives(value: object): boolean {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return false
  const array = value as unknown[]
  // Long arrays may be sparse, whose holes the walk never visits: leave them to it.
  if (array.length > 8) return false
  for (let i = 0; i < array.length; i++) {
    const item = array[i]
    if (typeof item === 'object' && item !== null) return false
  }
  return true
}

/** Whether `buffer` was detached (transferred). Only zero-length buffers can be. */
export function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength !== 0) return false
  const detached = (buffer as { detached?: boolean }).detached
  if (typeof detached === 'boolean') return detached
  // Engines without `ArrayBuffer.prototype.detached` (Node 20) refuse a view on a detached buffer.
  try {
    new Uint8Array(buffer)
    return false
  } catch {
    return true
  }
}

function visit(walk: Walk, value: object, depth: number): void {
  if (Array.isArray(value)) {
    if (!enter(walk, value, depth)) return
    const length = value.length
    for (let i = 0; i < length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'object' && item !== null) visit(walk, item, depth + 1)
      else if (item === undefined && !(i in value)) {
        // A hole: the array may be sparse, with a length far beyond its elements.
        visitKeys(walk, value, depth)
        return
      }
    }
    return
  }

  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === objectProto || proto === null) {
    if (!enter(walk, value, depth)) return
    visitKeys(walk, value, depth)
    return
  }

  if (value instanceof ArrayBuffer) {
    addBuffer(walk, value)
    return
  }
  if (ArrayBuffer.isView(value)) {
    // A view on a SharedArrayBuffer fails the instanceof check and is skipped with it.
    const buffer = value.buffer
    if (!(buffer instanceof ArrayBuffer)) return
    // A view on part of a buffer is copied: moving it would take the whole buffer from the
    // caller, whatever else lives there (a pool, a WebAssembly memory, which cannot move at all).
    // (A DataView over a detached buffer throws from byteLength: check the buffer first.)
    if (buffer.byteLength === 0) addBuffer(walk, buffer)
    else if (value.byteLength === buffer.byteLength) add(walk, buffer)
    return
  }

  if (value instanceof Map) {
    if (!enter(walk, value, depth)) return
    // keys() then values() rather than entries(): no [key, value] pair allocated per entry.
    for (const key of value.keys()) {
      if (typeof key === 'object' && key !== null) visit(walk, key, depth + 1)
    }
    for (const item of value.values()) {
      if (typeof item === 'object' && item !== null) visit(walk, item, depth + 1)
    }
    return
  }
  if (value instanceof Set) {
    if (!enter(walk, value, depth)) return
    for (const item of value) {
      if (typeof item === 'object' && item !== null) visit(walk, item, depth + 1)
    }
    return
  }

  if (ImageDataCtor !== undefined && value instanceof ImageDataCtor) {
    // ImageData itself is not transferable, but the pixels are, and they are the heavy part.
    const buffer = value.data.buffer
    if (buffer instanceof ArrayBuffer) addBuffer(walk, buffer)
    return
  }

  // Not walked (see above), but a detached buffer inside one of these still fails the message.

  const whole = wholeTransferables()
  for (let i = 0; i < whole.length; i++) {
    if (value instanceof whole[i]!) {
      add(walk, value as Transferable)
      return
    }
  }
  walk.opaque = true
}

/** Own enumerable string keys (what structured cloning copies): plain objects, sparse arrays. */
function visitKeys(walk: Walk, value: object, depth: number): void {
  const record = value as Record<string, unknown>
  for (const key in record) {
    if (!hasOwn.call(record, key)) continue
    const item = record[key]
    if (typeof item === 'object' && item !== null) visit(walk, item, depth + 1)
  }
}

/** Marks a container visited; false if it was seen before or is too deep to open. */
function enter(walk: Walk, container: object, depth: number): boolean {
  if (depth >= MAX_TRANSFER_DEPTH) {
    walk.opaque = true
    return false
  }
  if (walk.visited !== undefined) {
    if (walk.visited.has(container)) return false
    walk.visited.add(container)
    return true
  }
  if (walk.first === undefined) {
    walk.first = container
    return true
  }
  if (walk.first === container) return false
  walk.visited = new Set([walk.first, container])
  return true
}

function addBuffer(walk: Walk, buffer: ArrayBuffer): void {
  // An empty buffer costs nothing to copy; a detached one (also empty) must not be sent at all.
  if (buffer.byteLength !== 0) add(walk, buffer)
  else if (isDetached(buffer)) throw FOUND_DETACHED
}

function add(walk: Walk, item: Transferable): void {
  const found = walk.found
  if (found === undefined) {
    walk.found = [item]
    return
  }
  if (walk.foundSet !== undefined) {
    if (walk.foundSet.has(item)) return
    walk.foundSet.add(item)
  } else {
    if (found.includes(item)) return
    if (found.length >= LINEAR_DEDUP_LIMIT) walk.foundSet = new Set(found).add(item)
  }
  found.push(item)
}

// ---- the slow path: where is the detached buffer? -----------------------------------------

/**
 * The path from `root` to the first detached buffer, walking what {@link findTransferables}
 * walks. Runs only after the fast walk found one, so it may allocate paths freely.
 */
function pathToDetached(root: object): PathStep[] | undefined {
  const seen = new Set<object>()
  const path: PathStep[] = []
  const search = (value: unknown, depth: number): boolean => {
    if (typeof value !== 'object' || value === null) return false
    if (value instanceof ArrayBuffer) return isDetached(value)
    if (ArrayBuffer.isView(value))
      return value.buffer instanceof ArrayBuffer && isDetached(value.buffer)
    if (ImageDataCtor !== undefined && value instanceof ImageDataCtor) {
      path.push('data')
      if (isDetached(value.data.buffer as ArrayBuffer)) return true
      path.pop()
      return false
    }
    if (depth >= MAX_TRANSFER_DEPTH || seen.has(value)) return false
    seen.add(value)
    const proto: unknown = Object.getPrototypeOf(value)
    const entries: Array<[PathStep, unknown]> = []
    if (Array.isArray(value) || proto === objectProto || proto === null) {
      for (const key of Object.keys(value)) {
        const index = Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key
        entries.push([index, (value as Record<string, unknown>)[key]])
      }
    } else if (value instanceof Map) {
      let i = 0
      for (const [key, item] of value) {
        entries.push([{ entry: `map key #${i}` }, key], [{ entry: `map value #${i}` }, item])
        i++
      }
    } else if (value instanceof Set) {
      let i = 0
      for (const item of value) entries.push([{ entry: `set item #${i++}` }, item])
    }
    for (const [step, item] of entries) {
      path.push(step)
      if (search(item, depth + 1)) return true
      path.pop()
    }
    return false
  }
  return search(root, 0) ? path : undefined
}
