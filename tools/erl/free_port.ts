/** A TCP port free on loopback right now (for a private EPMD or a listener in a test or bench). */
import { createServer } from 'node:net';

/**
 * Ports this process was given already: the kernel may hand the same free port to two calls in a
 * row, and a test that takes one for its EPMD and one for its node must not get it twice.
 */
const given = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (!given.has(port)) {
      given.add(port);
      return port;
    }
  }
}
