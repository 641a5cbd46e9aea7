/** One document: a cell per page coloured by its outcome, its counts, and its Cancel button. */

import { button } from '../../ui/controls'
import { h, setText } from '../../ui/dom'

export type PageState = 'queued' | 'done' | 'canceled' | 'timeout' | 'failed'

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
  readonly #counts: Record<'done' | 'canceled' | 'timeout' | 'outstanding', HTMLElement>

  constructor(
    readonly doc: DocumentSpec,
    onCancel: () => void,
  ) {
    this.cancel = button('Cancel', `cancel-${doc.id}`, onCancel, 'danger')
    this.cancel.setAttribute('aria-label', `Cancel ${doc.title}`)
    this.cancel.disabled = true
    const count = (key: string, label: string) =>
      h(
        'span',
        { class: `count count-${key}` },
        h('b', { 'data-testid': `doc-${doc.id}-${key}` }, '0'),
        ` ${label}`,
      )
    const done = count('done', 'done')
    const canceled = count('canceled', 'canceled')
    const timeout = count('timeout', 'timed out')
    const outstanding = count('outstanding', 'to go')
    this.#counts = {
      done: done.firstChild as HTMLElement,
      canceled: canceled.firstChild as HTMLElement,
      timeout: timeout.firstChild as HTMLElement,
      outstanding: outstanding.firstChild as HTMLElement,
    }
    this.#summary = h('p', { class: 'doc-summary', 'data-testid': `doc-${doc.id}-status` }, 'idle')
    this.element = h(
      'article',
      { class: 'doc', 'data-testid': `doc-${doc.id}` },
      h('header', { class: 'doc-head' }, h('h4', null, doc.title), this.cancel),
      this.#cells,
      h('p', { class: 'doc-counts' }, done, canceled, timeout, outstanding),
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
    const tally = { queued: 0, done: 0, canceled: 0, timeout: 0, failed: 0 }
    this.#pages.forEach((state, i) => {
      tally[state]++
      const cell = this.#cells.children[i] as HTMLElement
      if (cell.dataset.state !== state) cell.dataset.state = state
    })
    setText(this.#counts.done, tally.done)
    setText(this.#counts.canceled, tally.canceled)
    setText(this.#counts.timeout, tally.timeout)
    setText(this.#counts.outstanding, tally.queued)
    const state =
      tally.queued > 0
        ? 'working'
        : tally.canceled > 0
          ? 'canceled'
          : tally.done === this.#pages.length
            ? 'done'
            : 'incomplete'
    this.element.dataset.state = state
    setText(
      this.#summary,
      state === 'working'
        ? `${tally.queued} pages queued or rendering`
        : state === 'canceled'
          ? `Cancelled: ${tally.canceled} pages never finished`
          : state === 'done'
            ? 'All pages rendered'
            : `${tally.timeout + tally.failed} pages did not finish`,
    )
    if (tally.queued === 0) this.cancel.disabled = true
  }
}
