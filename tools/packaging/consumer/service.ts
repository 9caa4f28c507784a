/**
 * THE CONSUMER PROGRAM of the pack test (tools/packaging/test/pack.test.ts): a plain TypeScript
 * service using the packed packages. The test copies this file into a project outside the
 * workspace that installed the five tarballs, compiles it with plain tsc (module NodeNext, no
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
 * switch: hello, originate +OK, 1 total.
 * erlang-event: freeswitch@box, cookie ClueCon, listen-port 8031, encoding binary; load is a function
 * stopped
 * ---- end ----
 */
import { GenServer, Runtime, Supervisor, ok, reply, type From } from '@beamline/core';
import { atom, decode, encode, format, t, type Term } from '@beamline/etf';
import { startNode } from '@beamline/distribution';
import { startSwitch } from '@beamline/switch';
import { type ConfigEnv, load, parseConfig } from '@beamline/erlang-event';

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

// the switch on the same runtime: an API command, a call, the channel count
const sw = await startSwitch(runtime, { timers: false });
const echo = (await sw.api('echo hello')).trim();
const originated = (await sw.originate('null/1234 &park()')).slice(0, 3);
console.log(`switch: ${echo}, originate ${originated}, ${(await sw.api('show channels count')).trim()}`);
await sw.stop();

// erlang_event.conf's params as the module reads them (the machine's view passed in)
const env: ConfigEnv = { hostname: 'box.example.com', home: undefined, readCookieFile: () => undefined, log: () => {} };
const ee = parseConfig(
  [
    ['nodename', 'freeswitch'],
    ['cookie', 'ClueCon'],
    ['encoding', 'binary'],
  ],
  env,
);
console.log(`erlang-event: ${ee.nodeName}, cookie ${ee.cookie}, listen-port ${ee.listenPort}, encoding ${ee.encoding}; load is a ${typeof load}`);

await runtime.stop();
console.log('stopped');
