/**
 * `atelier/inspector` costs nothing to an app that does not import it: `atelier` never imports
 * the entry, so a minified bundle of the main entry holds none of its code. Bundled for real
 * with esbuild, and searched for strings only the inspector has.
 */
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `source` bundled and minified for the browser, as an app's production build would be. */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** Strings of the inspector's own: its host tag, its error text, a class its stylesheet styles. */
const MARKS = ['atelier-inspector', 'mountInspector', 'lv-task-list', 'Recent calls']

const marksIn = (code: string) => MARKS.filter((mark) => code.includes(mark))

describe('the inspector is tree-shaken away', () => {
  test('an app that imports only createTaskRuntime bundles none of it', async () => {
    const code = await bundle(
      "import { createTaskRuntime } from './src/index.ts'\nexport const runtime = createTaskRuntime()",
    )
    expect(code).toContain('defineTask')
    expect(marksIn(code)).toEqual([])
  })

  test('nor does the whole main entry, kept export by export', async () => {
    const code = await bundle("export * from './src/index.ts'")
    expect(marksIn(code)).toEqual([])
  })

  test('an app that imports the inspector bundles it (the marks are real)', async () => {
    const code = await bundle(
      "import { mountInspector } from './src/inspector.ts'\nexport { mountInspector }",
    )
    expect(marksIn(code)).toEqual(MARKS)
  })
})

test('the entry imports without a browser (server-side rendering), touching no DOM', async () => {
  expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined')
  const { mountInspector } = await import('../../src/inspector.js')
  expect(typeof mountInspector).toBe('function')
})
