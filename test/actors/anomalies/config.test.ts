import t from 'tap';
import type { AnomalyConfig } from '../../../actors/anomalies/index.js';
import { DEFAULT_ANOMALY_CONFIG as D, validateAnomalyConfig } from '../../../actors/anomalies/index.js';

/** A config from a file: anything may be wrong with it. */
const loose = (c: unknown) => validateAnomalyConfig(c as AnomalyConfig);

t.test('the defaults are valid and every detector is on', async (t) => {
  t.same(validateAnomalyConfig(D), []);
  const sections = [
    'priceSpike',
    'volumeSpike',
    'staleFeed',
    'crossedQuote',
    'lockedQuote',
    'sequenceGap',
    'outlierPrint',
  ] as const;
  for (const s of sections) t.equal(D[s].enabled, true, s);
  t.equal(D.cooldownMs, 60_000);
  t.same(
    [
      D.priceSpike.windowMs,
      D.priceSpike.warnPct,
      D.priceSpike.criticalPct,
      D.volumeSpike.lookback,
      D.staleFeed.afterMs,
      D.outlierPrint.pct,
    ],
    [300_000, 5, 10, 20, 30_000, 2],
  );
});

t.test('each problem is one sentence naming the key and the accepted range', async (t) => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', null, ['anomalies must be an object']],
    [
      'unknown keys and a fractional cooldown',
      { ...D, cooldownMs: 1.5, extra: 1, priceSpike: { ...D.priceSpike, typo: 1 } },
      [
        'anomalies.extra is not a known option; known: cooldownMs, priceSpike, volumeSpike, staleFeed, crossedQuote, lockedQuote, sequenceGap, outlierPrint',
        'anomalies.cooldownMs must be an integer from 0 to 86400000 (got 1.5)',
        'anomalies.priceSpike.typo is not a known option; known: enabled, windowMs, bucketMs, minTrades, warnPct, criticalPct',
      ],
    ],
    [
      'price-spike window and bands',
      { ...D, priceSpike: { ...D.priceSpike, windowMs: 90_000, warnPct: 12, minTrades: 0 } },
      [
        'anomalies.priceSpike.windowMs must be a multiple of anomalies.priceSpike.bucketMs (60000) making 1 to 60 buckets (got 90000)',
        'anomalies.priceSpike.minTrades must be an integer from 1 to 1000000 (got 0)',
        'anomalies.priceSpike.criticalPct must be at least anomalies.priceSpike.warnPct (12) (got 10)',
      ],
    ],
    [
      'too many price-spike buckets and a tiny bucket',
      { ...D, priceSpike: { ...D.priceSpike, windowMs: 3_600_000, bucketMs: 1_000 } },
      [
        'anomalies.priceSpike.windowMs must be a multiple of anomalies.priceSpike.bucketMs (1000) making 1 to 60 buckets (got 3600000)',
      ],
    ],
    [
      'price-spike ranges',
      {
        ...D,
        priceSpike: { ...D.priceSpike, bucketMs: 999, warnPct: 0, criticalPct: Number.POSITIVE_INFINITY },
      },
      [
        'anomalies.priceSpike.bucketMs must be an integer from 1000 to 86400000 (got 999)',
        'anomalies.priceSpike.warnPct must be a number above 0 and at most 1000 (got 0)',
        'anomalies.priceSpike.criticalPct must be a number above 0 and at most 1000 (got Infinity)',
      ],
    ],
    [
      'volume spike',
      {
        ...D,
        volumeSpike: { ...D.volumeSpike, interval: '2m', lookback: 1, flatFactor: 0.5, criticalZ: -1 },
      },
      [
        "anomalies.volumeSpike.interval must be one of 1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 4h, 1d (got '2m')",
        'anomalies.volumeSpike.lookback must be an integer from 2 to 1000 (got 1)',
        'anomalies.volumeSpike.criticalZ must be a number above 0 and at most 1000 (got -1)',
        'anomalies.volumeSpike.flatFactor must be 0 (never) or a number from 1 to 1000 (got 0.5)',
      ],
    ],
    [
      'volume-spike band order',
      { ...D, volumeSpike: { ...D.volumeSpike, warnZ: 4, criticalZ: 3.5 } },
      ['anomalies.volumeSpike.criticalZ must be at least anomalies.volumeSpike.warnZ (4) (got 3.5)'],
    ],
    [
      'stale feed',
      {
        ...D,
        staleFeed: { ...D.staleFeed, afterMs: 0, minUpdates: 'x', activeWindowMs: 500, severity: 'fatal' },
      },
      [
        "anomalies.staleFeed.severity must be one of info, warning, critical (got 'fatal')",
        'anomalies.staleFeed.afterMs must be an integer from 1 to 86400000 (got 0)',
        "anomalies.staleFeed.minUpdates must be an integer from 1 to 1000000 (got 'x')",
        'anomalies.staleFeed.activeWindowMs must be an integer from 1000 to 86400000 (got 500)',
      ],
    ],
    [
      'quotes, sequences and outliers',
      {
        ...D,
        crossedQuote: null,
        lockedQuote: { enabled: 'yes', severity: 'info' },
        sequenceGap: { ...D.sequenceGap, minMissing: 0 },
        outlierPrint: { ...D.outlierPrint, pct: Number.NaN, severity: ['warning'] },
      },
      [
        'anomalies.crossedQuote must be an object with enabled, severity',
        "anomalies.lockedQuote.enabled must be true or false (got 'yes')",
        'anomalies.outlierPrint.severity must be one of info, warning, critical (got a list)',
        'anomalies.sequenceGap.minMissing must be an integer from 1 to 1000000000 (got 0)',
        'anomalies.outlierPrint.pct must be a number above 0 and at most 1000 (got NaN)',
      ],
    ],
    [
      'a missing section',
      { ...D, volumeSpike: undefined },
      [
        'anomalies.volumeSpike must be an object with enabled, interval, lookback, warnZ, criticalZ, flatFactor',
      ],
    ],
  ];
  for (const [name, config, expected] of cases) t.same(loose(config), expected, name);
});

t.test('a disabled detector is still validated, so turning it on later cannot surprise', async (t) => {
  t.same(loose({ ...D, outlierPrint: { enabled: false, pct: -1, severity: 'warning' } }), [
    'anomalies.outlierPrint.pct must be a number above 0 and at most 1000 (got -1)',
  ]);
});
