import { describe, expectTypeOf, it } from 'vitest'
import type {
  StripTaskContext,
  Task,
  TaskContext,
  TaskControls,
  TaskMethods,
  TaskState,
} from '../../src/index.js'

const handlers = {
  async resize(img: ImageData, w: number, ctx: TaskContext) {
    void img
    void w
    void ctx
    return 1
  },
  sync(a: string, ctx: TaskContext): string {
    void ctx
    return a
  },
  noCtx(a: number) {
    return a
  },
  value: 42,
}

type API = StripTaskContext<typeof handlers>

declare const task: Task<API>
declare const unstripped: Task<typeof handlers>

describe('StripTaskContext', () => {
  it('drops the trailing TaskContext and promisifies the result', () => {
    expectTypeOf<API['resize']>().toEqualTypeOf<(img: ImageData, w: number) => Promise<number>>()
    expectTypeOf<API['sync']>().toEqualTypeOf<(a: string) => Promise<string>>()
  })

  it('keeps the parameters of a handler that takes no context', () => {
    expectTypeOf<API['noCtx']>().toEqualTypeOf<(a: number) => Promise<number>>()
  })

  it('leaves out non-function members', () => {
    expectTypeOf<keyof API>().toEqualTypeOf<'resize' | 'sync' | 'noCtx'>()
    expectTypeOf<API>().not.toHaveProperty('value')
  })

  it('does not double-wrap promises', () => {
    type Nested = StripTaskContext<{ f(): Promise<Promise<string>> }>
    expectTypeOf<Nested['f']>().toEqualTypeOf<() => Promise<string>>()
  })

  it('only drops the context when it is last', () => {
    type Odd = StripTaskContext<{ f(ctx: TaskContext, n: number): void }>
    expectTypeOf<Odd['f']>().toEqualTypeOf<(ctx: TaskContext, n: number) => Promise<void>>()
  })

  it('keeps a trailing parameter typed unknown', () => {
    type Log = StripTaskContext<{ log(message: unknown): void }>
    expectTypeOf<Log['log']>().toEqualTypeOf<(message: unknown) => Promise<void>>()
  })

  // `any` is assignable to TaskContext, so a naive `[Last] extends [TaskContext]` drops it.
  it('keeps a trailing parameter typed any', () => {
    type Log = StripTaskContext<{ log(message: any): void; two(a: string, b: any): void }>
    expectTypeOf<Log['log']>().parameters.toEqualTypeOf<[message: any]>()
    expectTypeOf<Log['two']>().parameters.toEqualTypeOf<[a: string, b: any]>()
  })
})

describe('Task', () => {
  it('has the worker methods, without their context', () => {
    expectTypeOf(task.resize).toEqualTypeOf<(img: ImageData, w: number) => Promise<number>>()
    expectTypeOf(task.sync).toEqualTypeOf<(a: string) => Promise<string>>()
    expectTypeOf(task.noCtx).toEqualTypeOf<(a: number) => Promise<number>>()
    expectTypeOf(task.resize).returns.resolves.toBeNumber()
    expectTypeOf(task.sync).parameters.toEqualTypeOf<[a: string]>()
  })

  it('has the controls', () => {
    expectTypeOf(task.with).toEqualTypeOf<TaskControls<API>['with']>()
    expectTypeOf(task.getState).toEqualTypeOf<() => TaskState>()
    expectTypeOf(task.startWorkers).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(task.stopWorkers).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf(task.dispose).toEqualTypeOf<() => Promise<void>>()
    expectTypeOf<keyof Task<API>>().toEqualTypeOf<
      'resize' | 'sync' | 'noCtx' | 'with' | 'getState' | 'startWorkers' | 'stopWorkers' | 'dispose'
    >()
  })

  it('with() returns a task of the same API', () => {
    const view = task.with({ key: 'doc-1', transferResult: false })
    expectTypeOf(view).toEqualTypeOf<Task<API>>()
    expectTypeOf(view.resize).toEqualTypeOf<(img: ImageData, w: number) => Promise<number>>()
    expectTypeOf(task.with).parameter(0).toHaveProperty('signal')
  })

  it('is not thenable: awaiting it yields the task itself', () => {
    expectTypeOf<Task<API>>().not.toHaveProperty('then')
    expectTypeOf<Awaited<Task<API>>>().toEqualTypeOf<Task<API>>()
  })

  it('stays not thenable even if the worker has a `then` handler', () => {
    type Thenish = StripTaskContext<{ then(a: number): number; other(): void }>
    expectTypeOf<Task<Thenish>>().not.toHaveProperty('then')
    expectTypeOf<Awaited<Task<Thenish>>>().toEqualTypeOf<Task<Thenish>>()
    expectTypeOf<Task<Thenish>>().toHaveProperty('other')
  })

  it('controls take precedence over handlers with the same name', () => {
    type Clash = { dispose(flag: boolean): number; getState(): string }
    expectTypeOf<Task<Clash>['dispose']>().toEqualTypeOf<() => Promise<void>>()
    expectTypeOf<Task<Clash>['getState']>().toEqualTypeOf<() => TaskState>()
  })

  it('also drops the context when given the unstripped handler type', () => {
    expectTypeOf(unstripped.resize).toEqualTypeOf<(img: ImageData, w: number) => Promise<number>>()
    expectTypeOf(unstripped.sync).toEqualTypeOf<(a: string) => Promise<string>>()
    expectTypeOf(unstripped.noCtx).toEqualTypeOf<(a: number) => Promise<number>>()
    expectTypeOf<Task<typeof handlers>>().not.toHaveProperty('value')
    expectTypeOf<TaskMethods<typeof handlers>>().toEqualTypeOf<TaskMethods<API>>()
    expectTypeOf<TaskMethods<typeof handlers>>().toEqualTypeOf<API>()
  })

  it('rejects wrong arguments and unknown methods', () => {
    // Type-only: never invoked.
    const _misuse = async () => {
      // @ts-expect-error: the image must be ImageData
      await task.resize('x', 1)
      // @ts-expect-error: the width is required
      await task.resize(new ImageData(1, 1))
      // @ts-expect-error: the context is supplied by the runtime, not by the caller
      await task.sync('a', {} as TaskContext)
      // @ts-expect-error: noCtx takes a number
      await task.noCtx('1')
      // @ts-expect-error: `value` is not a method
      task.value
      // @ts-expect-error: no such method
      await task.missing()
      // @ts-expect-error: the result is a number
      const s: string = await task.resize(new ImageData(1, 1), 2)
      // @ts-expect-error: unknown dispatch option
      task.with({ priority: 1 })
      return s
    }
    expectTypeOf(_misuse).toBeFunction()
  })
})
