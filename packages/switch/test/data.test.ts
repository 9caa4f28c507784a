import { describe, expect, it } from 'vitest';
import {
  NO_TIMES,
  addProfileHeaders,
  SwitchEvent,
  addChannelData,
  channelVariable,
  newVariables,
  profileField,
  stampedEvent,
  type CallerProfile,
  type ChannelSnapshot,
  type ChannelView,
  type EventTypeName,
} from '../src/index.ts';
import { STAMP } from './helpers.ts';

const UUID = '6a1f5a6e-3c1b-4b8e-9a61-1f2d3c4b5a69';

const PROFILE: CallerProfile = {
  direction: 'inbound',
  logicalDirection: 'inbound',
  dialplan: 'xml',
  callerIdName: '',
  callerIdNumber: '0000000000',
  origCallerIdName: '',
  origCallerIdNumber: '0000000000',
  calleeIdName: 'Outbound Call',
  calleeIdNumber: '1000',
  ani: '0000000000',
  destinationNumber: '1000',
  uuid: UUID,
  source: 'mod_loopback',
  context: 'default',
  chanName: 'loopback/1000-b',
  profileIndex: '1',
  times: { ...NO_TIMES, profileCreated: 1725358272000001, created: 1725358272000002 },
  screen: true,
  hideName: false,
  hideNumber: false,
};

const VIEW: ChannelView = {
  state: 'CS_ROUTING',
  running: 'CS_INIT',
  callState: 'DOWN',
  answered: false,
  early: false,
  ringReady: false,
  hangupCause: 0,
};

function snapshot(over: Partial<ChannelSnapshot> = {}): ChannelSnapshot {
  const variables = newVariables();
  for (const [k, v] of [
    ['direction', 'inbound'],
    ['uuid', UUID],
    ['session_id', '2'],
    ['channel_name', 'loopback/1000-b'],
    ['loopback_leg', 'B'],
  ]) {
    variables.addHeader(k!, v!);
  }
  return {
    view: VIEW,
    uuid: UUID,
    name: 'loopback/1000-b',
    direction: 'inbound',
    readCodec: { name: 'L16', rate: 8000, bitRate: 128000 },
    writeCodec: { name: 'L16', rate: 8000, bitRate: 128000 },
    profile: PROFILE,
    variables,
    ...over,
  };
}

function channelEvent(type: EventTypeName, ch: ChannelSnapshot, pre: [string, string][] = []): SwitchEvent {
  const e = stampedEvent(type, STAMP);
  for (const [k, v] of pre) e.addHeader(k, v);
  addChannelData(e, ch);
  return e;
}

const names = (e: SwitchEvent) => e.headers.map((h) => h.name);
const pairs = (e: SwitchEvent) => e.headers.slice(13).map((h) => `${h.name}: ${h.value}`);

describe('channel data (switch_channel_event_set_data)', () => {
  it('CHANNEL_CREATE: standard headers, basic channel headers, caller profile, then variable_*', () => {
    expect(pairs(channelEvent('CHANNEL_CREATE', snapshot()))).toEqual([
      'Channel-State: CS_INIT',
      'Channel-Call-State: DOWN',
      'Channel-State-Number: 2',
      'Channel-Name: loopback/1000-b',
      `Unique-ID: ${UUID}`,
      'Call-Direction: inbound',
      'Presence-Call-Direction: inbound',
      'Channel-HIT-Dialplan: true',
      `Channel-Call-UUID: ${UUID}`,
      'Answer-State: ringing',
      'Channel-Read-Codec-Name: L16',
      'Channel-Read-Codec-Rate: 8000',
      'Channel-Read-Codec-Bit-Rate: 128000',
      'Channel-Write-Codec-Name: L16',
      'Channel-Write-Codec-Rate: 8000',
      'Channel-Write-Codec-Bit-Rate: 128000',
      'Caller-Direction: inbound',
      'Caller-Logical-Direction: inbound',
      'Caller-Dialplan: xml',
      'Caller-Caller-ID-Number: 0000000000',
      'Caller-Orig-Caller-ID-Number: 0000000000',
      'Caller-Callee-ID-Name: Outbound Call',
      'Caller-Callee-ID-Number: 1000',
      'Caller-ANI: 0000000000',
      'Caller-Destination-Number: 1000',
      `Caller-Unique-ID: ${UUID}`,
      'Caller-Source: mod_loopback',
      'Caller-Context: default',
      'Caller-Channel-Name: loopback/1000-b',
      'Caller-Profile-Index: 1',
      'Caller-Profile-Created-Time: 1725358272000001',
      'Caller-Channel-Created-Time: 1725358272000002',
      'Caller-Channel-Answered-Time: 0',
      'Caller-Channel-Progress-Time: 0',
      'Caller-Channel-Progress-Media-Time: 0',
      'Caller-Channel-Hangup-Time: 0',
      'Caller-Channel-Transfer-Time: 0',
      'Caller-Channel-Resurrect-Time: 0',
      'Caller-Channel-Bridged-Time: 0',
      'Caller-Channel-Last-Hold: 0',
      'Caller-Channel-Hold-Accum: 0',
      'Caller-Screen-Bit: true',
      'Caller-Privacy-Hide-Name: false',
      'Caller-Privacy-Hide-Number: false',
      'variable_direction: inbound',
      `variable_uuid: ${UUID}`,
      'variable_session_id: 2',
      'variable_channel_name: loopback/1000-b',
      'variable_loopback_leg: B',
    ]);
  });

  it('CHANNEL_STATE, CHANNEL_CALLSTATE, CHANNEL_OUTGOING, DTMF and PRIVATE_COMMAND carry no variables; verbose events add them', () => {
    for (const t of ['CHANNEL_STATE', 'CHANNEL_CALLSTATE', 'CHANNEL_OUTGOING', 'DTMF', 'PRIVATE_COMMAND'] as const) {
      expect(
        names(channelEvent(t, snapshot())).some((n) => n.startsWith('variable_')),
        t,
      ).toBe(false);
    }
    expect(names(channelEvent('CHANNEL_STATE', snapshot({ verboseEvents: true }))).filter((n) => n.startsWith('variable_'))).toHaveLength(5);
    const global = stampedEvent('CHANNEL_STATE', STAMP);
    addChannelData(global, snapshot(), { globalVerboseEvents: true });
    expect(names(global)).toContain('variable_loopback_leg');
  });

  it('CHANNEL_HANGUP_COMPLETE has two Hangup-Cause headers; Answer-State follows the requested state', () => {
    const ch = snapshot({ view: { ...VIEW, state: 'CS_REPORTING', running: 'CS_REPORTING', callState: 'HANGUP', answered: true, hangupCause: 16 } });
    const e = channelEvent('CHANNEL_HANGUP_COMPLETE', ch, [['Hangup-Cause', 'NORMAL_CLEARING']]);
    expect(pairs(e).filter((p) => p.startsWith('Hangup-Cause'))).toEqual(['Hangup-Cause: NORMAL_CLEARING', 'Hangup-Cause: NORMAL_CLEARING']);
    expect(e.getHeader('Answer-State')).toBe('hangup');
    expect(pairs(e)[0]).toBe('Hangup-Cause: NORMAL_CLEARING');
    const answered = channelEvent('CHANNEL_ANSWER', snapshot({ view: { ...VIEW, answered: true, early: true } }));
    expect(answered.getHeader('Answer-State')).toBe('answered');
    expect(channelEvent('CHANNEL_PROGRESS_MEDIA', snapshot({ view: { ...VIEW, early: true } })).getHeader('Answer-State')).toBe('early');
  });

  it('outbound: HIT-Dialplan false unless flagged; CS_NONE before the first run', () => {
    const e = channelEvent(
      'CHANNEL_OUTGOING',
      snapshot({
        direction: 'outbound',
        view: { ...VIEW, running: 'CS_NONE', state: 'CS_INIT' },
        profile: { ...PROFILE, direction: 'outbound', logicalDirection: 'outbound' },
      }),
    );
    expect(pairs(e).slice(0, 8)).toEqual([
      'Channel-State: CS_NONE',
      'Channel-Call-State: DOWN',
      'Channel-State-Number: 1',
      'Channel-Name: loopback/1000-b',
      `Unique-ID: ${UUID}`,
      'Call-Direction: outbound',
      'Presence-Call-Direction: outbound',
      'Channel-HIT-Dialplan: false',
    ]);
    expect(channelEvent('CHANNEL_STATE', snapshot({ direction: 'outbound', dialplanFlag: true })).getHeader('Channel-HIT-Dialplan')).toBe('true');
  });

  it('optional basic headers: external id, presence, presence data columns, call uuid', () => {
    const ch = snapshot({ externalId: 'ext-1' });
    ch.variables.addHeader('presence_id', '1000@example.com');
    ch.variables.addHeader('presence_data', 'pd');
    ch.variables.addHeader('presence_data_cols', 'foo:bar:nope');
    ch.variables.addHeader('foo', 'F');
    ch.variables.addHeader('bar', 'B');
    ch.variables.addHeader('call_uuid', 'other-uuid');
    const e = channelEvent('CHANNEL_STATE', ch);
    expect(pairs(e).slice(4, 16)).toEqual([
      `Unique-ID: ${UUID}`,
      'Session-External-ID: ext-1',
      'Call-Direction: inbound',
      'Presence-Call-Direction: inbound',
      'Channel-HIT-Dialplan: true',
      'Channel-Presence-ID: 1000@example.com',
      'Channel-Presence-Data: pd',
      'Presence-Data-Cols: foo:bar:nope',
      'PD-foo: F',
      'PD-bar: B',
      'Channel-Call-UUID: other-uuid',
      'Answer-State: ringing',
    ]);
    // a presence-data-cols header makes even CHANNEL_STATE verbose
    expect(names(e)).toContain('variable_presence_id');
  });

  it('Other-Type and Other-Leg-* follow the caller profile', () => {
    const other: CallerProfile = { ...PROFILE, direction: 'outbound', logicalDirection: 'outbound', chanName: 'loopback/1000-a', times: undefined };
    const e = channelEvent('CHANNEL_STATE', snapshot({ otherLeg: { type: 'originator', profile: other } }));
    const p = pairs(e);
    const at = p.indexOf('Other-Type: originator');
    expect(at).toBe(p.indexOf('Caller-Privacy-Hide-Number: false') + 1);
    expect(p.slice(at + 1, at + 3)).toEqual(['Other-Leg-Direction: outbound', 'Other-Leg-Logical-Direction: outbound']);
    expect(p.some((x) => x.startsWith('Other-Leg-Profile-Created-Time'))).toBe(false);
    expect(p[p.length - 1]).toBe('Other-Leg-Privacy-Hide-Number: false');
  });

  it('scope variables come first, each name once', () => {
    const scope = newVariables();
    scope.addHeader('x', '1');
    const e = channelEvent('CHANNEL_EXECUTE', snapshot({ scopes: [scope, scope] }));
    const vars = pairs(e).filter((p) => p.includes('variable_'));
    expect(vars[0]).toBe('scope_variable_x: 1');
    expect(vars.filter((v) => v.startsWith('scope_'))).toHaveLength(1);
  });
});

describe('caller profile', () => {
  it('Orig-Caller-ID-* appear only with a non-empty caller id of the same kind', () => {
    const e = new SwitchEvent('CUSTOM');
    addProfileHeaders(e, { ...PROFILE, callerIdName: 'Alice', origCallerIdName: 'Bob', callerIdNumber: '', times: undefined }, 'Hunt');
    const h = e.headers.map((x) => `${x.name}: ${x.value}`);
    expect(h).toContain('Hunt-Caller-ID-Name: Alice');
    expect(h).toContain('Hunt-Orig-Caller-ID-Name: Bob');
    expect(h.some((x) => x.startsWith('Hunt-Orig-Caller-ID-Number'))).toBe(false);
  });

  it('fields by name, as dialplan conditions see them', () => {
    expect(profileField(PROFILE, 'destination_number')).toBe('1000');
    expect(profileField(PROFILE, 'Caller_ID_Number')).toBe('0000000000');
    expect(profileField(PROFILE, 'network_addr')).toBeUndefined();
    expect(profileField(PROFILE, 'caller_ton')).toBe('255');
    expect(profileField(PROFILE, 'screen_bit')).toBe('true');
    expect(profileField(PROFILE, 'created_time')).toBe('1725358272000002');
    expect(profileField({ ...PROFILE, soft: [['my_field', 'v']], softLookup: true }, 'MY_FIELD')).toBe('v');
    expect(profileField({ ...PROFILE, soft: [['my_field', 'v']] }, 'my_field')).toBeUndefined();
  });
});

describe('channel variables', () => {
  it('setting a name again moves it to the end; names ignore case; empty unsets', () => {
    const v = newVariables();
    v.addHeader('a', '1');
    v.addHeader('b', '2');
    v.addHeader('A', '3');
    expect(v.headers.map((h) => `${h.name}=${h.value}`)).toEqual(['b=2', 'A=3']);
    v.addHeader('b', '');
    expect(v.headers.map((h) => h.name)).toEqual(['A']);
  });

  it('lookup: scopes, variables, profile fields (aleg_/bleg_), globals', () => {
    const variables = newVariables();
    variables.addHeader('foo', 'var');
    const scope = newVariables();
    scope.addHeader('foo', 'scoped');
    const globals = (n: string) => ({ g: 'global', destination_number: 'global-dest' })[n];
    const originator: CallerProfile = { ...PROFILE, destinationNumber: 'a-dest' };
    expect(channelVariable({ variables, scopes: [scope], globals }, 'foo')).toBe('scoped');
    expect(channelVariable({ variables, globals }, 'FOO')).toBe('var');
    expect(channelVariable({ variables, profile: PROFILE, globals }, 'destination_number')).toBe('1000');
    expect(channelVariable({ variables, profile: PROFILE, originatorProfile: originator, globals }, 'aleg_destination_number')).toBe('a-dest');
    expect(channelVariable({ variables, profile: PROFILE, globals }, 'bleg_destination_number')).toBe('global-dest');
    expect(channelVariable({ variables, profile: PROFILE, globals }, 'g')).toBe('global');
    expect(channelVariable({ variables }, 'nope')).toBeUndefined();
    variables.addHeader('arr', 'ARRAY::x|:y');
    expect(channelVariable({ variables }, 'arr', 1)).toBe('y');
    expect(channelVariable({ variables }, 'foo', 0)).toBeUndefined();
  });
});
