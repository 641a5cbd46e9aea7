/**
 * DevTools tracks as a recording shows them: a page bundled from the library's source runs a
 * two-worker task with spans on, Chromium records a trace of it over CDP, and the trace must
 * hold one Atelier track entry per span, in the task's track group, on its worker's lane,
 * colored by its outcome, labelled with its method and outcome, as long as the span.
 *
 * Entries are read from the trace, not from the page, so the test sees what DevTools would draw,
 * from either API: by default `console.timeStamp` (a `TimeStamp` event in `devtools.timeline`),
 * with `measures: 'entries'` a `performance.measure` with a `devtools` detail (a begin/end pair
 * in `blink.user_timing`).
 */

import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { type Browser, chromium, type Page } from 'playwright'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { chromiumArgs, chromiumPath } from '../../../../scripts/chromium.mjs'
import type { SpanEvent } from '../../src/index.js'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src')
const ORIGIN = 'http://atelier.test'
const TASK = 'trace-demo'

// The page's two modules, bundled from the library's source so the test sees today's code.
const MAIN = `
import { createTaskRuntime } from './index.ts'

// ?measures=entries picks that mode; without it, the default.
const measures = new URLSearchParams(location.search).get('measures') ?? undefined
const runtime = createTaskRuntime({ observability: { spans: 'on', measures } })
const spans = []
runtime.subscribeEvents((event) => event.kind === 'span' && spans.push(event))
const task = runtime.defineTask({
  taskName: '${TASK}',
  type: 'parallel',
  poolSize: 2,
  init: 'eager',
  worker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
})

// Entries may be drawn when the page is idle; an idle callback asked for now runs after theirs.
const idle = () => new Promise((done) => requestIdleCallback(done))

globalThis.warmUp = async () => {
  await Promise.all([task.sleep(0), task.sleep(0)])
  await idle()
}
globalThis.run = async () => {
  spans.length = 0
  // Two at once, so the least-busy balancer puts one on each worker.
  await Promise.all([task.sleep(30), task.sleep(20)])
  await task.fail().catch(() => {})
  const controller = new AbortController()
  const held = task.with({ signal: controller.signal }).hold()
  setTimeout(() => controller.abort(), 20)
  await held.catch(() => {})
  await idle()
  return spans
}
`

const WORKER = `
import { serve } from './worker.ts'

serve({
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  fail() {
    throw new Error('refused')
  },
  hold: (ctx) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))
    }),
})
`

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: SRC, loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

interface TraceEvent {
  name: string
  cat: string
  ph: string
  ts: number
  id2?: { local?: string }
  args?: { data?: Record<string, unknown>; detail?: string }
}

/** What a recording draws for one call, whichever API drew it. Times in trace microseconds. */
interface TrackEntry {
  api: 'console.timeStamp' | 'performance.measure'
  trackGroup: string
  track: string
  color: string
  label: string
  start: number
  end: number
}

/** The track entries in the trace whose track group is Atelier's. */
function atelierEntries(events: TraceEvent[]): TrackEntry[] {
  const entries: TrackEntry[] = []
  for (const event of events) {
    const data = event.args?.data
    if (event.name !== 'TimeStamp' || typeof data?.trackGroup !== 'string') continue
    entries.push({
      api: 'console.timeStamp',
      trackGroup: data.trackGroup,
      track: String(data.track),
      color: String(data.color),
      label: String(data.message ?? data.name),
      start: Number(data.start),
      end: Number(data.end),
    })
  }
  // A measure is a begin event, carrying its detail as JSON, then an end event with the same
  // id. Chromium reuses an id once its measure has ended, and a measure made inside another's
  // span of events ends first, so each end closes the latest open begin of its id.
  const open = new Map<string, { begin: TraceEvent; devtools: Record<string, string> }[]>()
  for (const event of events) {
    if (event.cat !== 'blink.user_timing') continue
    const id = `${event.name}/${event.id2?.local}`
    if (event.ph === 'b') {
      const devtools = JSON.parse(event.args?.detail ?? 'null')?.devtools
      if (devtools?.dataType !== 'track-entry') continue
      open.set(id, [...(open.get(id) ?? []), { begin: event, devtools }])
    } else if (event.ph === 'e') {
      const measure = open.get(id)?.pop()
      if (!measure) continue
      const { begin, devtools } = measure
      entries.push({
        api: 'performance.measure',
        trackGroup: devtools.trackGroup!,
        track: devtools.track!,
        color: devtools.color!,
        label: devtools.tooltipText!,
        start: begin.ts,
        end: event.ts,
      })
    }
  }
  return entries.filter((entry) => entry.trackGroup.startsWith('Atelier: '))
}

/** Records a Chrome trace of `body` with the categories DevTools' Performance panel uses. */
async function recordTrace<T>(page: Page, body: () => Promise<T>): Promise<[T, TraceEvent[]]> {
  const cdp = await page.context().newCDPSession(page)
  const events: TraceEvent[] = []
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])))
  const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done))
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['devtools.timeline', 'blink.user_timing'] },
  })
  const result = await body()
  await cdp.send('Tracing.end')
  await complete
  await cdp.detach()
  return [result, events]
}

let browser: Browser
let files: Record<string, string>

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  files = {
    '/': '<!doctype html><script type="module" src="/main.js"></script>',
    '/main.js': await bundle(MAIN),
    '/worker.js': await bundle(WORKER),
  }
})

afterAll(async () => {
  await browser?.close()
})

// Each mode: [its title, the API whose events the trace must hold, the \`measures\` option].
const modes = [
  ['by default', 'console.timeStamp', undefined],
  ["with measures: 'entries'", 'performance.measure', 'entries'],
] as const

test.each(modes)(
  '%s, each call is drawn (by %s) on its worker lane, colored and labelled by outcome',
  async (_title, api, measures) => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    // The page and its worker, served from memory.
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname
      const body = files[path]
      if (body === undefined) return route.fulfill({ status: 404 })
      return route.fulfill({ body, contentType: path === '/' ? 'text/html' : 'text/javascript' })
    })
    await page.goto(measures ? `${ORIGIN}/?measures=${measures}` : `${ORIGIN}/`)
    await page.waitForFunction(() => 'run' in globalThis)
    // Both workers up, and the warm-up's entries drawn, before the recording starts.
    await page.evaluate(() => (globalThis as unknown as { warmUp(): Promise<void> }).warmUp())

    const [spans, events] = await recordTrace(page, () =>
      page.evaluate(() => (globalThis as unknown as { run(): Promise<SpanEvent[]> }).run()),
    )
    await page.close()
    expect(errors).toEqual([])

    expect(spans.map((span) => [span.method, span.status, span.errorKind])).toEqual([
      ['sleep', 'ok', undefined],
      ['sleep', 'ok', undefined],
      ['fail', 'error', 'exception'],
      ['hold', 'canceled', 'abort'],
    ])
    expect(new Set(spans.slice(0, 2).map((span) => span.workerIndex))).toEqual(new Set([0, 1]))

    // One entry per span, every one drawn by the mode's API, none left over.
    const entries = atelierEntries(events)
    expect(entries).toHaveLength(spans.length)
    expect(entries.every((entry) => entry.api === api)).toBe(true)
    // Spans are heard as calls settle, and an entry ends where its call settled: in end order,
    // the entries pair with the spans one to one.
    const byEnd = [...entries].sort((a, b) => a.end - b.end)
    const colors = { ok: 'primary', error: 'error', canceled: 'warning' }
    spans.forEach((span, i) => {
      const entry = byEnd[i]!
      expect(entry).toMatchObject({
        trackGroup: `Atelier: ${TASK}`,
        track: `worker ${span.workerIndex}`,
        color: colors[span.status],
        // The outcome's name, as in the outcomes table: ok, exception, abort, timeout…
        label: `${span.method}: ${span.errorKind ?? 'ok'}`,
      })
      // Drawn from the call's dispatch to its worker (its time in the queue would overlap the
      // worker's previous call) to its settlement: to the trace clock's microsecond.
      expect(entry.end).toBeGreaterThan(entry.start)
      const length = span.durationMs - (span.queueWaitMs ?? 0)
      expect(Math.abs((entry.end - entry.start) / 1000 - length)).toBeLessThan(0.01)
    })
    expect(new Set(entries.map((entry) => entry.track))).toEqual(new Set(['worker 0', 'worker 1']))
  },
)
