/** The floor: the hand-written protocol of `bare-protocol.ts` on `parentPort`, nothing else. */
import { parentPort } from 'node:worker_threads'
import type { BareReply, BareRequest } from './bare-protocol'
import { echo, thread } from './ops'

const port = parentPort!
const ops = { echo, thread }

port.on('message', (request: BareRequest) => {
  let reply: BareReply
  try {
    reply = { id: request.id, value: ops[request.op](request.arg) }
  } catch (error) {
    reply = { id: request.id, error: String(error) }
  }
  port.postMessage(reply)
})
