/**
 * Public entry point of `feeds/publisher/`: what feeds and benchmarks may import.
 */
export { FEED_ERROR_CODES, FeedError, type FeedErrorCode } from './errors.js';
export { connectFeed, requireInputStreams } from './feed-connection.js';
export { type Frame, Framer, type FramerOptions } from './framer.js';
export {
  DEFAULT_PUBLISHER_OPTIONS,
  type PublisherClock,
  type PublisherOptions,
  type ResolvedPublisherOptions,
  resolvePublisherOptions,
} from './options.js';
export { Pacer, type PacerClock, type PacerOptions } from './pacer.js';
export { type PublishAck, Publisher, type PublisherStats, type PublishTarget } from './publisher.js';
