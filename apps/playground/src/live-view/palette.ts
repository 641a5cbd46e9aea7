/**
 * Canvas colours come from CSS custom properties on the live view's element, so a host app
 * restyles lanes the same way it restyles everything else.
 */

export interface Palette {
  ok: string
  running: string
  error: string
  canceled: string
  alt: string
  wait: string
  grid: string
  text: string
  lane: string
}

const VARIABLES: Record<keyof Palette, [string, string]> = {
  ok: ['--lv-ok', '#4f46e5'],
  running: ['--lv-running', '#a5b4fc'],
  error: ['--lv-error', '#dc2626'],
  canceled: ['--lv-canceled', '#d97706'],
  alt: ['--lv-alt', '#0f766e'],
  wait: ['--lv-wait', '#94a3b8'],
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
