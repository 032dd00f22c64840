import { Writable } from 'node:stream';
import t from 'tap';
import { createAuditLogger, createLogger, shardLogger } from '../../../engine/observability/index.js';

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

t.test('engine logger: JSON with component, shard children, level honoured', async (t) => {
  const s = sink();
  const log = createLogger({ log: { level: 'info' } }, 'engine', s.stream);
  log.debug('hidden');
  shardLogger(log, 3).info({ partition: 5 }, 'claimed');
  const lines = s.lines();
  t.equal(lines.length, 1);
  t.match(lines[0], { component: 'engine', shard: 3, partition: 5, msg: 'claimed', level: 30 });
});

t.test('audit logger writes even when logging is turned down', async (t) => {
  const s = sink();
  const audit = createAuditLogger('engine', s.stream);
  audit.event('config.loaded', { actor: 'box-7', outcome: 'done', credentials: true });
  t.match(s.lines()[0], {
    component: 'audit',
    service: 'engine',
    event: 'config.loaded',
    outcome: 'done',
    actor: 'box-7',
  });
});
