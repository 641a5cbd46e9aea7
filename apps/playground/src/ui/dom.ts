/**
 * The playground's DOM helpers: element creation, text updates that skip unchanged text, and a
 * once-per-frame scheduler. No framework: elements are made once and updated in place by the
 * code that owns them.
 */

export type Child = Node | string | number | null | undefined | false
type Listener = (event: Event) => void
export type Props = Record<string, string | number | boolean | null | undefined | Listener>

/** `h('button', { class: 'btn', onclick }, 'Go')`: attributes, `on*` listeners, children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (typeof value === 'function') {
        element.addEventListener(name.replace(/^on/, ''), value)
      } else if (value === true) {
        element.setAttribute(name, '')
      } else if (value !== false && value !== null && value !== undefined) {
        element.setAttribute(name, String(value))
      }
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(child instanceof Node ? child : String(child))
  }
  return element
}

/** Sets text only when it changed: scenarios update dozens of numbers per frame. */
export function setText(element: Element, text: string | number): void {
  const value = String(text)
  if (element.textContent !== value) element.textContent = value
}

/** Coalesces any number of `schedule()` calls into one `fn` per animation frame. */
export function frameScheduler(fn: (now: number) => void): { schedule(): void; cancel(): void } {
  let handle = 0
  return {
    schedule() {
      if (handle !== 0) return
      handle = requestAnimationFrame((now) => {
        handle = 0
        fn(now)
      })
    },
    cancel() {
      if (handle !== 0) cancelAnimationFrame(handle)
      handle = 0
    },
  }
}
