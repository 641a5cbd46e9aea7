/**
 * The source tree's architecture, enforced: a file's folder says which layer it is, imports only
 * run downward, and no import cycle exists, type-only imports included. A change that breaks
 * either fails here, naming the import.
 */
import { describe, expect, it } from 'vitest'

const sources = import.meta.glob<string>('../../src/**/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
})

type Layer =
  | 'entry'
  | 'facade'
  | 'observability'
  | 'otel'
  | 'inspector'
  | 'engine'
  | 'harness'
  | 'wire'
  | 'vocabulary'

/**
 * What each layer may import besides itself. The worker entry carries no main-thread code, and
 * the OpenTelemetry and inspector entries only their own layer and the vocabulary (the inspector
 * reads a runtime through its public API types, never the engine or the observability behind
 * it); no entry imports another.
 */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  entry: ['facade', 'observability', 'engine', 'harness', 'wire', 'vocabulary'],
  facade: ['observability', 'engine', 'wire', 'vocabulary'],
  observability: ['vocabulary'],
  otel: ['vocabulary'],
  inspector: ['vocabulary'],
  engine: ['wire', 'vocabulary'],
  harness: ['wire', 'vocabulary'],
  wire: ['vocabulary'],
  vocabulary: [],
}
const ENTRY_ALLOWED: Record<string, readonly Layer[]> = {
  'worker.ts': ['harness', 'wire', 'vocabulary'],
  'otel.ts': ['otel', 'vocabulary'],
  'inspector.ts': ['inspector', 'vocabulary'],
}

/** `engine/executor.ts`, relative to src. */
const files = Object.keys(sources).map((path) => path.replace('../../src/', ''))

function layerOf(file: string): Layer {
  const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : undefined
  if (folder === 'engine' || folder === 'wire' || folder === 'harness') return folder
  if (folder === 'observability' || folder === 'otel' || folder === 'inspector') return folder
  if (folder !== undefined) throw new Error(`${file}: a folder that is not a layer`)
  if (['index.ts', 'worker.ts', 'otel.ts', 'inspector.ts'].includes(file)) return 'entry'
  if (file === 'runtime.ts' || file === 'task.ts') return 'facade'
  return 'vocabulary'
}

/** Every relative import and re-export of `file`, type-only ones included, resolved to src paths. */
function importsOf(file: string): string[] {
  const text = sources[`../../src/${file}`]!
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : ''
  const found: string[] = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g)) {
    const parts = (dir ? `${dir}/${match[1]}` : match[1]!).split('/')
    const resolved: string[] = []
    for (const part of parts) {
      if (part === '.' || part === '') continue
      if (part === '..') resolved.pop()
      else resolved.push(part)
    }
    found.push(resolved.join('/').replace(/\.js$/, '.ts'))
  }
  return found
}

const graph = new Map(files.map((file) => [file, importsOf(file)]))

describe('the layers of src/', () => {
  it('every import resolves to a source file', () => {
    for (const [file, imports] of graph) {
      for (const target of imports) expect(files, `${file} imports ${target}`).toContain(target)
    }
  })

  it('imports run downward only', () => {
    const wrong: string[] = []
    for (const [file, imports] of graph) {
      const from = layerOf(file)
      const allowed = ENTRY_ALLOWED[file] ?? ALLOWED[from]
      for (const target of imports) {
        const to = layerOf(target)
        if (to === 'entry' || (to !== from && !allowed.includes(to)))
          wrong.push(`${file} (${from}) → ${target} (${to})`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('no import cycle, type-only imports included', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0
    const indices = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: string[] = []
    const onStack = new Set<string>()
    const cycles: string[][] = []
    const visit = (file: string) => {
      indices.set(file, index)
      low.set(file, index++)
      stack.push(file)
      onStack.add(file)
      for (const target of graph.get(file) ?? []) {
        if (!indices.has(target)) {
          visit(target)
          low.set(file, Math.min(low.get(file)!, low.get(target)!))
        } else if (onStack.has(target)) {
          low.set(file, Math.min(low.get(file)!, indices.get(target)!))
        }
      }
      if (low.get(file) === indices.get(file)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(member)
        } while (member !== file)
        if (component.length > 1) cycles.push(component.sort())
      }
    }
    for (const file of files) if (!indices.has(file)) visit(file)
    expect(cycles).toEqual([])
  })

  it('the checks see the whole tree', () => {
    expect(files.length).toBeGreaterThan(30)
    expect(files).toContain('engine/executor.ts')
    expect(layerOf('observability/spans.ts')).toBe('observability')
    expect(layerOf('inspector/view.ts')).toBe('inspector')
    expect(layerOf('inspector.ts')).toBe('entry')
  })
})
