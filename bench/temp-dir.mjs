// Temporary directories for the bench's builds, removed even when the run is interrupted:
// `finally` blocks do not run on Ctrl-C (Node exits on SIGINT), so a build directory used to be
// left behind in the temporary directory each time.

import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const live = new Set()

function removeAllAndExit(signal) {
  for (const dir of live) rmSync(dir, { recursive: true, force: true })
  // Playwright's own exit handler still closes the browsers it launched.
  process.exit(signal === 'SIGINT' ? 130 : 143)
}

/**
 * A new directory under the system's temporary directory, named `prefix…`; `remove()` deletes it
 * (call it in `finally`). Until then, an interrupted run (SIGINT, SIGTERM) deletes it on its way out.
 * @param {string} prefix
 * @returns {Promise<{ dir: string, remove(): Promise<void> }>}
 */
export async function makeTempDir(prefix) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  if (live.size === 0) {
    process.once('SIGINT', removeAllAndExit)
    process.once('SIGTERM', removeAllAndExit)
  }
  live.add(dir)
  return {
    dir,
    async remove() {
      live.delete(dir)
      if (live.size === 0) {
        process.off('SIGINT', removeAllAndExit)
        process.off('SIGTERM', removeAllAndExit)
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
