import { AnomalyError } from './errors.js';
import type { AnomalyState } from './layout.js';
import { f32Base } from './layout.js';

/**
 * Plain-data image of one symbol's detector state, safe for JSON and
 * msgpack. NaN (meaning "nothing yet") is written as null.
 */
export interface AnomalySnapshot {
  v: 1;
  venue: string;
  symbol: string;
  regions: AnomalySnapshotRegion[];
}

/**
 * The numbers of one state region. `key` names what gives them their meaning
 * (e.g. `priceSpike/1/60000x5`); a region is restored only into detectors
 * whose config gives the same key, otherwise that detector starts afresh.
 */
export interface AnomalySnapshotRegion {
  key: string;
  f64: (number | null)[];
  f32: (number | null)[];
}

/** Copies the state out as plain data. */
export function takeSnapshot(st: AnomalyState): AnomalySnapshot {
  const b32 = f32Base(st);
  const regions: AnomalySnapshotRegion[] = [];
  for (const r of st.layout.regions) {
    regions.push({
      key: r.key,
      f64: copyOut(st.s, st.o + r.at64, r.init64.length),
      f32: copyOut(st.f, b32 + r.at32, r.init32.length),
    });
  }
  return { v: 1, venue: st.venue, symbol: st.symbol, regions };
}

/** Writes each region's initial values (a new symbol, or one the snapshot cannot restore). */
export function initState(st: AnomalyState): void {
  const b32 = f32Base(st);
  for (const r of st.layout.regions) {
    for (let i = 0; i < r.init64.length; i++) st.s[st.o + r.at64 + i] = r.init64[i]!;
    for (let i = 0; i < r.init32.length; i++) st.f[b32 + r.at32 + i] = r.init32[i]!;
  }
}

/**
 * Copies in every region of a checked snapshot whose key and sizes match
 * this layout; the others keep their initial values.
 */
export function applySnapshot(st: AnomalyState, snap: AnomalySnapshot): void {
  const b32 = f32Base(st);
  for (const r of st.layout.regions) {
    let found: AnomalySnapshotRegion | undefined;
    for (const candidate of snap.regions) if (candidate.key === r.key) found = candidate;
    if (found === undefined || found.f64.length !== r.init64.length || found.f32.length !== r.init32.length)
      continue;
    copyIn(found.f64, st.s, st.o + r.at64);
    copyIn(found.f32, st.f, b32 + r.at32);
  }
}

/**
 * Checks that `snap` has the shape this code writes (it may come from storage).
 * @throws AnomalyError `TF_ERR_ANOMALY_SNAPSHOT` saying what is wrong.
 */
export function checkSnapshot(snap: AnomalySnapshot): void {
  const bad = (why: string): never => {
    throw new AnomalyError('TF_ERR_ANOMALY_SNAPSHOT', `anomaly snapshot ${why}`);
  };
  if (typeof snap !== 'object' || snap === null) bad('must be an object');
  if (snap.v !== 1) bad(`has version ${String(snap.v)}; this code reads version 1`);
  if (typeof snap.venue !== 'string' || typeof snap.symbol !== 'string')
    bad('must name its venue and symbol');
  if (!Array.isArray(snap.regions)) bad('must have a list of regions');
  for (const r of snap.regions) {
    if (typeof r !== 'object' || r === null || typeof r.key !== 'string') bad('has a region without a key');
    if (!numbers(r.f64) || !numbers(r.f32)) bad(`region '${r.key}' must hold lists of numbers or nulls`);
  }
}

function numbers(a: unknown): boolean {
  if (!Array.isArray(a)) return false;
  for (const x of a) if (x !== null && typeof x !== 'number') return false;
  return true;
}

function copyOut(from: Float64Array | Float32Array, at: number, n: number): (number | null)[] {
  const out: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = from[at + i]!;
    out[i] = Number.isNaN(x) ? null : x;
  }
  return out;
}

function copyIn(from: readonly (number | null)[], to: Float64Array | Float32Array, at: number): void {
  for (let i = 0; i < from.length; i++) {
    const x = from[i];
    to[at + i] = x === null || x === undefined ? Number.NaN : x;
  }
}
