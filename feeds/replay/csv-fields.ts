/**
 * Splits an unquoted CSV line into a caller-owned array. Exchange trade dumps (Binance, tardis)
 * never quote fields, so a comma always separates; a quoted file fails number parsing and is
 * reported as a bad line rather than silently mis-split.
 */

/**
 * Writes up to `out.length` fields of `line` into `out` and returns how many the line has
 * (which may exceed `out.length`: the caller reports a wrong field count). A trailing `\r` is
 * dropped so CRLF files parse.
 */
export function splitCsvInto(line: string, out: string[]): number {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  let n = 0;
  let start = 0;
  for (;;) {
    let comma = line.indexOf(',', start);
    if (comma === -1 || comma > end) comma = end;
    if (n < out.length) out[n] = line.slice(start, comma);
    n++;
    if (comma >= end) return n;
    start = comma + 1;
  }
}

/** A finite number from a non-empty field, else NaN. */
export function numberField(s: string): number {
  if (s.length === 0) return Number.NaN;
  const x = Number(s);
  return x - x === 0 ? x : Number.NaN;
}
