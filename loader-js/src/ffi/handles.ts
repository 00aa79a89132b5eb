// The handle table: JS values referenced from Python (JsProxy objects hold handle ids).
//
// One id per JS value while it is referenced: holding a value already in the table returns
// its id and counts one more reference, so equal ids mean the same JS object (JsProxy
// equality and hashing rely on this).  Id 0 is never used.

export class HandleTable {
  private values: unknown[] = [undefined];
  private counts: number[] = [0];
  private ids = new Map<unknown, number>();
  private free: number[] = [];

  /** A reference to value; its id. */
  hold(value: unknown): number {
    const known = this.ids.get(value);
    if (known !== undefined) {
      this.counts[known]++;
      return known;
    }
    const id = this.free.length ? this.free.pop()! : this.values.length;
    this.values[id] = value;
    this.counts[id] = 1;
    this.ids.set(value, id);
    return id;
  }

  get(id: number): any {
    return this.values[id];
  }

  release(id: number): void {
    if (--this.counts[id] === 0) {
      this.ids.delete(this.values[id]);
      this.values[id] = undefined;
      this.free.push(id);
    }
  }

  /** How many JS values Python references (for tests and leak checks). */
  get size(): number {
    return this.ids.size;
  }
}
