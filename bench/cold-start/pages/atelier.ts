/**
 * Atelier's first call, as an app makes it at start-up: a runtime, a task over one worker module,
 * and a call right away. `?init=eager` spawns at definition instead of at the call; `?pool=N`
 * sets `poolSize` (default: the library's, one worker per core).
 */
import './first-statement'
import { createTaskRuntime } from '../../../packages/atelier/src/index'
import type { EchoAPI } from './atelier.worker'
import { reportFailure, reportFirstResult } from './report'

const params = new URLSearchParams(location.search)
const pool = params.get('pool')

/** When the first worker was created (an eager pool creates several). */
let spawn: number | undefined
const runtime = createTaskRuntime()
const task = runtime.defineTask<EchoAPI>({
  type: 'parallel',
  init: params.get('init') === 'eager' ? 'eager' : 'lazy',
  ...(pool ? { poolSize: Number(pool) } : {}),
  worker: () => {
    spawn ??= performance.now()
    return new Worker(new URL('./atelier.worker.js', import.meta.url), { type: 'module' })
  },
})
task.echo(1).then((times) => reportFirstResult(spawn ?? Number.NaN, times), reportFailure)
