/**
 * A settled call keeps nothing its caller gave it. The engine keeps the last settled call of each
 * task reachable on purpose (see CallDesk.lastSettled), so whatever that record still points to
 * stays in memory for the task's life: the caller's arguments, its result, its AbortSignal (and
 * through it, the listeners the app put on it), its progress listener. Checked with weak
 * references and forced collections, over a real worker thread running the real harness; and the
 * harness, served on a MessageChannel in this thread, keeps nothing of a finished call either.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import { Worker } from 'node:worker_threads'
import { build } from 'esbuild'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTaskRuntime } from '../../src/index.js'
import { serve } from '../../src/worker.js'

const WORKER_SOURCE = `import { serve } from ${JSON.stringify(fileURLToPath(new URL('../../src/worker.ts', import.meta.url)))}
serve({
  echo: (value, ctx) => { ctx.progress(1); return value },
  fail: (value, ctx) => { ctx.progress(1); throw new RangeError('no ' + Object.keys(value)) },
})`

let folder: string
let workerFile: string
let gc: () => void

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'atelier-retention-'))
  workerFile = join(folder, 'worker.mjs')
  await build({
    stdin: { contents: WORKER_SOURCE, resolveDir: folder, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: workerFile,
    logLevel: 'silent',
  })
  v8.setFlagsFromString('--expose-gc')
  gc = vm.runInNewContext('gc') as () => void
})

afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test.each(['answered', 'failed'] as const)(
  "a settled call, kept as its task's last, holds nothing of its caller's (%s)",
  async (outcome) => {
    const { defineTask } = createTaskRuntime({ observability: { spans: 'on', measures: false } })
    const task = defineTask<{
      echo(value: object): Promise<object>
      fail(value: object): Promise<object>
    }>({ type: 'singleton', worker: () => new Worker(workerFile) })
    try {
      // Until its worker is ready a call is made as a stream, and streams are never kept: the
      // call under test comes after one that made the worker ready.
      await task.echo({ first: true })
      const refs: Record<string, WeakRef<object>> = {}
      // In a function of its own, so nothing of the call stays on this frame.
      await (async () => {
        const controller = new AbortController()
        controller.signal.addEventListener('abort', () => {})
        const argument = { payload: new Array(1000).fill(1) }
        const onProgress = () => {}
        const caller = task.with({ signal: controller.signal, onProgress })
        const result =
          outcome === 'answered'
            ? await caller.echo(argument)
            : await caller.fail(argument).catch((error: Error) => error)
        if (outcome === 'failed') expect(result).toBeInstanceOf(RangeError)
        refs.signal = new WeakRef(controller.signal)
        refs.argument = new WeakRef(argument)
        refs.onProgress = new WeakRef(onProgress)
        refs.result = new WeakRef(result)
      })()
      await collect()
      const alive = Object.entries(refs)
        .filter(([, ref]) => ref.deref() !== undefined)
        .map(([name]) => name)
      expect(alive, 'still reachable after the call settled').toEqual([])
      // The task is still alive and working: it was not collected with them.
      await expect(task.echo({ again: true })).resolves.toEqual({ again: true })
    } finally {
      await task.dispose()
    }
  },
  20_000,
)

test("the harness keeps nothing of a finished call's: what its handler got and returned", async () => {
  // The harness on one end of a MessageChannel in this same thread, so weak references reach
  // the worker's side too: the arguments as the handler received them, and what it returned.
  const { port1, port2 } = new MessageChannel()
  const refs: Record<string, WeakRef<object>> = {}
  serve(
    {
      keep(value: { payload: number[] }) {
        const returned = { echoed: value.payload.length }
        refs.received = new WeakRef(value)
        refs.returned = new WeakRef(returned)
        return returned
      },
      ping: () => 'pong',
    },
    port1,
  )
  const worker = {
    postMessage: (message: unknown, transfer: Transferable[]) =>
      port2.postMessage(message, transfer),
    addEventListener: (type: string, listener: (event: Event) => void) =>
      port2.addEventListener(type, listener as never),
    terminate: () => port2.close(),
  }
  port2.start()
  const { defineTask } = createTaskRuntime()
  const task = defineTask<{
    keep(value: { payload: number[] }): Promise<{ echoed: number }>
    ping(): Promise<string>
  }>({ type: 'singleton', worker: () => worker as never })
  try {
    await task.ping()
    await expect(task.keep({ payload: new Array(1000).fill(1) })).resolves.toEqual({ echoed: 1000 })
    await collect()
    const alive = Object.entries(refs)
      .filter(([, ref]) => ref.deref() !== undefined)
      .map(([name]) => name)
    expect(Object.keys(refs)).toEqual(['received', 'returned'])
    expect(alive, "still reachable in the harness after the call's answer").toEqual([])
    await expect(task.ping()).resolves.toBe('pong')
  } finally {
    await task.dispose()
    port1.close()
  }
}, 20_000)
