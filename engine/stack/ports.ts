import { createConnection, createServer, type Server } from 'node:net';

/** Loopback address every stack server binds to; nothing of the stack listens beyond this machine. */
export const LOOPBACK = '127.0.0.1';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Ports the kernel considers free right now, all distinct. They are released before returning,
 * so another process may take one before the caller binds it: callers retry on EADDRINUSE.
 */
export async function freePorts(count: number, host: string = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = await listen(0, host);
      servers.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('listen(0) gave no port');
      ports.push(address.port);
    }
  } finally {
    for (const server of servers) await close(server);
  }
  return ports;
}

/** One free port on the loopback address; see {@link freePorts}. */
export async function freePort(host: string = LOOPBACK): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}

/** True when nothing listens on `host:port` (a listen there succeeds). */
export async function isPortFree(port: number, host: string = LOOPBACK): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts TCP connections on `host:port`. */
export function isPortOpen(port: number, host: string = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
