/** Raw EPMD requests for byte-level comparisons (embedded server vs real epmd). */
import { connect, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { encodeAlive2 } from '../../src/epmd_client.ts';

export function req(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + body.length);
  new DataView(out.buffer).setUint16(0, body.length);
  out.set(body, 2);
  return out;
}

/** Send one request, collect the reply until the server closes (or `waitBytes` arrived; then keep the socket open). */
export function raw(port: number, body: Uint8Array, waitBytes?: number): Promise<{ reply: Buffer; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ reply: buf, socket: s });
    };
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`raw epmd: timeout, got ${buf.toString('hex')}`)), 5000);
    s.on('error', fail);
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (waitBytes !== undefined && buf.length >= waitBytes) finish();
    });
    s.on('close', finish);
    s.on('connect', () => s.write(req(body)));
  });
}

export const alive2 = (name: string, port: number, high = 6, low = 5, type = 77) => encodeAlive2(port, type, name, high, low);
export const portPlease2 = (name: string) => Uint8Array.from([122, ...Buffer.from(name, 'utf8')]);
export const NAMES = Uint8Array.of(110);

/** A real epmd in the foreground on `port` (never the 4369 daemon); stop() kills it by pid. */
export async function startRealEpmd(port: number): Promise<{ proc: ChildProcess; stop: () => Promise<void> }> {
  const proc = spawn('epmd', ['-port', String(port)], { stdio: 'ignore' });
  const t0 = Date.now();
  for (;;) {
    try {
      await raw(port, NAMES);
      break;
    } catch {
      if (Date.now() - t0 > 5000) {
        proc.kill('SIGKILL');
        throw new Error('real epmd did not start');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    proc,
    stop: () =>
      new Promise<void>((r) => {
        if (proc.exitCode !== null) return r();
        proc.on('exit', () => r());
        proc.kill('SIGKILL');
      }),
  };
}
