/** Subjects parseSubject must refuse, each with the reason it must give. */

import type { ReasonCode } from '../../schemas/reasons.js';

export interface SubjectCase {
  subject: string;
  reason: ReasonCode;
}

export const SUBJECT_CASES: readonly SubjectCase[] = [
  { subject: '', reason: 'bad_subject' },
  { subject: 'md', reason: 'bad_subject' },
  { subject: 'foo.trade.binance.BTC.1', reason: 'bad_subject' },
  { subject: 'md.trade.binance', reason: 'bad_subject' },
  { subject: 'md.trade.binance.BTC.1.2', reason: 'bad_subject' },
  { subject: 'md.order.binance.BTC', reason: 'bad_subject' },
  { subject: 'md.candle.1m.binance', reason: 'bad_subject' },
  { subject: 'md.alert.binance.BTC.1', reason: 'bad_subject' },
  { subject: 'md.dlq.candle.1', reason: 'bad_subject' },
  { subject: 'md.dlq.trade.1.2', reason: 'bad_subject' },
  { subject: 'md.trade.Binance.BTC.1', reason: 'bad_venue' },
  { subject: 'md.trade.*.BTC.1', reason: 'bad_venue' },
  { subject: 'md.quote..BTC', reason: 'bad_venue' },
  { subject: 'md.candle.1m.BIN.BTC', reason: 'bad_venue' },
  { subject: 'md.alert.-x.BTC', reason: 'bad_venue' },
  { subject: 'md.trade.binance..1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.BTC~2fUSDT.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~41.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.BTC~.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.BTC~2.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~C3.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~C0~80.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~E2~82.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~ED~A0~80.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~F4~90~80~80.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~FF.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.~00.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.>.1', reason: 'bad_symbol' },
  { subject: 'md.trade.binance.BTC/USDT.1', reason: 'bad_symbol' },
  { subject: 'md.alert.binance.*', reason: 'bad_symbol' },
  { subject: `md.trade.binance.${'A'.repeat(65)}.1`, reason: 'bad_symbol' },
  { subject: 'md.candle.2m.binance.BTC', reason: 'bad_interval' },
  { subject: 'md.indicator.*.binance.BTC', reason: 'bad_interval' },
  { subject: 'md.candle.constructor.binance.BTC', reason: 'bad_interval' },
  { subject: 'md.trade.binance.BTC.01', reason: 'bad_partition' },
  { subject: 'md.trade.binance.BTC.-1', reason: 'bad_partition' },
  { subject: 'md.trade.binance.BTC.*', reason: 'bad_partition' },
  { subject: 'md.trade.binance.BTC.2147483648', reason: 'bad_partition' },
  { subject: 'md.quote.binance.BTC.1e3', reason: 'bad_partition' },
  { subject: 'md.dlq.trade.x', reason: 'bad_partition' },
];
