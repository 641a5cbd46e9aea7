/**
 * One worker thread for every variant of the A/B page: each gets its own `MessageChannel` to it,
 * so the two libraries and the floor are woken on the very same thread (see bench/README.md,
 * "Same threads") and what is left between them is the code a call runs.
 */
import { serve as serveBase } from 'atelier-base/worker'
import { serve } from '../../../packages/atelier/src/worker'

const handlers = {
  echo(value: unknown): unknown {
    return value
  },
}

export type Side = 'bare' | 'base' | 'work'

self.onmessage = (event: MessageEvent<[Side, MessagePort]>) => {
  const [side, port] = event.data
  if (side === 'bare') {
    port.onmessage = (message: MessageEvent<[number, unknown]>) => port.postMessage(message.data)
    return
  }
  port.start()
  if (side === 'base') serveBase(handlers, port)
  else serve(handlers, port)
}
