/**
 * THE CONSUMER PROGRAM of the pack test (tools/packaging/test/pack.test.ts): a plain TypeScript
 * service using the packed packages. The test copies this file into a project outside the
 * workspace that installed the three tarballs, compiles it with plain tsc (module NodeNext, no
 * tsx, no allowImportingTsExtensions), runs it with node and compares what it prints, line for
 * line, with the block below. When the public API changes, this file is the one to update: the
 * program and, if it prints something else, the expected output. The workspace typecheck also
 * checks it (against the sources), so an API change shows up here first.
 *
 * ---- expected output ----
 * children: greeter (worker)
 * call: {hello,world,1}
 * call: {hello,<<"beamline"/utf8>>,2}
 * etf: 25 bytes, decoded {hello,<<"beamline"/utf8>>,2}
 * distribution: startNode is a function
 * stopped
 * ---- end ----
 */
import { GenServer, Runtime, Supervisor, ok, reply, type From } from '@beamline/core';
import { atom, decode, encode, format, t, type Term } from '@beamline/etf';
import { startNode } from '@beamline/distribution';

/** Answers `{hello, Req, N}` to the N-th call. */
class Greeter extends GenServer<number, Term, never, Term, number> {
  init(first: number) {
    return ok(first);
  }
  override handleCall(req: Term, _from: From, n: number) {
    return reply(t(atom('hello'), req, n), n + 1);
  }
}

const runtime = new Runtime();
// resolves once its children are started (acknowledged starts, as OTP's start_link)
await Supervisor.start(
  runtime,
  {
    strategy: 'one_for_one',
    children: [{ id: 'greeter', start: (ctx) => GenServer.startLink(ctx, Greeter, 1, { name: 'greeter' }) }],
  },
  { name: 'app_sup' },
);

const children = await Supervisor.whichChildren(runtime, 'app_sup');
console.log(`children: ${children.map((c) => `${c.id} (${c.type})`).join(', ')}`);

console.log(`call: ${format(await GenServer.call<Term>(runtime, 'greeter', atom('world')))}`);
const second = await GenServer.call<Term>(runtime, 'greeter', 'beamline');
console.log(`call: ${format(second)}`);

const bytes = encode(second);
console.log(`etf: ${bytes.length} bytes, decoded ${format(decode(bytes))}`);

console.log(`distribution: startNode is a ${typeof startNode}`);

await runtime.stop();
console.log('stopped');
