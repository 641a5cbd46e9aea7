import { expect, test, vi } from 'vitest'
import { createTaskRuntime } from '../../src/index'
import { flushMeasures, MAX_TIMELINE_MEASURES } from '../../src/observability/timeline'
import { define } from './fixtures/define'

/** A call made with a signal aborted already: it never reaches a worker. */
function abortedCall(task: ReturnType<typeof define>['task']): Promise<unknown> {
  return task
    .with({ signal: AbortSignal.abort() })
    .add(1, 1)
    .catch(() => {})
}

/** Records the arguments of every `console.timeStamp` call until `spy.mockRestore()`. */
function recordStamps() {
  const stamps: unknown[][] = []
  const spy = vi.spyOn(console, 'timeStamp').mockImplementation((...args: unknown[]) => {
    stamps.push(args)
  })
  return { stamps, spy }
}

test('the timeline keeps fewer than MAX_TIMELINE_MEASURES spans, and observers see every one', async () => {
  flushMeasures()
  performance.clearMeasures()
  // What DevTools-like tools see: entries as they are made, whatever the timeline keeps.
  const observed = new Set<string>()
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntriesByName('atelier:span', 'measure')) {
      observed.add((entry as PerformanceMeasure).detail.spanId)
    }
  })
  observer.observe({ type: 'measure' })
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: 'entries' } })
  const spanIds: string[] = []
  runtime.subscribeEvents((e) => {
    if (e.kind === 'span') spanIds.push(e.spanId)
  })
  const { task } = define({}, runtime)
  const calls = MAX_TIMELINE_MEASURES + 250
  let most = 0
  for (let i = 0; i < calls; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => task.add(i, j)))
    flushMeasures()
    most = Math.max(most, performance.getEntriesByName('atelier:span', 'measure').length)
  }
  expect(spanIds).toHaveLength(calls)
  expect(most).toBeGreaterThan(0)
  expect(most).toBeLessThan(MAX_TIMELINE_MEASURES)
  await expect.poll(() => observed.size).toBe(calls)
  expect([...observed].sort()).toEqual([...spanIds].sort())
  observer.disconnect()
})

test('traces are bounded the same way', async () => {
  flushMeasures()
  performance.clearMeasures()
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: 'entries' } })
  for (let i = 0; i < MAX_TIMELINE_MEASURES + 10; i++) runtime.createTrace(`t${i}`).end()
  flushMeasures()
  const kept = performance.getEntriesByName('atelier:trace', 'measure').length
  expect(kept).toBeGreaterThan(0)
  expect(kept).toBeLessThan(MAX_TIMELINE_MEASURES)
})

test("in 'entries' mode, span measures draw on DevTools' tracks: a group per task, a lane per worker, colored by outcome", async () => {
  flushMeasures()
  performance.clearMeasures()
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: 'entries' } })
  const { task } = define({ type: 'singleton', taskName: 'thumbs' }, runtime)
  await task.add(1, 2)
  await task.fail('nope').catch(() => {})
  await abortedCall(task)
  flushMeasures()
  const details = performance
    .getEntriesByName('atelier:span', 'measure')
    .map((entry) => (entry as PerformanceMeasure).detail.devtools)
  expect(details).toEqual([
    {
      dataType: 'track-entry',
      trackGroup: 'Atelier: thumbs',
      track: 'worker 0',
      color: 'primary',
      tooltipText: 'add: ok',
    },
    {
      dataType: 'track-entry',
      trackGroup: 'Atelier: thumbs',
      track: 'worker 0',
      color: 'error',
      tooltipText: 'fail: exception',
    },
    {
      dataType: 'track-entry',
      trackGroup: 'Atelier: thumbs',
      track: 'not dispatched',
      color: 'warning',
      tooltipText: 'add: abort',
    },
  ])
})

test('measures are made off the calls, once the page is idle', async () => {
  flushMeasures()
  performance.clearMeasures()
  const runtime = createTaskRuntime({ observability: { spans: 'on', measures: 'entries' } })
  const { task } = define({}, runtime)
  await task.add(1, 2)
  // Not yet: queued for an idle moment rather than made on the call's path.
  expect(performance.getEntriesByName('atelier:span', 'measure')).toHaveLength(0)
  await expect.poll(() => performance.getEntriesByName('atelier:span', 'measure').length).toBe(1)
})

test("by default ('tracks'), spans and traces are drawn with console.timeStamp and nothing stays in the timeline", async () => {
  flushMeasures()
  performance.clearMeasures()
  const { stamps, spy } = recordStamps()
  try {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const spans: Array<{ durationMs: number; queueWaitMs?: number }> = []
    runtime.subscribeEvents((e) => {
      if (e.kind === 'span') spans.push(e)
    })
    const { task } = define({ type: 'singleton', taskName: 'thumbs' }, runtime)
    const before = performance.now()
    await runtime.runWithTrace('batch', async () => {
      await task.add(1, 2)
      await task.fail('nope').catch(() => {})
    })
    await abortedCall(task)
    const after = performance.now()
    flushMeasures()
    expect(performance.getEntriesByType('measure')).toHaveLength(0)
    expect(stamps.map(([label, , , track, group, color]) => [label, track, group, color])).toEqual([
      ['add: ok', 'worker 0', 'Atelier: thumbs', 'primary'],
      ['fail: exception', 'worker 0', 'Atelier: thumbs', 'error'],
      ['batch', 'traces', 'Atelier', 'primary'],
      ['add: abort', 'not dispatched', 'Atelier: thumbs', 'warning'],
    ])
    // Bars span the call, in the page's performance.now() time.
    for (const [i, stamp] of stamps.entries()) {
      const [, start, end] = stamp as [string, number, number]
      expect(start).toBeGreaterThanOrEqual(before)
      expect(end).toBeLessThanOrEqual(after)
      expect(end).toBeGreaterThanOrEqual(start)
      // Stamp 2 is the trace's. On a worker's lane, from its dispatch; a call never dispatched,
      // from the call.
      const span = [spans[0], spans[1], undefined, spans[2]][i]
      if (span) expect(end - start).toBeCloseTo(span.durationMs - (span.queueWaitMs ?? 0), 6)
    }
  } finally {
    spy.mockRestore()
  }
})

test('with nobody listening, the bars are the same: drawn from the calls, no span built for no one', async () => {
  flushMeasures()
  const { stamps, spy } = recordStamps()
  try {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    // One listener that leaves again: the bars after it are drawn all the same.
    const unsubscribe = runtime.subscribeEvents(() => {})
    const { task } = define({ type: 'parallel', poolSize: 2, taskName: 'quiet' }, runtime)
    await task.add(1, 2)
    unsubscribe()
    await Promise.all([task.add(1, 2), task.add(3, 4)])
    await task.fail('nope').catch(() => {})
    await abortedCall(task)
    flushMeasures()
    const drawn = stamps.map(([label, start, end, track, group, color]) => {
      expect(end as number).toBeGreaterThanOrEqual(start as number)
      return [label, track, group, color]
    })
    expect(drawn).toHaveLength(5)
    expect(drawn.filter(([label]) => label === 'add: ok')).toHaveLength(3)
    for (const [, track, group, color] of drawn.slice(0, 3)) {
      expect([track, group, color]).toEqual([
        expect.stringMatching(/^worker [01]$/),
        'Atelier: quiet',
        'primary',
      ])
    }
    expect(drawn.slice(3)).toEqual([
      ['fail: exception', expect.stringMatching(/^worker [01]$/), 'Atelier: quiet', 'error'],
      ['add: abort', 'not dispatched', 'Atelier: quiet', 'warning'],
    ])
  } finally {
    spy.mockRestore()
  }
})

test('measures: false draws nothing', async () => {
  const spy = vi.spyOn(console, 'timeStamp').mockImplementation(() => {})
  try {
    const runtime = createTaskRuntime({ observability: { spans: 'on', measures: false } })
    const { task } = define({}, runtime)
    await runtime.runWithTrace('quiet', () => task.add(1, 2))
    flushMeasures()
    expect(spy).not.toHaveBeenCalled()
  } finally {
    spy.mockRestore()
  }
})

test('tracks are drawn off the calls too, once the page is idle', async () => {
  flushMeasures()
  const spy = vi.spyOn(console, 'timeStamp').mockImplementation(() => {})
  try {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const { task } = define({}, runtime)
    await task.add(1, 2)
    // Not yet: queued for an idle moment rather than drawn on the call's path.
    expect(spy).not.toHaveBeenCalled()
    await expect.poll(() => spy.mock.calls.length).toBe(1)
  } finally {
    spy.mockRestore()
  }
})
