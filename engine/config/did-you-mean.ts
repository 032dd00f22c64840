/**
 * The known name a mistyped one most likely meant, or undefined. Near misses are within an edit
 * distance that grows with the name's length; failing that, a known name ending in the typed one
 * after its `prefix` (`--partitions` → `--streams.partitions`) is offered.
 */
export function didYouMean(typed: string, known: readonly string[], prefix = ''): string | undefined {
  const t = typed.toLowerCase();
  const limit = Math.max(2, Math.floor(typed.length / 6));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const d = editDistance(t, name.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  if (!t.startsWith(prefix.toLowerCase()) || t.length <= prefix.length) return undefined;
  const tail = t.slice(prefix.length);
  for (const name of known) {
    const n = name.toLowerCase();
    if (n.endsWith(tail) && n.length > tail.length && /[._]/.test(n.charAt(n.length - tail.length - 1))) {
      return name;
    }
  }
  return undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps), giving up past `cap`. */
export function editDistance(a: string, b: string, cap = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  const width = b.length + 1;
  let prev2 = new Array<number>(width).fill(0);
  let prev = new Array<number>(width);
  let row = new Array<number>(width);
  for (let j = 0; j < width; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j < width; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    const spare = prev2;
    prev2 = prev;
    prev = row;
    row = spare;
  }
  return prev[b.length]!;
}
