/**
 * Canvas colours come from the custom properties the stylesheet sets on the view, so the lanes
 * and the CSS can never disagree.
 */

export interface Palette {
  ok: string
  running: string
  error: string
  canceled: string
  grid: string
  text: string
  lane: string
}

const VARIABLES: Record<keyof Palette, [string, string]> = {
  ok: ['--lv-ok', '#4f46e5'],
  running: ['--lv-running', '#a5b4fc'],
  error: ['--lv-error', '#dc2626'],
  canceled: ['--lv-canceled', '#d97706'],
  grid: ['--lv-grid', '#e2e8f0'],
  text: ['--lv-text', '#64748b'],
  lane: ['--lv-lane', '#f8fafc'],
}

export function readPalette(element: Element): Palette {
  const style = getComputedStyle(element)
  const palette = {} as Palette
  for (const [key, [variable, fallback]] of Object.entries(VARIABLES)) {
    palette[key as keyof Palette] = style.getPropertyValue(variable).trim() || fallback
  }
  return palette
}
