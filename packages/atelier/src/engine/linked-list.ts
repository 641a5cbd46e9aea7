/**
 * An intrusive doubly-linked list: the items carry their own links, so pushing, shifting and
 * removing from the middle (a cancelled call) are O(1) and allocate nothing.
 * An item belongs to at most one list at a time.
 */
export interface Linked<T> {
  prev: T | undefined
  next: T | undefined
  list: LinkedList<any> | undefined
}

export class LinkedList<T extends Linked<T>> {
  head: T | undefined
  tail: T | undefined
  size = 0

  push(item: T): void {
    item.list = this
    item.next = undefined
    item.prev = this.tail
    if (this.tail) this.tail.next = item
    else this.head = item
    this.tail = item
    this.size++
  }

  unshift(item: T): void {
    item.list = this
    item.prev = undefined
    item.next = this.head
    if (this.head) this.head.prev = item
    else this.tail = item
    this.head = item
    this.size++
  }

  shift(): T | undefined {
    const item = this.head
    if (item) this.remove(item)
    return item
  }

  /** Removes `item` if it is in this list; returns whether it was. */
  remove(item: T): boolean {
    if (item.list !== this) return false
    if (item.prev) item.prev.next = item.next
    else this.head = item.next
    if (item.next) item.next.prev = item.prev
    else this.tail = item.prev
    item.prev = item.next = item.list = undefined
    this.size--
    return true
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let item = this.head; item; item = item.next) yield item
  }
}
