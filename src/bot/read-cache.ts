/**
 * A list read from the store and kept for a while, for what is asked on every message (a fan's keyword,
 * a live question) and must not cost a store call each time. A read that began before a later one
 * (a timer's, overtaken by a create's) never overwrites the later one's result.
 */
export class ReadCache<T> {
  private value?: { at: number; items: readonly T[] };
  private reads = 0;
  private applied = 0;

  constructor(
    private readonly read: () => Promise<readonly T[]>,
    private readonly now: () => number,
    private readonly maxAgeMs: number,
  ) {}

  /** What the last read found (empty before the first). */
  get items(): readonly T[] {
    return this.value?.items ?? [];
  }

  /** Reads again if the cache is older than its age limit, or always when forced. */
  async refresh(force = false): Promise<readonly T[]> {
    if (!force && this.value && this.now() - this.value.at < this.maxAgeMs) return this.value.items;
    const reading = ++this.reads;
    const items = await this.read();
    if (reading > this.applied) {
      this.applied = reading;
      this.value = { at: this.now(), items };
    }
    return this.items;
  }

  /** Forgets what was read: the next refresh reads. */
  clear(): void {
    this.value = undefined;
  }
}
