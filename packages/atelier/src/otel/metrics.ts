/**
 * Atelier metric events as OpenTelemetry instruments, made on first use under the metric's own
 * name: counters add, histograms record, and gauges report the latest level per attribute set
 * whenever the SDK collects.
 */

import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  ObservableCallback,
  ObservableGauge,
} from '@opentelemetry/api'
import type { MetricAttributes, MetricEvent, MetricName } from '../metrics.js'

type Instrument =
  | { kind: 'counter'; counter: Counter }
  | { kind: 'histogram'; histogram: Histogram }
  | { kind: 'gauge'; latest: Map<Readonly<MetricAttributes>, number> }

export interface MetricRecorder {
  record(event: MetricEvent): void
  /** Detaches the gauges' callbacks; counters and histograms keep what they recorded. */
  stop(): void
}

export function createMetricRecorder(meter: Meter): MetricRecorder {
  const instruments = new Map<MetricName, Instrument>()
  const observers: Array<{ gauge: ObservableGauge; callback: ObservableCallback }> = []

  function instrumentOf(event: MetricEvent): Instrument {
    let instrument = instruments.get(event.name)
    if (instrument !== undefined) return instrument
    // Only the histograms measure time, and their names end in `_ms`.
    const options = event.name.endsWith('_ms') ? { unit: 'ms' } : {}
    if (event.kind === 'counter') {
      instrument = { kind: 'counter', counter: meter.createCounter(event.name, options) }
    } else if (event.kind === 'histogram') {
      instrument = { kind: 'histogram', histogram: meter.createHistogram(event.name, options) }
    } else {
      // An observable gauge rather than an up-down counter: a gauge event carries the level
      // itself, and the synchronous `Gauge` needs an API newer than the peer range allows.
      // Keyed by the attrs object, which Atelier shares between every event of one series.
      const latest = new Map<Readonly<MetricAttributes>, number>()
      const gauge = meter.createObservableGauge(event.name, options)
      const callback: ObservableCallback = (result) => {
        for (const [attrs, value] of latest) result.observe(value, attrs as Attributes)
      }
      gauge.addCallback(callback)
      observers.push({ gauge, callback })
      instrument = { kind: 'gauge', latest }
    }
    instruments.set(event.name, instrument)
    return instrument
  }

  return {
    record(event) {
      const instrument = instrumentOf(event)
      const attrs = event.attrs as Attributes
      if (instrument.kind === 'counter') instrument.counter.add(event.value, attrs)
      else if (instrument.kind === 'histogram') instrument.histogram.record(event.value, attrs)
      else instrument.latest.set(event.attrs, event.value)
    },
    stop() {
      for (const { gauge, callback } of observers.splice(0)) gauge.removeCallback(callback)
    },
  }
}
