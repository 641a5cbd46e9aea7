/**
 * The floor's protocol: a request is `{ id, op, arg, back }`; the reply is `{ id, value }` (or
 * `{ id, error }`), with the result's buffer in the transfer list when `back` asks for it.
 * `bare.worker.ts` speaks it alone; `shared.worker.ts` speaks it beside Atelier's harness.
 */
import { bounce, echo, hold, spin } from './ops'

export type BareOp = 'echo' | 'spin' | 'bounce' | 'hold'

export interface BareRequest {
  id: number
  op: BareOp
  arg: unknown
  /** Transfer the result's buffer back rather than copy it. */
  back?: boolean
}

export type BareReply = { id: number; value: unknown } | { id: number; error: string }

/** The worker's global scope, typed by hand: the bench compiles against the DOM lib only. */
export const scope = self as unknown as {
  postMessage(message: BareReply, transfer?: Transferable[]): void
  onmessage: ((event: MessageEvent<BareRequest>) => void) | null
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}

function reply(id: number, value: unknown, back: boolean | undefined): void {
  if (back && value instanceof ArrayBuffer) scope.postMessage({ id, value }, [value])
  else scope.postMessage({ id, value })
}

/** Runs one request and posts its reply. */
export function answer(request: BareRequest): void {
  const { id, op, arg, back } = request
  try {
    switch (op) {
      case 'echo':
        reply(id, echo(arg as number), false)
        break
      case 'spin':
        reply(id, spin(arg as number), false)
        break
      case 'bounce':
        reply(id, bounce(arg as ArrayBuffer), back)
        break
      case 'hold':
        hold(arg as ArrayBuffer).then((value) => reply(id, value, false))
        break
    }
  } catch (error) {
    scope.postMessage({ id, error: String(error) })
  }
}
