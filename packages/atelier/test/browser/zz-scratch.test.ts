import { expect, test } from 'vitest'
import { createTaskRuntime } from '../../src/index'
import type { HostileAPI } from './fixtures/hostile.worker'
import { defineHostile, settleCounter, sleep, workerCounter } from './fixtures/hostile-define'

const log = (...a: unknown[]) => console.log(...a)
const show = (r: any) =>
  r.ok
    ? `ok ${JSON.stringify(r.value)}`
    : `${r.error?.name}: ${String(r.error?.message).slice(0, 200)} | cause ${String(r.error?.cause).slice(0, 200)}`

test('a sparse join', () => {
  for (const n of [2 ** 20, 2 ** 22, 2 ** 24]) {
    const a: unknown[] = []
    a[n] = 1
    const t = performance.now()
    try {
      String(a)
    } catch {}
    log('join', n, performance.now() - t)
  }
})

test('b hidden detached arg', async () => {
  const { task } = defineHostile({ timeoutMs: 2000 })
  const image = new ImageData(2, 2)
  structuredClone(image.data.buffer, { transfer: [image.data.buffer] })
  class Box {
    constructor(readonly image: ImageData) {}
  }
  const r = await settleCounter(task.echo(new Box(image))).result
  log('hidden arg', show(r))
  log('after', show(await settleCounter(task.add(1, 2)).result))
})

test('c cached worker factory', async () => {
  const w = workerCounter()
  let cached: Worker | undefined
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<HostileAPI>({
    type: 'singleton',
    worker: () => (cached ??= w.factory()),
    connectTimeoutMs: 1000,
  })
  log('first', show(await settleCounter(task.add(1, 2)).result))
  await task.stopWorkers()
  const t = performance.now()
  const s = await settleCounter(task.startWorkers()).result
  log('restart', show(s), performance.now() - t)
  await task.dispose()
})

test('d async factory', async () => {
  const w = workerCounter()
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<HostileAPI>({
    type: 'singleton',
    worker: (async () => w.factory()) as any,
    crashMaxRetries: 0,
  })
  log('async', show(await settleCounter(task.add(1, 2)).result))
  await task.dispose()
  await sleep(50)
  log('created', w.created, 'terminated', w.terminated)
})

test('e transfer junk', async () => {
  const { task } = defineHostile()
  for (const transfer of [['x'], [1], [new ArrayBuffer(8), 'y']]) {
    try {
      const t = task.with({ transfer: transfer as any })
      log('with ok', show(await settleCounter(t.echo(1)).result))
    } catch (e) {
      log('with threw', String(e))
    }
  }
  const b = new ArrayBuffer(8)
  log('dup', show(await settleCounter(task.with({ transfer: [b, b] }).echo(b)).result))
})

test('f fake trace', async () => {
  const { task } = defineHostile()
  const errs: unknown[] = []
  window.addEventListener('error', (e) => errs.push(e.error))
  try {
    const t = task.with({
      trace: {
        id: 'x',
        get sampled() {
          throw new Error('sampled threw')
        },
      } as any,
    })
    log('trace call', show(await settleCounter(t.echo(1)).result))
  } catch (e) {
    log('trace with threw', String(e))
  }
  await sleep(10)
  log('page errors', errs.map(String))
})

test('g app cancel without reason', async () => {
  const w = workerCounter()
  const runtime = createTaskRuntime()
  const task = runtime.defineTask<HostileAPI>({ type: 'singleton', worker: w.factory })
  await task.startWorkers()
  const p = settleCounter(task.sleep(200))
  await sleep(20)
  for (const m of [
    ['atelier:cancel', 1],
    ['atelier:cancel', 2],
    ['atelier:cancel', 1, null],
    ['atelier:call'],
    ['atelier:call', 1, 5, 'x'],
    ['atelier:cancel', 'x'],
    null,
    ['atelier:sync', 2],
    ['atelier:call', 99, 'echo', ['forged']],
  ])
    w.workers[0]!.postMessage(m)
  log('sleep', show(await p.result), task.getState().lastCrash?.error.message)
  log('after', show(await settleCounter(task.add(1, 2)).result))
  await task.dispose()
})

test('h worker posts junk', async () => {
  const { task } = defineHostile()
  const p = settleCounter(task.sleep(100))
  const junk = [
    ['atelier:result'],
    ['atelier:result', 'x', 1],
    ['atelier:error', 1, null],
    ['atelier:ready', null],
    ['atelier:unreadable'],
    ['atelier:error', 2, {}],
    ['atelier:unreadable', -1],
    [
      'atelier:error',
      1,
      { name: 5, message: { a: 1 }, props: 5, errors: 'x', cause: { kind: 'error', error: 5 } },
    ],
  ]
  log('post', show(await settleCounter(task.post(junk)).result))
  log('sleep', show(await p.result))
  log(
    'after',
    show(await settleCounter(task.add(1, 2)).result),
    task.getState().lastCrash?.error.message,
  )
})
