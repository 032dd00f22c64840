import type { Candle } from '../../schemas/records.js';
import { formatNumber, formatRatio, raiseAlert } from './alert.js';
import { admitAlert, KIND_INDEX } from './cooldown.js';
import type { AnomalyState } from './layout.js';
import { f32Base } from './layout.js';

const KIND = KIND_INDEX.volume_spike;
const WARNING = 1;
const CRITICAL = 2;
/**
 * Below this fraction of the mean, a standard deviation is rounding noise of
 * a flat history (Float32 storage, summation order), not real variation: it
 * would turn any tiny difference into an enormous z-score.
 */
const FLAT_EPSILON = 1e-6;

/**
 * Judges a closed candle's volume against the previous `lookback` closed
 * candles of the configured interval, then adds it to them. Revisions, open
 * candles and other intervals are ignored; nothing is judged until the
 * history is full.
 */
export function volumeSpikeOnCandle(st: AnomalyState, c: Candle): void {
  const cfg = st.layout.config.volumeSpike;
  if (c.interval !== cfg.interval || c.revision !== 0 || !c.closed) return;
  const f = st.f;
  const at = f32Base(st) + st.layout.volAt32;
  const lookback = cfg.lookback;
  const fill = f[at]!;
  const full = fill >= lookback;
  if (full) {
    let sum = 0;
    for (let i = 1; i <= lookback; i++) sum += f[at + i]!;
    const mean = sum / lookback;
    let squares = 0;
    for (let i = 1; i <= lookback; i++) {
      const d = f[at + i]! - mean;
      squares += d * d;
    }
    judge(st, c, mean, Math.sqrt(squares / lookback));
  }
  const write = full ? fill - lookback : fill;
  f[at + 1 + write] = c.volume;
  f[at] = full ? lookback + ((write + 1) % lookback) : fill + 1;
}

function judge(st: AnomalyState, c: Candle, mean: number, std: number): void {
  const cfg = st.layout.config.volumeSpike;
  const where = `${st.symbol} on ${st.venue} traded ${formatNumber(c.volume)} in the ${c.interval} candle from ${new Date(c.start).toISOString()}`;
  if (std > mean * FLAT_EPSILON) {
    const z = (c.volume - mean) / std;
    if (z < cfg.warnZ) return;
    const rank = z >= cfg.criticalZ ? CRITICAL : WARNING;
    if (!admitAlert(st, KIND, rank, c.start)) return;
    raiseAlert(
      st,
      'volume_spike',
      rank === CRITICAL ? 'critical' : 'warning',
      c.start,
      z,
      rank === CRITICAL ? cfg.criticalZ : cfg.warnZ,
      `${where}, ${formatRatio(z)} standard deviations above the mean ${formatNumber(mean)} of the previous ${cfg.lookback}`,
    );
    return;
  }
  if (cfg.flatFactor === 0 || mean <= 0 || c.volume <= mean * cfg.flatFactor) return;
  if (!admitAlert(st, KIND, WARNING, c.start)) return;
  const ratio = c.volume / mean;
  raiseAlert(
    st,
    'volume_spike',
    'warning',
    c.start,
    ratio,
    cfg.flatFactor,
    `${where}, ${formatRatio(ratio)} times the unchanging volume ${formatNumber(mean)} of the previous ${cfg.lookback}`,
  );
}
