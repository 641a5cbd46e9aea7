/**
 * Streaming: how fast chunks go from a worker's generator to a consumer on the main thread, under
 * the same credit window, against the floor written by hand (`bare-stream.ts`: one `postMessage`
 * per chunk, credit granted back in halves of the window).
 *
 * Two loads, measured apart (each its own interleaved rounds): `numbers`, many small chunks,
 * where a chunk costs nothing but messaging; and `1 MiB`, fresh buffers transferred (never
 * copied) chunk by chunk, whose allocations and garbage stay away from the small chunks' timings.
 * A 1 MiB stream lasts milliseconds and its pace comes in spells (the OS maps and unmaps every
 * buffer), so its rounds are cut into slices, a stream each, the variants taking turns.
 *
 * Atelier streams from an `async function*` handler (`workers/atelier-stream.worker.ts`), taken
 * with `for await` (the targeted row) and, for comparison, collected with `await`. Every variant
 * has a worker of its own, started before anything is timed. Ratios are paired, round by round.
 */

import { createTaskRuntime, type Task, type TaskStream } from '../../../packages/atelier/src/index'
import { createBareStream } from '../bare-stream'
import { type BenchResult, compare, interleave, type Variant } from '../harness'
import type { StreamAPI } from '../workers/atelier-stream.worker'
import { type ChunkKind, isBufferChunk } from '../workers/stream-chunks'

const MiB = 1 << 20

interface Load {
  /** Row prefix. */
  label: string
  kind: ChunkKind
  /** Chunks per stream. */
  count: number
  /** Bytes per chunk (buffers only). */
  size: number
  /** Streams per variant per round, taken in turns (see `interleave`). */
  slices: number
  /** Most ratio allowed for Atelier's `for await` to the floor. */
  target: number
}

export async function run(params: URLSearchParams): Promise<BenchResult> {
  const window = Number(params.get('window') ?? 16)
  const rounds = Number(params.get('rounds') ?? 20)
  const loads: Load[] = [
    {
      label: 'numbers',
      kind: 'numbers',
      count: Number(params.get('numbers') ?? 40_000),
      size: 0,
      slices: 1,
      target: 1.5,
    },
    {
      label: '1 MiB',
      kind: 'buffers',
      count: Number(params.get('buffers') ?? 250),
      size: MiB,
      slices: Number(params.get('slices') ?? 2),
      target: 1.2,
    },
  ]
  const rows: BenchResult['rows'] = []
  const notes: string[] = []
  for (const load of loads) {
    const result = await measure(load, window, rounds)
    rows.push(...result.rows)
    notes.push(result.note)
  }
  notes.push(
    `window ${window} everywhere: the worker runs at most ${window} chunks ahead of the consumer (Atelier: streamWindow ${window}, spans off; bare: credit granted back every ${Math.max(1, window >> 1)} chunks taken); one worker per variant`,
  )
  return { scenario: 'stream', rounds, rows, notes }
}

async function measure(load: Load, window: number, rounds: number) {
  const { label, kind, count, size, slices } = load
  const floor = `${label}: bare postMessage`
  const iterated = `${label}: Atelier, for await`
  const collected = `${label}: Atelier, await (collected)`

  /** Throws unless `chunk` is chunk `i` of this load's stream. */
  const check = (chunk: unknown, i: number) => {
    const ok = kind === 'numbers' ? chunk === i : isBufferChunk(chunk, i, size)
    if (!ok) throw new Error(`${label}: chunk ${i} is not the one the worker yielded`)
  }
  const checkCount = (name: string, got: number) => {
    if (got !== count) throw new Error(`${name}: ${got} chunks of ${count}`)
  }
  const open = (task: Task<StreamAPI>): TaskStream<unknown> =>
    kind === 'numbers' ? task.numbers(count) : task.buffers(count, size)

  const bare = createBareStream(window)
  const tasks = [defineStreams(window), defineStreams(window)] as const
  try {
    await Promise.all([bare.start(), ...tasks.map((task) => task.startWorkers())])
    const variants: Variant[] = [
      {
        name: floor,
        async run() {
          let got = 0
          const start = performance.now()
          await bare.consume(kind, count, size, (chunk, i) => {
            check(chunk, i)
            got++
          })
          const ms = performance.now() - start
          checkCount(floor, got)
          return ms
        },
      },
      {
        name: iterated,
        async run() {
          let got = 0
          const start = performance.now()
          for await (const chunk of open(tasks[0])) check(chunk, got++)
          const ms = performance.now() - start
          checkCount(iterated, got)
          return ms
        },
      },
      {
        name: collected,
        async run() {
          const start = performance.now()
          const chunks = await open(tasks[1])
          for (let i = 0; i < chunks.length; i++) check(chunks[i], i)
          const ms = performance.now() - start
          checkCount(collected, chunks.length)
          return ms
        },
      },
    ]
    const samples = await interleave(variants, { rounds, slices })
    // Atelier's buffers left its workers by transfer: none is still attached there.
    if (kind === 'buffers') {
      for (const task of tasks) {
        const attached = await task.attached()
        if (attached > 0) throw new Error(`${label}: ${attached} chunks were copied, not moved`)
      }
    }
    const chunks = count * slices
    return {
      rows: compare(samples, {
        baseline: floor,
        // A stream's pace moves in spells; a round's variants share its spell.
        ratio: 'paired',
        scale: (ms) => (chunks / ms) * 1000,
        unit: 'chunks/s',
        targets: { [iterated]: load.target },
      }),
      note:
        kind === 'numbers'
          ? `${label}: a stream of ${count} numbers per variant per round, each checked as it arrives`
          : `${label}: ${slices} streams of ${count} fresh ${size / MiB} MiB ArrayBuffers per variant per round, taken in turns, each chunk transferred and checked as it arrives`,
    }
  } finally {
    bare.dispose()
    await Promise.all(tasks.map((task) => task.dispose()))
  }
}

/** A task of its own (one worker) for one variant. */
function defineStreams(window: number): Task<StreamAPI> {
  const runtime = createTaskRuntime({ observability: { spans: 'off' } })
  return runtime.defineTask<StreamAPI>({
    type: 'singleton',
    streamWindow: window,
    worker: () =>
      new Worker(new URL('../workers/atelier-stream.worker.ts', import.meta.url), {
        type: 'module',
      }),
  })
}
