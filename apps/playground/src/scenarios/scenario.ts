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
  const main = h(
    'div',
    { class: 'scenario-main' },
    h('div', { class: 'card controls-card' }, controls, actions),
  )
  const live = h('aside', { class: 'scenario-live card', 'aria-label': 'Live view of the runtime' })
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
      h('div', { class: 'scenario-grid' }, main, live),
    ),
  )
  return { controls, actions, main, live }
}

/** A titled block inside `main`. */
export function section(title: string, ...children: Array<Node | null>): HTMLElement {
  const element = h('section', { class: 'card result' }, h('h3', { class: 'result-title' }, title))
  for (const child of children) if (child) element.append(child)
  return element
}
