/**
 * The consumer matrix: the library as an app gets it. `npm pack` makes the tarball (its
 * `prepack` builds it), three tiny apps copied to a temporary folder install it as a real
 * package, each is typechecked against the packed types and built for production with Vite,
 * webpack 5 or esbuild, served on 127.0.0.1 under a strict Content Security Policy, and driven
 * in Chromium. Nothing is installed in the repository, and nothing is downloaded: the bundlers
 * run from the repository's own node_modules, and comlink (for the app whose worker uses the
 * comlink form) is packed from there too.
 */

import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Browser, chromium } from 'playwright'
import { createServer as createViteServer } from 'vite'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chromiumArgs, chromiumPath } from '../../../../scripts/chromium.mjs'

const run = promisify(execFile)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const FIXTURES = join(HERE, 'fixtures')
const PACKAGE = resolve(HERE, '../..')
const REPO = resolve(PACKAGE, '../..')
const COMLINK = join(REPO, 'node_modules/comlink')
const TSC = join(REPO, 'node_modules/typescript/bin/tsc')

// Run from `npm test`, npm's own settings for this repository (its prefix among them) are in
// the environment; a child npm must not inherit them, or it would install into the repository.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_ENV'),
)

/** Runs a command; a failure carries everything it printed (tsc reports on stdout). */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${[command, ...args].join(' ')} failed in ${cwd}\n${stdout}${stderr}`, {
      cause: error,
    })
  }
}

/** Packs `dir` into `into` and returns the tarball's path. */
async function pack(dir: string, into: string, ...flags: string[]): Promise<string> {
  const out = await sh('npm', ['pack', '--json', '--pack-destination', into, ...flags], dir)
  // The JSON report starts on a line of its own, after anything the build printed.
  const [{ filename }] = JSON.parse(out.slice(out.search(/^\[/m))) as [{ filename: string }]
  return join(into, filename)
}

let work: string
let atelierTarball: string
let comlinkTarball: string
let browser: Browser

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'atelier-consumers-'))
  atelierTarball = await pack(PACKAGE, work)
  comlinkTarball = await pack(COMLINK, work, '--ignore-scripts')
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
})

afterAll(async () => {
  await browser?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

/**
 * An app in the temporary folder, named `name`: the shared files, the fixture's own (if any),
 * and the tarball (and `extraTarballs`) installed.
 */
async function createApp(
  name: string,
  fixture: string | undefined,
  extraTarballs: string[] = [],
): Promise<string> {
  const app = join(work, name)
  await mkdir(app)
  await cp(join(FIXTURES, 'shared'), app, { recursive: true })
  if (fixture) await cp(join(FIXTURES, fixture), app, { recursive: true })
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: `atelier-${name}-app`, private: true, type: 'module' }),
  )
  // --offline: the tarballs are all it needs, so anything else it asked for would be a bug.
  await sh(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', atelierTarball, ...extraTarballs],
    app,
  )
  return app
}

/** Serves `root` on a free loopback port, with a policy that allows only the app's own files. */
async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' }
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`)
    if (!file.startsWith(root + sep)) return void response.writeHead(403).end()
    try {
      const body = await readFile(file)
      response.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': "default-src 'self'",
      })
      response.end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, server }
}

interface PageRun {
  results: Record<string, unknown>
  /** How many times the page loaded: more than once means something reloaded it. */
  loads: number
  violations: string[]
  errors: string[]
}

/** Opens the app and waits for the results its checks write on `<body data-results>`. */
async function runPage(url: string): Promise<PageRun> {
  const page = await browser.newPage()
  const errors: string[] = []
  let loads = 0
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('load', () => loads++)
  // Policy violations are reported as events, not errors: collect them from the first script on.
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(globalThis as { __violations?: string[] }).__violations = seen
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    )
  })
  try {
    await page.goto(url)
    await page.waitForSelector('body[data-results]', { state: 'attached', timeout: 30_000 })
    const results = JSON.parse((await page.getAttribute('body', 'data-results')) ?? '{}')
    const violations = await page.evaluate(
      () => (globalThis as { __violations?: string[] }).__violations ?? [],
    )
    return { results, loads, violations, errors }
  } finally {
    await page.close()
  }
}

/** What every app must show, whichever bundler built it and however its worker serves. */
function expectChecksPass({ results, violations, errors }: PageRun): void {
  expect(results).toEqual({
    // Typed calls return the worker's answers.
    sum: 5,
    // The worker received the whole buffer, and the caller's copy was detached by the transfer.
    byteLength: 64,
    callerByteLength: 0,
    // The call running in the worker rejected with AbortError when its key was aborted, and the
    // worker saw the cancel.
    cancel: { settled: 'rejected', name: 'AbortError', isAbortError: true },
    abortsSeen: 1,
    // A generator handler streamed its chunks in order, iterated and awaited, with progress.
    streamed: [0, 1, 2, 3, 4],
    collected: [0, 1, 2],
    progressed: true,
  })
  expect(violations).toEqual([])
  expect(errors).toEqual([])
}

/** Every JavaScript file a build wrote under `dir`, concatenated. */
async function bundledSources(dir: string): Promise<string> {
  const files = await readdir(dir, { recursive: true })
  const scripts = files.filter((file) => /\.m?js$/.test(file))
  return (await Promise.all(scripts.map((file) => readFile(join(dir, file), 'utf8')))).join('\n')
}

const matrix = [
  { bundler: 'vite', worker: 'serve(handlers)', comlink: false },
  { bundler: 'webpack', worker: 'expose(createTaskWorker(handlers)) from comlink', comlink: true },
  { bundler: 'esbuild', worker: 'serve(handlers)', comlink: false },
]

describe.each(matrix)(
  'an app built with $bundler, its worker using $worker',
  ({ bundler, comlink }) => {
    let app: string

    beforeAll(async () => {
      app = await createApp(bundler, bundler, comlink ? [comlinkTarball] : [])
    })

    test('installs the tarball as a real package, comlink only where the app asks for it', async () => {
      const installed = JSON.parse(
        await readFile(join(app, 'node_modules/atelier/package.json'), 'utf8'),
      )
      expect(installed.name).toBe('atelier')
      // A copy, not a link back to the workspace.
      const listing = await readdir(join(app, 'node_modules'), { withFileTypes: true })
      expect(listing.find((entry) => entry.name === 'atelier')?.isDirectory()).toBe(true)
      expect(listing.some((entry) => entry.name === 'comlink')).toBe(comlink)
    })

    test('typechecks against the packed types', async () => {
      await expect(sh(process.execPath, [TSC, '-p', 'tsconfig.json'], app)).resolves.toBe('')
    })

    test('builds for production, and runs in Chromium', async () => {
      await sh(process.execPath, [join(HERE, 'build.mjs'), bundler], app)
      // The bundler's minifier kept the settled-call anchor, a write nothing reads that keeps
      // V8 from dropping the calls' compiled code (see CallDesk.lastSettled).
      const kept = /\.lastSettled\s*=/.test(await bundledSources(join(app, 'dist')))
      expect(kept, `${bundler}'s production bundle writes lastSettled`).toBe(true)
      const { url, server } = await serveStatic(join(app, 'dist'))
      try {
        expectChecksPass(await runPage(url))
      } finally {
        server.close()
      }
    })
  },
)

describe('the installed package', () => {
  let app: string

  beforeAll(async () => {
    app = await createApp('node', 'node', [comlinkTarball])
  })

  test('runs a task on Node worker threads; with the task idle, the process exits undisposed', async () => {
    const started = performance.now()
    const out = await sh(process.execPath, ['main.mjs'], app)
    expect(JSON.parse(out)).toEqual({
      poolSize: availableParallelism(),
      sum: 5,
      byteLength: 32,
      callerByteLength: 0,
      streamed: [0, 1, 2, 3],
      slow: 200,
      exitIsCrash: true,
      after: 2,
    })
    // Not held by a worker, a restart or an idle timer once the last call was answered.
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  test.each([
    ['Deno', ['run', '--allow-read', 'web-main.mjs']],
    ['Bun', ['web-main.mjs']],
  ])('runs unbundled in %s, with its web Worker', async (runtime, args) => {
    // The pinned deno and bun, from the repository's devDependencies.
    const binary = join(REPO, 'node_modules/.bin', runtime.toLowerCase())
    const out = await sh(binary, args, app)
    expect(JSON.parse(out)).toEqual({
      sum: 5,
      byteLength: 32,
      callerByteLength: 0,
      streamed: [0, 1, 2, 3],
    })
  })

  test("comlink's expose(createTaskWorker(handlers), parentPort) works in a Node worker", async () => {
    const out = await sh(process.execPath, ['main.mjs', 'comlink.worker.mjs'], app)
    expect(JSON.parse(out)).toMatchObject({ sum: 5, byteLength: 32, streamed: [0, 1, 2, 3] })
  })

  test('imports in Node, with no window or Worker, as server-side rendering does', async () => {
    const script = `
      const main = await import('atelier')
      const worker = await import('atelier/worker')
      console.log(JSON.stringify({
        window: typeof window, Worker: typeof Worker,
        createTaskRuntime: typeof main.createTaskRuntime, serve: typeof worker.serve,
      }))`
    const out = await sh(process.execPath, ['--input-type=module', '-e', script], app)
    expect(JSON.parse(out)).toEqual({
      window: 'undefined',
      Worker: 'undefined',
      createTaskRuntime: 'function',
      serve: 'function',
    })
  })

  test('loads with require() too, where Node can require ES modules (20.19 and later)', async () => {
    const script = `console.log(typeof require('atelier').createTaskRuntime, typeof require('atelier/worker').serve)`
    const out = await sh(process.execPath, ['--no-warnings', '-e', script], app)
    expect(out.trim()).toBe('function function')
  })

  test('ships the sources its source maps point at', async () => {
    const dist = join(app, 'node_modules/atelier/dist')
    const maps = (await readdir(dist)).filter((file) => file.endsWith('.map'))
    expect(maps.length).toBeGreaterThan(10)
    const missing: string[] = []
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(dist, map), 'utf8')) as {
        sources: string[]
      }
      for (const source of sources) {
        const file = resolve(dirname(join(dist, map)), source)
        await readFile(file).catch(() => missing.push(`${map} -> ${source}`))
      }
    }
    expect(missing).toEqual([])
  })
})

test("Vite's dev server runs the app on its first load, without a reload, given the README's optimizeDeps", async () => {
  const app = await createApp('vite-dev', 'vite')
  const server = await createViteServer({
    root: app,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, watch: null },
  })
  await server.listen()
  try {
    const { port } = server.httpServer!.address() as AddressInfo
    const run = await runPage(`http://127.0.0.1:${port}/`)
    expect(run.loads).toBe(1)
    expect(run.results).toMatchObject({ sum: 5, abortsSeen: 1 })
  } finally {
    await server.close()
  }
})
