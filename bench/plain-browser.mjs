// The bench page in a Chromium with no DevTools client attached (`BENCH_DEVTOOLS=0`): a plain
// child process, no remote debugging, no Playwright. A CDP client with the Runtime domain on makes
// some calls cost the page more than they cost a user (each `console.timeStamp`, which draws the
// library's DevTools track bars, takes several µs instead of ≈ 0.2 µs), so figures taken this way
// are what a user without DevTools open pays. With no CDP to read `window`, the page (opened with
// `report=post`, see bench/app/main.ts) POSTs its progress to the preview server instead.

import { execFile, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** Where the page POSTs its reports; bench/app/main.ts posts to the same path. */
const REPORT_PATH = '/__bench/report'
/** How long a killed browser's processes get to go before we stop waiting for them. */
const EXIT_GRACE_MS = 5_000
/** Lines of the browser's own output kept, to explain a browser that exits early. */
const TAIL_LINES = 20

/**
 * Collects the pages' reports. `plugin` goes into Vite's `preview()`: it accepts the POSTs.
 * `expect(run)` returns the reports of the page opened with `run=<run>`: `started` resolves when
 * its main module runs, `done` with `{ result, error }` when its scenario settled.
 */
export function createPageReports() {
  const runs = new Map()
  const plugin = {
    name: 'atelier-bench-page-reports',
    configurePreviewServer(server) {
      // Added before Vite's own middlewares, so a POST never reaches the static files.
      server.middlewares.use(REPORT_PATH, (request, response) => {
        if (request.method !== 'POST') {
          response.writeHead(405).end()
          return
        }
        const chunks = []
        request.on('data', (chunk) => chunks.push(chunk))
        request.on('end', () => {
          let report
          try {
            report = JSON.parse(Buffer.concat(chunks).toString('utf8'), reviveNonFinite)
          } catch {
            response.writeHead(400).end('not JSON')
            return
          }
          const waiting = runs.get(report.run)
          if (!waiting) {
            response.writeHead(404).end('no run of that id is waiting')
            return
          }
          waiting[report.kind]?.resolve(report)
          // A result also says the page started, should its first report have been lost.
          if (report.kind === 'done') waiting.started.resolve(report)
          response.writeHead(204).end()
        })
      })
    },
  }
  return {
    plugin,
    expect(run) {
      const waiting = { started: deferred(), done: deferred() }
      runs.set(run, waiting)
      return {
        started: waiting.started.promise,
        done: waiting.done.promise.then(({ result, error }) => ({ result, error })),
        cancel: () => runs.delete(run),
      }
    },
  }
}

/** The version `chromium --version` prints, e.g. `156.0.8078.114`, as Playwright reports it. */
export function readChromiumVersion(executable) {
  return new Promise((resolve, reject) => {
    execFile(executable, ['--version'], (error, stdout) => {
      if (error) reject(error)
      else resolve(stdout.match(/\d+(?:\.\d+)+/)?.[0] ?? stdout.trim())
    })
  })
}

/**
 * The switches Playwright launches Chromium with that can change how fast a page runs (timer
 * throttling, backgrounding, IPC flood protection, field trials, background work): given here
 * too, so that the two ways of running a scenario differ by the DevTools client alone.
 */
const AS_PLAYWRIGHT_DOES = [
  '--disable-field-trial-config',
  '--disable-background-networking',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--disable-hang-monitor',
  '--disable-component-update',
  '--disable-extensions',
  '--disable-default-apps',
  '--no-default-browser-check',
  '--no-first-run',
  '--disable-dev-shm-usage',
]

/**
 * Starts headless Chromium on `url` with a fresh profile and no remote debugging. `failed` rejects
 * if the browser cannot start, ends before `close()` (with the tail of its output) or loses the
 * page's tab (a crashed or killed renderer: the page will never report). `close()` kills every
 * process of the browser (they share the process group of the one spawned) and removes the
 * profile. The page's console lines (Chromium logs them with `--enable-logging=stderr`, uncaught
 * errors included) go to `log`.
 */
export async function launchPlainBrowser({ executable, args, url, log }) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'atelier-bench-chromium-'))
  const child = spawn(
    executable,
    [
      ...args,
      ...AS_PLAYWRIGHT_DOES,
      '--headless',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      url,
    ],
    // Detached: a process group of its own, so one signal reaches the renderers and helpers too.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let closing = false
  let fail
  const failed = new Promise((_, reject) => {
    fail = (error) => {
      if (!closing) reject(error)
    }
  })
  failed.catch(() => {})

  const tail = []
  let inConsole = false
  const onLine = (line) => {
    // A console message starts on a `…:CONSOLE:…]` line and runs on (a stack) until the next
    // line of Chromium's log, which starts with `[pid:tid:`.
    if (/^\[\d+:\d+:/.test(line)) inConsole = /:CONSOLE[:\]]/.test(line)
    if (inConsole) log(line.replace(/^\[[^\]]*\]\s*/, 'console: '))
    // There is never a D-Bus here, and Chromium says so at length.
    else if (!/D-?Bus/i.test(line)) {
      tail.push(line)
      if (tail.length > TAIL_LINES) tail.shift()
    }
    // The browser outlives its tab's renderer and says so only in its log (`Tab Killed:`,
    // `Tab Crashed:`…, from chrome/browser/ui/sad_tab.cc).
    const sadTab = line.match(/sad_tab\.cc:\d+\]\s*(.*)/)
    if (sadTab) fail(new Error(`the page crashed (${sadTab[1].trim() || 'sad tab'})`))
  }
  for (const stream of [child.stdout, child.stderr]) {
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (text) => {
      const lines = (rest + text).split('\n')
      rest = lines.pop()
      for (const line of lines) onLine(line)
    })
  }

  const closed = new Promise((resolve) => child.once('close', resolve))
  child.once('error', (error) => fail(new Error(`could not start ${executable}: ${error.message}`)))
  child.once('exit', async (code, signal) => {
    // Its last words may still be in the pipes: they end once its helpers are gone too.
    await Promise.race([closed, delay(1000)])
    const how = signal ? `signal ${signal}` : `code ${code}`
    const output = tail.length > 0 ? `; its last output:\n${tail.join('\n')}` : ''
    fail(new Error(`the browser exited (${how}) before the page reported${output}`))
  })

  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone (ESRCH), or never started (no pid).
    }
  }
  // run.mjs interrupted: the browser is outside our process group, so no terminal signal reaches
  // it; take it down, then end as the signal would have.
  const onSignal = (signal) => {
    killGroup()
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 })
    process.kill(process.pid, signal)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  return {
    failed,
    async close() {
      closing = true
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      if (child.pid !== undefined) {
        killGroup()
        // 'close' comes once every process holding the browser's output pipes has ended.
        await Promise.race([closed, delay(EXIT_GRACE_MS)])
      }
      await rm(profile, { recursive: true, force: true, maxRetries: 3 })
    },
  }
}

/** JSON has no NaN nor ±Infinity: the page sends them as `{ "nonFinite": "Infinity" }`. */
function reviveNonFinite(_, value) {
  return value !== null && typeof value === 'object' && typeof value.nonFinite === 'string'
    ? Number(value.nonFinite)
    : value
}

/** Resolves after `ms`, without keeping Node alive for it. */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

function deferred() {
  let resolve
  const promise = new Promise((done) => {
    resolve = done
  })
  return { promise, resolve }
}
