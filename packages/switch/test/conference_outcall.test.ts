/**
 * mod_conference's outcalls (src/conference/outcall.ts): `conference <name> dial|bgdial` dial a
 * leg that, once answered, runs `conference <name>` and joins; `conference_set_auto_outcall` and
 * the `conference_auto_outcall_*` variables make a member's joining dial the listed legs.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchEvent } from '../src/index.ts';
import { autoOutcallDials, autoOutcallTimeout } from '../src/conference/auto_outcall.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { confWith, heardTones, profile, runs } from './conference_conf_helpers.ts';
import { MAINT, MEMBER_FLAGS_TAIL, actions, conferenceEvents, headersFrom, join, leg, tick, uuid } from './conference_helpers.ts';
import { type Setup, setup } from './switch_helpers.ts';

const addMemberOf = (events: SwitchEvent[], id: string) =>
  conferenceEvents(events).find((e) => e.getHeader('Action') === 'add-member' && e.getHeader('Unique-ID') === id);

/**
 * The caller id the leg was dialled with: running its extension flips it (switch_channel_sort_cid),
 * so the member shows it as its callee id, its caller id being the leg's callee (`Outbound Call`, the destination).
 */
const callerId = (e: SwitchEvent | undefined) => [e?.getHeader('Caller-Callee-ID-Name'), e?.getHeader('Caller-Callee-ID-Number')];

const stop = async (t: Setup) => {
  await t.sw.stop();
  await t.rt.stop();
};

describe('conference <name> dial', () => {
  it('dials the leg with the given caller id; answered, it joins the conference as a member', async () => {
    const t = await setup();
    await join(t, 1);
    t.sub.take();
    const b = leg(t, 5);
    expect(await t.sw.api(`conference room dial {origination_uuid=${b.uuid}}null/5 5555 Alice`)).toBe('+OK Call Requested: result: [SUCCESS]\n');
    await t.settle();
    expect(await t.sw.api('conference room count')).toBe('2');
    const events = t.sub.take();
    const add = addMemberOf(events, b.uuid);
    expect(callerId(add)).toEqual(['Alice', '5555']);
    expect([add?.getHeader('Caller-Caller-ID-Name'), add?.getHeader('Caller-Caller-ID-Number')]).toEqual(['Outbound Call', '5']);
    expect(headersFrom(add as SwitchEvent, 'Conference-Name').slice(0, 3)).toEqual([
      ['Conference-Name', 'room'],
      ['Conference-Domain', 'cluecon.com'],
      ['Conference-Size', '2'],
    ]);
    // an outbound leg: it was invited, so no ANSWERED flag comes from it
    expect(headersFrom(add as SwitchEvent, 'Video')).toEqual([...MEMBER_FLAGS_TAIL({ id: 2 }), ['Action', 'add-member']]);
    expect(add?.getHeader('Call-Direction')).toBe('outbound');
    expect(await t.sw.api(`uuid_getvar ${b.uuid} conference_name`)).toBe('room');
    await stop(t);
  });

  it("without a caller id the profile's caller-id-name / caller-id-number are used", async () => {
    const t = await setup({
      confDir: confWith(`<profiles>${profile('default', { 'caller-id-name': 'Room', 'caller-id-number': '4000' })}</profiles>`),
    });
    await join(t, 1);
    t.sub.take();
    const b = leg(t, 5);
    expect(await t.sw.api(`conference room dial {origination_uuid=${b.uuid}}null/5`)).toBe('+OK Call Requested: result: [SUCCESS]\n');
    await t.settle();
    expect(callerId(addMemberOf(t.sub.take(), b.uuid))).toEqual(['Room', '4000']);
    await stop(t);
  });

  it('a failed dial replies with its cause and logs it; nobody joins', async () => {
    const t = await setup();
    await join(t, 1);
    expect(await t.sw.api('conference room dial error/user_busy')).toBe('+OK Call Requested: result: [USER_BUSY]\n');
    expect(t.logs).toContain('ERR Cannot create outgoing channel, cause: USER_BUSY');
    await t.settle();
    expect(await t.sw.api('conference room count')).toBe('1');
    await stop(t);
  });

  it('without a dial string: -ERR Bad Args and the usage', async () => {
    const t = await setup();
    await join(t, 1);
    const usage = '<endpoint_module_name>/<destination> <callerid number> <callerid name>';
    expect(await t.sw.api('conference room dial')).toBe(`-ERR Bad Args\ndial ${usage}`);
    expect(await t.sw.api('conference nosuch bgdial')).toBe(`-ERR Bad Args\nbgdial ${usage}`);
    await stop(t);
  });

  it('a conference that does not exist is created by the leg joining it', async () => {
    const t = await setup();
    const b = leg(t, 6);
    expect(await t.sw.api(`conference fresh dial {origination_uuid=${b.uuid}}null/6 6666 Bob`)).toBe('+OK Call Requested: result: [SUCCESS]\n');
    await t.settle();
    const events = t.sub.take();
    expect(actions(events)).toEqual(['conference-create', 'add-member 1']);
    expect(callerId(addMemberOf(events, b.uuid))).toEqual(['Bob', '6666']);
    expect(await t.sw.api('conference fresh count')).toBe('1');
    // a failed one, with nothing to dial for, replies the same way
    expect(await t.sw.api('conference other dial error/user_busy')).toBe('+OK Call Requested: result: [USER_BUSY]\n');
    await stop(t);
  });
});

describe('conference <name> bgdial', () => {
  it('replies with a Job-UUID at once; the leg joins and bgdial-result names the job and the leg', async () => {
    const t = await setup();
    await join(t, 1);
    t.sub.take();
    const b = leg(t, 5);
    const reply = await t.sw.api(`conference room bgdial {origination_uuid=${b.uuid}}null/5 5555 Alice`);
    const job = /^\+OK Job-UUID: ([0-9a-f-]{36})\n$/.exec(reply)?.[1];
    expect(job).toBeDefined();
    await t.settle();
    const events = t.sub.take();
    expect(callerId(addMemberOf(events, b.uuid))).toEqual(['Alice', '5555']);
    const result = conferenceEvents(events).find((e) => e.getHeader('Action') === 'bgdial-result') as SwitchEvent;
    expect(result.subclass).toBe(MAINT);
    expect(headersFrom(result, 'Action')).toEqual([
      ['Action', 'bgdial-result'],
      ['Result', 'SUCCESS'],
      ['Job-UUID', job],
      ['Peer-UUID', b.uuid],
    ]);
    expect(await t.sw.api(`uuid_getvar ${b.uuid} conference_bgdial_jobid`)).toBe(job);
    await stop(t);
  });

  it('a failed one: bgdial-result with the cause and no Peer-UUID', async () => {
    const t = await setup();
    await join(t, 1);
    t.sub.take();
    const job = /Job-UUID: (.*)\n/.exec(await t.sw.api('conference room bgdial error/user_busy'))?.[1];
    await t.settle();
    const result = conferenceEvents(t.sub.take()).find((e) => e.getHeader('Action') === 'bgdial-result') as SwitchEvent;
    expect(headersFrom(result, 'Action')).toEqual([
      ['Action', 'bgdial-result'],
      ['Result', 'USER_BUSY'],
      ['Job-UUID', job],
    ]);
    await stop(t);
  });
});

describe('auto outcalls (conference_set_auto_outcall, conference_auto_outcall_*)', () => {
  it('the timeout is kept within 10..500 s; entries split at `,` or the one-character delimiter, each after the prefix', () => {
    expect([undefined, '9', '10', '500', '501', 'x'].map(autoOutcallTimeout)).toEqual([60, 60, 10, 500, 60, 60]);
    expect(autoOutcallDials(['a,b', 'c'], undefined, 'p/')).toEqual(['p/a', 'p/b', 'p/c']);
    expect(autoOutcallDials(['a|b,c'], '|', undefined)).toEqual(['a', 'b,c']);
    expect(autoOutcallDials(['a,b'], '||', undefined)).toEqual(['a', 'b']);
  });

  it('the creator joining dials its list with its variables; the leg joins, the creator hears the beep', async () => {
    const b = uuid(5);
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          '3000': [
            ['set', 'conference_auto_outcall_caller_id_name=Auto'],
            ['set', 'conference_auto_outcall_caller_id_number=7000'],
            ['set', `conference_auto_outcall_prefix={origination_uuid=${b}}`],
            ['set', 'conference_auto_outcall_flags=mute'],
            ['set', 'conference_auto_outcall_timeout=30'],
            ['set', 'conference_auto_outcall_export_vars=team'],
            ['set', 'team=blue'],
            ['conference_set_auto_outcall', 'null/5'],
            ['conference', 'room'],
          ],
        },
      }),
    });
    const a = leg(t, 1);
    leg(t, 5);
    expect(await t.sw.originate(`{origination_uuid=${a.uuid}}null/1 3000 XML default`)).toBe(`+OK ${a.uuid}\n`);
    await t.settle();
    const events = t.sub.take();
    expect(actions(events)).toEqual(['conference-create', 'add-member 1', 'add-member 2', 'bgdial-result']);
    const add = addMemberOf(events, b);
    expect(callerId(add)).toEqual(['Auto', '7000']);
    expect(add?.getHeader('Speak')).toBe('false');
    expect(await t.sw.api(`uuid_getvar ${b} team`)).toBe('blue');
    const result = conferenceEvents(events).find((e) => e.getHeader('Action') === 'bgdial-result') as SwitchEvent;
    expect(headersFrom(result, 'Action')).toEqual([
      ['Action', 'bgdial-result'],
      ['Result', 'SUCCESS'],
      ['Peer-UUID', b],
    ]);
    const from = a.heard.length;
    await tick(t, 40);
    expect(runs(heardTones(a, from, { beep: 640 })).map(([n]) => n)).toContain('beep');
    await stop(t);
  });
  it('conference_auto_outcall_announce is played to each caller that joins afterwards, before it is a member', async () => {
    const b = uuid(5);
    const t = await setup({
      dialplan: staticDialplan({
        default: {
          '3000': [
            ['set', 'conference_auto_outcall_announce=tone_stream://%(200,0,900)'],
            ['conference_set_auto_outcall', `{origination_uuid=${b}}null/5`],
            ['conference', 'room'],
          ],
        },
      }),
    });
    const a = leg(t, 1);
    const l5 = leg(t, 5);
    expect(await t.sw.originate(`{origination_uuid=${a.uuid}}null/1 3000 XML default`)).toBe(`+OK ${a.uuid}\n`);
    await t.settle();
    expect(actions(t.sub.take())).toEqual(['conference-create', 'add-member 1', 'bgdial-result']);
    await tick(t, 30);
    expect(runs(heardTones(l5, 0, { announce: 900 })).map(([n]) => n)).toContain('announce');
    expect(actions(t.sub.take())).toContain('add-member 2');
    await stop(t);
  });
});
