/**
 * Per-key sequence tracking: finds gaps (ids skipped), duplicates and reordering in a stream of
 * ids that should grow by exactly one. Keys are products/symbols; state is one number per key.
 */

/** What one id meant for its key. */
export type SequenceVerdict = 'first' | 'next' | 'gap' | 'stale';

/** Tracks the last id per key. */
export class SequenceGaps {
  private readonly last = new Map<string, number>();
  /** Gaps seen, over all keys. */
  gaps = 0;
  /** Ids missing in those gaps, over all keys. */
  missing = 0;
  /** Ids at or below the last one (duplicates or reordering), dropped by callers. */
  stale = 0;
  /** Length of the most recent gap. */
  lastGap = 0;

  /**
   * Records `id` for `key`. `gap` means ids between the previous and this one never came
   * (`lastGap` says how many); `stale` means this id is not newer than the last one.
   */
  observe(key: string, id: number): SequenceVerdict {
    const prev = this.last.get(key);
    if (prev === undefined) {
      this.last.set(key, id);
      return 'first';
    }
    if (id <= prev) {
      this.stale++;
      return 'stale';
    }
    this.last.set(key, id);
    if (id === prev + 1) return 'next';
    this.gaps++;
    this.lastGap = id - prev - 1;
    this.missing += this.lastGap;
    return 'gap';
  }

  /** Last id of `key`, if any. */
  lastOf(key: string): number | undefined {
    return this.last.get(key);
  }
}
