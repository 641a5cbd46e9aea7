/**
 * `atelier/inspector` over real workers: it mounts one host with an open shadow root, shows a
 * task and follows its calls, collapses and expands, keeps the app's CSS and its own apart, and
 * unmounting leaves nothing behind: no node, no subscription, no observer, no listener, no frame.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createTaskRuntime, type TaskRuntime } from '../../src/index'
import { mountInspector } from '../../src/inspector'
import { INSPECTOR_OPTIONS } from '../../src/inspector/options'
import { hostileOptions, isEngineMessage } from '../support/hostile'
import { mulberry32 } from '../support/random'
import { define, outcome } from './fixtures/define'
import { gate, release, started } from './fixtures/harness'

const WAIT = { timeout: 10_000, interval: 20 }

/** A runtime whose two streams count their live subscriptions. */
function countedRuntime() {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const live = { events: 0, snapshots: 0 }
  const wrap =
    <A extends unknown[]>(key: keyof typeof live, subscribe: (...args: A) => () => void) =>
    (...args: A) => {
      const unsubscribe = subscribe(...args)
      live[key]++
      let done = false
      return () => {
        if (!done) live[key]--
        done = true
        unsubscribe()
      }
    }
  runtime.subscribeEvents = wrap('events', runtime.subscribeEvents.bind(runtime))
  runtime.subscribeRuntimeSnapshot = wrap(
    'snapshots',
    runtime.subscribeRuntimeSnapshot.bind(runtime),
  )
  return { runtime, live }
}

/**
 * What stays registered in the page: document and window listeners, observers, animation frames.
 * Each is counted through the global it goes through, from the start of the test.
 */
function pageLeaks() {
  const counts = { listeners: 0, observers: 0, frames: 0 }
  const listening = (target: EventTarget) => {
    const add = target.addEventListener.bind(target)
    const remove = target.removeEventListener.bind(target)
    const keys = new Set<unknown>()
    vi.spyOn(target, 'addEventListener').mockImplementation((type, listener, options) => {
      if (!keys.has(listener)) counts.listeners++
      keys.add(listener)
      add(type, listener, options)
    })
    vi.spyOn(target, 'removeEventListener').mockImplementation((type, listener, options) => {
      if (keys.delete(listener)) counts.listeners--
      remove(type, listener, options)
    })
  }
  listening(document)
  listening(window)
  for (const name of ['IntersectionObserver', 'ResizeObserver'] as const) {
    const Base = globalThis[name] as unknown as new (
      callback: (...args: never[]) => void,
    ) => { observe(target: Element): void; disconnect(): void }
    class Counted extends Base {
      #observing = false
      override observe(target: Element) {
        if (!this.#observing) counts.observers++
        this.#observing = true
        super.observe(target)
      }
      override disconnect() {
        if (this.#observing) counts.observers--
        this.#observing = false
        super.disconnect()
      }
    }
    vi.stubGlobal(name, Counted)
  }
  const frames = new Set<number>()
  const request = requestAnimationFrame.bind(window)
  const cancel = cancelAnimationFrame.bind(window)
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    const handle: number = request((now) => {
      frames.delete(handle)
      callback(now)
    })
    frames.add(handle)
    return handle
  })
  vi.stubGlobal('cancelAnimationFrame', (handle: number) => {
    frames.delete(handle)
    cancel(handle)
  })
  return {
    get listeners() {
      return counts.listeners
    },
    get observers() {
      return counts.observers
    },
    get frames() {
      return frames.size
    },
  }
}

const hosts = () => document.querySelectorAll('atelier-inspector')

function shadowOf(host: Element | null | undefined): ShadowRoot {
  expect(host?.shadowRoot, 'an open shadow root').toBeTruthy()
  return host!.shadowRoot!
}

/** The text of `testid` in the card of task `name`, in `root`. */
function cardText(root: ShadowRoot, name: string, testid: string): string | undefined {
  return root.querySelector(`[data-task="${name}"] [data-testid="${testid}"]`)?.textContent?.trim()
}

const unmounts: Array<() => void> = []
function mount(...args: Parameters<typeof mountInspector>): () => void {
  const unmount = mountInspector(...args)
  unmounts.push(unmount)
  return unmount
}

beforeEach(() => {
  expect(hosts()).toHaveLength(0)
})

afterEach(() => {
  for (const unmount of unmounts.splice(0)) unmount()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('mountInspector, floating', () => {
  test('mounts one host in the body, with an open shadow root holding the toggle and a closed panel', () => {
    const { runtime } = countedRuntime()
    const before = document.body.childElementCount
    mount(runtime)
    expect(hosts()).toHaveLength(1)
    const host = hosts()[0]!
    expect(host.parentElement).toBe(document.body)
    expect(document.body.childElementCount).toBe(before + 1)
    expect(host.getAttribute('data-position')).toBe('bottom-right')
    expect(getComputedStyle(host).position).toBe('fixed')
    const shadow = shadowOf(host)
    expect(shadow.adoptedStyleSheets.length + shadow.querySelectorAll('style').length).toBe(1)
    const toggle = shadow.querySelector<HTMLButtonElement>('[data-testid="inspector-toggle"]')!
    expect(toggle.textContent).toBe('Atelier')
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(shadow.querySelector<HTMLElement>('.panel')!.hidden).toBe(true)
    expect(shadow.querySelector('[data-testid="live-view"]')).not.toBeNull()
    // Nothing of it in the light DOM: the page's own queries never find the inspector's nodes.
    expect(host.childNodes).toHaveLength(0)
    expect(document.querySelector('[data-testid="live-view"]')).toBeNull()
  })

  test('shows the task and follows its calls: counts, outcomes, in flight, recent calls', async () => {
    const { runtime } = countedRuntime()
    mount(runtime, { initiallyOpen: true })
    const { task } = define({ taskName: 'adder', maxInFlight: 2 }, runtime)
    const shadow = shadowOf(hosts()[0])

    await expect.poll(() => cardText(shadow, 'adder', 'lv-counter-ok'), WAIT).toBe('0')
    expect(cardText(shadow, 'adder', 'lv-workers')).toMatch(/^0 of \d workers busy/)
    await Promise.all([task.add(1, 2), task.add(3, 4), task.add(5, 6)])
    await expect.poll(() => cardText(shadow, 'adder', 'lv-counter-ok'), WAIT).toBe('3')
    await outcome(task.fail('on purpose'))
    await expect.poll(() => cardText(shadow, 'adder', 'lv-counter-exception'), WAIT).toBe('1')

    const g = gate()
    const held = task.hold(g)
    await started(g)
    await expect.poll(() => cardText(shadow, 'adder', 'lv-in-flight'), WAIT).toBe('1/2')
    release(g, 'done')
    await held
    await expect.poll(() => cardText(shadow, 'adder', 'lv-in-flight'), WAIT).toBe('0/2')

    // The newest call heads the recent calls, with its outcome in Atelier's word.
    const firstRow = () =>
      [...(shadow.querySelector('[data-testid="lv-spans"] tbody tr')?.children ?? [])].map(
        (cell) => cell.textContent,
      )
    await expect
      .poll(firstRow, WAIT)
      .toEqual([
        'adder',
        'hold',
        expect.stringMatching(/^W\d$/),
        expect.any(String),
        expect.any(String),
        'ok',
      ])
    // The lanes drew a time axis ending now.
    const canvas = shadow.querySelector<HTMLCanvasElement>('[data-task="adder"] canvas')!
    await expect.poll(() => canvas.dataset.ticks?.split(' | ').at(-1), WAIT).toBe('now')
  })

  test('collapses and expands; closed, it keeps counting and shows the counts on opening', async () => {
    const { runtime } = countedRuntime()
    mount(runtime, { initiallyOpen: true, position: 'top-left' })
    const { task } = define({ taskName: 'folding' }, runtime)
    const shadow = shadowOf(hosts()[0])
    const toggle = shadow.querySelector<HTMLButtonElement>('[data-testid="inspector-toggle"]')!
    const panel = shadow.querySelector<HTMLElement>('.panel')!
    expect(panel.hidden).toBe(false)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    expect(toggle.getAttribute('aria-controls')).toBe(panel.id)
    await expect.poll(() => cardText(shadow, 'folding', 'lv-counter-ok'), WAIT).toBe('0')

    toggle.click()
    expect(panel.hidden).toBe(true)
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(panel.getBoundingClientRect().height).toBe(0)
    await Promise.all([task.add(1, 1), task.add(2, 2)])

    toggle.click()
    expect(panel.hidden).toBe(false)
    await expect.poll(() => cardText(shadow, 'folding', 'lv-counter-ok'), WAIT).toBe('2')

    // Escape inside the panel closes it and gives the focus back to the toggle.
    panel
      .querySelector('table')!
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }))
    expect(panel.hidden).toBe(true)
    expect(shadow.activeElement).toBe(toggle)
  })

  test('the app’s CSS does not reach in, and the inspector’s does not reach out', async () => {
    const style = document.createElement('style')
    style.textContent = `
      body { color: rgb(255, 0, 0); font-family: serif; }
      h2, .lv-title { color: rgb(0, 128, 0); }
      .panel, .live-view { display: none; }`
    document.head.append(style)
    const appPanel = document.createElement('div')
    appPanel.className = 'panel toggle'
    document.body.append(appPanel)
    try {
      const { runtime } = countedRuntime()
      mount(runtime, { initiallyOpen: true })
      const shadow = shadowOf(hosts()[0])
      const title = shadow.querySelector('.lv-title')!
      expect(getComputedStyle(shadow.querySelector('.live-view')!).display).toBe('grid')
      expect(getComputedStyle(shadow.querySelector('.panel')!).display).toBe('block')
      expect(getComputedStyle(title).color).toBe('rgb(15, 23, 42)')
      expect(getComputedStyle(title).fontFamily).toMatch(/^system-ui/)
      // The app's element of the same classes keeps the app's look, not the panel's.
      expect(getComputedStyle(appPanel).display).toBe('none')
      expect(getComputedStyle(appPanel).boxShadow).toBe('none')
      expect(getComputedStyle(appPanel).borderRadius).toBe('0px')
    } finally {
      style.remove()
      appPanel.remove()
    }
  })

  test('one floating inspector per corner: a second is refused clearly, another corner works', () => {
    const { runtime } = countedRuntime()
    mount(runtime)
    expect(() => mountInspector(runtime)).toThrow(
      'an inspector already floats at bottom-right. Call its unmount() first, or give this one another position.',
    )
    expect(hosts()).toHaveLength(1)
    mount(createTaskRuntime(), { position: 'bottom-left' })
    expect(hosts()).toHaveLength(2)
    expect(() => mountInspector(runtime, { position: 'middle' as never })).toThrow(RangeError)
    expect(() => mountInspector({} as TaskRuntime)).toThrow(TypeError)
    expect(() => mountInspector(runtime, { container: null as never })).toThrow(
      'mountInspector: container must be an element, received null',
    )
    expect(hosts()).toHaveLength(2)
  })

  const throwingTitle = {
    get title(): never {
      throw new Error('no title')
    },
  }
  test.each([
    [
      'position',
      { position: 'middle' },
      RangeError,
      'position must be one of bottom-right, bottom-left, top-right, top-left, received "middle"',
    ],
    [
      'initiallyOpen',
      { initiallyOpen: 'yes' },
      TypeError,
      'initiallyOpen must be a boolean, received "yes"',
    ],
    ['title', { title: 42 }, TypeError, 'title must be a string, received 42'],
    [
      'windowMs 0',
      { windowMs: 0 },
      RangeError,
      'windowMs must be a number of milliseconds above 0',
    ],
    ['windowMs NaN', { windowMs: Number.NaN }, RangeError, 'received NaN'],
    [
      'recentCalls 2.5',
      { recentCalls: 2.5 },
      RangeError,
      'recentCalls must be an integer from 0 to 1000, received 2.5',
    ],
    [
      'recentCalls 1e9',
      { recentCalls: 1e9 },
      RangeError,
      'recentCalls must be an integer from 0 to 1000, received 1000000000',
    ],
    [
      'snapshotIntervalMs -1',
      { snapshotIntervalMs: -1 },
      RangeError,
      'snapshotIntervalMs must be a number of milliseconds from 0',
    ],
    ['snapshotIntervalMs "100"', { snapshotIntervalMs: '100' }, RangeError, 'received "100"'],
    [
      'a misspelt option',
      { windowMS: 5000 },
      TypeError,
      'mountInspector has no option "windowMS"; did you mean "windowMs"?',
    ],
    ['a getter that throws', throwingTitle, TypeError, 'reading title threw: Error: no title'],
    ['null', null, TypeError, 'options must be an object, received null'],
  ])('refuses %s, naming it, and leaves nothing behind', (_label, options, type, message) => {
    const leaks = pageLeaks()
    const { runtime, live } = countedRuntime()
    const bodyBefore = document.body.innerHTML
    expect(() => mountInspector(runtime, options as never)).toThrow(type)
    expect(() => mountInspector(runtime, options as never)).toThrow(message)
    expect(hosts()).toHaveLength(0)
    expect(document.body.innerHTML).toBe(bodyBefore)
    expect(live).toEqual({ events: 0, snapshots: 0 })
    expect(leaks).toMatchObject({ listeners: 0, observers: 0, frames: 0 })
  })

  test('random hostile options: mounted, or refused naming the option and leaving nothing (seeded)', () => {
    const envSeed = (import.meta as { env?: Record<string, string | undefined> }).env
      ?.VITE_FUZZ_SEED
    const base =
      envSeed === 'random' ? (Math.random() * 2 ** 32) >>> 0 : Number(envSeed ?? 0x1175) >>> 0
    const known = [...INSPECTOR_OPTIONS]
    const leaks = pageLeaks()
    const { runtime, live } = countedRuntime()
    const bodyBefore = document.body.innerHTML
    for (let round = 0; round < 300; round++) {
      const seed = (base + round) >>> 0
      const random = mulberry32(seed)
      const { options, keys } = hostileOptions(random, known)
      let unmount: (() => void) | undefined
      try {
        unmount = mountInspector(runtime, options)
      } catch (error) {
        const where = `seed ${seed}, keys ${JSON.stringify(keys)}: ${(error as Error).message}`
        expect(
          [TypeError, RangeError].some((type) => error instanceof type),
          where,
        ).toBe(true)
        expect(isEngineMessage((error as Error).message), where).toBe(false)
        expect(
          keys.some((key) => (error as Error).message.includes(key)),
          where,
        ).toBe(true)
      }
      unmount?.()
      expect(document.body.innerHTML, `seed ${seed}`).toBe(bodyBefore)
      expect(live, `seed ${seed}`).toEqual({ events: 0, snapshots: 0 })
    }
    expect(leaks).toMatchObject({ listeners: 0, observers: 0, frames: 0 })
  })

  test('an embedded inspector takes the same options, checked the same way', () => {
    const { runtime } = countedRuntime()
    const container = document.createElement('div')
    document.body.append(container)
    try {
      expect(() => mountInspector(runtime, { container, recentCalls: -1 })).toThrow(
        'recentCalls must be an integer from 0 to 1000, received -1',
      )
      expect(container.childNodes).toHaveLength(0)
      mount(runtime, { container, recentCalls: 0, windowMs: 1, snapshotIntervalMs: 0 })
      expect(container.querySelectorAll('atelier-inspector')).toHaveLength(1)
    } finally {
      for (const unmount of unmounts.splice(0)) unmount()
      container.remove()
    }
  })
})

describe('unmount', () => {
  test('leaves no node, no subscription, no observer, no listener and no frame; again is a no-op', async () => {
    const leaks = pageLeaks()
    const { runtime, live } = countedRuntime()
    const bodyBefore = document.body.innerHTML
    const unmount = mount(runtime, { initiallyOpen: true })
    const { task } = define({ taskName: 'leaky' }, runtime)
    const shadow = shadowOf(hosts()[0])
    await task.add(1, 2)
    await expect.poll(() => cardText(shadow, 'leaky', 'lv-counter-ok'), WAIT).toBe('1')
    expect(live).toEqual({ events: 1, snapshots: 1 })
    expect(leaks.observers).toBe(2)
    expect(leaks.listeners).toBeGreaterThan(0)

    // Unmounted while calls still run, so the lanes are moving and a frame is due.
    const g = gate()
    const held = task.hold(g)
    await started(g)
    await new Promise(requestAnimationFrame)
    expect(leaks.frames, 'the lanes move: a frame is due').toBe(1)
    unmount()
    expect(hosts()).toHaveLength(0)
    expect(document.body.innerHTML).toBe(bodyBefore)
    expect(live).toEqual({ events: 0, snapshots: 0 })
    expect(leaks).toMatchObject({ listeners: 0, observers: 0, frames: 0 })

    // The runtime goes on without it, and nothing wakes the inspector up again.
    release(g, 'late')
    expect(await held).toBe('late')
    await task.add(3, 4)
    await new Promise(requestAnimationFrame)
    expect(leaks).toMatchObject({ listeners: 0, observers: 0, frames: 0 })
    unmount()
    expect(live).toEqual({ events: 0, snapshots: 0 })
  })

  test('a second mount after unmount works, in the same corner', async () => {
    const { runtime, live } = countedRuntime()
    const { task } = define({ taskName: 'again' }, runtime)
    mount(runtime)()
    expect(hosts()).toHaveLength(0)
    mount(runtime, { initiallyOpen: true })
    expect(live).toEqual({ events: 1, snapshots: 1 })
    const shadow = shadowOf(hosts()[0])
    await task.add(1, 1)
    await expect.poll(() => cardText(shadow, 'again', 'lv-counter-ok'), WAIT).toBe('1')
  })
})

describe('mountInspector, embedded', () => {
  test('goes into the container, open and without a toggle; several may show one runtime', async () => {
    const { runtime, live } = countedRuntime()
    const left = document.body.appendChild(document.createElement('div'))
    const right = document.body.appendChild(document.createElement('div'))
    try {
      const first = mount(runtime, { container: left, title: 'Live view' })
      mount(runtime, { container: right })
      expect(live).toEqual({ events: 2, snapshots: 2 })
      const shadow = shadowOf(left.querySelector('atelier-inspector'))
      expect(shadow.querySelector('[data-testid="inspector-toggle"]')).toBeNull()
      expect(shadow.querySelector('.lv-title')!.textContent).toBe('Live view')
      expect(getComputedStyle(left.firstElementChild!).position).toBe('static')
      const { task } = define({ taskName: 'embedded' }, runtime)
      await task.add(1, 1)
      await expect.poll(() => cardText(shadow, 'embedded', 'lv-counter-ok'), WAIT).toBe('1')
      first()
      expect(left.childNodes).toHaveLength(0)
      expect(right.childNodes).toHaveLength(1)
      expect(live).toEqual({ events: 1, snapshots: 1 })
    } finally {
      left.remove()
      right.remove()
    }
  })
})
