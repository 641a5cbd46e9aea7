/** The playground: a header and one tab per scenario. Scenarios build themselves on first view. */

import './styles.css'
import { backpressure } from './scenarios/backpressure'
import { cancellation } from './scenarios/cancellation'
import { crashRecovery } from './scenarios/crash-recovery'
import { imagePipeline } from './scenarios/image-pipeline'
import { priorities } from './scenarios/priorities'
import type { Scenario, ScenarioHandle } from './scenarios/scenario'
import { scheduling } from './scenarios/scheduling'
import { streaming } from './scenarios/streaming'
import { h } from './ui/dom'
import { createTabs } from './ui/tabs'

const scenarios: Scenario[] = [
  imagePipeline,
  backpressure,
  cancellation,
  crashRecovery,
  scheduling,
  streaming,
  priorities,
]

const app = document.getElementById('app')!
const header = h(
  'header',
  { class: 'site-head' },
  h(
    'div',
    { class: 'brand' },
    h('span', { class: 'logo', 'aria-hidden': 'true' }),
    h('h1', null, 'Atelier ', h('span', { class: 'brand-sub' }, 'playground')),
  ),
  h(
    'p',
    { class: 'tagline' },
    'A Web Worker task runtime on real workloads. The live view beside each scenario reads only the runtime’s own snapshots and events.',
  ),
)
const main = h('main', { class: 'site-main' })
app.append(header, main)
const handles = new Map<string, ScenarioHandle | undefined>()
createTabs(
  main,
  scenarios.map(({ id, label, mount }) => ({
    id,
    label,
    render: (panel) => handles.set(id, mount(panel)),
    hide: () => handles.get(id)?.pause(),
  })),
  'Scenarios',
)
