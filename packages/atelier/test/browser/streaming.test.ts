import { afterEach, describe, expect, test } from 'vitest'
import { createTaskRuntime, type Task, type TaskConfig } from '../../src/index'
import type { StreamAPI } from './fixtures/stream.worker'

const tasks: Array<Task<StreamAPI>> = []
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.dispose()))
})

function defineStreams(config: Partial<TaskConfig<StreamAPI>> = {}) {
  let spawned = 0
  const task = createTaskRuntime().defineTask<StreamAPI>({
    type: 'singleton',
    worker: () =>
      new Worker(new URL('./fixtures/stream.worker.ts', import.meta.url), {
        type: 'module',
        name: String(spawned++),
      }),
    ...config,
  })
  tasks.push(task)
  return task
}

describe('streaming', () => {
  test('smoke', async () => {
    const task = defineStreams()
    const out: number[] = []
    for await (const x of task.count(40)) out.push(x)
    expect(out).toEqual([...Array(40).keys()])
    expect(await task.count(5)).toEqual([0, 1, 2, 3, 4])
    expect(await task.plain(3)).toBe(6)
  })
})
