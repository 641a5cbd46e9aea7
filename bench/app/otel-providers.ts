/**
 * OpenTelemetry SDK providers as an app would configure them (a batch span processor and a
 * periodic metric reader, with the SDK's defaults), exporting to exporters that only count, so
 * the bench measures the SDK's recording path and not a network.
 */

import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'

export function countingProviders() {
  const exported = { spans: 0, metricBatches: 0 }
  const spanExporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exported.spans += spans.length
      done({ code: ExportResultCode.SUCCESS })
    },
    shutdown: async () => {},
  }
  const metricExporter: PushMetricExporter = {
    export(_metrics: ResourceMetrics, done: (result: ExportResult) => void) {
      exported.metricBatches++
      done({ code: ExportResultCode.SUCCESS })
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  }
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(spanExporter)],
  })
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: metricExporter })],
  })
  return {
    tracerProvider,
    meterProvider,
    exported,
    shutdown() {
      void tracerProvider.shutdown()
      void meterProvider.shutdown()
    },
  }
}
