import { MessageChannel } from 'node:worker_threads';
import t from 'tap';
import { hasErrorCode, TF_ERROR_CODES, TfError, toPlainError } from '../../schemas/errors.js';

t.test('TfError carries message, code, cause and name', async (t) => {
  const cause = new Error('socket closed');
  const err = new TfError('TF_ERR_DECODE', 'cannot decode', { cause });
  t.equal(err.message, 'cannot decode');
  t.equal(err.code, 'TF_ERR_DECODE');
  t.equal(err.cause, cause);
  t.equal(err.name, 'TfError');
  t.ok(err instanceof Error);
  t.ok(hasErrorCode(err, 'TF_ERR_DECODE'));
  t.notOk(hasErrorCode(err, 'TF_ERR_BAD_CONFIG'));
  t.notOk(hasErrorCode(null, 'TF_ERR_DECODE'));
  t.notOk(hasErrorCode('TF_ERR_DECODE', 'TF_ERR_DECODE'));
});

t.test('error codes are unique, upper case and prefixed', async (t) => {
  t.equal(new Set(TF_ERROR_CODES).size, TF_ERROR_CODES.length);
  for (const code of TF_ERROR_CODES) t.match(code, /^TF_ERR_[A-Z0-9_]+$/);
});

t.test(
  'a plain error keeps its code across a worker-thread message, where the class would not',
  async (t) => {
    const err = new TfError('TF_ERR_BAD_SYMBOL', 'bad symbol', {
      cause: new TfError('TF_ERR_DECODE', 'inner'),
    });
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<unknown[]>((resolve) => {
      const got: unknown[] = [];
      port2.on('message', (m) => {
        got.push(m);
        if (got.length === 2) resolve(got);
      });
    });
    port1.postMessage(err);
    port1.postMessage(toPlainError(err));
    const [cloned, plain] = await received;
    port1.close();
    t.notOk(hasErrorCode(cloned, 'TF_ERR_BAD_SYMBOL'), 'structured clone drops code');
    t.ok(hasErrorCode(plain, 'TF_ERR_BAD_SYMBOL'));
    t.match(plain, {
      name: 'TfError',
      message: 'bad symbol',
      cause: { code: 'TF_ERR_DECODE', message: 'inner' },
    });
  },
);

t.test('toPlainError handles non-errors and bounds cause depth', async (t) => {
  t.same(toPlainError('boom'), { name: 'Error', message: 'boom' });
  t.same(toPlainError(42), { name: 'Error', message: '42' });
  const deep = new Error('a', { cause: new Error('b', { cause: new Error('c') }) });
  const p = toPlainError(deep, 1);
  t.equal(p.cause?.message, 'b');
  t.equal(p.cause?.cause, undefined);
  t.equal(toPlainError({ code: 'ECONNREFUSED', message: 'refused' }).code, 'ECONNREFUSED');
});
