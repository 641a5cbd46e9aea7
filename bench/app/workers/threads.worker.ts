/** threads.js's `expose` over the shared ops; `bounce(buffer, true)` transfers the buffer back. */
import { expose, Transfer } from 'threads/worker'
import { bounce, echo, hold, spin } from './ops'

const api = {
  echo,
  spin,
  hold,
  bounce(buffer: ArrayBuffer, back: boolean) {
    const result = bounce(buffer)
    return back ? Transfer(result) : result
  },
}

export type ThreadsAPI = typeof api
expose(api)
