/** Atelier's worker: its handlers, exposed the way an app exposes them. */
import { expose } from 'comlink'
import { createTaskWorker } from '../../../packages/atelier/src/worker'
import { handlers } from './atelier-handlers'

export type { AtelierAPI } from './atelier-handlers'

expose(createTaskWorker(handlers))
