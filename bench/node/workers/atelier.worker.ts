/** Atelier's worker, as an app writes it for Node: `serve` finds `parentPort` itself. */
import { type StripTaskContext, serve } from '../../../packages/atelier/src/worker'
import { echo, thread } from './ops'

const handlers = { echo, thread }

export type AtelierAPI = StripTaskContext<typeof handlers>

serve(handlers)
