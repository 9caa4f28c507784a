import type { Socket } from 'node:net';

/**
 * Resolve with `socket` once it emits `readyEvent`; if it errors first, or `timeoutMs` pass (the
 * socket is then destroyed), reject with what `fail` makes of the cause.
 */
export function whenConnected(
  socket: Socket,
  readyEvent: 'connect' | 'secureConnect',
  timeoutMs: number,
  fail: (cause: Error | 'timeout') => Error,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(fail('timeout'));
    }, timeoutMs);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(fail(e));
    });
  });
}
