/**
 * The playground end to end: Vite's dev server with the same config `npm start` uses, Debian's
 * Chromium driven by Playwright, every scenario started, a knob changed, and what the page shows
 * asserted. Waits poll the page for a condition, never sleep. Each scenario is screenshotted;
 * with UPDATE_SCREENSHOTS=1 the pictures replace those in apps/playground/docs/ (the README
 * embeds them), otherwise they go to a temporary folder so a test run leaves the tree clean.
 */

import { mkdir, mkdtemp } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright'
import { createServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { chromiumArgs, chromiumPath } from '../../../scripts/chromium.mjs'

const APP = fileURLToPath(new URL('..', import.meta.url))
const DOCS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../docs/', import.meta.url))
  : `${await mkdtemp(`${tmpdir()}/atelier-playground-`)}/`
const WAIT = { timeout: 30_000, interval: 50 }

let server: ViteDevServer
let browser: Browser
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  server = await createServer({
    root: APP,
    configFile: `${APP}/vite.config.ts`,
    logLevel: 'warn',
    // A free port, and no file watching: the screenshots written into the app must not reload it.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  })
  await server.listen()
  const { port } = server.httpServer!.address() as AddressInfo
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`http://127.0.0.1:${port}/`)
  await mkdir(DOCS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const byTestId = (id: string) => `[data-testid="${id}"]`
const text = async (id: string) => (await page.textContent(byTestId(id)))?.trim() ?? ''
const count = async (id: string) => Number(await text(id))

async function openTab(id: string): Promise<void> {
  await page.click(byTestId(`tab-${id}`))
  await page.waitForSelector(`#panel-${id}:not([hidden])`)
}

/** Types into a number field and leaves it, which is when the app applies it. */
async function setNumber(id: string, value: number): Promise<void> {
  await page.fill(byTestId(id), String(value))
  await page.press(byTestId(id), 'Tab')
}

async function screenshot(name: string): Promise<void> {
  // No hover or focus ring left over from the test's own clicks.
  await page.mouse.move(0, 0)
  await page.evaluate(() => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    window.scrollTo(0, 0)
  })
  // Two frames, so the live view has drawn what the assertions just saw.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  )
  await page.screenshot({ path: `${DOCS}${name}.png` })
}

test('tabs follow the keyboard: arrows, Home and End', async () => {
  await page.focus(byTestId('tab-image-pipeline'))
  await page.keyboard.press('ArrowRight')
  expect(await page.getAttribute(byTestId('tab-backpressure'), 'aria-selected')).toBe('true')
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-backpressure')
  await page.keyboard.press('End')
  expect(await page.getAttribute(byTestId('tab-scheduling'), 'aria-selected')).toBe('true')
  await page.keyboard.press('ArrowRight')
  expect(await page.getAttribute(byTestId('tab-image-pipeline'), 'aria-selected')).toBe('true')
  await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('Home')
  expect(await page.getAttribute(byTestId('tab-image-pipeline'), 'aria-selected')).toBe('true')
  expect(await page.isHidden('#panel-scheduling')).toBe(true)
})

test('image pipeline: thumbnails arrive as images finish', async () => {
  await openTab('image-pipeline')
  await page.selectOption(byTestId('ip-images'), '12')
  await setNumber('ip-limit', 4)
  await page.click(byTestId('ip-start'))

  await expect.poll(() => count('thumb-count'), WAIT).toBeGreaterThan(0)
  await expect.poll(() => text('ip-status'), WAIT).toMatch(/^Done: 12 images/)
  expect(await page.locator(byTestId('thumb')).count()).toBe(12)
  expect(Number(await text('ip-rate'))).toBeGreaterThan(0)
  // The live view saw every stage, the singleton encoder included.
  const encoded = `#panel-image-pipeline [data-task="encode"] ${byTestId('lv-counter-ok')}`
  await expect.poll(async () => Number(await page.textContent(encoded)), WAIT).toBe(12)
  expect(await page.locator(`#panel-image-pipeline ${byTestId('live-task')}`).count()).toBe(4)
  await screenshot('image-pipeline')
})

test('backpressure: the queue fills, and each policy does what it says', async () => {
  await openTab('backpressure')
  await page.click(byTestId('bp-toggle'))

  // block: callers wait before admission; nothing is lost.
  await expect.poll(() => count('bp-waiting'), WAIT).toBeGreaterThan(0)
  await expect.poll(() => count('bp-ok'), WAIT).toBeGreaterThan(0)
  expect(await count('bp-queue')).toBe(0)

  // reject: the task is redefined, counts restart, and surplus calls fail at once.
  await page.selectOption(byTestId('bp-policy'), 'reject')
  await expect.poll(() => count('bp-queue'), WAIT).toBeGreaterThan(0)
  await expect.poll(() => count('bp-ok'), WAIT).toBeGreaterThan(0)
  await expect.poll(() => count('bp-waiting'), WAIT).toBe(0)

  // drop-oldest with a shallower queue: pending calls are evicted instead.
  await setNumber('bp-max-queue-depth', 2)
  await page.selectOption(byTestId('bp-policy'), 'drop-oldest')
  await expect.poll(() => count('bp-queue'), WAIT).toBeGreaterThan(5)
  await expect.poll(() => count('bp-pending'), WAIT).toBeGreaterThan(0)
  await screenshot('backpressure')
  await page.click(byTestId('bp-toggle'))
})

test('cancellation: a cancelled document stops, the others complete', async () => {
  await openTab('cancellation')
  await page.selectOption(byTestId('cx-timeout'), '4000')
  await page.click(byTestId('cx-start'))
  await expect.poll(() => count('doc-report-ok'), WAIT).toBeGreaterThan(0)

  await page.click(byTestId('cancel-invoices'))
  await expect.poll(() => count('doc-invoices-outstanding'), WAIT).toBe(0)
  expect(await page.getAttribute(byTestId('doc-invoices'), 'data-state')).toBe('canceled')
  expect(await count('doc-invoices-abort')).toBeGreaterThan(0)
  for (const doc of ['report', 'album', 'thesis']) {
    await expect.poll(() => count(`doc-${doc}-ok`), WAIT).toBe(12)
  }
  expect(await count('doc-invoices-ok')).toBeLessThan(12)
  await expect.poll(() => text('cx-status'), WAIT).toBe('All documents settled.')
  await screenshot('cancellation')

  // A short timeout: the pages still queued when it fires time out instead of rendering.
  await page.selectOption(byTestId('cx-timeout'), '500')
  await page.click(byTestId('cx-start'))
  await expect.poll(() => text('cx-status'), WAIT).toBe('All documents settled.')
  let timedOut = 0
  for (const doc of ['report', 'invoices', 'album', 'thesis']) {
    timedOut += await count(`doc-${doc}-timeout`)
  }
  expect(timedOut).toBeGreaterThan(0)
})

test('crash recovery: crashed workers come back and later calls succeed', async () => {
  await openTab('crash-recovery')
  await page.click(byTestId('cr-toggle'))
  await expect.poll(() => count('cr-completed'), WAIT).toBeGreaterThan(2)

  await page.click(byTestId('cr-inject'))
  await expect.poll(() => count('cr-crashes'), WAIT).toBeGreaterThan(0)
  // The replacement worker: three at the start, one more per restart.
  await expect.poll(() => count('cr-spawns'), WAIT).toBeGreaterThan(3)
  await expect.poll(() => text('cr-last-crash'), WAIT).toContain('Injected crash')
  const afterCrash = await count('cr-completed')
  await expect.poll(() => count('cr-completed'), WAIT).toBeGreaterThan(afterCrash + 3)
  // The crash log shows the restart after the backoff.
  const backoffs = `${byTestId('crash-log')} tr[data-kind="backoff"] ${byTestId('crash-log-backoff')}`
  await expect.poll(() => page.locator(backoffs).first().textContent(), WAIT).toBe('100 ms')
  await screenshot('crash-recovery')

  // fail-task: one crash fails the task; Restart task brings it back.
  await page.selectOption(byTestId('cr-policy'), 'fail-task')
  await expect.poll(() => text('cr-health'), WAIT).toBe('running')
  await page.click(byTestId('cr-inject'))
  await expect.poll(() => text('cr-health'), WAIT).toBe('crashed')
  await expect.poll(() => count('cr-crashed-calls'), WAIT).toBeGreaterThan(0)
  const beforeRestart = await count('cr-completed')
  await page.click(byTestId('cr-restart'))
  await expect.poll(() => text('cr-health'), WAIT).toBe('running')
  await expect.poll(() => count('cr-completed'), WAIT).toBeGreaterThan(beforeRestart)
  await page.click(byTestId('cr-toggle'))
})

test('scheduling: both balancers run the same workload, with makespans and lanes', async () => {
  await openTab('scheduling')
  await setNumber('sc-calls', 32)
  await page.click(byTestId('sc-run'))
  await expect.poll(() => text('sc-verdict'), WAIT).not.toBe('')

  for (const balancer of ['least-busy', 'round-robin']) {
    expect(await text(`makespan-${balancer}`)).toMatch(/^\d+(\.\d+)? m?s$/)
    const gantt = byTestId(`gantt-${balancer}`)
    expect(await page.getAttribute(gantt, 'data-bars')).toBe('32')
    expect(await page.getAttribute(gantt, 'data-lanes')).toBe('4')
  }
  await screenshot('scheduling')
})

test('a narrow window stacks the layout without horizontal scrolling', async () => {
  await page.setViewportSize({ width: 400, height: 800 })
  await openTab('cancellation')
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  )
  expect(overflow).toBeLessThanOrEqual(0)
  await screenshot('narrow')
  await page.setViewportSize({ width: 1280, height: 800 })
})

test('no uncaught errors on the page', () => {
  expect(pageErrors).toEqual([])
})
