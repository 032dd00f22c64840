/**
 * Splits one CSV line (RFC 4180 quoting: fields may be wrapped in double
 * quotes, and `""` inside quotes is a literal quote). Returns null when a
 * quoted field is not closed on the line.
 */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (true) {
    if (i < n && line.charCodeAt(i) === 34) {
      let field = '';
      i++;
      while (true) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(field);
      if (i < n && line.charCodeAt(i) !== 44) return null;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      out.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= n) return out;
    i++; // past the comma
  }
}

/** Quotes a CSV field when it needs it. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
