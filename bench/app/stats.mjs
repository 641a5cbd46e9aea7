/**
 * The bench's two numeric helpers. Plain JavaScript, like `shuffler.mjs`, so the page's harness
 * and the Node-side launchers (`run.mjs`, `cold-start/launch.mjs`) share one copy.
 */

/**
 * The middle value, or the mean of the two middle ones.
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * `value` rounded to `digits` decimals.
 * @param {number} value
 * @param {number} [digits]
 * @returns {number}
 */
export function round(value, digits = 2) {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
