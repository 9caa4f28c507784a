/**
 * Outbound test support: a rig whose dialplan sends calls to the erl node, the seed's
 * myhandler.erl (and a gen_server handler) compiled and loaded on erl, a `collector` registered
 * there that keeps what the handlers report, and polling of what it kept.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@beamline/core';
import { staticDialplan } from '@beamline/switch';
import type { ErlangEventConfig } from '../src/index.ts';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const erlDir = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/erl');

/** `exten → [[app, data]]` in context default; `$ERL` is replaced by the erl node's name. */
export async function startOutboundRig(
  tag: string,
  table: Record<string, [string, string?][]>,
  config: Partial<ErlangEventConfig> = {},
): Promise<Rig> {
  const erlName = `t_${tag}@localhost`;
  const sub = (s: string | undefined) => (s === undefined ? undefined : s.replaceAll('$ERL', erlName));
  const dialplan = staticDialplan({
    default: Object.fromEntries(Object.entries(table).map(([k, apps]) => [k, apps.map(([a, d]) => [a, sub(d)] as const)])),
  });
  const rig = await startRig(tag, config, {
    runtime: new Runtime({ logger: null }),
    switch: { timers: false, dialplan, ...(process.env.MEE_LOG ? { log: (l) => process.stderr.write(`[sw] ${l.level} ${l.text}\n`) } : {}) },
  });
  await rig.shell(ERL_DEFS);
  await loadHandlers(rig);
  await rig.shell('persistent_term:put(fs, FS), {ok, _} = myhandler:start(), ok');
  return rig;
}

/** tools/erl/myhandler.erl, ghandler.erl and shandler.erl compiled and loaded on the rig's erl; `collector` registered. */
export async function loadHandlers(rig: Rig): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mee-'));
  for (const m of ['myhandler', 'ghandler', 'shandler']) {
    const r = await rig.shell(
      `{compile:file("${join(erlDir, `${m}.erl`)}", [{outdir, "${out}"}, return_errors]), code:add_patha("${out}"), code:load_file(${m})}`,
    );
    if (!r.includes(`{module,${m}}`)) throw new Error(`compiling ${m}.erl: ${r}`);
  }
  await rig.shell('register(collector, Coll()), ok');
}

/** The collector's messages (the `~p` text of the list), once `done(text)` holds or after `ms`. */
export async function collected(rig: Rig, done: (text: string) => boolean, ms = 8000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    // erl's printer breaks long terms across lines (between elements): join them back
    const text = (await rig.shell('Msgs(whereis(collector))')).replace(/\n\s*/g, '');
    if (done(text) || Date.now() > until) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Empties the collector. */
export async function resetCollector(rig: Rig): Promise<void> {
  await rig.shell('exit(whereis(collector), kill), timer:sleep(20), register(collector, Coll()), ok');
}

export const UUID_RE = /^\+OK ([0-9a-f-]{36})\n$/;

/** The uuid `originate` answered, or a failure with its text. */
export function uuidOf(reply: string): string {
  const m = UUID_RE.exec(reply);
  if (!m) throw new Error(`originate: ${reply}`);
  return m[1] as string;
}
