/** The floor: a module worker started by hand, one message posted, its answer awaited. */
import './first-statement'
import { reportFailure, reportFirstResult, type WorkerTimes } from './report'

const spawn = performance.now()
const worker = new Worker(new URL('./bare.worker.js', import.meta.url), { type: 'module' })
worker.onmessage = (event: MessageEvent<WorkerTimes>) => reportFirstResult(spawn, event.data)
worker.onerror = (event) => reportFailure(event.message || 'the worker failed to load')
worker.postMessage(1)
