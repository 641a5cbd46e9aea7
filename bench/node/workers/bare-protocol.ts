/** The floor's protocol: a request is `{ id, op, arg }`, the reply `{ id, value }` or `{ id, error }`. */

export type BareOp = 'echo' | 'thread'

export interface BareRequest {
  id: number
  op: BareOp
  arg: number
}

export type BareReply = { id: number; value: number } | { id: number; error: string }
