/** A trace groups the spans of related calls (one user action, one document) under one id. */
export interface Trace {
  readonly id: string
  readonly name: string | undefined
  /** Whether this trace's spans are recorded (decided once, when the trace is created). */
  readonly sampled: boolean
  /** Ends the trace; only the first call counts. */
  end(result?: TraceEndOptions): void
}

export interface TraceEndOptions {
  status?: 'ok' | 'error' | 'canceled'
  error?: unknown
}
