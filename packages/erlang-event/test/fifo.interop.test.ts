/**
 * mod_fifo driven from a real erl: a parked call sent `fifo myq in` with sendmsg execute waits in
 * the queue hearing its music (the call's far end hears the tone), `{api, fifo, "count myq"}`
 * counts it, the erl handler gets the `fifo::info` events, and a second call sent `fifo myq out
 * nowait` takes it and is bridged to it.
 */
import { type AudioFrame, ulawToLinear } from '@beamline/switch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { share } from '../../../tools/sipp/audio.ts';
import { ERL_DEFS, type Rig, startRig } from './helpers.ts';

const CALLER = '5eef0000-1111-4222-8333-944455556666';
const AGENT = '5eef0000-1111-4222-8333-944455556667';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig('fifo');
  await rig.shell(ERL_DEFS);
  await rig.shell(`A = Coll(), H = Coll(), ok = Do(H, register_event_handler), ok = Do(H, {event, 'CUSTOM', 'fifo::info'})`);
});
afterAll(async () => {
  await rig?.stop();
});

const sh = (e: string, timeoutMs?: number) => rig.shell(e, timeoutMs);
const execute = (uuid: string, arg: string) =>
  `Do(A, {sendmsg, "${uuid}", [{"call-command", "execute"}, {"execute-app-name", "fifo"}, {"execute-app-arg", "${arg}"}]})`;
/** Each fifo event as "<FIFO-Action> <who>" (C: the caller, G: the agent). */
const FIFO = `[{proplists:get_value("FIFO-Action", Hs), case proplists:get_value("Unique-ID", Hs) of "${CALLER}" -> c; "${AGENT}" -> g; _ -> x end} || {event, [_ | Hs]} <- Evs(H)]`;

describe('fifo from erl', () => {
  it('sendmsg execute fifo in: the caller waits hearing its music, fifo count counts it; fifo out nowait takes it', async () => {
    expect(await sh(`Do(A, {api, originate, "{origination_uuid=${CALLER}}null/1 &park()"})`)).toBe(`{ok,"+OK ${CALLER}\\n"}`);
    const frames: AudioFrame[] = [];
    rig.fs.sw.core.media.attach(CALLER, { codec: 'PCMU', write: (f) => frames.push(f) });
    expect(await sh(execute(CALLER, 'myq in undef tone_stream://%(2000,0,440)'))).toBe('ok');
    await sh('WaitEv(H, 1)');
    expect(await sh(`Do(A, {api, fifo, "count myq"})`)).toBe('{ok,"myq:0:1:0:0:0\\n"}');
    await new Promise((r) => setTimeout(r, 500));
    expect(frames.filter((f) => share([...f.payload].map(ulawToLinear), 440) > 0.8).length).toBeGreaterThanOrEqual(10);

    expect(await sh(`Do(A, {api, originate, "{origination_uuid=${AGENT}}null/1 &park()"})`)).toBe(`{ok,"+OK ${AGENT}\\n"}`);
    expect(await sh(execute(AGENT, 'myq out nowait'))).toBe('ok');
    await sh('WaitEv(H, 7)');
    expect((await sh(FIFO)).replace(/\n\s*/g, '')).toBe(
      '[{"push",c},{"consumer_start",g},{"caller_pop",c},{"consumer_pop",g},{"channel-consumer-start",g},{"bridge-consumer-start",g},{"bridge-caller-start",c}]',
    );
    expect(await sh(`Do(A, {api, uuid_getvar, "${CALLER} signal_bond"})`)).toBe(`{ok,"${AGENT}"}`);
    expect(await sh(`Do(A, {api, fifo, "count myq"})`)).toBe('{ok,"myq:0:0:0:0:0\\n"}');
  });

  it('fifo_member add from erl: the member counts in fifo count and shows in fifo list', async () => {
    expect(await sh(`Do(A, {api, fifo_member, "add myq null/agent 2 30 5"})`)).toBe('{ok,"+OK\\n"}');
    expect(await sh(`Do(A, {api, fifo, "count myq"})`)).toBe('{ok,"myq:0:0:1:0:0\\n"}');
    expect(await sh(`{ok, L} = Do(A, {api, fifo, "list myq"}), string:find(L, "simo=\\"2\\"") =/= nomatch`)).toBe('true');
  });
});
