/** A TCP port free on loopback right now (for a private EPMD or a listener in a test or bench). */
import { createServer } from 'node:net';

/**
 * The ports handed out lie below Linux's ephemeral range (32768 and up by default), so no port the
 * kernel picks for a listener on port 0 or for an outgoing connection (an erl node's distribution
 * port, another test's socket) can be one of them between the check and the use. Test files run
 * in parallel workers; each worker (VITEST_POOL_ID) has a slice of its own, so two workers never
 * hand out the same port, and within a worker each port is handed out once per round of the slice.
 */
const BAND_START = 20000;
const SLICES = 16;
const SLICE = 750;
const slice = (Number(process.env.VITEST_POOL_ID ?? 0) || 0) % SLICES;
const first = BAND_START + slice * SLICE;
let next = first;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tried = 0; tried < SLICE; tried++) {
    const port = next;
    next = next + 1 < first + SLICE ? next + 1 : first;
    if (await bindable(port)) return port;
  }
  throw new Error(`freePort: no free port in ${first}–${first + SLICE - 1}`);
}
