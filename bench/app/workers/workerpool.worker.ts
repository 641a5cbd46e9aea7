/** workerpool's worker over the shared ops; `bounce(buffer, true)` transfers the buffer back. */
import * as workerpool from 'workerpool'
import { bounce, echo, hold, spin } from './ops'

workerpool.worker({
  echo,
  spin,
  hold,
  bounce(buffer: ArrayBuffer, back: boolean) {
    const result = bounce(buffer)
    return back ? new workerpool.Transfer(result, [result]) : result
  },
})
