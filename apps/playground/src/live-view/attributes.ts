/**
 * A metric's task and worker, whichever way its attributes are keyed. Atelier is moving its
 * metric attributes to OpenTelemetry's dotted keys (`task.id`, `worker.index`); until every
 * build the live view may meet has them, both spellings are read, dotted first.
 */

import type { MetricEvent } from 'atelier'

type Attributes = Readonly<Record<string, unknown>>

export function metricTaskId(metric: Pick<MetricEvent, 'attrs'>): string | undefined {
  const attrs = metric.attrs as unknown as Attributes
  const id = attrs['task.id'] ?? attrs.taskId
  return typeof id === 'string' ? id : undefined
}

export function metricWorkerIndex(metric: Pick<MetricEvent, 'attrs'>): number | undefined {
  const attrs = metric.attrs as unknown as Attributes
  const index = attrs['worker.index'] ?? attrs.workerIndex
  return typeof index === 'number' ? index : undefined
}
