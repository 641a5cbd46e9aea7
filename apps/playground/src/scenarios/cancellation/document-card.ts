/** One document: a cell per page coloured by its outcome, its counts, and its Cancel button. */

import { button } from '../../ui/controls'
import { h, setText } from '../../ui/dom'
import { type CallOutcome, outcomeLabel } from '../../ui/outcomes'

/** A page still to settle, or the outcome it settled with (named in Atelier's words). */
export type PageState = 'queued' | Extract<CallOutcome, 'ok' | 'abort' | 'timeout' | 'exception'>

/** The counts each card shows, in this order. */
const COUNTED = ['ok', 'abort', 'timeout'] as const

export interface DocumentSpec {
  id: string
  title: string
}

export class DocumentCard {
  readonly element: HTMLElement
  readonly cancel: HTMLButtonElement
  #pages: PageState[] = []
  readonly #cells = h('ol', { class: 'pages', 'aria-hidden': 'true' })
  readonly #summary: HTMLElement
  readonly #counts: Record<(typeof COUNTED)[number] | 'outstanding', HTMLElement>

  constructor(
    readonly doc: DocumentSpec,
    onCancel: () => void,
  ) {
    this.cancel = button('Cancel', `cancel-${doc.id}`, onCancel, 'danger')
    this.cancel.setAttribute('aria-label', `Cancel ${doc.title}`)
    this.cancel.disabled = true
    const count = (key: string, label: string) => {
      const value = h('b', { 'data-testid': `doc-${doc.id}-${key}` }, '0')
      return { value, element: h('span', { class: `count count-${key}` }, value, ` ${label}`) }
    }
    const counted = COUNTED.map((outcome) => count(outcome, outcomeLabel(outcome)))
    const outstanding = count('outstanding', 'to go')
    const [ok, abort, timeout] = counted as [
      (typeof counted)[number],
      (typeof counted)[number],
      (typeof counted)[number],
    ]
    this.#counts = {
      ok: ok.value,
      abort: abort.value,
      timeout: timeout.value,
      outstanding: outstanding.value,
    }
    this.#summary = h('p', { class: 'doc-summary', 'data-testid': `doc-${doc.id}-status` }, 'idle')
    this.element = h(
      'article',
      { class: 'doc', 'data-testid': `doc-${doc.id}` },
      h('header', { class: 'doc-head' }, h('h4', null, doc.title), this.cancel),
      this.#cells,
      h('p', { class: 'doc-counts' }, ...counted.map((c) => c.element), outstanding.element),
      this.#summary,
    )
  }

  reset(pages: number): void {
    this.#pages = Array.from({ length: pages }, () => 'queued' as PageState)
    this.#cells.replaceChildren(...this.#pages.map(() => h('li', { class: 'page' })))
    this.cancel.disabled = false
    this.render()
  }

  settle(page: number, state: PageState): void {
    this.#pages[page] = state
    this.render()
  }

  get outstanding(): number {
    return this.#pages.filter((p) => p === 'queued').length
  }

  render(): void {
    const tally: Record<PageState, number> = {
      queued: 0,
      ok: 0,
      abort: 0,
      timeout: 0,
      exception: 0,
    }
    this.#pages.forEach((state, i) => {
      tally[state]++
      const cell = this.#cells.children[i] as HTMLElement
      if (cell.dataset.state !== state) cell.dataset.state = state
    })
    for (const outcome of COUNTED) setText(this.#counts[outcome], tally[outcome])
    setText(this.#counts.outstanding, tally.queued)
    const state =
      tally.queued > 0
        ? 'working'
        : tally.abort > 0
          ? 'canceled'
          : tally.ok === this.#pages.length
            ? 'done'
            : 'incomplete'
    this.element.dataset.state = state
    setText(
      this.#summary,
      state === 'working'
        ? `${tally.queued} pages queued or rendering`
        : state === 'canceled'
          ? `${tally.abort} pages ${outcomeLabel('abort')}`
          : state === 'done'
            ? 'All pages rendered'
            : `${tally.timeout} pages ${outcomeLabel('timeout')}, ${tally.exception} ${outcomeLabel('exception')}`,
    )
    if (tally.queued === 0) this.cancel.disabled = true
  }
}
