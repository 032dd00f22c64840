import { createServer } from 'node:net';
import t from 'tap';
import { freePort, freePorts, isPortFree, isPortOpen } from '../../../engine/stack/ports.js';

t.test('freePorts gives distinct bindable ports', async (t) => {
  const ports = await freePorts(5);
  t.equal(new Set(ports).size, 5);
  for (const port of ports) {
    t.ok(port > 0 && port < 65536);
    t.ok(await isPortFree(port), `${port} is free`);
  }
  t.ok((await freePort()) > 0);
});

t.test('a listening port is neither free nor closed; after close it is free again', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  t.notOk(await isPortFree(port));
  t.ok(await isPortOpen(port));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.ok(await isPortFree(port));
  t.notOk(await isPortOpen(port));
});
