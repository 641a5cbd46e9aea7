/** The floor: the hand-written protocol of `bare-protocol.ts` on raw `postMessage`, alone. */
import { answer, type BareRequest, scope } from './bare-protocol'

scope.onmessage = (event: MessageEvent<BareRequest>) => answer(event.data)
