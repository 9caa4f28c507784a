/**
 * A start-up failure's facts from EPMD (failure.ts words them): does the EPMD port answer as EPMD,
 * and which node EPMD lists on a given port. One NAMES request (EPMD spec: `N`, answered with the
 * EPMD port and one `name <alive> at port <port>` line per node, then close), bounded in time.
 * @beamline/distribution does not export its EPMD client, hence these few lines here.
 */
import { connect } from 'node:net';

export interface EpmdNames {
  /** Alive names with their distribution ports. */
  nodes: { name: string; port: number }[];
}

/** NAMES on 127.0.0.1:`port`: the listing, or undefined when nothing answers as EPMD within `timeoutMs`. */
export function epmdNames(port: number, timeoutMs = 1000): Promise<EpmdNames | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: '127.0.0.1', port, family: 4 });
    const done = (r: EpmdNames | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    s.on('connect', () => s.write(Uint8Array.of(0, 1, 110)));
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('error', () => done(undefined));
    s.on('end', () => {
      const reply = Buffer.concat(chunks);
      if (reply.length < 4 || reply.readUInt32BE(0) !== port) return done(undefined);
      const nodes: { name: string; port: number }[] = [];
      for (const line of reply.subarray(4).toString('utf8').split('\n')) {
        const m = /^name (.+) at port (\d+)$/.exec(line);
        if (m) nodes.push({ name: m[1]!, port: Number(m[2]) });
      }
      done({ nodes });
    });
  });
}
