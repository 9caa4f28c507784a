/**
 * Bounds how long one regular-expression match may take, the way PCRE's match limit does: PCRE
 * abandons a match that backtracks too much and FreeSWITCH treats it as no match. Patterns come
 * from peers (event filters, `regex` API calls), so one like `^(a+)+$` must not stop the node.
 *
 * Two guards. V8's linear-time engine takes over from any pattern it can run once that pattern
 * backtracks too long, so such patterns run on the main thread. A pattern it cannot run
 * (backreferences, lookarounds, large counted repeats) runs on a worker thread while the main
 * thread waits at most MATCH_LIMIT_MS; past that the worker is terminated and the match is
 * abandoned.
 */
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

export const MATCH_LIMIT_MS = 500;
/** A worker that has not started by then is treated as a match that ran out of time. */
const WORKER_START_LIMIT_MS = 10_000;

// `l` compiles only what the linear engine can run, which is how a pattern is sorted; the other
// flag makes a backtracking pattern fall back to that engine.
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export function runsInLinearTime(source: string, flags: string): boolean {
  try {
    new RegExp(source, `${flags}l`);
    return true;
  } catch {
    return false;
  }
}

const IDLE = 0;
const DONE = 1;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { port, signal } = workerData;
const compiled = new Map();
parentPort.on('message', ({ source, flags, subject }) => {
  const key = flags + '/' + source;
  let re = compiled.get(key);
  if (!re) {
    if (compiled.size > 200) compiled.clear();
    re = new RegExp(source, flags);
    compiled.set(key, re);
  }
  const m = re.exec(subject);
  port.postMessage(m && { list: [...m], index: m.index, groups: m.groups });
  Atomics.store(signal, 0, ${DONE});
  Atomics.notify(signal, 0);
});
port.postMessage('ready');
Atomics.store(signal, 0, ${DONE});
Atomics.notify(signal, 0);
`;

interface MatchWorker {
  readonly worker: Worker;
  readonly replies: MessagePort;
  readonly signal: Int32Array;
}

let current: MatchWorker | undefined;

function startWorker(): MatchWorker | undefined {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal },
    transferList: [port2],
  });
  worker.unref();
  if (Atomics.wait(signal, 0, IDLE, WORKER_START_LIMIT_MS) === 'timed-out') {
    void worker.terminate();
    return undefined;
  }
  receiveMessageOnPort(port1);
  return { worker, replies: port1, signal };
}

type WorkerMatch = { list: Array<string | undefined>; index: number; groups: Record<string, string> | undefined };

/** `new RegExp(source, flags).exec(subject)`, or 'limit' when it ran out of time. */
export function execBounded(source: string, flags: string, subject: string): RegExpExecArray | null | 'limit' {
  current ??= startWorker();
  const w = current;
  if (!w) return 'limit';
  Atomics.store(w.signal, 0, IDLE);
  w.worker.postMessage({ source, flags, subject });
  if (Atomics.wait(w.signal, 0, IDLE, MATCH_LIMIT_MS) === 'timed-out') {
    current = undefined;
    void w.worker.terminate();
    return 'limit';
  }
  const reply = receiveMessageOnPort(w.replies)?.message as WorkerMatch | null | undefined;
  if (!reply) return null;
  return Object.assign(reply.list, { index: reply.index, input: subject, groups: reply.groups }) as RegExpExecArray;
}
