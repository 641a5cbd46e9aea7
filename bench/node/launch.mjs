// Runs the `node` scenario for bench/run.mjs: bundles bench/node with esbuild into a temporary
// directory (main.mjs, and every workers/*.worker.ts beside it, each one ESM file for Node), then
// runs it in a Node process of its own, with `--expose-gc` so the harness collects garbage
// between runs (as the page does; `gc=0` in the query runs it without), and returns its result.
// Its output is printed as `[node] …` lines.

import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { makeTempDir } from '../temp-dir.mjs'

export const NODE_SCENARIO = 'node'

const HERE = path.dirname(fileURLToPath(import.meta.url))

/**
 * Left out of the bundles and imported from node_modules by absolute URL: these pools start their
 * workers from scripts in their own package directory (piscina, tinypool), or load Node modules
 * with a `require` that an ESM bundle has not got (workerpool).
 */
const POOLS = ['piscina', 'tinypool', 'workerpool']

const fromNodeModules = {
  name: 'pools-from-node-modules',
  setup(builder) {
    const filter = new RegExp(`^(${POOLS.join('|')})$`)
    builder.onResolve({ filter }, (args) => ({
      path: import.meta.resolve(args.path),
      external: true,
    }))
  },
}

/**
 * @param {{ query: string, timeoutMs: number }} options `query`: the scenario's parameters, as a
 *   query string (BENCH_QUERY); `timeoutMs`: how long the run may take before it is killed.
 */
export async function runNodeScenario({ query, timeoutMs }) {
  const temp = await makeTempDir('atelier-bench-node-')
  const outDir = temp.dir
  try {
    const workers = (await readdir(path.join(HERE, 'workers'))).filter((file) =>
      file.endsWith('.worker.ts'),
    )
    await build({
      entryPoints: [
        path.join(HERE, 'main.mjs'),
        ...workers.map((file) => path.join(HERE, 'workers', file)),
      ],
      outdir: outDir,
      entryNames: '[name]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      // As in the browser suite's production build.
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [fromNodeModules],
      logLevel: 'warning',
    })
    const resultFile = path.join(outDir, 'result.json')
    const flags = new URLSearchParams(query).get('gc') === '0' ? [] : ['--expose-gc']
    await runProcess(path.join(outDir, 'main.mjs'), [query, resultFile], flags, timeoutMs)
    return JSON.parse(await readFile(resultFile, 'utf8'))
  } finally {
    await temp.remove()
  }
}

/** Runs `node …flags file …args`; rejects if it fails or outlives `timeoutMs`. */
function runProcess(file, args, flags, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const print = (chunk) => {
      for (const line of String(chunk).trimEnd().split('\n')) console.log(`  [node] ${line}`)
    }
    child.stdout.on('data', print)
    child.stderr.on('data', print)
    const timer = setTimeout(() => {
      child.kill()
      reject(
        new Error(
          `not done after ${timeoutMs / 1000}s (raise BENCH_TIMEOUT_MS if it is just slow)`,
        ),
      )
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`the scenario's process exited with ${signal ?? `code ${code}`}`))
    })
  })
}
