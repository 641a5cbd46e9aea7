/**
 * Accessible tabs (the WAI-ARIA tabs pattern): one tab stop for the whole tablist, arrow keys,
 * Home and End move between tabs and activate them, and the URL hash remembers the choice.
 * Panels are built on first activation and then kept; `hide` tells a panel it left the screen.
 */

import { h } from './dom'

export interface TabItem {
  id: string
  label: string
  render(panel: HTMLElement): void
  hide?(): void
}

export function createTabs(host: HTMLElement, items: TabItem[], label: string): void {
  const tablist = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' })
  const panels = h('div', { class: 'panels' })
  const rendered = new Set<string>()

  const tabs = items.map((item, index) => {
    const tab = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${item.id}`,
        'aria-controls': `panel-${item.id}`,
        'aria-selected': 'false',
        tabindex: -1,
        class: 'tab',
        'data-testid': `tab-${item.id}`,
        onclick: () => select(index),
      },
      h('span', { class: 'tab-index', 'aria-hidden': 'true' }, String(index + 1)),
      item.label,
    )
    const panel = h('section', {
      role: 'tabpanel',
      id: `panel-${item.id}`,
      'aria-labelledby': `tab-${item.id}`,
      class: 'panel',
      tabindex: 0,
      hidden: true,
    })
    tablist.append(tab)
    panels.append(panel)
    return { tab, panel, item }
  })

  tablist.addEventListener('keydown', (event) => {
    const current = tabs.findIndex((t) => t.tab === document.activeElement)
    if (current < 0) return
    const last = tabs.length - 1
    const moves: Record<string, number> = {
      ArrowRight: current === last ? 0 : current + 1,
      ArrowLeft: current === 0 ? last : current - 1,
      Home: 0,
      End: last,
    }
    const next = moves[event.key] ?? -1
    if (next < 0) return
    event.preventDefault()
    select(next)
    tabs[next]!.tab.focus()
  })

  function select(index: number): void {
    tabs.forEach(({ tab, panel, item }, i) => {
      const active = i === index
      if (!active && !panel.hidden) item.hide?.()
      tab.setAttribute('aria-selected', String(active))
      tab.tabIndex = active ? 0 : -1
      panel.hidden = !active
      if (active && !rendered.has(item.id)) {
        rendered.add(item.id)
        item.render(panel)
      }
    })
    const id = tabs[index]!.item.id
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`)
  }

  const fromHash = () =>
    Math.max(
      0,
      tabs.findIndex((t) => `#${t.item.id}` === location.hash),
    )
  window.addEventListener('hashchange', () => select(fromHash()))
  host.append(tablist, panels)
  select(fromHash())
}
