// `npm start`: serves the playground. Until it lands (issue 6), say so instead of failing.
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'

if (!existsSync(new URL('../apps/playground/package.json', import.meta.url))) {
  console.log('The Atelier playground is coming soon. Meanwhile: npm test runs the whole suite.')
  process.exit(0)
}
const child = spawn('npm', ['run', 'start', '-w', 'playground'], { stdio: 'inherit' })
child.on('exit', (code) => process.exit(code ?? 1))
