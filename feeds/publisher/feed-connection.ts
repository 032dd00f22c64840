import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FeedError } from './errors.js';

/** Connects a feed to NATS; a failure is a FeedError `TF_ERR_FEED_CONNECT` naming the URL. */
export async function connectFeed(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FeedError('TF_ERR_FEED_CONNECT', `cannot connect to NATS at ${url}: ${reason}`, { cause: err });
  }
}

/**
 * Checks that JetStream streams capture the input subjects before anything is
 * published (the engine creates MD_TRADES and MD_QUOTES); else a FeedError
 * `TF_ERR_FEED_NO_STREAM` saying so.
 */
export async function requireInputStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const kind of ['trade', 'quote']) {
    const found = await jsm.streams.find(`md.${kind}.x.x.0`).catch(() => '');
    if (found === '') {
      throw new FeedError(
        'TF_ERR_FEED_NO_STREAM',
        `no JetStream stream captures md.${kind}.>: start the engine first (it creates MD_TRADES and MD_QUOTES)`,
      );
    }
  }
}
