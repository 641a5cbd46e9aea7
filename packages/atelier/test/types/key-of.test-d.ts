import { describe, expectTypeOf, it } from 'vitest'
import type { StripTaskContext, TaskConfig, TaskContext, TaskRuntime } from '../../src/index.js'

interface Photo {
  docId: string
  image: ImageData
}

const handlers = {
  resize(photo: Photo, width: number, ctx: TaskContext) {
    void ctx
    return { photo, width }
  },
  stats(ctx: TaskContext) {
    void ctx
    return 1
  },
}
type API = StripTaskContext<typeof handlers>
declare const runtime: TaskRuntime
const worker = () => new Worker('x')

describe('keyOf is typed from the task API', () => {
  it("a function receives any method's arguments: the first may be missing", () => {
    runtime.defineTask<API>({ type: 'parallel', worker, keyOf: (photo) => photo?.docId })
    type KeyOf = NonNullable<TaskConfig<API>['keyOf']>
    type Args = Parameters<Extract<KeyOf, (...args: any[]) => unknown>>
    expectTypeOf<Args[0]>().toEqualTypeOf<Photo | undefined>()
    expectTypeOf<Args[1]>().toEqualTypeOf<number | undefined>()
  })

  it('reading a field of an argument a method may not pass is a type error', () => {
    // @ts-expect-error stats() has no argument: photo may be undefined
    runtime.defineTask<API>({ type: 'parallel', worker, keyOf: (photo) => photo.docId })
  })

  it("per method: each function gets that method's arguments, and may return undefined", () => {
    runtime.defineTask<API>({
      type: 'parallel',
      worker,
      keyOf: {
        resize: (photo, width) => (width > 0 ? photo.docId : undefined),
      },
    })
    runtime.defineTask<API>({
      type: 'parallel',
      worker,
      // @ts-expect-error no method by that name
      keyOf: { rotate: () => 'x' },
    })
  })

  it('a key must be a string', () => {
    // @ts-expect-error a number is not a key
    runtime.defineTask<API>({ type: 'parallel', worker, keyOf: { resize: () => 7 } })
  })

  it('an untyped task takes any keyOf', () => {
    runtime.defineTask({ type: 'parallel', worker, keyOf: (a: { id: string }) => a.id })
  })
})
