import { expect, test } from 'vitest'
import { defineHostile, settleCounter } from './fixtures/hostile-define'
import { HOSTILE_KINDS, type HostileKind } from './fixtures/hostile-kinds'

test('scratch', async () => {
  const out: string[] = []
  for (const mode of ['sync', 'async', 'throw', 'reject'] as const) {
    for (const kind of Object.keys(HOSTILE_KINDS) as HostileKind[]) {
      const { task } = defineHostile({ timeoutMs: 1500, crashMaxRetries: 100 })
      const t = performance.now()
      const r = await settleCounter(task.make(kind, mode)).result
      const dt = Math.round(performance.now() - t)
      const st = task.getState()
      out.push(
        `${mode} ${kind}: ${r.ok ? 'ok ' + String(typeof r.value) : `${r.error?.name}: ${String(r.error?.message).slice(0, 120)} | cause ${Array.isArray(r.error?.cause) ? "array" : String(r.error?.cause).slice(0, 80)}`} ${dt}ms crash=${st.lastCrash ? 'Y' : 'n'}`,
      )
      await task.dispose()
    }
  }
  console.log(out.join('\n'))
}, 120_000)
