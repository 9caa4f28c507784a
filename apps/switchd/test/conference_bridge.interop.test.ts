/**
 * `conference bridge:` seen from a real erl (mod_erlang_event): erl originates a null call into
 * `conference(bridge:_uuid_:null/…)`; its event handler gets the two-party conference's
 * conference::maintenance events, named by the caller's uuid: made, both members in; once the
 * peer is killed, both out and the conference destroyed, the caller hung up with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErlNode, startErl } from '../../../tools/erl/node.ts';
import { type Proc, startSwitchd, stopSwitchd } from '../../../tools/apps/run.ts';
import { freeUdpPort } from '../../../tools/sipp/sipp.ts';

const NAME = 'fs_confbridge@localhost';
const CALLER = 'c0ffee00-0000-4000-8000-000000000001';
const PEER = 'c0ffee00-0000-4000-8000-000000000002';
let sw: Proc;
let erl: ErlNode;
const sh = (line: string, timeoutMs = 10_000) => erl.eval(line, timeoutMs);

beforeAll(async () => {
  const sip = await freeUdpPort();
  let epmdPort: number;
  ({ proc: sw, epmdPort } = await startSwitchd(NAME, ['--sip-port', String(sip)]));
  erl = await startErl({ name: 'confbridge_erl@localhost', cookie: 'ClueCon', epmdPort });
}, 90_000);

afterAll(async () => {
  await erl?.stop();
  await stopSwitchd(sw);
});

/** The next `n` conference::maintenance events that make, join, leave or end a conference (not the floor's or sounds') as `{Action, Conference-Name, Unique-ID}`, sorted (the two legs' order is theirs). */
const collect = async (n: number) =>
  (
    await sh(
      `(fun C(0, Acc) -> lists:sort(Acc); C(K, Acc) -> receive {event, [_ | H]} -> Act = proplists:get_value("Action", H), case lists:member(Act, ["conference-create", "add-member", "del-member", "conference-destroy"]) of true -> C(K - 1, [{Act, proplists:get_value("Conference-Name", H), proplists:get_value("Unique-ID", H)} | Acc]); false -> C(K, Acc) end after 8000 -> {timeout, Acc} end end)(${n}, []).`,
    )
  ).replace(/\s+/g, '');

describe('conference bridge: from erl', { timeout: 60_000 }, () => {
  it('the handler sees the two-party conference made, joined by caller and peer, and ended when the peer leaves', async () => {
    expect(await sh(`{foo, '${NAME}'} ! register_event_handler, receive E1 -> E1 after 1000 -> timeout end.`)).toBe('ok');
    expect(await sh(`{foo, '${NAME}'} ! {event, 'CUSTOM', 'conference::maintenance'}, receive E2 -> E2 after 1000 -> timeout end.`)).toBe('ok');
    expect(
      await sh(
        `{foo, '${NAME}'} ! {api, originate, "{origination_uuid=${CALLER}}null/1 &conference(bridge:_uuid_:{origination_uuid=${PEER}}null/2)"}, receive {ok, O} -> O after 8000 -> timeout end.`,
      ),
    ).toBe(`"+OK ${CALLER}\\n"`);
    // conference-create names no member
    expect(await collect(3)).toBe(
      `[{"add-member","${CALLER}","${CALLER}"},{"add-member","${CALLER}","${PEER}"},{"conference-create","${CALLER}",undefined}]`,
    );
    expect(await sh(`{foo, '${NAME}'} ! {api, conference, "${CALLER} count"}, receive {ok, Cn} -> Cn after 3000 -> timeout end.`)).toBe('"2"');

    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_kill, "${PEER}"}, receive {ok, K} -> K after 3000 -> timeout end.`)).toBe('"+OK\\n"');
    const ended = await collect(3);
    expect(ended).toContain(`{"conference-destroy","${CALLER}",undefined}`);
    expect(ended).toContain(`{"del-member","${CALLER}","${CALLER}"}`);
    expect(ended).toContain(`{"del-member","${CALLER}","${PEER}"}`);
    expect(await sh(`{foo, '${NAME}'} ! {api, uuid_exists, "${CALLER}"}, receive {ok, X} -> X after 3000 -> timeout end.`)).toBe('"false"');
    expect(await sh(`{foo, '${NAME}'} ! noevents, receive ok -> ok after 1000 -> timeout end.`)).toBe('ok');
  });
});
