import { describe, expect, it } from 'vitest'
import { AbortError, QueueDropError, TaskDisposedError, TimeoutError } from '../../src/errors.js'
import { METRICS } from '../../src/metrics.js'
import { type CallOutcome, OUTCOMES, outcomeOfError } from '../../src/outcomes.js'

/** Values that break `String(value)` or any property read. */
function hostile() {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {})
  revoke()
  const throwingGetter = {
    get name(): string {
      throw new Error('getter')
    },
  }
  return { revoked, throwingGetter, nullProto: Object.create(null) as object }
}

describe('OUTCOMES', () => {
  it('gives every outcome one status, error kind, counter and label', () => {
    expect(
      Object.fromEntries(
        Object.entries(OUTCOMES).map(([o, { status, errorKind, metric, label }]) => [
          o,
          [status, errorKind, metric, label],
        ]),
      ),
    ).toEqual({
      ok: ['ok', undefined, METRICS.successTotal, 'ok'],
      exception: ['error', 'exception', METRICS.failureTotal, 'failed'],
      abort: ['canceled', 'abort', METRICS.canceledTotal, 'cancelled'],
      timeout: ['error', 'timeout', METRICS.timeoutTotal, 'timed out'],
      queue: ['error', 'queue', METRICS.rejectedTotal, 'dropped'],
      crash: ['error', 'crash', METRICS.failureTotal, 'crashed'],
      disposed: ['canceled', 'disposed', METRICS.canceledTotal, 'disposed'],
    } satisfies Record<CallOutcome, unknown[]>)
  })

  it('canceled means asked for, error means nobody asked for it', () => {
    const asked = ['abort', 'disposed']
    for (const [outcome, info] of Object.entries(OUTCOMES)) {
      if (outcome === 'ok') continue
      expect(info.status, outcome).toBe(asked.includes(outcome) ? 'canceled' : 'error')
    }
  })

  it('labels are distinct, so a UI never shows two outcomes under one word', () => {
    const labels = Object.values(OUTCOMES).map((o) => o.label)
    expect(new Set(labels).size).toBe(labels.length)
  })

  it('every counter it names is in METRICS', () => {
    const names = new Set<string>(Object.values(METRICS))
    for (const info of Object.values(OUTCOMES)) expect(names).toContain(info.metric)
  })

  it('is frozen: an app cannot change what the runtime reports', () => {
    expect(Object.isFrozen(OUTCOMES)).toBe(true)
    expect(Object.isFrozen(OUTCOMES.timeout)).toBe(true)
  })
})

describe('outcomeOfError', () => {
  it('knows each Atelier error by its name, from any realm', () => {
    expect(outcomeOfError(new AbortError('x'))).toBe('abort')
    expect(outcomeOfError(new TimeoutError(5))).toBe('timeout')
    expect(outcomeOfError(new QueueDropError('reject', 't'))).toBe('queue')
    expect(outcomeOfError({ name: 'WorkerCrashedError' })).toBe('crash')
    expect(outcomeOfError(new TaskDisposedError('t'))).toBe('disposed')
    expect(outcomeOfError(new DOMException('stop', 'AbortError'))).toBe('abort')
    expect(outcomeOfError(new RangeError('bad'))).toBe('exception')
  })

  it('never throws, whatever was thrown', () => {
    const { revoked, throwingGetter, nullProto } = hostile()
    for (const value of [revoked, throwingGetter, nullProto, null, undefined, 42, Symbol('s')]) {
      expect(outcomeOfError(value)).toBe('exception')
    }
  })
})
