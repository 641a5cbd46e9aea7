import { expect, test } from 'vitest'

// Server-side rendering imports the app's modules in Node, where there is no window, no Worker
// and no navigator: importing Atelier, and defining a lazy task at module level, must not throw.

test('Node has none of the browser globals here, so the test means something', () => {
  const globals = globalThis as Record<string, unknown>
  expect([typeof globals.window, typeof globals.Worker, typeof globals.document]).toEqual([
    'undefined',
    'undefined',
    'undefined',
  ])
})

test('both entries import without a browser', async () => {
  const main = await import('../../src/index.js')
  const worker = await import('../../src/worker.js')
  expect(typeof main.createTaskRuntime).toBe('function')
  expect(typeof worker.serve).toBe('function')
})

test('a runtime and a lazy task can be defined at module level; no worker starts', async () => {
  const { createTaskRuntime } = await import('../../src/index.js')
  let spawned = 0
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<{ ping(): Promise<void> }>({
    type: 'parallel',
    worker: () => {
      spawned++
      throw new Error('no workers on the server')
    },
  })
  expect(task.getState().taskStatus).toBe('idle')
  expect(spawned).toBe(0)
  await task.dispose()
})
