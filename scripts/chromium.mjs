// Debian's Chromium, as every browser-driving part of the repo launches it (browser tests, the
// playground's end-to-end test, the benchmarks). Browser downloads are not possible on our
// machines, so Playwright never fetches its own build; `CHROMIUM_PATH` points elsewhere.
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// No sandbox (we run as root), no GPU (there is none), and none of Chromium's background
// traffic: the machines have no network but the package registries.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
