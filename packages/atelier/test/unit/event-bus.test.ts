import { describe, expect, it } from 'vitest'
import { EventBus } from '../../src/engine/event-bus.js'

describe('EventBus', () => {
  it('one unsubscribe removes one subscription, even of the same function', () => {
    const bus = new EventBus<{ fact: [n: number] }>()
    const heard: number[] = []
    const listener = (n: number) => heard.push(n)
    const first = bus.on('fact', listener)
    bus.on('fact', listener)
    first()
    first()
    bus.emit('fact', 1)
    expect(heard).toEqual([1])
  })

  it('a listener removed or added during an emit does not change that emit', () => {
    const bus = new EventBus<{ fact: [] }>()
    const heard: string[] = []
    let offB: () => void = () => {}
    bus.on('fact', () => {
      heard.push('a')
      offB()
      bus.on('fact', () => heard.push('late'))
    })
    offB = bus.on('fact', () => heard.push('b'))
    bus.emit('fact')
    expect(heard).toEqual(['a', 'b'])
    heard.length = 0
    bus.emit('fact')
    expect(heard).toEqual(['a', 'late'])
  })
})
