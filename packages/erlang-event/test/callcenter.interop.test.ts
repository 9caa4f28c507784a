/**
 * mod_callcenter driven from a real erl: `{api, callcenter_config, …}` adds an agent (a null leg
 * that answers) and its tier, a parked call sent `callcenter support` with sendmsg execute joins
 * the queue, is offered to the agent and bridged to it, and the erl handler gets the
 * `callcenter::info` events of each step.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const CALLER = '5eef0000-1111-4222-8333-9444555566cc';

function confDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-cc-interop-'));
  mkdirSync(join(dir, 'autoload_configs'));
  writeFileSync(
    join(dir, 'freeswitch.xml'),
    '<?xml version="1.0"?>\n<document type="freeswitch/xml">\n  <section name="configuration">\n    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>\n  </section>\n</document>\n',
  );
  writeFileSync(
    join(dir, 'autoload_configs', 'callcenter.conf.xml'),
    '<configuration name="callcenter.conf"><queues><queue name="support"><param name="moh-sound" value="silence_stream://-1"/></queue></queues></configuration>\n',
  );
  return dir;
}

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('callcenter', {}, { confDir: confDir() });
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CUSTOM', 'callcenter::info'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string, timeoutMs?: number) => rig.shell(e, timeoutMs);
const api = (args: string) => sh(`Do(A, {api, callcenter_config, "${args}"})`);
/** Each callcenter event as "<CC-Action> <CC-Agent or the member's Unique-ID mark>". */
const CC = `[{proplists:get_value("CC-Action", Hs), case proplists:get_value("CC-Agent", Hs) of undefined -> proplists:get_value("Unique-ID", Hs) == "${CALLER}"; Ag -> Ag end} || {event, [_ | Hs]} <- Evs(H)]`;

describe('callcenter from erl', () => {
  it('callcenter_config adds an agent and a tier; a call sent `callcenter support` is offered to the agent and bridged', async () => {
    expect(await api('agent add 1000@default Callback')).toBe('{ok,"+OK\\n"}');
    expect(await api('agent set contact 1000@default [null_auto_answer_delay=200]null/agent')).toBe('{ok,"+OK\\n"}');
    expect(await api('agent set status 1000@default Available')).toBe('{ok,"+OK\\n"}');
    expect(await api('tier add support 1000@default 1 1')).toBe('{ok,"+OK\\n"}');
    expect(await api('queue list tiers support')).toBe('{ok,"queue|agent|state|level|position\\nsupport|1000@default|Ready|1|1\\n+OK\\n"}');
    expect(await sh(`Do(A, {api, originate, "{origination_uuid=${CALLER}}null/1 &park()"})`)).toBe(`{ok,"+OK ${CALLER}\\n"}`);
    expect(
      await sh(`Do(A, {sendmsg, "${CALLER}", [{"call-command", "execute"}, {"execute-app-name", "callcenter"}, {"execute-app-arg", "support"}]})`),
    ).toBe('ok');
    await sh('WaitEv(H, 10)', 10_000);
    // the member leaving its wait (members-count) and the agent going In a queue call come in either order
    expect((await sh(`L = ${CC}, {lists:sublist(L, 8), lists:sort(lists:nthtail(8, L))}`)).replace(/\n\s*/g, '')).toBe(
      '{[{"agent-add","1000@default"},{"agent-contact-change","1000@default"},{"agent-status-change","1000@default"},{"member-queue-start",true},{"members-count",false},{"agent-state-change","1000@default"},{"agent-offering","1000@default"},{"bridge-agent-start","1000@default"}],[{"agent-state-change","1000@default"},{"members-count",false}]}',
    );
    expect(await api('agent get state 1000@default')).toBe('{ok,"In a queue call"}');
    expect(await sh(`{ok, V} = Do(A, {api, uuid_getvar, "${CALLER} cc_agent"}), V`)).toBe('"1000@default"');
  });
});
