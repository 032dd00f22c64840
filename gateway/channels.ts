/**
 * Channel names clients subscribe to: `trades`, `quotes`, `alerts`,
 * `candles:<interval>` and `indicators:<interval>`. Permissions are granted per
 * channel kind (the part before the colon).
 */

import { INTERVAL_MS, type Interval } from '../schemas/index.js';

/** What a permission names: the channel without its interval. */
export const CHANNEL_KINDS = ['trades', 'quotes', 'candles', 'indicators', 'alerts'] as const;

/** One of {@link CHANNEL_KINDS}. */
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A parsed channel; `interval` is set exactly for candles and indicators. */
export interface Channel {
  /** Canonical name, e.g. `candles:1m`. */
  name: string;
  kind: ChannelKind;
  interval: Interval | null;
}

/** True for one of {@link CHANNEL_KINDS}. */
export function isChannelKind(x: unknown): x is ChannelKind {
  return x === 'trades' || x === 'quotes' || x === 'candles' || x === 'indicators' || x === 'alerts';
}

/** Parses a channel name; null when it is not one the gateway serves. */
export function parseChannel(name: unknown): Channel | null {
  if (typeof name !== 'string' || name.length > 32) return null;
  const colon = name.indexOf(':');
  if (colon < 0) {
    if (name === 'trades' || name === 'quotes' || name === 'alerts')
      return { name, kind: name, interval: null };
    return null;
  }
  const kind = name.slice(0, colon);
  const interval = name.slice(colon + 1);
  if ((kind !== 'candles' && kind !== 'indicators') || !Object.hasOwn(INTERVAL_MS, interval)) return null;
  return { name, kind, interval: interval as Interval };
}

/** The channel name a record is published under. */
export function channelName(kind: ChannelKind, interval: Interval | null): string {
  return interval === null ? kind : `${kind}:${interval}`;
}
