/**
 * A large buffer's round trip: a `size`-byte ArrayBuffer sent to a worker, touched, and sent
 * back, either transferred both ways (zero-copy) or copied both ways (structured clone). The
 * figure is per round trip. A transferred buffer comes back as the one to send next; a copied
 * one is sent again from the original.
 *
 * The round trips are sequential, so a transferred one costs about what a tiny call does (two
 * thread wake-ups). The transferring variants are measured as in `latency`: taking turns within
 * each round (`slices`), a few round trips at a time. The copying ones (≈ 30 ms a round trip,
 * and 32 MiB of garbage each) run apart, in rounds of their own, so that their allocations and
 * collections do not land on the transfers' timings.
 */

import {
  type Contender,
  createAtelier,
  createBare,
  createComlink,
  createPoolifier,
  createThreads,
  createWorkerpool,
} from '../contenders'
import { type BenchResult, compare, interleave, type Samples, type Variant } from '../harness'

const MiB = 1 << 20

interface Setup {
  name: string
  contender: Contender
  transfer: boolean
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const size = Number(params.get('mib') ?? 16) * MiB
  const rounds = Number(params.get('rounds') ?? 15)
  const copyRounds = Number(params.get('copyrounds') ?? 6)
  const slices = Number(params.get('slices') ?? 10)
  const transferTrips = Number(params.get('trips') ?? 4)
  const copyTrips = Number(params.get('copytrips') ?? 4)

  const bare = createBare('bare')
  const atelier = createAtelier('Atelier')
  const comlink = createComlink('comlink')
  const workerpool = createWorkerpool('workerpool')
  const poolifier = createPoolifier('poolifier')
  const threads = createThreads('threads')
  const contenders = [bare, atelier, comlink, workerpool, poolifier, threads]
  const setups: Setup[] = [
    { name: 'bare, transfer', contender: bare, transfer: true },
    { name: 'bare, copy', contender: bare, transfer: false },
    { name: 'Atelier, default (auto transfer)', contender: atelier, transfer: true },
    { name: 'Atelier, transfer: [], transferResult: false', contender: atelier, transfer: false },
    { name: 'comlink, transfer()', contender: comlink, transfer: true },
    { name: 'comlink, copy', contender: comlink, transfer: false },
    { name: 'workerpool, transfer', contender: workerpool, transfer: true },
    { name: 'workerpool, copy', contender: workerpool, transfer: false },
    { name: 'poolifier, transfer (result copied)', contender: poolifier, transfer: true },
    { name: 'poolifier, copy', contender: poolifier, transfer: false },
    { name: 'threads, Transfer()', contender: threads, transfer: true },
    { name: 'threads, copy', contender: threads, transfer: false },
  ]
  try {
    await Promise.all(contenders.map((contender) => contender.start()))
    const variant = ({ name, contender, transfer }: Setup): Variant => {
      const trips = transfer ? transferTrips : copyTrips
      let buffer = new ArrayBuffer(size)
      return {
        name,
        async run() {
          const start = performance.now()
          for (let i = 0; i < trips; i++) {
            const back = await contender.bounce(buffer, transfer)
            if (back.byteLength !== size) throw new Error(`${name}: got ${back.byteLength} bytes`)
            if (transfer) buffer = back
          }
          const ms = performance.now() - start
          if (transfer && buffer.byteLength !== size) throw new Error(`${name}: lost the buffer`)
          if (!transfer && buffer.byteLength !== size) throw new Error(`${name}: transferred`)
          return ms
        },
      }
    }
    const transfers = await interleave(setups.filter((setup) => setup.transfer).map(variant), {
      rounds,
      slices,
    })
    const copies = await interleave(setups.filter((setup) => !setup.transfer).map(variant), {
      rounds: copyRounds,
    })
    // Per round trip, in the setups' order.
    const samples: Samples = new Map()
    for (const { name, transfer } of setups) {
      const runs = (transfer ? transfers : copies).get(name)!
      const trips = transfer ? transferTrips * slices : copyTrips
      samples.set(
        name,
        runs.map((ms) => ms / trips),
      )
    }
    return {
      scenario: 'payload',
      rounds,
      rows: compare(samples, {
        baseline: 'bare, transfer',
        scale: (ms) => ms * 1000,
        unit: 'µs/round trip',
      }),
      notes: [
        `a ${size / MiB} MiB ArrayBuffer to a worker and back. Transferred: ${rounds} rounds of ${slices} turns of ${transferTrips} sequential round trips per variant; copied: ${copyRounds} rounds of ${copyTrips}, measured apart`,
        'transfer: zero-copy both ways (bare: transfer lists; Atelier: found in the arguments and the result; comlink: transfer(); workerpool: {transfer} and workerpool.Transfer; threads: Transfer())',
        "poolifier can transfer arguments (execute's transferList) but not results: its worker posts them without a transfer list, so its result is always a copy",
      ],
    }
  } finally {
    await Promise.all(contenders.map((contender) => contender.dispose()))
  }
}
