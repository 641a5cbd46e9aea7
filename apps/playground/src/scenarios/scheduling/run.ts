/**
 * One measured run: a fresh task with the given balancer, its workers started before the clock
 * starts, every call made at once, and the spans collected from the event stream.
 */

import type { BalancerName, SpanEvent, Task, TaskRuntime } from 'atelier'
import { epochNow } from '../../ui/format'
import type { BusyAPI } from './busy.worker'

export interface Workload {
  poolSize: number
  calls: number
  longEvery: number
  longMs: number
  shortMs: number
}

export interface RunResult {
  balancer: BalancerName
  poolSize: number
  startedAt: number
  makespanMs: number
  spans: SpanEvent[]
  meanWaitMs: number
  task: Task<BusyAPI>
}

let runs = 0

/** Call i is long when (i + 1) is a multiple of `longEvery`. */
export function isLong(workload: Workload, i: number): boolean {
  return (i + 1) % workload.longEvery === 0
}

export async function measure(
  runtime: TaskRuntime,
  balancer: BalancerName,
  workload: Workload,
): Promise<RunResult> {
  const taskId = `${balancer}-${++runs}`
  const task = runtime.defineTask<BusyAPI>({
    type: 'parallel',
    taskId,
    taskName: balancer,
    balancer,
    poolSize: workload.poolSize,
    // Every call is accepted at once; the balancer alone decides where each one runs.
    maxQueueDepth: workload.calls,
    worker: () =>
      new Worker(new URL('./busy.worker.ts', import.meta.url), { type: 'module', name: 'busy' }),
  })
  await task.startWorkers()

  const spans: SpanEvent[] = []
  const stop = runtime.subscribeEvents((event) => {
    if (event.kind === 'span' && event.taskId === taskId) spans.push(event)
  })
  const startedAt = epochNow()
  await Promise.all(
    Array.from({ length: workload.calls }, (_, i) =>
      isLong(workload, i) ? task.long(workload.longMs) : task.short(workload.shortMs),
    ),
  )
  const makespanMs = epochNow() - startedAt
  // Spans are emitted as each call settles, before its promise's callbacks run: all are here.
  stop()
  const meanWaitMs =
    spans.reduce((sum, s) => sum + (s.queueWaitMs ?? 0), 0) / Math.max(1, spans.length)
  return { balancer, poolSize: workload.poolSize, startedAt, makespanMs, spans, meanWaitMs, task }
}
