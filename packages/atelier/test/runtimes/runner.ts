/**
 * The bare test runner for Node, Deno and Bun: runs registered tests one after another, each
 * bounded in time, and prints one line per test, TAP-like, which `runtimes.test.ts` reads back:
 *
 *   ok - <name> (<ms> ms)
 *   not ok - <name> (<ms> ms)
 *     <the error, indented>
 *
 * A test marked with a known bug ends its line with `# TODO <the bug>` and counts as failed only
 * if it passes (the mark is then stale). The last line is `N passed, N failed`.
 */

export interface TestCase {
  name: string
  fn: () => Promise<void>
  knownBug?: string | undefined
}

export interface CaseResult {
  passed: boolean
  ms: number
  knownBug: string | undefined
  /** The error, for a test that failed. */
  details: string[]
}

const RESULT_LINE = /^(ok|not ok) - (.*) \((\d+) ms\)(?: # TODO (.*))?$/

/** Runs every case; resolves with how many failed (a known bug that passes included). */
export async function runCases(
  cases: readonly TestCase[],
  print: (line: string) => void,
  timeoutMs: number,
): Promise<number> {
  let failed = 0
  for (const { name, fn, knownBug } of cases) {
    const start = Date.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms (a gate never opened?)`)),
        timeoutMs,
      )
    })
    let error: unknown
    let passed = true
    try {
      await Promise.race([fn(), timedOut])
    } catch (caught) {
      passed = false
      error = caught
    } finally {
      clearTimeout(timer)
    }
    const todo = knownBug === undefined ? '' : ` # TODO ${knownBug}`
    print(`${passed ? 'ok' : 'not ok'} - ${name} (${Date.now() - start} ms)${todo}`)
    if (!passed) for (const line of describe(error).split('\n')) print(`  ${line}`)
    if (passed === (knownBug !== undefined)) failed++
  }
  print(`${cases.length - failed} passed, ${failed} failed`)
  return failed
}

/** Reads back what `runCases` printed, by test name. */
export function parseResults(output: string): Map<string, CaseResult> {
  const results = new Map<string, CaseResult>()
  let last: CaseResult | undefined
  for (const line of output.split('\n')) {
    const match = RESULT_LINE.exec(line)
    if (match) {
      last = { passed: match[1] === 'ok', ms: Number(match[3]), knownBug: match[4], details: [] }
      results.set(match[2]!, last)
    } else if (last && !last.passed && line.startsWith('  ')) {
      last.details.push(line.slice(2))
    } else {
      last = undefined
    }
  }
  return results
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`
  return String(error)
}
