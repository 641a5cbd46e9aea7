import { Worker } from 'node:worker_threads'
import { expect, test } from 'vitest'
import { createTaskRuntime, WorkerCrashedError } from '../../src/index.js'

// Node ends a worker after an uncaught error with process.exit(), which the harness reports as
// `closing` on its own port while Node reports the error on another: either may arrive first.
// Here a real worker speaks the protocol by hand and sends `closing` first, on purpose, then
// throws: the crash must be the error, which Node reports, never the notice.
const WORKER = `
const { parentPort } = require('node:worker_threads')
parentPort.on('message', (message) => {
  if (message && message.type === 'APPLY') {
    parentPort.postMessage(['atelier:ready', ['crash'], []])
  } else if (Array.isArray(message) && message[0] === 'atelier:call') {
    parentPort.postMessage(['atelier:closing', 'process.exit()'])
    setTimeout(() => { throw new Error('boom, reported by Node') }, 20)
  }
})
`

test('a Node worker: its own report of an end wins over the harness notice that came first', async () => {
  const { defineTask } = createTaskRuntime()
  const task = defineTask<{ crash(): Promise<void> }>({
    type: 'singleton',
    worker: () => new Worker(WORKER, { eval: true }),
  })
  try {
    const error = await task.crash().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(task.getState().lastCrash?.error.message).toMatch(/boom, reported by Node/)
  } finally {
    await task.dispose()
  }
})
