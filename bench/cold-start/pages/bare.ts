/** The floor: a module worker started by hand, one message posted, its answer awaited. */
import { reportFailure, reportFirstResult } from './report'

const worker = new Worker(new URL('./bare.worker.js', import.meta.url), { type: 'module' })
worker.onmessage = reportFirstResult
worker.onerror = (event) => reportFailure(event.message || 'the worker failed to load')
worker.postMessage(1)
