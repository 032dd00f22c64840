/**
 * What counts as a venue code and as a symbol. Shared by record validation and
 * subject building, so a record that validates always has a subject.
 */

/** Longest accepted venue code. */
export const MAX_VENUE_LENGTH = 32;

/** Longest accepted symbol, in UTF-16 code units (JavaScript string length). */
export const MAX_SYMBOL_LENGTH = 64;

/** Why a symbol is refused; `ok` when it is accepted. */
export type SymbolProblem =
  | 'ok'
  | 'not_a_string'
  | 'empty'
  | 'too_long'
  | 'control_character'
  | 'lone_surrogate';

/**
 * True for a venue code: 1-32 characters of `a-z`, `0-9`, `_`, `-`, the first a
 * letter or digit. Venue codes go into subjects unescaped, hence the strict set.
 */
export function isValidVenue(venue: unknown): venue is string {
  if (typeof venue !== 'string') return false;
  const n = venue.length;
  if (n === 0 || n > MAX_VENUE_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = venue.charCodeAt(i);
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (!alnum && (i === 0 || (c !== 95 && c !== 45))) return false;
  }
  return true;
}

/**
 * Checks a symbol: non-empty, at most 64 UTF-16 code units, no C0/C1 control
 * characters or DEL, and no unpaired surrogate (which has no UTF-8 form, so it
 * could not be escaped reversibly).
 */
export function symbolProblem(symbol: unknown): SymbolProblem {
  if (typeof symbol !== 'string') return 'not_a_string';
  const n = symbol.length;
  if (n === 0) return 'empty';
  if (n > MAX_SYMBOL_LENGTH) return 'too_long';
  for (let i = 0; i < n; i++) {
    const c = symbol.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'control_character';
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00 || i + 1 >= n) return 'lone_surrogate';
      const d = symbol.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return 'lone_surrogate';
      i++;
    }
  }
  return 'ok';
}

/** True when {@link symbolProblem} finds nothing wrong. */
export function isValidSymbol(symbol: unknown): symbol is string {
  return symbolProblem(symbol) === 'ok';
}
