/**
 * The region stream as the racks' requests read it: built once and kept for `maxAgeMs`, or until `invalidate()`.
 * Building it reads every published set and serializes both documents (3 ms for 80 resources, before the
 * database's share), which every blob request of every rack paid. Whatever changes what racks should fetch and
 * then tells them (an import's end, a published upload, a manual sync) invalidates it first; any other change
 * shows within `maxAgeMs`.
 */
export class StreamCache<T> {
  #value: { readonly at: number; readonly stream: T } | undefined;

  constructor(
    private readonly build: () => T,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(): T {
    const now = this.now();
    if (this.#value === undefined || now - this.#value.at >= this.maxAgeMs) this.#value = { at: now, stream: this.build() };
    return this.#value.stream;
  }

  invalidate(): void {
    this.#value = undefined;
  }
}
