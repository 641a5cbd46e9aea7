/**
 * What every scenario is: a tab that builds its panel once, and the panel's common skeleton
 * (heading, controls, results, and the live view beside them).
 */

import { h } from '../ui/dom'

export interface Scenario {
  /** The URL hash and the screenshot's file name. */
  id: string
  label: string
  /** Builds the scenario into its panel, once. */
  mount(panel: HTMLElement): ScenarioHandle | undefined
}

export interface ScenarioHandle {
  /**
   * The tab was left: stop open-ended load (producers), so one scenario never slows another's
   * measurements. Finite runs may finish.
   */
  pause(): void
}

export interface ScenarioLayout {
  /** Form controls (knobs). */
  controls: HTMLElement
  /** Buttons that act (start, stop, cancel…). */
  actions: HTMLElement
  /** Results: numbers, thumbnails, charts. */
  main: HTMLElement
  /** Where the live view goes. */
  live: HTMLElement
}

export function scenarioLayout(
  panel: HTMLElement,
  heading: { title: string; lede: string },
): ScenarioLayout {
  // A form so Enter in a field does nothing surprising; every knob applies on change.
  const controls = h('form', { class: 'controls', onsubmit: (event) => event.preventDefault() })
  const actions = h('div', { class: 'actions' })
  const live = h('aside', {
    class: 'scenario-live card',
    id: `${panel.id}-live`,
    'aria-label': 'Live view of the runtime',
  })
  const main = h(
    'div',
    { class: 'scenario-main' },
    h('div', { class: 'card controls-card' }, controls, actions),
  )
  const grid = h('div', { class: 'scenario-grid', 'data-show': 'results' }, main, live)
  main.append(viewSwitch(grid, panel.id))
  panel.append(
    h(
      'div',
      { class: 'scenario' },
      h(
        'header',
        { class: 'scenario-head' },
        h('h2', null, heading.title),
        h('p', { class: 'lede' }, heading.lede),
      ),
      grid,
    ),
  )
  return { controls, actions, main, live }
}

/**
 * Below 1000 px the live view goes under the scenario, where on a phone it would sit thousands
 * of pixels below the buttons that drive it. This switch (shown only there) puts it right under
 * the controls instead of the results, so a click and what it does are on one screen.
 */
function viewSwitch(grid: HTMLElement, id: string): HTMLElement {
  const choices = [
    ['results', 'Results'],
    ['live', 'Live view'],
  ] as const
  const buttons = choices.map(([value, label]) =>
    h(
      'button',
      {
        type: 'button',
        class: 'view-switch-btn',
        'aria-pressed': String(value === 'results'),
        'data-testid': `show-${value}`,
        'aria-controls': value === 'live' ? `${id}-live` : null,
        onclick: () => {
          grid.dataset.show = value
          for (const [i, b] of buttons.entries()) {
            b.setAttribute('aria-pressed', String(choices[i]![0] === value))
          }
        },
      },
      label,
    ),
  )
  return h('div', { class: 'view-switch', role: 'group', 'aria-label': 'Show' }, ...buttons)
}

/** A titled block inside `main`. */
export function section(title: string, ...children: Array<Node | null>): HTMLElement {
  const element = h('section', { class: 'card result' }, h('h3', { class: 'result-title' }, title))
  for (const child of children) if (child) element.append(child)
  return element
}
