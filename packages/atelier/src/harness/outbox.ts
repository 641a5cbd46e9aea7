/**
 * Everything the harness says, in order. Answers (results and errors) that are ready within one
 * turn of the worker's event loop go back in one message (`atelier:answers`), their transfer
 * lists merged: the mirror of the executor's outbox, and for the same reason, a structured clone
 * and a task per message. The first answer since a message arrived goes at once (an answer alone
 * waits for nothing, not even a microtask, which costs a round trip measurably in Chromium's
 * workers); those after it wait for the turn's end (a microtask), and the answers of a batch of
 * calls wait for the batch (see `hold`). Everything else (chunks,
 * progress, notices) goes at once, after the answers already waiting, so nothing overtakes what
 * was said before it.
 *
 * A bad answer still fails alone: if the merged message cannot be posted, nothing was posted, and
 * the answers go one by one, a result that cannot be sent turning into an error that says why.
 */

import { atTurnEnd } from '../turn-end.js'
import type {
  AnswersMessage,
  ErrorMessage,
  HarnessMessage,
  ResultMessage,
} from '../wire/protocol.js'
import { findTransferables, mergeTransfers, walkedWhole } from '../wire/transfer.js'
import { errorMessage, type HarnessEndpoint, postData, unsendableResult } from './replies.js'

const NO_TRANSFER: Transferable[] = []

type Answer = ResultMessage | ErrorMessage

export class HarnessOutbox {
  #answers: Answer[] = []
  #transfers: Transferable[][] = []
  /** The method of each result (for the error if it cannot be sent); unused for errors. */
  #methods: string[] = []
  #flushQueued = false
  /** An answer went at once since the last message arrived (see `newTurn`). */
  #sentThisTurn = false
  /** Batches still running asynchronously; while any is, answers wait for them (see `hold`). */
  #holds = 0

  constructor(readonly port: HarnessEndpoint) {}

  /** Answers waiting. */
  get size(): number {
    return this.#answers.length
  }

  /** Call `id` returned `value`: walked for transfer now (a detached buffer fails it here). */
  result(id: number, method: string, value: unknown, transferResult: boolean): void {
    let transfer = NO_TRANSFER
    try {
      const found = findTransferables(value)
      if (transferResult) transfer = found
    } catch (error) {
      this.error(id, unsendableResult(method, error))
      return
    }
    const answer: ResultMessage = ['atelier:result', id, value]
    if (!walkedWhole()) {
      // Where the walk could not look, a detached buffer may hide and empty the whole message
      // (see `walkedWhole`): this one goes alone, after those waiting.
      this.flush()
      this.#send(answer, transfer, method)
      return
    }
    this.#queue(answer, transfer, method)
  }

  /** Call `id` threw `error` (anything at all: it is flattened here). */
  error(id: number, error: unknown): void {
    this.#queue(errorMessage(id, error), NO_TRANSFER, '')
  }

  /**
   * Holds answers until {@link release}: while the calls of a batch that run asynchronously
   * finish, a few microtasks after the synchronous ones, so they all go back together.
   */
  hold(): void {
    this.#holds++
  }

  release(): void {
    if (--this.#holds === 0) this.flush()
  }

  /** Posts a message that carries no app data, after the answers waiting. Never throws. */
  say(message: HarnessMessage): void {
    this.flush()
    try {
      this.port.postMessage(message)
    } catch {
      // Only an endpoint that is closed (or a stand-in that throws) gets here: nobody to tell.
    }
  }

  /**
   * Posts a message that carries the app's `data` (chunks, progress), after the answers waiting;
   * returns why it could not be sent, or undefined once sent.
   */
  sayData(
    message: HarnessMessage,
    data: unknown,
    transfer: boolean,
  ): { error: unknown } | undefined {
    this.flush()
    return postData(this.port, message, data, transfer)
  }

  #queue(answer: Answer, transfer: Transferable[], method: string): void {
    if (this.#holds === 0 && !this.#sentThisTurn) {
      // The first answer of a turn goes at once, so an answer alone waits for nothing; those
      // after it in the same turn wait for the turn's end and go together.
      this.#sentThisTurn = true
      this.#send(answer, transfer, method)
      return
    }
    this.#answers.push(answer)
    this.#transfers.push(transfer)
    this.#methods.push(method)
    if (this.#flushQueued || this.#holds > 0) return
    this.#flushQueued = true
    atTurnEnd(this.flush)
  }

  /** A message arrived: a new turn, whose first answer goes at once. */
  newTurn(): void {
    this.#sentThisTurn = false
  }

  /** Posts the answers waiting. Never throws. */
  readonly flush = (): void => {
    this.#flushQueued = false
    const answers = this.#answers
    const count = answers.length
    if (count === 0) return
    const transfers = this.#transfers
    const methods = this.#methods
    if (count === 1) {
      // An answer alone: no batch, and the arrays kept for the next.
      const answer = answers[0]!
      const transfer = transfers[0]!
      const method = methods[0]!
      answers.length = transfers.length = methods.length = 0
      this.#send(answer, transfer, method)
      return
    }
    this.#answers = []
    this.#transfers = []
    this.#methods = []
    const transfer = mergeTransfers(transfers)
    const message: AnswersMessage = ['atelier:answers', answers]
    try {
      this.port.postMessage(message, transfer)
      return
    } catch {
      // One of them cannot go: each on its own, so it fails alone.
    }
    for (let i = 0; i < count; i++) this.#send(answers[i]!, transfers[i]!, methods[i]!)
  }

  /** Posts one answer; a result that cannot go becomes an error saying why, which can. */
  #send(answer: Answer, transfer: Transferable[], method: string): void {
    const error = this.#postAlone(answer, transfer)
    if (error !== undefined && answer[0] === 'atelier:result') {
      this.#postAlone(errorMessage(answer[1], unsendableResult(method, error)), NO_TRANSFER)
    }
  }

  /** Posts one answer; returns why it could not go (then nothing went). */
  #postAlone(answer: Answer, transfer: Transferable[]): unknown {
    try {
      this.port.postMessage(answer, transfer)
      return undefined
    } catch (error) {
      // Some buffer could not be moved (e.g. a WebAssembly memory's): copying may still work.
      if (transfer.length === 0) return error
    }
    try {
      this.port.postMessage(answer)
      return undefined
    } catch (error) {
      return error
    }
  }
}
