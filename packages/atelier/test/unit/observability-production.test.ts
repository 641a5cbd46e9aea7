import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { isDevelopmentBuild } from '../../src/observability/observability.js'

describe('isDevelopmentBuild', () => {
  it("Vite's flags decide first", () => {
    expect(isDevelopmentBuild({ DEV: false, PROD: true }, 'development')).toBe(false)
    expect(isDevelopmentBuild({ DEV: true, PROD: false }, 'production')).toBe(true)
    expect(isDevelopmentBuild({ PROD: true }, undefined)).toBe(false)
  })

  it('then NODE_ENV: only "production" is production', () => {
    expect(isDevelopmentBuild(undefined, 'production')).toBe(false)
    expect(isDevelopmentBuild(undefined, 'development')).toBe(true)
    expect(isDevelopmentBuild(undefined, 'test')).toBe(true)
    // An import.meta.env without Vite's flags (another tool's) does not count.
    expect(isDevelopmentBuild({ MODE: 'x' }, 'production')).toBe(false)
  })

  it('a build nobody marked is taken for development', () => {
    expect(isDevelopmentBuild(undefined, undefined)).toBe(true)
    expect(isDevelopmentBuild(null, 42)).toBe(true)
  })
})

// What an esbuild- or webpack-style build does to the library: replace `process.env.NODE_ENV`
// by `define`, leave `import.meta.env` alone.
describe("spans: 'auto' in a bundled build", () => {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-define-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function bundle(define: Record<string, string>): Promise<string> {
    const out = await build({
      entryPoints: [new URL('../../src/observability/observability.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      define,
      logLevel: 'silent',
    })
    const file = join(dir, `bundle-${Object.keys(define).length}-${Math.random()}.mjs`)
    writeFileSync(file, out.outputFiles[0]!.text)
    return pathToFileURL(file).href
  }

  /** Runs the bundle in a fresh Node with no `process` global, as in a browser. */
  function spansEnabled(url: string): boolean {
    const script = `
      delete globalThis.process
      if (typeof process !== 'undefined') throw new Error('process still defined')
      const { resolveSpans } = await import(${JSON.stringify(url)})
      console.log(JSON.stringify(resolveSpans('auto').enabled))
    `
    const output = execFileSync(globalThis.process.execPath, ['--input-type=module', '-e', script])
    return JSON.parse(output.toString()) as boolean
  }

  it('is off when the bundler defined NODE_ENV as "production"', async () => {
    expect(spansEnabled(await bundle({ 'process.env.NODE_ENV': '"production"' }))).toBe(false)
  })

  it('is on when it defined "development"', async () => {
    expect(spansEnabled(await bundle({ 'process.env.NODE_ENV': '"development"' }))).toBe(true)
  })

  it('is on, without a ReferenceError, when nothing was defined and there is no process', async () => {
    expect(spansEnabled(await bundle({}))).toBe(true)
  })
})
