/**
 * Labelled form controls. Every control is a real <input>/<select>/<button> with a visible
 * <label>, so the keyboard and screen readers get them for free.
 */

import { h } from './dom'

interface FieldBase {
  label: string
  testid: string
  hint?: string
}

export interface SelectField<T extends string> extends FieldBase {
  options: ReadonlyArray<T | { value: T; label: string }>
  value: T
  onChange(value: T): void
}

export function selectField<T extends string>(field: SelectField<T>) {
  const id = `f-${field.testid}`
  const select = h('select', {
    id,
    'data-testid': field.testid,
    onchange: () => field.onChange(select.value as T),
  })
  for (const option of field.options) {
    const { value, label } = typeof option === 'string' ? { value: option, label: option } : option
    select.append(h('option', { value, selected: value === field.value }, label))
  }
  return { element: wrap(id, field, select), input: select }
}

export interface NumberField extends FieldBase {
  value: number
  min: number
  max: number
  step?: number
  onChange(value: number): void
}

export function numberField(field: NumberField) {
  const id = `f-${field.testid}`
  const input = h('input', {
    id,
    type: 'number',
    inputmode: 'numeric',
    min: field.min,
    max: field.max,
    step: field.step ?? 1,
    value: field.value,
    'data-testid': field.testid,
    onchange: () => {
      // Clamp rather than reject: a playground should never end up in an invalid state.
      const parsed = Number(input.value)
      const value = Number.isFinite(parsed) ? parsed : field.value
      const clamped = Math.min(field.max, Math.max(field.min, Math.round(value)))
      input.value = String(clamped)
      field.onChange(clamped)
    },
  })
  return { element: wrap(id, field, input), input }
}

function wrap(id: string, field: FieldBase, control: HTMLElement): HTMLElement {
  const hintId = field.hint ? `${id}-hint` : undefined
  if (hintId) control.setAttribute('aria-describedby', hintId)
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, field.label),
    control,
    field.hint ? h('small', { id: hintId, class: 'hint' }, field.hint) : null,
  )
}

export function button(
  label: string,
  testid: string,
  onClick: () => void,
  variant: 'primary' | 'secondary' | 'danger' = 'secondary',
): HTMLButtonElement {
  return h(
    'button',
    { type: 'button', class: `btn btn-${variant}`, 'data-testid': testid, onclick: onClick },
    label,
  )
}

/** A big number with a caption; `set` updates it in place. */
export function stat(label: string, testid: string, tone?: 'ok' | 'warn' | 'err' | 'accent') {
  const value = h('span', { class: 'stat-value', 'data-testid': testid }, '0')
  const element = h(
    'div',
    { class: `stat${tone ? ` tone-${tone}` : ''}` },
    value,
    h('span', { class: 'stat-label' }, label),
  )
  return {
    element,
    set(text: string | number) {
      const next = String(text)
      if (value.textContent !== next) value.textContent = next
    },
  }
}
