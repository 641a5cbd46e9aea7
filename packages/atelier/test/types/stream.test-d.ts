import { describe, expectTypeOf, it } from 'vitest'
import type {
  ParallelSettled,
  StripTaskContext,
  Task,
  TaskContext,
  TaskStream,
} from '../../src/index.js'
import { parallelLimit } from '../../src/index.js'

const handlers = {
  async *tiles(image: ImageData, size: number, ctx: TaskContext) {
    void image
    void ctx
    yield { x: 0, y: 0, size }
  },
  *lines(text: string, _ctx: TaskContext) {
    yield* text.split('\n')
  },
  *later(_ctx: TaskContext) {
    yield Promise.resolve(1)
  },
  plain(a: number, _ctx: TaskContext) {
    return a
  },
}

type API = StripTaskContext<typeof handlers>
declare const task: Task<API>
declare const image: ImageData

describe('generator handlers', () => {
  it('become methods returning a TaskStream of what they yield', () => {
    expectTypeOf<API['tiles']>().toEqualTypeOf<
      (image: ImageData, size: number) => TaskStream<{ x: number; y: number; size: number }>
    >()
    expectTypeOf<API['lines']>().toEqualTypeOf<(text: string) => TaskStream<string>>()
    // `for await` awaits what a sync generator yields; so does the stream's type.
    expectTypeOf<API['later']>().toEqualTypeOf<() => TaskStream<number>>()
    expectTypeOf<API['plain']>().toEqualTypeOf<(a: number) => Promise<number>>()
  })

  it('a TaskStream is iterated chunk by chunk, or awaited for all of them', async () => {
    const stream = task.tiles(image, 256)
    expectTypeOf(stream).toMatchTypeOf<AsyncIterable<{ x: number; y: number; size: number }>>()
    expectTypeOf(await task.lines('a')).toEqualTypeOf<string[]>()
    for await (const line of task.lines('a\nb')) expectTypeOf(line).toEqualTypeOf<string>()
  })

  it('mapping twice changes nothing', () => {
    expectTypeOf<StripTaskContext<API>['tiles']>().toEqualTypeOf<API['tiles']>()
  })

  it('with() keeps the streams', () => {
    expectTypeOf(task.with({ streamWindow: 4 }).lines).toEqualTypeOf<API['lines']>()
    task.with({ onProgress: (value) => expectTypeOf(value).toBeUnknown() })
  })

  it('parallelLimit flattens a mapper returning a stream to its chunks', () => {
    expectTypeOf(parallelLimit(['a'], 2, (text) => task.lines(text))).toEqualTypeOf<
      AsyncGenerator<string, void, undefined>
    >()
    expectTypeOf(
      parallelLimit(['a'], 2, (text) => task.lines(text), { returnSettled: true }),
    ).toEqualTypeOf<AsyncGenerator<ParallelSettled<string, string>, void, undefined>>()
    expectTypeOf(parallelLimit([1], 2, (n) => task.plain(n))).toEqualTypeOf<
      AsyncGenerator<number, void, undefined>
    >()
  })
})
