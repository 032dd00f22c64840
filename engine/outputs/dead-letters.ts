/**
 * Dead letters: a bad input message goes to `md.dlq.<kind>.<p>` with its original payload
 * bytes untouched, and headers saying why and where it came from. Published through
 * JetStream so it is stored when a stream (MD_DLQ) captures the subject; without one the
 * publish fails loudly rather than vanishing.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { type DlqKind, dlqSubject, MAX_PARTITIONS, type ReasonCode } from '../../schemas/index.js';
import { OutputError } from './errors.js';

/** Header names of a dead letter. */
export const DLQ_HEADERS = {
  /** The reason code (`schemas` REASON_CODES). */
  reason: 'Tf-Reason',
  /** One sentence for people. */
  detail: 'Tf-Detail',
  /** The subject the message arrived on. */
  subject: 'Tf-Subject',
  /** Its sequence in the input stream, when known. */
  streamSeq: 'Tf-Stream-Seq',
} as const;

/** The message to dead-letter; a JetStream `JsMsg` fits. */
export interface DeadLetterInput {
  subject: string;
  data: Uint8Array;
  /** Stream sequence of the message. */
  seq?: number;
}

/** Where a dead letter goes, when the caller knows better than the subject says. */
export interface DeadLetterTarget {
  kind: DlqKind;
  partition: number;
}

/** Options of {@link DeadLetters}. */
export interface DeadLetterOptions {
  /** JetStream publish timeout; default 5000 ms. */
  timeoutMs?: number;
}

const MAX_DETAIL = 1024;
const PARTITION_TOKEN = /^(0|[1-9][0-9]{0,9})$/;

/**
 * Kind and partition from an input subject `md.<kind>.<venue>.<sym>.<p>`. A subject too
 * broken to say goes to `trade` / partition 0, so it is still stored and counted.
 */
export function deadLetterTarget(subject: string): DeadLetterTarget {
  const parts = subject.split('.');
  const kind: DlqKind = parts[1] === 'quote' ? 'quote' : 'trade';
  const last = parts[parts.length - 1] ?? '';
  const p = parts.length === 5 && PARTITION_TOKEN.test(last) ? Number(last) : 0;
  return { kind, partition: p < MAX_PARTITIONS ? p : 0 };
}

// Header values are one line of printable text.
function headerValue(s: string, max: number): string {
  let clean = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const control = c < 32 || c === 127;
    if (control && !space) clean += ' ';
    else if (!control) clean += s[i];
    space = control;
  }
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Publishes dead letters and counts them by reason. */
export class DeadLetters {
  /** Dead letters asked for, by reason code (whether or not they were stored). */
  readonly byReason: Partial<Record<ReasonCode, number>> = {};
  /** Dead letters that could not be stored. */
  failures = 0;
  private readonly js: JetStreamClient;
  private readonly timeoutMs: number;

  constructor(js: JetStreamClient, opts: DeadLetterOptions = {}) {
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new OutputError(
        'TF_ERR_OUTPUT_OPTION',
        `options.timeoutMs must be a whole number >= 1, got ${timeoutMs}`,
      );
    }
    this.js = js;
    this.timeoutMs = timeoutMs;
  }

  /** Dead letters asked for with this reason. */
  count(reason: ReasonCode): number {
    return this.byReason[reason] ?? 0;
  }

  /**
   * Publishes `msg.data` unchanged to `md.dlq.<kind>.<p>` (from `target`, else from the
   * subject) and resolves once the stream stored it. Rejects with `TF_ERR_DLQ_NO_STREAM` when no
   * stream captures the subject, `TF_ERR_DLQ_PUBLISH` on any other failure.
   */
  async publish(
    msg: DeadLetterInput,
    reason: ReasonCode,
    detail: string,
    target?: DeadLetterTarget,
  ): Promise<void> {
    this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    const to = target ?? deadLetterTarget(msg.subject);
    const subject = dlqSubject(to.kind, to.partition);
    const h = headers();
    h.set(DLQ_HEADERS.reason, reason);
    h.set(DLQ_HEADERS.detail, headerValue(detail, MAX_DETAIL));
    h.set(DLQ_HEADERS.subject, headerValue(msg.subject, MAX_DETAIL));
    if (msg.seq !== undefined) h.set(DLQ_HEADERS.streamSeq, String(msg.seq));
    try {
      await this.js.publish(subject, msg.data, { headers: h, timeout: this.timeoutMs });
    } catch (err) {
      this.failures++;
      const e = err as Error;
      if (e.name === 'JetStreamNotEnabled' || /no responders|not enabled/i.test(e.message)) {
        throw new OutputError(
          'TF_ERR_DLQ_NO_STREAM',
          `no JetStream stream stores ${subject}; provision the MD_DLQ stream (dead letter ${reason} from ${msg.subject})`,
          { cause: err },
        );
      }
      throw new OutputError('TF_ERR_DLQ_PUBLISH', `dead letter to ${subject} failed: ${e.message}`, {
        cause: err,
      });
    }
  }
}
