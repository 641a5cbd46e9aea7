import { describe, expect, it, vi } from 'vitest'
import {
  AbortTaskController,
  createAbortTaskController,
  type KeyWatcher,
} from '../../src/abort-task-controller.js'
import { AbortError } from '../../src/errors.js'

function watcher() {
  return { onKeyAborted: vi.fn<KeyWatcher['onKeyAborted']>() } satisfies KeyWatcher
}

describe('AbortTaskController', () => {
  it('createAbortTaskController returns a fresh, empty controller', () => {
    const controller = createAbortTaskController()
    expect(controller).toBeInstanceOf(AbortTaskController)
    expect(controller.sizes).toEqual({ aborted: 0, watchedKeys: 0, signals: 0 })
    expect(controller.isAborted('doc')).toBe(false)
    expect(controller.reasonFor('doc')).toBeUndefined()
  })

  describe('abort', () => {
    it('notifies every watcher of the key once, with the reason', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      const b = watcher()
      const other = watcher()
      controller.watch('doc', a)
      controller.watch('doc', b)
      controller.watch('other', other)
      const reason = new Error('closed')
      controller.abort('doc', reason)
      expect(a.onKeyAborted).toHaveBeenCalledTimes(1)
      expect(a.onKeyAborted).toHaveBeenCalledWith(reason)
      expect(b.onKeyAborted).toHaveBeenCalledTimes(1)
      expect(b.onKeyAborted).toHaveBeenCalledWith(reason)
      expect(other.onKeyAborted).not.toHaveBeenCalled()
      // Aborting again is a no-op: nobody is notified twice, and the first reason stays.
      controller.abort('doc', new Error('again'))
      expect(a.onKeyAborted).toHaveBeenCalledTimes(1)
      expect(b.onKeyAborted).toHaveBeenCalledTimes(1)
      expect(controller.reasonFor('doc')).toBe(reason)
    })

    it('watching the same watcher twice notifies it once', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      controller.watch('doc', a)
      controller.watch('doc', a)
      controller.abort('doc')
      expect(a.onKeyAborted).toHaveBeenCalledTimes(1)
    })

    it('defaults the reason to an AbortError naming the key', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      controller.watch('doc-7', a)
      controller.abort('doc-7')
      const reason = controller.reasonFor('doc-7')
      expect(reason).toBeInstanceOf(AbortError)
      expect(reason).toMatchObject({ name: 'AbortError', message: 'Aborted key "doc-7"' })
      expect(a.onKeyAborted).toHaveBeenCalledWith(reason)
    })

    it('keeps falsy reasons other than undefined', () => {
      const controller = new AbortTaskController()
      controller.abort('a', null)
      controller.abort('b', 0)
      expect(controller.isAborted('a')).toBe(true)
      expect(controller.reasonFor('a')).toBeNull()
      expect(controller.reasonFor('b')).toBe(0)
    })

    it('aborting a key nobody watches still marks it aborted', () => {
      const controller = new AbortTaskController()
      controller.abort('doc')
      expect(controller.isAborted('doc')).toBe(true)
      expect(controller.sizes).toEqual({ aborted: 1, watchedKeys: 0, signals: 0 })
    })

    it('drops the key’s watchers once notified', () => {
      const controller = new AbortTaskController()
      controller.watch('doc', watcher())
      expect(controller.sizes.watchedKeys).toBe(1)
      controller.abort('doc')
      expect(controller.sizes.watchedKeys).toBe(0)
    })

    it('a watcher that watches the key again during notification is refused', () => {
      const controller = new AbortTaskController()
      const results: boolean[] = []
      const late = watcher()
      controller.watch('doc', {
        onKeyAborted: () => {
          results.push(controller.watch('doc', late))
        },
      })
      controller.abort('doc')
      expect(results).toEqual([false])
      expect(controller.sizes.watchedKeys).toBe(0)
    })
  })

  describe('aborted state', () => {
    it('an aborted key stays aborted until clear', () => {
      const controller = new AbortTaskController()
      controller.abort('doc')
      expect(controller.isAborted('doc')).toBe(true)
      expect(controller.isAborted('doc')).toBe(true)
      expect(controller.isAborted('other')).toBe(false)
      controller.clear('doc')
      expect(controller.isAborted('doc')).toBe(false)
      expect(controller.reasonFor('doc')).toBeUndefined()
      expect(controller.sizes.aborted).toBe(0)
    })

    it('clear only forgets the key given', () => {
      const controller = new AbortTaskController()
      controller.abort('a')
      controller.abort('b')
      controller.clear('a')
      expect(controller.isAborted('a')).toBe(false)
      expect(controller.isAborted('b')).toBe(true)
    })

    it('clearAll forgets every aborted key', () => {
      const controller = new AbortTaskController()
      controller.abortMany(['a', 'b', 'c'])
      expect(controller.sizes.aborted).toBe(3)
      controller.clearAll()
      for (const key of ['a', 'b', 'c']) expect(controller.isAborted(key)).toBe(false)
      expect(controller.sizes.aborted).toBe(0)
    })

    it('a cleared key can be watched and aborted again, with a new reason', () => {
      const controller = new AbortTaskController()
      controller.abort('doc', 'first')
      controller.clear('doc')
      const a = watcher()
      expect(controller.watch('doc', a)).toBe(true)
      controller.abort('doc', 'second')
      expect(a.onKeyAborted).toHaveBeenCalledExactlyOnceWith('second')
      expect(controller.reasonFor('doc')).toBe('second')
    })
  })

  describe('watch / unwatch', () => {
    it('watch returns true for a live key and false (without watching) for an aborted one', () => {
      const controller = new AbortTaskController()
      expect(controller.watch('live', watcher())).toBe(true)
      controller.abort('dead')
      const late = watcher()
      expect(controller.watch('dead', late)).toBe(false)
      expect(controller.sizes.watchedKeys).toBe(1)
      controller.abort('dead')
      expect(late.onKeyAborted).not.toHaveBeenCalled()
    })

    it('unwatch removes the watcher, so it is not notified', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      const b = watcher()
      controller.watch('doc', a)
      controller.watch('doc', b)
      controller.unwatch('doc', a)
      controller.abort('doc')
      expect(a.onKeyAborted).not.toHaveBeenCalled()
      expect(b.onKeyAborted).toHaveBeenCalledTimes(1)
    })

    it('retains no key that was never aborted once its last watcher leaves', () => {
      const controller = new AbortTaskController()
      const watchers = Array.from({ length: 100 }, () => watcher())
      watchers.forEach((w, i) => {
        controller.watch(`doc-${i % 10}`, w)
      })
      expect(controller.sizes.watchedKeys).toBe(10)
      watchers.forEach((w, i) => {
        controller.unwatch(`doc-${i % 10}`, w)
      })
      expect(controller.sizes).toEqual({ aborted: 0, watchedKeys: 0, signals: 0 })
    })

    it('keeps the key while other watchers remain', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      const b = watcher()
      controller.watch('doc', a)
      controller.watch('doc', b)
      controller.unwatch('doc', a)
      expect(controller.sizes.watchedKeys).toBe(1)
      controller.unwatch('doc', b)
      expect(controller.sizes.watchedKeys).toBe(0)
    })

    it('unwatch of an unknown key or watcher is a no-op', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      controller.watch('doc', a)
      controller.unwatch('nope', a)
      controller.unwatch('doc', watcher())
      expect(controller.sizes.watchedKeys).toBe(1)
      controller.abort('doc')
      expect(a.onKeyAborted).toHaveBeenCalledTimes(1)
      // After the abort, unwatching the notified watcher is harmless.
      controller.unwatch('doc', a)
      expect(controller.sizes.watchedKeys).toBe(0)
    })
  })

  describe('signalFor', () => {
    it('returns a live signal that aborts, with the reason, when the key does', () => {
      const controller = new AbortTaskController()
      const signal = controller.signalFor('doc')
      const onAbort = vi.fn()
      signal.addEventListener('abort', onAbort)
      expect(signal.aborted).toBe(false)
      expect(controller.sizes.signals).toBe(1)
      const reason = new Error('gone')
      controller.abort('doc', reason)
      expect(signal.aborted).toBe(true)
      expect(signal.reason).toBe(reason)
      expect(onAbort).toHaveBeenCalledTimes(1)
      // The controller lets go of the signal once it has fired.
      expect(controller.sizes.signals).toBe(0)
    })

    it('returns the same signal for the same live key, distinct ones for other keys', () => {
      const controller = new AbortTaskController()
      const signal = controller.signalFor('doc')
      expect(controller.signalFor('doc')).toBe(signal)
      expect(controller.signalFor('other')).not.toBe(signal)
      controller.abort('other')
      expect(signal.aborted).toBe(false)
    })

    it('returns an already-aborted signal for an aborted key', () => {
      const controller = new AbortTaskController()
      controller.abort('doc', 'why')
      const signal = controller.signalFor('doc')
      expect(signal.aborted).toBe(true)
      expect(signal.reason).toBe('why')
      expect(controller.sizes.signals).toBe(0)
    })

    it('carries the default AbortError when aborted without a reason', () => {
      const controller = new AbortTaskController()
      const live = controller.signalFor('doc')
      controller.abort('doc')
      expect(live.reason).toBeInstanceOf(AbortError)
      expect((live.reason as Error).message).toBe('Aborted key "doc"')
      expect(controller.signalFor('doc').reason).toBe(live.reason)
    })

    it('gives a cleared key a fresh, live signal', () => {
      const controller = new AbortTaskController()
      controller.abort('doc')
      controller.clear('doc')
      const signal = controller.signalFor('doc')
      expect(signal.aborted).toBe(false)
      controller.abort('doc', 'again')
      expect(signal.reason).toBe('again')
    })

    it('lets go of a live signal when its key is cleared', () => {
      const controller = new AbortTaskController()
      controller.signalFor('doc')
      expect(controller.sizes.signals).toBe(1)
      controller.clear('doc')
      expect(controller.sizes.signals).toBe(0)
    })

    it('a signal handed out before clear never fires; a new one does', () => {
      const controller = new AbortTaskController()
      const old = controller.signalFor('doc')
      controller.clear('doc')
      const fresh = controller.signalFor('doc')
      expect(fresh).not.toBe(old)
      controller.abort('doc', 'later')
      expect(old.aborted).toBe(false)
      expect(fresh.aborted).toBe(true)
      expect(fresh.reason).toBe('later')
    })

    it('lets go of every live signal on clearAll', () => {
      const controller = new AbortTaskController()
      controller.signalFor('a')
      controller.signalFor('b')
      controller.clearAll()
      expect(controller.sizes.signals).toBe(0)
    })
  })

  describe('abortMany', () => {
    it('aborts each key, notifying its watchers and signals with the shared reason', () => {
      const controller = new AbortTaskController()
      const a = watcher()
      const b = watcher()
      const c = watcher()
      controller.watch('a', a)
      controller.watch('b', b)
      controller.watch('c', c)
      const signal = controller.signalFor('b')
      controller.abortMany(new Set(['a', 'b']), 'bulk')
      expect(a.onKeyAborted).toHaveBeenCalledExactlyOnceWith('bulk')
      expect(b.onKeyAborted).toHaveBeenCalledExactlyOnceWith('bulk')
      expect(c.onKeyAborted).not.toHaveBeenCalled()
      expect(signal.reason).toBe('bulk')
      expect(controller.isAborted('c')).toBe(false)
    })

    it('without a reason, gives each key its own AbortError naming it', () => {
      const controller = new AbortTaskController()
      controller.abortMany(['x', 'y'])
      const x = controller.reasonFor('x')
      const y = controller.reasonFor('y')
      expect(x).toBeInstanceOf(AbortError)
      expect((x as Error).message).toBe('Aborted key "x"')
      expect((y as Error).message).toBe('Aborted key "y"')
    })

    it('accepts any iterable, including a generator, and an empty one', () => {
      const controller = new AbortTaskController()
      controller.abortMany([])
      expect(controller.sizes.aborted).toBe(0)
      function* keys() {
        yield 'g1'
        yield 'g2'
      }
      controller.abortMany(keys())
      expect(controller.isAborted('g1')).toBe(true)
      expect(controller.isAborted('g2')).toBe(true)
    })
  })

  describe('keys that could never match a call', () => {
    it.each([
      [
        'abort',
        (c: AbortTaskController) => c.abort(1 as never),
        'abort: a key must be a string, received 1',
      ],
      [
        'abort',
        (c: AbortTaskController) => c.abort(undefined as never),
        'abort: a key must be a string, received undefined',
      ],
      [
        'signalFor',
        (c: AbortTaskController) => c.signalFor({} as never),
        'signalFor: a key must be a string, received an object',
      ],
      [
        'abortMany',
        (c: AbortTaskController) => c.abortMany(null as never),
        'abortMany: keys must be an iterable of keys (an array, a Set), received null',
      ],
      // A string is iterable: aborting its characters is never what was meant.
      [
        'abortMany',
        (c: AbortTaskController) => c.abortMany('doc' as never),
        'abortMany: keys must be an iterable of keys (an array, a Set), received "doc"',
      ],
      [
        'abortMany',
        (c: AbortTaskController) => c.abortMany(['a', 2, 'b'] as never),
        'abortMany: a key must be a string, received 2',
      ],
    ])('%s throws a TypeError naming the value, and aborts nothing', (_method, call, message) => {
      const controller = new AbortTaskController()
      const a = watcher()
      controller.watch('a', a)
      expect(() => call(controller)).toThrow(TypeError)
      expect(() => call(controller)).toThrow(`AbortTaskController.${message}`)
      expect(controller.sizes).toEqual({ aborted: 0, watchedKeys: 1, signals: 0 })
      expect(a.onKeyAborted).not.toHaveBeenCalled()
    })

    it("'' is a key no call has (keyOf's '' means none): aborting it is allowed and touches no call", () => {
      const controller = new AbortTaskController()
      controller.abort('')
      expect(controller.isAborted('')).toBe(true)
    })
  })
})
