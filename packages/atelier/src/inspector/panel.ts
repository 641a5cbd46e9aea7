/**
 * The floating shell: a toggle button in a corner of the page and the panel it opens and closes.
 * Closed, the panel is hidden, and the view it holds stops drawing (it still listens, so its
 * counts are whole when it opens again).
 */

import { h } from './dom.js'

export interface Panel {
  /** Where the view goes. */
  readonly body: HTMLElement
}

export function createPanel(shadow: ShadowRoot, title: string, open: boolean): Panel {
  // An id is only looked up inside its shadow root: every panel can use the same one.
  const body = h('section', { class: 'panel', id: 'panel', 'aria-label': `${title} inspector` })
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'toggle',
      'aria-controls': 'panel',
      'data-testid': 'inspector-toggle',
      onclick: () => setOpen(body.hidden),
    },
    h('span', { class: 'toggle-mark', 'aria-hidden': 'true' }),
    title,
  )
  // Escape closes the panel from anywhere inside it, and gives the focus back to the toggle.
  body.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    setOpen(false)
    toggle.focus()
  })
  shadow.append(h('div', { class: 'dock' }, toggle, body))
  setOpen(open)

  function setOpen(value: boolean): void {
    body.hidden = !value
    toggle.setAttribute('aria-expanded', String(value))
    toggle.title = value ? `Close the ${title} inspector` : `Open the ${title} inspector`
  }
  return { body }
}
