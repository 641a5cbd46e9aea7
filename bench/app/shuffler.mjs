/**
 * A fresh order of `0..n-1` per call: Fisher–Yates over a fixed-seed PRNG (mulberry32), so a
 * run's orders repeat from run to run. Random rather than rotated: a rotation keeps every
 * variant behind the same neighbour, and what a variant leaves behind (garbage to collect, its
 * threads going to sleep, a renderer shutting down) would always land on that neighbour. Plain
 * JavaScript, so the page's harness and the Node-side cold-start launcher share it.
 *
 * @param {number} n
 * @returns {() => number[]}
 */
export function shuffler(n) {
  let seed = 0x5eed
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const order = Array.from({ length: n }, (_, i) => i)
  return () => {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const swap = order[i]
      order[i] = order[j]
      order[j] = swap
    }
    return order
  }
}
