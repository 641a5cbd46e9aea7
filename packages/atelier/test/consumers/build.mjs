/**
 * Builds one fixture app for production with the repo's own bundlers, run as
 * `node build.mjs <vite|webpack|esbuild>` from the app's folder. A process of its own, so the
 * build sees a plain Node environment (not the test runner's) and loads the app's config file
 * the way the bundler's CLI would.
 */

import { copyFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const bundler = process.argv[2]
const app = process.cwd()
const config = async (file) => (await import(pathToFileURL(`${app}/${file}`).href)).default

if (bundler === 'vite') {
  const { build } = await import('vite')
  await build({ root: app, logLevel: 'warn' })
} else if (bundler === 'webpack') {
  const { default: webpack } = await import('webpack')
  const options = await config('webpack.config.js')
  const stats = await new Promise((resolve, reject) => {
    webpack(options, (error, result) => (error ? reject(error) : resolve(result)))
  })
  if (stats.hasErrors() || stats.hasWarnings()) {
    throw new Error(stats.toString({ all: false, errors: true, warnings: true }))
  }
} else if (bundler === 'esbuild') {
  const esbuild = await import('esbuild')
  await esbuild.build({ ...(await config('esbuild.config.js')), absWorkingDir: app })
} else {
  throw new Error(`unknown bundler ${bundler}`)
}

// webpack and esbuild emit scripts only: the app's page is a static file beside them.
if (bundler !== 'vite') copyFileSync(`${app}/index.html`, `${app}/dist/index.html`)
