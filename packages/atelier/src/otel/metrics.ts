/**
 * Atelier metric events as OpenTelemetry instruments, made on first use under the metric's own
 * name: histograms record each value; counters and gauges are observed when the SDK collects,
 * counters as their running totals and gauges as their latest levels, per attribute set.
 *
 * Counters are summed here rather than added one by one because an SDK hashes the attributes of
 * every measurement, and Atelier counts several per call: keyed by the attrs object, which
 * Atelier shares between every event of one series, a count costs a map lookup instead.
 */

import type {
  Attributes,
  Histogram,
  Meter,
  ObservableCallback,
  ObservableGauge,
} from '@opentelemetry/api'
import type { MetricAttributes, MetricEvent, MetricName } from '../metrics.js'

type Series = Map<Readonly<MetricAttributes>, number>

type Instrument =
  | { kind: 'counter'; totals: Series }
  | { kind: 'histogram'; histogram: Histogram }
  | { kind: 'gauge'; latest: Series }

export interface MetricRecorder {
  record(event: MetricEvent): void
  /**
   * Detaches the gauges' callbacks; counters keep reporting the totals they reached, and
   * histograms keep what they recorded.
   */
  stop(): void
}

/** Reports each series' value when the SDK collects. */
function observe(series: Series): ObservableCallback {
  return (result) => {
    for (const [attrs, value] of series) result.observe(value, attrs as Attributes)
  }
}

/**
 * Reports each counter's total when the SDK collects. Series with equal attributes in distinct
 * objects (the listener's cache is rebuilt when events are subscribed to again) are summed
 * first: an SDK keeps one observation per attribute set.
 */
function observeTotals(totals: Series): ObservableCallback {
  return (result) => {
    const merged = new Map<string, { attrs: Attributes; value: number }>()
    for (const [attrs, value] of totals) {
      const key = JSON.stringify(Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : 1)))
      const entry = merged.get(key)
      if (entry) entry.value += value
      else merged.set(key, { attrs: attrs as Attributes, value })
    }
    for (const { attrs, value } of merged.values()) result.observe(value, attrs)
  }
}

export function createMetricRecorder(meter: Meter): MetricRecorder {
  const instruments = new Map<MetricName, Instrument>()
  const gauges: Array<{ gauge: ObservableGauge; callback: ObservableCallback }> = []

  function instrumentOf(event: MetricEvent): Instrument {
    let instrument = instruments.get(event.name)
    if (instrument !== undefined) return instrument
    // Only the histograms measure time, and their names end in `_ms`.
    const options = event.name.endsWith('_ms') ? { unit: 'ms' } : {}
    if (event.kind === 'histogram') {
      instrument = { kind: 'histogram', histogram: meter.createHistogram(event.name, options) }
    } else if (event.kind === 'counter') {
      const totals: Series = new Map()
      meter.createObservableCounter(event.name, options).addCallback(observeTotals(totals))
      instrument = { kind: 'counter', totals }
    } else {
      // An observable gauge rather than an up-down counter: a gauge event carries the level
      // itself, and the synchronous `Gauge` needs an API newer than the peer range allows.
      const latest: Series = new Map()
      const gauge = meter.createObservableGauge(event.name, options)
      const callback = observe(latest)
      gauge.addCallback(callback)
      gauges.push({ gauge, callback })
      instrument = { kind: 'gauge', latest }
    }
    instruments.set(event.name, instrument)
    return instrument
  }

  return {
    record(event) {
      const instrument = instrumentOf(event)
      if (instrument.kind === 'histogram') {
        instrument.histogram.record(event.value, event.attrs as Attributes)
      } else if (instrument.kind === 'counter') {
        const { totals } = instrument
        totals.set(event.attrs, (totals.get(event.attrs) ?? 0) + event.value)
      } else instrument.latest.set(event.attrs, event.value)
    },
    stop() {
      for (const { gauge, callback } of gauges.splice(0)) gauge.removeCallback(callback)
    },
  }
}
