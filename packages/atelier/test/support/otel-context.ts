/**
 * The smallest OpenTelemetry context manager: the active context as a stack, enough for spans
 * made synchronously inside `context.with` or `startActiveSpan`. Browsers have no async context
 * manager, and the tests need no more.
 */
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api'

export class StackContextManager implements ContextManager {
  #stack: Context[] = []
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.#stack.push(active)
    try {
      return fn.call(thisArg, ...args)
    } finally {
      this.#stack.pop()
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target
  }
  enable(): this {
    return this
  }
  disable(): this {
    this.#stack = []
    return this
  }
}
