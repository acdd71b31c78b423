/** A binary min-heap under `before`; `onMove` lets a caller track positions for `update`/`remove`. */
export class BinaryHeap<T> {
  private readonly items: T[] = [];
  private readonly before: (a: T, b: T) => boolean;
  private readonly onMove: ((item: T, index: number) => void) | undefined;

  constructor(before: (a: T, b: T) => boolean, onMove?: (item: T, index: number) => void) {
    this.before = before;
    this.onMove = onMove;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      this.place(last, 0);
      this.siftDown(0);
    }
    return top;
  }

  /** Restores heap order after the item at `index` changed its key. */
  update(index: number): void {
    this.siftDown(this.siftUp(index));
  }

  remove(index: number): void {
    const items = this.items;
    const last = items.pop();
    if (index < items.length && last !== undefined) {
      this.place(last, index);
      this.update(index);
    }
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    this.onMove?.(item, index);
  }

  private siftUp(start: number): number {
    const items = this.items;
    const item = items[start] as T;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.before(item, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
    return index;
  }

  private siftDown(start: number): number {
    const items = this.items;
    const length = items.length;
    const item = items[start] as T;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.before(items[right] as T, items[left] as T)) child = right;
      if (!this.before(items[child] as T, item)) break;
      this.place(items[child] as T, index);
      index = child;
    }
    this.place(item, index);
    return index;
  }
}
