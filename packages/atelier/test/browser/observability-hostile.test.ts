import { expect, test } from 'vitest'
import { createTaskRuntime, type RuntimeEvent, type SpanEvent } from '../../src/index'
import { define } from './fixtures/define'
import { gate, started } from './fixtures/harness'

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

const reasons = {
  'a null-prototype object': () => Object.create(null) as object,
  'a revoked Proxy': revokedProxy,
  'an object whose toString throws': () => ({
    toString(): string {
      throw new Error('no')
    },
  }),
}

for (const [label, make] of Object.entries(reasons)) {
  test(`${label} as the abort reason of a running call: the call rejects with it and still becomes a span`, async () => {
    const runtime = createTaskRuntime({ observability: { spans: 'on' } })
    const events: RuntimeEvent[] = []
    runtime.subscribeEvents((e) => events.push(e))
    const { task } = define({ type: 'singleton' }, runtime)
    const reason = make()
    const g = gate()
    const controller = new AbortController()
    let rejected: unknown = 'nothing'
    const call = runtime.runWithTrace('hostile', (trace) =>
      task
        .with({ trace, signal: controller.signal })
        .hold(g)
        .catch((error: unknown) => {
          rejected = error
          throw error
        }),
    )
    const settled = call.catch(() => undefined)
    await started(g)
    controller.abort(reason)
    await settled
    expect(rejected).toBe(reason)
    const span = events.find((e): e is SpanEvent => e.kind === 'span')
    expect(span).toMatchObject({
      status: 'canceled',
      errorKind: 'abort',
      error: { name: 'Error', message: expect.any(String) },
    })
    expect(events.find((e) => e.kind === 'trace')).toMatchObject({ status: 'error' })
    // The worker is still usable.
    await expect(task.add(2, 3)).resolves.toBe(5)
  })
}
