/**
 * Public entry point of `gateway/`: what other folders (the CLI, benchmarks)
 * may use. Anything not listed here is internal to the gateway.
 */

export type { ApiKeyEntry, KeysFile, NewKeySpec } from './auth/api-keys.js';
export {
  ApiKeyStore,
  addApiKey,
  generateApiKey,
  hashApiKey,
  readKeysFile,
  removeApiKey,
} from './auth/api-keys.js';
export type { Principal } from './auth/permissions.js';
export { CHANNEL_KINDS, type Channel, type ChannelKind, parseChannel } from './channels.js';
export { SLOW_CLIENT_CLOSE_CODE } from './conflation.js';
export { GATEWAY_ERROR_CODES, GatewayError, type GatewayErrorCode } from './errors.js';
export { KEYS_HELP, runKeysCommand } from './keys-command.js';
export { GATEWAY_HELP, runGateway } from './main.js';
export type { GatewayMetrics, UwsImpl } from './metrics.js';
export { deliverPayload, type NatsSource, type RecordSink, SOURCE_SUBJECTS } from './nats-source.js';
export {
  ENV_PREFIX,
  GATEWAY_DEFAULTS,
  type GatewayOptions,
  resolveGatewayOptions,
  validateGatewayOptions,
} from './options.js';
export {
  decodeServerMessage,
  encodeServerMessage,
  PROTOCOL_ERROR_CODES,
  type ProtocolErrorCode,
  type ServerMessage,
} from './protocol.js';
export { REST_ERROR_CODES, type RestErrorCode } from './rest/http-error.js';
export { type Gateway, type GatewayDeps, startGateway } from './server.js';
export { RATE_LIMIT_CLOSE_CODE } from './ws-handler.js';
