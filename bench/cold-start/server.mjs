// A static file server for the cold-start pages that counts what it serves, so a run can show
// that every page fetched all its files itself (nothing came from a cache).

import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import path from 'node:path'

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }

/**
 * Serves `dir` on 127.0.0.1, on a free port. `no-store`: nothing a page fetches is kept, so no
 * sample can start with a cached file (a fresh browser context per page already ensures that).
 * @returns {Promise<{ base: string, requests: Map<string, number>, close(): Promise<void> }>}
 */
export async function serveStatic(dir) {
  const requests = new Map()
  const server = createServer(async (request, response) => {
    const name = new URL(request.url ?? '/', 'http://localhost').pathname.slice(1)
    requests.set(name, (requests.get(name) ?? 0) + 1)
    const type = TYPES[path.extname(name)]
    // Only the files we built, by plain name: no path leads out of `dir`.
    if (!type || name.includes('/') || name.includes('..')) {
      response.writeHead(404).end()
      return
    }
    try {
      const body = await readFile(path.join(dir, name))
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    base: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
