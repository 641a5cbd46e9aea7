/** comlink's `expose` over the shared ops; `bounce(buffer, true)` transfers the buffer back. */
import { expose, transfer } from 'comlink'
import { bounce, echo, hold, spin } from './ops'

const api = {
  echo,
  spin,
  hold,
  bounce(buffer: ArrayBuffer, back: boolean): ArrayBuffer {
    const result = bounce(buffer)
    return back ? transfer(result, [result]) : result
  },
}

export type ComlinkAPI = typeof api
expose(api)
