/**
 * How many calls each worker may hold when the app left `maxInFlight` to Atelier.
 *
 * One call per worker keeps uneven work even (a worker that frees up takes the next call, none
 * waits behind a long one), but a worker that answers a tiny call then sits idle for a whole
 * round trip before its next arrives: for calls shorter than a round trip, most of the time.
 * So each worker holds one call while the task's calls are long, and up to {@link MAX_HELD} while
 * every method's recent calls are short compared with a round trip, when holding more costs the
 * balance nothing worth having and saves the round trips.
 *
 * What a call cost is measured where the executor sees it: from its dispatch, or from its
 * worker's previous answer if that came later (it waited behind it), to its answer. The fastest
 * recent cost of a call sent to an idle worker is the round trip itself. A method turns long on one
 * call that cost more than twice that, or more than {@link SHORT_CEILING_MS} whatever the round
 * trip (a task whose calls are all long never shows a true round trip), and short again after {@link SHORT_STREAK} calls in a
 * row that cost less: quick to protect the balance, slow to give it up.
 */

/** The most calls a worker holds while the task's calls are short. */
export const MAX_HELD = 16

/** No call costing more than this is short: holding 16 of them would unbalance a pool. */
export const SHORT_CEILING_MS = 1

/** Calls in a row under the threshold that make a method short. */
export const SHORT_STREAK = 3

/**
 * How much the round-trip estimate may rise with each call sent to an idle worker. The fastest
 * round trip ever seen is an outlier on a busy machine (a CI runner, a phone with other work),
 * and twice an outlier is a bar few calls clear: held to the fastest, the pacer could stay at one
 * call per worker for good. Rising a little with each call, it settles on the fastest recent one.
 */
export const ROUND_TRIP_DRIFT = 1.1

export class Pacer {
  /** Per method, how many of its latest calls in a row were short. */
  readonly #streak = new Map<string, number>()
  /** Methods not (yet) short: their last call was long, or they stream. */
  readonly #long = new Set<string>()
  /** The fastest recent cost of a call that had its worker to itself: one round trip. */
  #roundTrip = Number.POSITIVE_INFINITY
  /** How many calls a worker may hold now: 1, or {@link MAX_HELD}. */
  depth = 1

  /**
   * Whether a worker that holds calls and has not answered one since `since` is busy with a
   * long call, which no short call should wait behind: it has been longer than a short call
   * takes (twice a round trip).
   */
  stalled(since: number, now: number): boolean {
    return now - since > this.#threshold
  }

  /** What a short call costs at most. */
  get #threshold(): number {
    return Math.min(2 * this.#roundTrip, SHORT_CEILING_MS)
  }

  /**
   * `method`'s call was answered after `costMs`; `alone`: its worker held nothing else when it
   * was dispatched. Returns the depth, which may have changed.
   */
  answered(method: string, costMs: number, alone: boolean): number {
    if (alone && costMs > 0) this.#roundTrip = Math.min(costMs, this.#roundTrip * ROUND_TRIP_DRIFT)
    if (costMs < this.#threshold) {
      const streak = (this.#streak.get(method) ?? 0) + 1
      this.#streak.set(method, streak)
      if (streak >= SHORT_STREAK) this.#long.delete(method)
      else this.#long.add(method)
    } else {
      this.#streak.set(method, 0)
      this.#long.add(method)
    }
    return this.#update()
  }

  /** `method` streams: its calls hold their worker for as long as the stream lasts. */
  streams(method: string): number {
    this.#streak.set(method, Number.NEGATIVE_INFINITY)
    this.#long.add(method)
    return this.#update()
  }

  #update(): number {
    this.depth = this.#long.size === 0 && this.#streak.size > 0 ? MAX_HELD : 1
    return this.depth
  }
}
