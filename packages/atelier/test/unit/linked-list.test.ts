import { describe, expect, it } from 'vitest'
import { type Linked, LinkedList } from '../../src/engine/linked-list.js'

interface Item extends Linked<Item> {
  id: string
}

function item(id: string): Item {
  return { prev: undefined, next: undefined, list: undefined, id }
}

function ids(list: LinkedList<Item>): string[] {
  return [...list].map((i) => i.id)
}

/** Walks the list backwards from the tail, to check the `prev` links as well as the `next` ones. */
function idsBackwards(list: LinkedList<Item>): string[] {
  const out: string[] = []
  for (let i = list.tail; i; i = i.prev) out.push(i.id)
  return out
}

/** Checks every structural invariant of `list` against the expected order. */
function expectList(list: LinkedList<Item>, expected: string[]): void {
  expect(ids(list)).toEqual(expected)
  expect(idsBackwards(list)).toEqual([...expected].reverse())
  expect(list.size).toBe(expected.length)
  expect(list.head?.id).toBe(expected[0])
  expect(list.tail?.id).toBe(expected[expected.length - 1])
  expect(list.head?.prev).toBeUndefined()
  expect(list.tail?.next).toBeUndefined()
  for (const i of list) expect(i.list).toBe(list)
}

function listOf(...names: string[]): { list: LinkedList<Item>; items: Record<string, Item> } {
  const list = new LinkedList<Item>()
  const items: Record<string, Item> = {}
  for (const name of names) {
    const i = item(name)
    items[name] = i
    list.push(i)
  }
  return { list, items }
}

describe('LinkedList', () => {
  it('starts empty', () => {
    const list = new LinkedList<Item>()
    expect(list.size).toBe(0)
    expect(list.head).toBeUndefined()
    expect(list.tail).toBeUndefined()
    expect([...list]).toEqual([])
    expect(list.shift()).toBeUndefined()
    expect(list.size).toBe(0)
  })

  it('push appends in order and marks the item as belonging to the list', () => {
    const list = new LinkedList<Item>()
    const a = item('a')
    list.push(a)
    expect(a.list).toBe(list)
    expectList(list, ['a'])
    list.push(item('b'))
    list.push(item('c'))
    expectList(list, ['a', 'b', 'c'])
  })

  it('unshift prepends', () => {
    const list = new LinkedList<Item>()
    list.unshift(item('c'))
    expectList(list, ['c'])
    list.unshift(item('b'))
    list.unshift(item('a'))
    expectList(list, ['a', 'b', 'c'])
  })

  it('push and unshift interleave correctly', () => {
    const list = new LinkedList<Item>()
    list.push(item('c'))
    list.unshift(item('b'))
    list.push(item('d'))
    list.unshift(item('a'))
    expectList(list, ['a', 'b', 'c', 'd'])
  })

  it('shift removes and returns the head, FIFO with push', () => {
    const { list, items } = listOf('a', 'b', 'c')
    const first = list.shift()
    expect(first).toBe(items.a)
    expect(first?.list).toBeUndefined()
    expect(first?.prev).toBeUndefined()
    expect(first?.next).toBeUndefined()
    expectList(list, ['b', 'c'])
    expect(list.shift()?.id).toBe('b')
    expect(list.shift()?.id).toBe('c')
    expectList(list, [])
    expect(list.shift()).toBeUndefined()
    expect(list.size).toBe(0)
  })

  it('removes the head', () => {
    const { list, items } = listOf('a', 'b', 'c')
    expect(list.remove(items.a!)).toBe(true)
    expectList(list, ['b', 'c'])
    expect(items.a!.list).toBeUndefined()
    expect(items.a!.next).toBeUndefined()
  })

  it('removes from the middle and relinks the neighbours', () => {
    const { list, items } = listOf('a', 'b', 'c')
    expect(list.remove(items.b!)).toBe(true)
    expectList(list, ['a', 'c'])
    expect(items.a!.next).toBe(items.c)
    expect(items.c!.prev).toBe(items.a)
    expect(items.b!.prev).toBeUndefined()
    expect(items.b!.next).toBeUndefined()
    expect(items.b!.list).toBeUndefined()
  })

  it('removes the tail', () => {
    const { list, items } = listOf('a', 'b', 'c')
    expect(list.remove(items.c!)).toBe(true)
    expectList(list, ['a', 'b'])
    list.push(item('d'))
    expectList(list, ['a', 'b', 'd'])
  })

  it('removes the only item, leaving an empty, reusable list', () => {
    const { list, items } = listOf('a')
    expect(list.remove(items.a!)).toBe(true)
    expectList(list, [])
    list.push(items.a!)
    expectList(list, ['a'])
  })

  it('remove of an item not in the list returns false and changes nothing', () => {
    const { list } = listOf('a', 'b')
    const stranger = item('x')
    expect(list.remove(stranger)).toBe(false)
    expectList(list, ['a', 'b'])
    expect(stranger.list).toBeUndefined()
  })

  it('remove of an item already removed returns false and does not decrement size twice', () => {
    const { list, items } = listOf('a', 'b')
    expect(list.remove(items.a!)).toBe(true)
    expect(list.remove(items.a!)).toBe(false)
    expectList(list, ['b'])
  })

  it('remove of an item that belongs to another list returns false and leaves both intact', () => {
    const first = listOf('a', 'b')
    const second = listOf('c', 'd')
    expect(first.list.remove(second.items.c!)).toBe(false)
    expectList(first.list, ['a', 'b'])
    expectList(second.list, ['c', 'd'])
    expect(second.items.c!.list).toBe(second.list)
  })

  it('an item moves between lists: removed from one, pushed onto the other', () => {
    const from = listOf('a', 'b', 'c')
    const to = listOf('x')
    const b = from.items.b!
    expect(from.list.remove(b)).toBe(true)
    to.list.push(b)
    expectList(from.list, ['a', 'c'])
    expectList(to.list, ['x', 'b'])
    expect(b.list).toBe(to.list)
    // Now only the new list can remove it.
    expect(from.list.remove(b)).toBe(false)
    expect(to.list.remove(b)).toBe(true)
    expectList(to.list, ['x'])
  })

  it('an item shifted from one list can be unshifted onto another', () => {
    const from = listOf('a', 'b')
    const to = listOf('y', 'z')
    const a = from.list.shift()!
    to.list.unshift(a)
    expectList(from.list, ['b'])
    expectList(to.list, ['a', 'y', 'z'])
  })

  it('iteration yields every item once, in order, after mixed operations', () => {
    const list = new LinkedList<Item>()
    const all = Array.from({ length: 10 }, (_, i) => item(String(i)))
    for (const i of all) list.push(i)
    list.remove(all[0]!)
    list.remove(all[5]!)
    list.remove(all[9]!)
    list.unshift(all[5]!)
    expectList(list, ['5', '1', '2', '3', '4', '6', '7', '8'])
  })
})
