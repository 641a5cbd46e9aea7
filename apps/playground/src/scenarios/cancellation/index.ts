/**
 * Scenario 3: several documents render at once, each page a call keyed by its document.
 * Cancelling a document aborts its key: its queued pages leave the queue, its running pages
 * stop (the worker cooperates through ctx), and the other documents carry on.
 */

import { AbortError, createTaskRuntime, type Task } from 'atelier'
import { mountInspector } from 'atelier/inspector'
import { button, numberField, selectField } from '../../ui/controls'
import { h } from '../../ui/dom'
import { outcomeLabel, outcomeOfError } from '../../ui/outcomes'
import { type Scenario, scenarioLayout, section } from '../scenario'
import type { DocumentAPI } from './document.worker'
import { DocumentCard, type DocumentSpec, type PageState } from './document-card'

export const cancellation: Scenario = { id: 'cancellation', label: 'Cancellation', mount }

const DOCUMENTS: DocumentSpec[] = [
  { id: 'report', title: 'Annual report' },
  { id: 'invoices', title: 'Invoices' },
  { id: 'album', title: 'Photo album' },
  { id: 'thesis', title: 'Thesis' },
]
const TIMEOUTS = [
  { value: '0', label: 'none' },
  { value: '500', label: '500 ms' },
  { value: '1000', label: '1 s' },
  { value: '2000', label: '2 s' },
  { value: '4000', label: '4 s' },
] as const
type TimeoutValue = (typeof TIMEOUTS)[number]['value']
const POOL_SIZE = 3

function mount(panel: HTMLElement): undefined {
  const runtime = createTaskRuntime({ observability: { spans: 'on' } })
  const keys = runtime.abortTaskController
  const layout = scenarioLayout(panel, {
    title: 'Cancellation',
    lede: `Four documents render page by page on ${POOL_SIZE} workers; every page is a call whose key is its document. Cancel one and abortTaskController.abort(key) removes its queued pages and stops its running ones, while the other documents carry on. A timeout fails any page not done in time, queue wait included.`,
  })
  // First, so it sees every event: metrics are only built while someone listens.
  mountInspector(runtime, { container: layout.live, title: 'Live view', windowMs: 6000 })
  const settings = { timeoutMs: 0, pages: 12, pageMs: 120 }
  let task: Task<DocumentAPI> | undefined
  let taskTimeout = -1
  let run = 0
  let runKeys: string[] = []

  const timeout = selectField({
    label: 'Timeout per call',
    testid: 'cx-timeout',
    options: TIMEOUTS,
    value: '0' as TimeoutValue,
    onChange: (value) => {
      settings.timeoutMs = Number(value)
    },
  })
  const pages = numberField({
    label: 'Pages per document',
    testid: 'cx-pages',
    value: settings.pages,
    min: 2,
    max: 40,
    onChange: (value) => {
      settings.pages = value
    },
  })
  const pageMs = numberField({
    label: 'Page work (ms)',
    testid: 'cx-page-ms',
    value: settings.pageMs,
    min: 10,
    max: 1000,
    step: 10,
    onChange: (value) => {
      settings.pageMs = value
    },
  })
  layout.controls.append(timeout.element, pages.element, pageMs.element)

  const start = button('Render all', 'cx-start', () => void renderAll(), 'primary')
  const status = h('p', { class: 'status', role: 'status', 'data-testid': 'cx-status' }, 'Ready.')
  layout.actions.append(start, status)

  const cards = DOCUMENTS.map(
    (doc) =>
      new DocumentCard(doc, () => {
        keys.abort(keyOf(doc.id), new AbortError(`${doc.title} was cancelled`))
        status.textContent = `Cancelled ${doc.title}: abort("${keyOf(doc.id)}")`
      }),
  )
  const legend = h(
    'ul',
    { class: 'page-legend' },
    ...(['queued', 'ok', 'abort', 'timeout'] as const).map((state) =>
      h(
        'li',
        null,
        h('span', { class: 'page', 'data-state': state, 'aria-hidden': 'true' }),
        state === 'queued' ? 'queued or running' : outcomeLabel(state),
      ),
    ),
  )
  layout.main.append(
    section('Documents', legend, h('div', { class: 'docs' }, ...cards.map((c) => c.element))),
  )

  function keyOf(docId: string): string {
    return `${docId}#${run}`
  }

  async function ensureTask(): Promise<Task<DocumentAPI>> {
    if (task && taskTimeout === settings.timeoutMs) return task
    await task?.dispose()
    taskTimeout = settings.timeoutMs
    task = runtime.defineTask<DocumentAPI>({
      type: 'parallel',
      taskName: 'pages',
      poolSize: POOL_SIZE,
      maxQueueDepth: 256,
      // Every page call names its document; a call without one would have no key.
      keyOf: (docId) => (docId === undefined ? undefined : keyOf(docId)),
      timeoutMs: settings.timeoutMs > 0 ? settings.timeoutMs : undefined,
      worker: () =>
        new Worker(new URL('./document.worker.ts', import.meta.url), {
          type: 'module',
          name: 'document',
        }),
    })
    // Spawn before the clock starts, so the timeout measures rendering, not worker start-up.
    await task.startWorkers()
    return task
  }

  async function renderAll(): Promise<void> {
    start.disabled = true
    status.textContent = 'Starting workers…'
    const active = await ensureTask()
    // Keys stay aborted until cleared: forget the previous run's, and use fresh ones.
    for (const key of runKeys) keys.clear(key)
    run++
    runKeys = DOCUMENTS.map((doc) => keyOf(doc.id))
    for (const card of cards) card.reset(settings.pages)
    status.textContent = `Rendering ${DOCUMENTS.length * settings.pages} pages…`

    const calls: Promise<void>[] = []
    // Interleaved, page 1 of every document first, so all documents progress together.
    for (let page = 0; page < settings.pages; page++) {
      for (const card of cards) {
        const settle = (state: PageState) => card.settle(page, state)
        calls.push(
          active.renderPage(card.doc.id, page, settings.pageMs).then(
            () => settle('ok'),
            (error: unknown) => {
              const outcome = outcomeOfError(error)
              settle(outcome === 'abort' || outcome === 'timeout' ? outcome : 'exception')
            },
          ),
        )
      }
    }
    await Promise.all(calls)
    start.disabled = false
    status.textContent = 'All documents settled.'
  }
}
