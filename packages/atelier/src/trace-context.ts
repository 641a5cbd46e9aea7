/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) for calls: the `traceparent` a call
 * carries into its worker, so spans made there join the caller's trace. Ids are the standard's:
 * 16 random bytes for a trace, 8 for a span, in lowercase hex.
 *
 * The caller's OpenTelemetry context is read from the API's global registration, the one
 * `@opentelemetry/api` keeps under a well-known symbol, so Atelier depends on no OpenTelemetry
 * package and costs nothing where none is registered.
 */

const hex = (bytes: Uint8Array) => {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/** `bytes` random bytes in hex (never all zeros, which the standard reserves for "invalid"). */
export function randomId(bytes: 8 | 16): string {
  const buffer = new Uint8Array(bytes)
  do crypto.getRandomValues(buffer)
  while (buffer.every((byte) => byte === 0))
  return hex(buffer)
}

// Span ids: a random half per page and a counter, so the hot path draws no random numbers. The
// id's first 14 digits change once in 256 ids and are kept; the last two come from a table, so
// most ids cost one string concatenation (a radix conversion per id was a visible part of a
// listened call's cost).
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))
let spanPrefix: string | undefined
let spanHead = ''
let spanCounter = 0

/** A new span id: unique within the page, 16 hex digits. */
export function nextSpanId(): string {
  spanCounter = (spanCounter + 1) >>> 0
  const low = spanCounter & 0xff
  if (low === 0 || spanHead === '') {
    spanPrefix ??= randomId(8).slice(0, 8)
    spanHead = spanPrefix + (spanCounter >>> 8).toString(16).padStart(6, '0')
  }
  return spanHead + HEX_BYTES[low]!
}

export function traceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`
}

/** The span context of the caller's active OpenTelemetry span, where one is registered. */
export interface ParentContext {
  traceId: string
  spanId: string
  sampled: boolean
  tracestate: string | undefined
}

const OTEL_API = Symbol.for('opentelemetry.js.api.1')
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN')
const VALID_TRACE = /^[0-9a-f]{32}$/
const VALID_SPAN = /^[0-9a-f]{16}$/

interface OtelGlobal {
  context?: { active(): { getValue(key: symbol): unknown } | undefined }
}

interface OtelSpanContext {
  traceId: string
  spanId: string
  traceFlags: number
  traceState?: { serialize(): string }
}

/**
 * The active OpenTelemetry span's context, if `@opentelemetry/api` is registered in this realm
 * and a valid span is active. Never throws: a broken registration means no parent.
 */
export function activeOtelParent(): ParentContext | undefined {
  const api = (globalThis as Record<symbol, OtelGlobal | undefined>)[OTEL_API]
  if (api === undefined) return undefined
  try {
    const span = api.context?.active()?.getValue(SPAN_KEY) as
      | { spanContext(): OtelSpanContext }
      | undefined
    const context = span?.spanContext()
    if (
      context === undefined ||
      !VALID_TRACE.test(context.traceId) ||
      !VALID_SPAN.test(context.spanId) ||
      /^0+$/.test(context.traceId)
    ) {
      return undefined
    }
    const state = context.traceState?.serialize()
    return {
      traceId: context.traceId,
      spanId: context.spanId,
      sampled: (context.traceFlags & 1) === 1,
      tracestate: state ? state : undefined,
    }
  } catch {
    return undefined
  }
}
