/**
 * Exact, order-independent sums for candle volumes and notionals.
 *
 * Floating-point `+=` gives a result that depends on the order of the
 * addends, and trades reach a candle in arrival order, which differs between
 * live streaming, shuffled delivery and replay. Candles must not. So a sum is
 * kept as an integer count N of units of 2^-64, split into three limbs held in
 * doubles: N = l0 + l1 * 2^40 + l2 * 2^80, i.e. l0 counts 2^-64, l1 counts
 * 2^-24 and l2 counts 2^16.
 *
 * Splitting an addend x truncates toward zero twice (x = x2 * 2^16 + r,
 * r = r1 * 2^-24 + r0), so each remainder is a subset of x's own bits and every
 * step is exact; only r0 is rounded to a whole unit (nearest, ties toward +inf).
 * That rounding changes nothing when |x| >= 2^-12, whose last bit weighs at
 * least 2^-64: such an addend is represented exactly. A smaller one is off by
 * at most 2^-65 (absolute). Each addend limb has magnitude <= 2^40 (|l2| < 2^53
 * while |x| < 2^69).
 *
 * Limbs add exactly while they stay below 2^53 in magnitude: at least 2^12
 * additions. The book normalizes a row every 2^11 trades, so three side sums can
 * still be added limb by limb (< 2^53) to give the volume. A sum is read once,
 * from normalized limbs, with a single correct rounding (`readLimbs`), so equal
 * exact sums read as identical doubles whatever the order of the addends. Exact
 * while every partial sum stays below 2^68 in magnitude.
 */

/** 2^40: the base of each limb. */
export const LIMB = 1_099_511_627_776;
/** 2^-64: the unit of the low limb, the resolution of every sum. */
export const UNIT = 2 ** -64;

const INV_LIMB = 1 / LIMB;
/** 2^16 and 2^-16: weight of the high limb. */
const HIGH = 65_536;
const INV_HIGH = 1 / HIGH;
/** 2^-24 and 2^24: weight of the middle limb. */
const MID = 2 ** -24;
const INV_MID = 2 ** 24;
const INV_UNIT = 2 ** 64;
/** At or above 2^29 (l2 >= 2^13) the sum's last bit weighs >= 2^-23 and the low limb only matters as a sticky bit. */
const STICKY_FROM = 536_870_912;
const STICKY = 2 ** -25;

/** The high limb of x: x truncated toward zero to a multiple of 2^16, in units of 2^16. */
export function highPart(x: number): number {
  return Math.trunc(x * INV_HIGH);
}

/** The middle limb of r, where |r| < 2^16 is what remains of x after its high limb: units of 2^-24. */
export function midPart(r: number): number {
  return Math.trunc(r * INV_MID);
}

/** The low limb of r0, where |r0| < 2^-24 is what remains after the middle limb: units of 2^-64, rounded. */
export function lowPart(r0: number): number {
  return Math.round(r0 * INV_UNIT);
}

/** The three limbs of one addend, low first (not normalized: all share x's sign). For tests and cold paths. */
export function splitLimbs(x: number): [number, number, number] {
  const l2 = highPart(x);
  const r = x - l2 * HIGH;
  const l1 = midPart(r);
  return [lowPart(r - l1 * MID), l1, l2];
}

/** The carry to move from a limb into the next one up (floor, so the limb left behind is in [0, 2^40)). */
export function limbCarry(l: number): number {
  return Math.floor(l * INV_LIMB);
}

/**
 * Reads a sum from possibly unnormalized limbs: normalizes a copy, then
 * converts with one correct rounding (to nearest, ties to even). A sum of
 * zeros reads +0.
 */
export function readLimbs(l0: number, l1: number, l2: number): number {
  let c = Math.floor(l0 * INV_LIMB);
  l0 -= c * LIMB;
  l1 += c;
  c = Math.floor(l1 * INV_LIMB);
  l1 -= c * LIMB;
  l2 += c;
  if (l2 >= 0) return magnitude(l0, l1, l2);
  // Negative: read the magnitude, whose limbs are the complement (rounding to even is symmetric).
  let m0 = LIMB - l0;
  let m1 = LIMB - 1 - l1;
  let m2 = -l2 - 1;
  if (m0 === LIMB) {
    m0 = 0;
    m1 += 1;
    if (m1 === LIMB) {
      m1 = 0;
      m2 += 1;
    }
  }
  return -magnitude(m0, m1, m2);
}

/** Correctly rounded l0 * 2^-64 + l1 * 2^-24 + l2 * 2^16 for normalized, non-negative limbs. */
function magnitude(l0: number, l1: number, l2: number): number {
  const a = l2 * HIGH;
  const b = l1 * MID;
  const c = l0 * UNIT;
  // Below 2^29, a + b fits 53 bits: one rounding when c is added.
  if (a < STICKY_FROM) return a + b + c + 0;
  // Above, representable values and midpoints are multiples of 2^-24, and
  // a + b is one too, so c only decides which side of a + b the sum lies:
  // a sticky half unit in its place rounds the same, and b + STICKY is exact.
  return a + (c > 0 ? b + STICKY : b);
}
