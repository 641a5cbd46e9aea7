// The README's DevTools screenshot (packages/atelier/docs/devtools.png), made headless:
//
//   node scripts/devtools-screenshot.mjs
//
// A demo page, bundled from the library's source, runs a four-worker task with spans on: calls
// of different lengths, some failing, some cancelled while running and two while still queued.
// Chromium records a trace of it over CDP with the categories a Performance recording uses. The
// DevTools frontend that Chromium bundles (devtools://devtools/bundled/trace_app.html, opened as
// a page: no download, no server) loads that trace through its own "Load trace…" button, the
// Atelier group and its lanes are expanded, and the shot is cropped to the tracks. Rerunnable:
// it overwrites the PNG and leaves nothing else behind. About 6 s.

import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumPath } from './chromium.mjs'

const SRC = fileURLToPath(new URL('../packages/atelier/src/', import.meta.url))
const OUT = fileURLToPath(new URL('../packages/atelier/docs/devtools.png', import.meta.url))
const ORIGIN = 'http://atelier.demo'

const MAIN = `
import { createTaskRuntime } from './index.ts'

const runtime = createTaskRuntime({ observability: { spans: 'on' } })
const thumbs = runtime.defineTask({
  taskName: 'thumbs',
  type: 'parallel',
  poolSize: 4,
  init: 'eager',
  worker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
})

const pause = (ms) => new Promise((done) => setTimeout(done, ms))

// DevTools lists a group's tracks in the order of their first bars. Calls made while every
// worker is loading go to the first ready one; once all are ready and idle, the balancer hands
// them out in turn from worker 0, so the demo's first four calls start lanes 0 to 3 in order.
globalThis.warmUp = async () => {
  await pause(500)
  await Promise.all([0, 1, 2, 3].map(() => thumbs.resize(0)))
}

/** A call, cancelled after \`cancelAfter\` ms if given; how it ends is the picture, not a fault. */
function call(method, ms, cancelAfter) {
  const controller = new AbortController()
  if (cancelAfter !== undefined) setTimeout(() => controller.abort(), cancelAfter)
  return thumbs.with({ signal: controller.signal })[method](ms).catch(() => {})
}

/** Calls one after another, so each keeps one worker busy without queueing. */
async function chain(first, count) {
  for (let n = first; n < first + count; n++) {
    const ms = 18 + ((n * 29) % 40)
    if (n % 7 === 4) {
      await call('encode', ms)
    } else if (n % 9 === 7) {
      await call('resize', ms, ms / 2)
      // A cancelled call holds its place until its worker confirms, so a call made at once
      // would queue; its bar, which starts at the call, would then overlap the one before it
      // on the lane it ends up on, and DevTools would stack the two. Wait for the place.
      while (thumbs.getState().queueDepth >= 4) await pause(1)
    } else {
      await call('resize', ms)
    }
  }
}

globalThis.run = async () => {
  // Four chains: resizes of varied lengths, an encode that fails now and then, a few cancelled
  // mid-run.
  await Promise.all([0, 1, 2, 3].map(async (lane) => {
    await pause(lane * 6)
    await chain(lane * 3, 3)
  }))
  // Every worker starts a call at once; two more queue behind them and are cancelled there,
  // before any worker frees, so they never reach one.
  const rest = [0, 1, 2, 3].map((lane) => chain(12 + lane * 3, 3))
  await Promise.all([call('resize', 20, 8), call('resize', 20, 12)])
  await Promise.all(rest)
  // Bars are drawn as calls settle (with measures: 'entries', when the page is idle; an idle
  // callback asked for now runs after theirs).
  await new Promise((done) => requestIdleCallback(done))
}
`

const WORKER = `
import { serve } from './worker.ts'

const work = (ms, ctx) =>
  new Promise((done, fail) => {
    const timer = setTimeout(done, ms)
    ctx.signal.addEventListener('abort', () => (clearTimeout(timer), fail(ctx.signal.reason)))
  })

serve({
  resize: (ms, ctx) => work(ms, ctx),
  async encode(ms, ctx) {
    await work(ms, ctx)
    throw new Error('unsupported color profile')
  },
})
`

async function bundle(contents) {
  const result = await build({
    stdin: { contents, resolveDir: SRC, loader: 'js' },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0].text
}

/** Runs the demo in a page of its own, and returns the trace Chromium recorded of it. */
async function recordDemo(browser) {
  const files = {
    '/': '<!doctype html><title>Atelier demo</title><script type="module" src="/main.js"></script>',
    '/main.js': await bundle(MAIN),
    '/worker.js': await bundle(WORKER),
  }
  const page = await browser.newPage()
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname
    if (!(path in files)) return route.fulfill({ status: 404 })
    const contentType = path === '/' ? 'text/html' : 'text/javascript'
    return route.fulfill({ body: files[path], contentType })
  })
  await page.goto(`${ORIGIN}/`)
  await page.waitForFunction(() => 'run' in globalThis)
  await page.evaluate(() => globalThis.warmUp())

  const cdp = await page.context().newCDPSession(page)
  const traceEvents = []
  cdp.on('Tracing.dataCollected', ({ value }) => traceEvents.push(...value))
  const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done))
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: {
      includedCategories: [
        '__metadata',
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'blink.user_timing',
        'v8.execute',
      ],
    },
  })
  await page.evaluate(() => globalThis.run())
  await cdp.send('Tracing.end')
  await complete
  await page.close()
  // Cut where the demo ends (a few ms after Atelier's last bar), so that the whole recording is
  // the picture: the recording began just before the demo, but stopping it takes a while.
  const bars = traceEvents.filter(
    (event) => event.name === 'TimeStamp' && event.args?.data?.trackGroup,
  )
  const end = Math.max(...bars.map((event) => event.args.data.end)) + 3000
  const kept = traceEvents.filter((event) => event.ts <= end)
  return JSON.stringify({ traceEvents: kept })
}

/** Opens the trace in the bundled DevTools Performance panel and screenshots Atelier's tracks. */
async function screenshot(browser, trace) {
  const page = await browser.newPage({
    viewport: { width: 1200, height: 640 },
    deviceScaleFactor: 2,
  })
  await page.goto('devtools://devtools/bundled/trace_app.html?panel=timeline')
  await page.locator('.timeline-landing-page, .timeline-details-view-body').first().waitFor()
  // The frontend has no page to attach to here: it says so in a dialog, which Escape closes.
  await page.keyboard.press('Escape')
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Load trace…' }).click(),
  ])
  await chooser.setFiles({
    name: 'atelier-demo.json',
    mimeType: 'application/json',
    buffer: Buffer.from(trace),
  })
  // Once the trace is in, the panel shows its keyboard shortcuts (first time only): close them,
  // and the sidebar, so the tracks take the whole width.
  await page.getByRole('button', { name: 'Close' }).click()
  await page.getByRole('button', { name: 'Hide sidebar' }).click()
  await page.waitForTimeout(300)
  // The tracks are drawn on a canvas, a row each (19 px), Atelier's group first as its events
  // come first; clicking a header toggles its track. While the group is collapsed, the main
  // thread's track is the next row: collapse it. Then expand the group, whose five lanes take the
  // rows below it, and each lane (an expanded lane labels its bars), from the bottom up so that
  // each click leaves the rows above where they were.
  const chart = await page.locator('canvas.flame-chart-canvas').first().boundingBox()
  const row = (n) => chart.y + 24 + 19 * n
  await page.mouse.click(chart.x + 12, row(1))
  await page.mouse.click(chart.x + 12, row(0))
  for (const lane of [5, 4, 3, 2, 1]) await page.mouse.click(chart.x + 20, row(lane))
  // Zoomed out to the whole recording (the panel first shows most of it).
  for (let i = 0; i < 6; i++) await page.keyboard.press('s')
  await page.waitForTimeout(500)
  return page
}

const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
try {
  const trace = await recordDemo(browser)
  const page = await screenshot(browser, trace)
  await page.screenshot({ path: OUT, clip: { x: 0, y: 0, width: 1200, height: 440 } })
  console.log(`wrote ${OUT}`)
} finally {
  await browser.close()
}
