#!/usr/bin/env node
// Entry point installed as `tickflow`; the TypeScript is compiled into build/ by `make build`.
import('../build/cli/tickflow.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('tickflow: build/ is missing; run `make build` first\n');
    process.exit(1);
  }
  throw err;
});
