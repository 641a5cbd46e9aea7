/**
 * The settled-call anchor (`CallDesk.lastSettled`) does its work only on V8's heap: it keeps one
 * call alive so that V8 keeps the layouts compiled code depends on (see call-desk.ts). Nothing
 * reads it, so a minifier that deletes dead-looking writes may delete it, and then an app's
 * production build runs slower than our tests: Vite 8's minifier did, and the bench's pipelined
 * calls took twice as long. Each minifier an app is likely to use gets the page's smallest use of
 * the library, and must keep the write.
 */
import { transform } from 'esbuild'
import { minifySync as oxcMinify } from 'rolldown/utils'
import { minify as terserMinify } from 'terser'
import { describe, expect, test } from 'vitest'
// @ts-expect-error a plain .mjs script, without declarations
import { bundle, ENTRIES } from '../../scripts/size.mjs'

type Minifier = (code: string) => Promise<string>

const MINIFIERS: Record<string, Minifier> = {
  // Vite 8 and rolldown's default.
  'oxc (Vite 8)': async (code) => oxcMinify('page.js', code, { module: true }).code,
  // Vite 7 and earlier, and most esbuild setups.
  esbuild: async (code) => (await transform(code, { minify: true, format: 'esm' })).code,
  // webpack's default, and Vite's `minify: 'terser'`.
  terser: async (code) => (await terserMinify(code, { module: true })).code ?? '',
}

const ANCHOR = /\.lastSettled\s*=/

async function pageBundle(): Promise<string> {
  const page = (ENTRIES as Array<{ name: string }>).find((entry) => entry.name.startsWith('a page'))
  const { code } = await bundle(page, { minify: false })
  return new TextDecoder().decode(code)
}

describe('minifiers keep the settled-call anchor', () => {
  test('the check can see a deleted write: oxc deletes one to a module object nobody reads', async () => {
    // The shape the anchor had before: a module-level object, written on each settle, never read.
    const before = 'const kept = {}\nexport function settle(call) { kept.lastSettled = call }'
    expect(before).toMatch(ANCHOR)
    expect(await MINIFIERS['oxc (Vite 8)']!(before)).not.toMatch(ANCHOR)
  })

  test.each(Object.keys(MINIFIERS))(
    '%s keeps it in a page that defines a task and calls it',
    async (name) => {
      const code = await pageBundle()
      expect(ANCHOR.test(code), 'the unminified bundle writes lastSettled').toBe(true)
      const minified = await MINIFIERS[name]!(code)
      // Minified for real (not handed back as it was), and the write is still there.
      expect(minified.length).toBeLessThan(code.length * 0.7)
      expect(ANCHOR.test(minified), `${name} deleted the write to lastSettled`).toBe(true)
    },
    60_000,
  )
})
