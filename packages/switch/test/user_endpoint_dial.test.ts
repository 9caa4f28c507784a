/**
 * `user/` runs a whole originate on the user's dial-string (mod_dptools' user_outgoing_channel
 * calls switch_ivr_originate): `,` legs ring at once and the first to answer is the leg the
 * originate of `user/` gets (the others hung up LOSE_RACE), `|` groups are tried in turn, `:_:`
 * branches race; the user's variables, dial-var-* params, dialed_user / dialed_domain and
 * presence_id are on the winner; when nobody answers the cause is the inner originate's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { type Setup, at, setup } from './switch_helpers.ts';

const NO_ANSWER = '[null_enable_auto_answer=false]';
const CONF = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="set" data="domain=example.org"/>
  <section name="directory">
    <domain name="example.org">
      <users>
        <user id="1010">
          <params>
            <param name="dial-string" value="${NO_ANSWER}null/ringing,[null_auto_answer_delay=1000]null/answers"/>
            <param name="dial-var-team" value="blue"/>
          </params>
          <variables><variable name="accountcode" value="a1010"/></variables>
        </user>
        <user id="1011"><params><param name="dial-string" value="[leg_timeout=2,null_enable_auto_answer=false]null/first|null/second"/></params></user>
        <user id="1012"><params><param name="dial-string" value="\${sofia_contact_stub(\${dialed_user}@\${dialed_domain})}"/></params></user>
        <user id="1013"><params><param name="dial-string" value="null/cause-USER_BUSY,null/cause-CALL_REJECTED"/></params></user>
        <user id="1015"><params><param name="dial-string" value="${NO_ANSWER}null/never"/></params></user>
        <user id="1014"><params><param name="dial-string" value="${NO_ANSWER}null/branch1:_:[null_auto_answer_delay=500]null/branch2"/></params></user>
      </users>
    </domain>
  </section>
</document>`;

let dir: string;
let t: Setup;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'user-dial-'));
  writeFileSync(join(dir, 'freeswitch.xml'), CONF);
  // sofia_contact_stub stands in for sofia_contact with no registration
  t = await setup({ confDir: dir, dialplan: undefined, apiCommands: [{ name: 'sofia_contact_stub', run: async () => 'error/user_not_registered' }] });
});
afterAll(async () => {
  await t?.sw.stop();
  await t?.rt.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  t.sub.take();
});

const uuidOf = (reply: string | undefined) => (reply ? /^\+OK ([0-9a-f-]{36})\n$/.exec(reply)?.[1] : undefined);
const hangupOf = (events: readonly SwitchEvent[], name: string) =>
  events.find((e) => e.type === 'CHANNEL_HANGUP' && e.getHeader('Channel-Name') === name)?.getHeader('Hangup-Cause');

/** Runs `originate <args>` on the test clock until it answers (or `ms` passed). */
async function originate(args: string, ms = 5000): Promise<string | undefined> {
  let reply: string | undefined;
  void t.sw.originate(args).then((r) => {
    reply = r;
  });
  const start = t.clock.now();
  while (reply === undefined && t.clock.now() - start < ms) await at(t, t.clock.now() + 100);
  await t.settle();
  return reply;
}

describe('user/ dials the whole dial-string', () => {
  it('`a,b`: both ring, the one that answers is the originate’s channel, the other is hung up LOSE_RACE', async () => {
    const uuid = uuidOf(await originate('user/1010@example.org &park()'));
    expect(uuid).toBeDefined();
    const events = t.sub.take();
    const dump = await t.sw.api(`uuid_dump ${uuid} json`);
    expect(dump).toContain('"Channel-Name":"null/answers"');
    expect(events.filter((e) => e.type === 'CHANNEL_OUTGOING').map((e) => e.getHeader('Channel-Name'))).toEqual(['null/ringing', 'null/answers']);
    expect(hangupOf(events, 'null/ringing')).toBe('LOSE_RACE');
    expect(hangupOf(events, 'null/answers')).toBeUndefined();
    const get = (v: string) => t.sw.api(`uuid_getvar ${uuid} ${v}`);
    expect(await get('dialed_user')).toBe('1010');
    expect(await get('dialed_domain')).toBe('example.org');
    expect(await get('presence_id')).toBe('1010@example.org');
    expect(await get('team')).toBe('blue');
    expect(await get('accountcode')).toBe('a1010');
    // the winner is parked by the originate that dialled user/
    expect(events.some((e) => e.type === 'CHANNEL_EXECUTE' && e.getHeader('Unique-ID') === uuid && e.getHeader('Application') === 'park')).toBe(true);
    await t.sw.api(`uuid_kill ${uuid}`);
  });

  it('`a|b`: the second group is dialled once the first failed; the first leg keeps its own cause', async () => {
    const uuid = uuidOf(await originate('user/1011@example.org &park()'));
    expect(uuid).toBeDefined();
    const events = t.sub.take();
    expect(await t.sw.api(`uuid_dump ${uuid} json`)).toContain('"Channel-Name":"null/second"');
    expect(hangupOf(events, 'null/first')).toBe('ALLOTTED_TIMEOUT');
    expect(await t.sw.api(`uuid_getvar ${uuid} dialed_user`)).toBe('1011');
    await t.sw.api(`uuid_kill ${uuid}`);
  });

  it('`:_:` branches race: the first to answer wins, the other branch is cancelled LOSE_RACE', async () => {
    const uuid = uuidOf(await originate('user/1014@example.org &park()'));
    expect(uuid).toBeDefined();
    const events = t.sub.take();
    expect(await t.sw.api(`uuid_dump ${uuid} json`)).toContain('"Channel-Name":"null/branch2"');
    expect(hangupOf(events, 'null/branch1')).toBe('LOSE_RACE');
    await t.sw.api(`uuid_kill ${uuid}`);
  });

  it('nobody answers: the inner originate’s cause (error/user_not_registered → USER_NOT_REGISTERED; two refusals → the last)', async () => {
    expect(await originate('user/1012@example.org &park()')).toBe('-ERR USER_NOT_REGISTERED\n');
    expect(await originate('user/1013@example.org &park()')).toBe('-ERR CALL_REJECTED\n');
  });

  it('bridge user/…: the caller is bridged to the winner, and the loser is hung up LOSE_RACE', async () => {
    const reply = await originate('null/caller &bridge(user/1010@example.org)');
    const caller = uuidOf(reply);
    expect(caller).toBeDefined();
    await at(t, t.clock.now() + 2000);
    const events = t.sub.take();
    const bridge = events.find((e) => e.type === 'CHANNEL_BRIDGE');
    expect(bridge?.getHeader('Unique-ID')).toBe(caller);
    const winner = events.find((e) => e.type === 'CHANNEL_OUTGOING' && e.getHeader('Channel-Name') === 'null/answers')?.getHeader('Unique-ID');
    expect(bridge?.getHeader('Other-Leg-Unique-ID')).toBe(winner);
    expect(hangupOf(events, 'null/ringing')).toBe('LOSE_RACE');
    expect(await t.sw.api(`uuid_getvar ${winner} originator`)).toBe(caller);
    await t.sw.api(`uuid_kill ${caller}`);
  });

  it('the caller hangs up while user/ rings: its legs are hung up ORIGINATOR_CANCEL and the bridge dials nothing after user/', async () => {
    const caller = uuidOf(await originate('null/caller &bridge(user/1015@example.org,null/after)'));
    expect(caller).toBeDefined();
    await at(t, t.clock.now() + 1000);
    expect(await t.sw.api(`uuid_kill ${caller}`)).toBe('+OK\n');
    await at(t, t.clock.now() + 1000);
    const events = t.sub.take();
    expect(hangupOf(events, 'null/never')).toBe('ORIGINATOR_CANCEL');
    expect(events.some((e) => e.type === 'CHANNEL_OUTGOING' && e.getHeader('Channel-Name') === 'null/after')).toBe(false);
  });
});
