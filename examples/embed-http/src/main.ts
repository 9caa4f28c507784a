/**
 * A plain Node 20 HTTP service on the packed @beamline/core: a supervisor with a pool of
 * worker GenServers and a registered `stats` GenServer. Kill a worker and its supervisor
 * starts a new one; SIGTERM closes the server and stops the tree.
 *
 *   GET  /work?n=10          a worker computes fib(n): {"worker":"w2","pid":"<0.7.0>","result":55}
 *   GET  /workers            {"w1":"<0.5.0>",...}
 *   POST /kill?worker=w1     exit(Pid, kill); the supervisor restarts it
 *   GET  /stats              {"requests":3}
 */
import { createServer } from 'node:http';
import { GenServer, Runtime, Supervisor, kill, ok, reply, type From, type ProcessContext } from '@beamline/core';

const WORKERS = ['w1', 'w2', 'w3'];

class Fib extends GenServer<null, number, never, number> {
  init() {
    return ok(null);
  }
  override handleCall(n: number, _from: From, s: null) {
    let [a, b] = [0, 1];
    for (let i = 0; i < n; i++) [a, b] = [b, a + b];
    return reply(a, s);
  }
}

class Stats extends GenServer<number, 'bump' | 'get', never, number> {
  init() {
    return ok(0);
  }
  override handleCall(req: 'bump' | 'get', _from: From, n: number) {
    return req === 'bump' ? reply(n + 1, n + 1) : reply(n, n);
  }
}

const rt = new Runtime();
await Supervisor.start(
  rt,
  {
    strategy: 'one_for_one',
    intensity: 10,
    period: 5,
    children: [
      { id: 'stats', start: (ctx: ProcessContext) => GenServer.startLink(ctx, Stats, undefined, { name: 'stats' }) },
      ...WORKERS.map((id) => ({ id, start: (ctx: ProcessContext) => GenServer.startLink(ctx, Fib, undefined, { name: id }) })),
    ],
  },
  { name: 'app_sup' },
);

let next = 0;
const pidOf = (name: string) => rt.whereis(name)?.format(rt.node) ?? null;
const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });

async function route(method: string, url: URL): Promise<{ status: number; body: string }> {
  await GenServer.call(rt, 'stats', 'bump');
  if (method === 'GET' && url.pathname === '/work') {
    const worker = WORKERS[next++ % WORKERS.length];
    const result = await GenServer.call<number>(rt, worker, Number(url.searchParams.get('n') ?? 10));
    return json(200, { worker, pid: pidOf(worker), result });
  }
  if (method === 'GET' && url.pathname === '/workers') return json(200, Object.fromEntries(WORKERS.map((w) => [w, pidOf(w)])));
  if (method === 'GET' && url.pathname === '/stats') return json(200, { requests: await GenServer.call<number>(rt, 'stats', 'get') });
  if (method === 'POST' && url.pathname === '/kill') {
    const pid = rt.whereis(url.searchParams.get('worker') ?? '');
    if (!pid) return json(404, { error: 'no such worker' });
    rt.exit(pid, kill);
    return json(200, { killed: pid.format(rt.node) });
  }
  return json(404, { error: 'not found' });
}

const server = createServer((req, res) => {
  route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://localhost')).then(
    (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body),
    (e: unknown) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) })),
  );
});
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`listening on ${JSON.stringify(server.address())}`);
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    server.close();
    server.closeAllConnections();
    void rt.stop().then(() => {
      console.log('stopped');
      process.exit(0);
    });
  });
}
