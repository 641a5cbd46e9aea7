// `npm start`: serves the playground (apps/playground) with Vite's dev server on
// http://localhost:5173 (PORT overrides) and prints its URL. Nothing has to be built first: the
// playground bundles the library straight from packages/atelier/src (see its vite.config.ts).
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const root = fileURLToPath(new URL('../apps/playground/', import.meta.url))
const port = Number(process.env.PORT ?? 5173)

let server
try {
  server = await createServer({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn' })
  await server.listen()
} catch (error) {
  const taken = error?.message?.includes('already in use')
  console.error(taken ? `Port ${port} is taken. Try: PORT=5174 npm start` : error)
  process.exit(1)
}

const url = server.resolvedUrls?.local[0] ?? `http://localhost:${port}/`
console.log(`\n  Atelier playground: ${url}\n  (Ctrl+C to stop)\n`)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close().finally(() => process.exit(0))
  })
}
