/**
 * One call attached from two different nodes (DECISIONS O11): each `{handlecall, UUID}` is its
 * own attachment, so both nodes get `{call, _}`, the call's events and `{call_hangup, UUID}`
 * (the original sends call_hangup only to the most recent attachment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { COOKIE, ERL_DEFS, type Rig, startRig } from './helpers.ts';
import { uuidOf } from './outbound_helpers.ts';

let rig: Rig;
let other: ErlNode;
beforeAll(async () => {
  rig = await startRig('tn');
  other = await startErl({ name: 't2_tn@localhost', cookie: COOKIE, epmdPort: rig.epmdPort });
  await other.eval(`FS = '${rig.fsName}'`);
  await Promise.all([rig.shell(ERL_DEFS), other.eval(ERL_DEFS)]);
}, 30_000);
afterAll(async () => {
  await other?.stop();
  await rig?.stop();
});

/** What a collector got: call / call_hangup, and the Event-Name of each call_event. */
const KINDS = `Kinds = fun(Pk_) -> [case M_ of {call, _} -> call; {call_event, {event, [_ | H_]}} -> proplists:get_value("Event-Name", H_); {call_hangup, U_} -> {call_hangup, U_} end || M_ <- Msgs(Pk_), is_tuple(M_), lists:member(element(1, M_), [call, call_event, call_hangup])] end, ok`;

describe('one call, two nodes', () => {
  it('both attachments get {call, _}, the call’s events and call_hangup; the call goes on until it is hung up', async () => {
    await Promise.all([rig.shell(KINDS), other.eval(KINDS)]);
    const uuid = uuidOf(await rig.fs.sw.originate('null/1 &park()'));
    expect(await rig.shell(`A = Coll(), Do(A, {handlecall, "${uuid}"})`)).toBe('ok');
    expect(await other.eval(`B = Coll(), Do(B, {handlecall, "${uuid}"})`)).toBe('ok');
    const sessions = async (node: string) => rig.fs.sw.api(`erlang sessions ${node}`);
    expect(await sessions(rig.erl.name)).toMatch(new RegExp(`^Outbound session for ${uuid} in state`));
    expect(await sessions(other.name)).toMatch(new RegExp(`^Outbound session for ${uuid} in state`));
    expect(await rig.fs.sw.api(`uuid_exists ${uuid}`)).toBe('true');
    await rig.fs.sw.api(`uuid_kill ${uuid}`);
    const until = Date.now() + 5000;
    let a = '';
    let b = '';
    while (Date.now() < until && !(a.includes('call_hangup') && b.includes('call_hangup'))) {
      [a, b] = await Promise.all([rig.shell('Kinds(A)'), other.eval('Kinds(B)')]);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const got of [a, b]) {
      expect(got.startsWith('[call,')).toBe(true);
      expect(got).toContain('"CHANNEL_HANGUP"');
      expect(got).toMatch(new RegExp(`\\{call_hangup,"${uuid}"\\}\\]$`));
    }
  }, 30_000);
});
