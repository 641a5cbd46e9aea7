/**
 * One worker that answers both the floor's protocol and Atelier's, so the two can be measured on
 * the same threads (`latency`: see bench/README.md, "Same threads").
 *
 * The floor's listener comes first and stops at its own requests; Atelier's calls (and comlink's
 * connect call) pass through it (two property checks) on their way to the harness. Any cost of sharing lands on
 * Atelier, never on the floor.
 */
import { expose } from 'comlink'
import { createTaskWorker } from '../../../packages/atelier/src/worker'
import { handlers } from './atelier-handlers'
import { answer, type BareRequest, scope } from './bare-protocol'

function isBareRequest(data: unknown): data is BareRequest {
  const request = data as Partial<BareRequest> | null
  return typeof request?.id === 'number' && typeof request.op === 'string'
}

scope.addEventListener('message', (event: MessageEvent) => {
  if (!isBareRequest(event.data)) return
  event.stopImmediatePropagation()
  answer(event.data)
})
expose(createTaskWorker(handlers))
