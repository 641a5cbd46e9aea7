/**
 * The public surface, as the published `.d.ts` files have it, must match the committed report
 * (`packages/atelier/api/public-api.md`). A change to what users can depend on then shows in
 * review; refresh the report with `npm run api:report` when the change is meant.
 */
import { expect, it } from 'vitest'
// @ts-expect-error a plain .mjs script, without declarations
import { apiReport, committedReport } from '../../scripts/api-report.mjs'

it('the public API matches api/public-api.md (npm run api:report refreshes it)', () => {
  const report: string = apiReport()
  expect(report).toContain('export function createTaskRuntime(')
  expect(report).not.toContain('@internal')
  expect(report).toBe(committedReport())
}, 30_000)
