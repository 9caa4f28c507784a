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
import { Runtime, GenServer, Supervisor } from '@beamline/core';
import { atom, decode, encode, format, t, type Term } from '@beamline/etf';
import { startNode } from '@beamline/distribution';

/** Answers `{hello, Req, N}` to the N-th call. */
class Greeter extends GenServer<number> {
  init(first: unknown): number {
    return first as number;
  }
  override handleCall(req: unknown, _from: unknown, n: number) {
    return { reply: t(atom('hello'), req as Term, n), state: n + 1 };
  }
}

const runtime = new Runtime();
Supervisor.start(
  runtime,
  {
    strategy: 'one_for_one',
    children: [{ id: 'greeter', start: (ctx) => GenServer.start(ctx, Greeter, 1, { name: 'greeter', link: true }) }],
  },
  { name: 'app_sup' },
);

// The supervisor answers once its init (which starts the children) is done.
const children = await Supervisor.whichChildren(runtime, 'app_sup');
console.log(`children: ${children.map((c) => `${c.id} (${c.type})`).join(', ')}`);

console.log(`call: ${format(await GenServer.call<Term>(runtime, 'greeter', atom('world')))}`);
const reply = await GenServer.call<Term>(runtime, 'greeter', 'beamline');
console.log(`call: ${format(reply)}`);

const bytes = encode(reply);
console.log(`etf: ${bytes.length} bytes, decoded ${format(decode(bytes))}`);

console.log(`distribution: startNode is a ${typeof startNode}`);

await runtime.stop();
console.log('stopped');
