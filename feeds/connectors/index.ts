/**
 * Public entry point of `feeds/connectors/`: the Coinbase and Binance connectors and what they share.
 */
export { Backoff, type BackoffOptions } from './backoff.js';
export { BinanceConnector, type BinanceConnectorOptions } from './binance/binance-connector.js';
export {
  BINANCE_MAX_MESSAGES_PER_SECOND,
  BINANCE_MAX_STREAMS_PER_CONNECTION,
  BINANCE_VENUE,
  BINANCE_WS_URL,
  binanceBookTickerToQuote,
  binanceStreamsOf,
  binanceTradeToTrade,
} from './binance/binance-messages.js';
export { CoinbaseConnector, type CoinbaseConnectorOptions } from './coinbase/coinbase-connector.js';
export {
  aggressorSide,
  COINBASE_CHANNELS,
  COINBASE_VENUE,
  COINBASE_WS_URL,
  coinbaseSubscribe,
  matchToTrade,
  parseIsoMicros,
  tickerToQuote,
} from './coinbase/coinbase-messages.js';
export {
  type AlertSink,
  type Connector,
  type ConnectorLogger,
  type ConnectorStats,
  emptyConnectorStats,
  type RecordSink,
  SILENT_LOGGER,
} from './connector.js';
export { CONNECTOR_ERROR_CODES, ConnectorError, type ConnectorErrorCode } from './errors.js';
export { publishAlert, sequenceGapAlert } from './gap-alert.js';
export { SequenceGaps, type SequenceVerdict } from './sequence-gaps.js';
