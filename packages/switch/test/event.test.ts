import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, SwitchEvent, eventId, eventName, nameEvent, serializeJson, serializePlain, serializeXml, stampedEvent } from '../src/index.ts';
import { STAMP } from './helpers.ts';

describe('event types', () => {
  it('ids are FreeSWITCH positions', () => {
    expect(EVENT_NAMES).toHaveLength(94);
    expect(eventId('CUSTOM')).toBe(0);
    expect(eventId('CHANNEL_CREATE')).toBe(2);
    expect(eventId('CHANNEL_EXECUTE_COMPLETE')).toBe(10);
    expect(eventId('API')).toBe(23);
    expect(eventId('BACKGROUND_JOB')).toBe(46);
    expect(eventId('HEARTBEAT')).toBe(50);
    expect(eventId('RE_SCHEDULE')).toBe(55);
    expect(eventId('REQUEST_PARAMS')).toBe(62);
    expect(eventId('CALL_UPDATE')).toBe(79);
    expect(eventId('CERT_RELOAD')).toBe(92);
    expect(eventId('ALL')).toBe(93);
    expect(eventName(63)).toBe('CHANNEL_DATA');
    expect(eventName(94)).toBeUndefined();
  });

  it('names are found in any case, and by the tail after 13 characters', () => {
    expect(nameEvent('channel_create')).toBe('CHANNEL_CREATE');
    expect(nameEvent('SWITCH_EVENT_HEARTBEAT')).toBe('HEARTBEAT');
    expect(nameEvent('xxxxxxxxxxxxxcustom')).toBe('CUSTOM');
    expect(nameEvent('NOPE')).toBeUndefined();
  });
});

describe('headers', () => {
  it('keep order and duplicates; lookup is case-insensitive, first match wins', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('X-A', '1');
    e.addHeader('x-a', '2');
    e.addHeader('Top', 't', 'top');
    expect(e.headers.map((h) => `${h.name}=${h.value}`)).toEqual(['Top=t', 'X-A=1', 'x-a=2']);
    expect(e.getHeader('X-a')).toBe('1');
  });

  it('an empty value deletes every header of that name; a missing value adds nothing', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('A', '1');
    e.addHeader('a', '2');
    expect(e.addHeader('B', undefined)).toBe(false);
    e.addHeader('A', '');
    expect(e.headers).toEqual([]);
  });

  it('REQUEST_PARAMS, CHANNEL_DATA and MESSAGE keep names unique: the new entry goes to the end', () => {
    const e = new SwitchEvent('CHANNEL_DATA');
    e.addHeader('a', '1');
    e.addHeader('b', '2');
    e.addHeader('A', '3');
    expect(e.headers.map((h) => `${h.name}=${h.value}`)).toEqual(['b=2', 'A=3']);
    expect(new SwitchEvent('MESSAGE').uniqueHeaders).toBe(true);
    expect(new SwitchEvent('CUSTOM').uniqueHeaders).toBe(false);
  });

  it('ARRAY:: values and pushes make array headers', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('m', 'ARRAY::1000|:10|:00');
    expect(e.headers).toEqual([{ name: 'm', value: 'ARRAY::1000|:10|:00', array: ['1000', '10', '00'] }]);
    e.addHeader('p', 'x', 'push');
    expect(e.getHeader('p')).toBe('x');
    e.addHeader('P', 'y', 'push');
    e.addHeader('p', 'w', 'unshift');
    expect(e.getHeader('p')).toBe('ARRAY::w|:x|:y');
    expect(e.getHeaderItem('p', 2)).toBe('y');
    expect(e.getHeaderItem('m', 5)).toBeUndefined();
  });

  it('Name[N] sets item N of an array header, as switch_event_base_add_header', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('Foo[2]', 'x');
    expect(e.headers).toEqual([{ name: 'Foo', value: 'ARRAY::|:|:x', array: ['', '', 'x'] }]);
    e.addHeader('foo[3]', 'y');
    expect(e.getHeader('Foo')).toBe('ARRAY::|:|:x|:y');
    // an item that exists is replaced, the value is not redrawn (FreeSWITCH redraws only on growth)
    e.addHeader('Foo[0]', 'z');
    expect([e.getHeaderItem('Foo', 0), e.getHeader('Foo')]).toEqual(['z', 'ARRAY::|:|:x|:y']);
    // a plain header becomes the array of the new items; atoi reads the index; out of 0..4000: nothing
    e.addHeader('Bar', 'old');
    e.addHeader('Bar[x]', 'new');
    e.addHeader('Baz[4001]', 'no');
    e.addHeader('Baz[-1]', 'no');
    expect(e.headers.map((h) => `${h.name}=${h.value}`)).toEqual(['Foo=ARRAY::|:|:x|:y', 'Bar=new']);
  });

  it('_body sets the body too; getHeader(_body) falls back to the body', () => {
    const e = new SwitchEvent('CUSTOM');
    e.body = 'hello';
    expect(e.getHeader('_body')).toBe('hello');
    e.addHeader('_body', 'new');
    expect(e.body).toBe('new');
    expect(e.getHeader('_body')).toBe('new');
  });

  it('only CUSTOM and CLONE take a subclass', () => {
    expect(() => new SwitchEvent('HEARTBEAT', 'x::y')).toThrow(RangeError);
    expect(new SwitchEvent('CUSTOM', 'sofia::register').subclass).toBe('sofia::register');
  });

  it('names match as strcasecmp does: ASCII letters fold, nothing else', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('Core-UUID', 'c');
    e.addHeader('x-É', '1');
    e.addHeader('Unique-ID', 'u');
    expect(e.getHeader('UNIQUE-id')).toBe('u');
    expect(e.getHeader('core-uuid')).toBe('c');
    expect(e.getHeader('X-é')).toBeUndefined();
    expect(e.getHeader('X-É')).toBe('1');
    expect(e.getHeader('Unique_ID')).toBeUndefined();
    expect(e.delHeader('UNIQUE-ID')).toBe(true);
    expect(e.getHeader('Unique-ID')).toBeUndefined();
  });

  it('memo: made once per key while the event is unchanged; any change forgets it', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('A', '1');
    const k1 = {};
    const k2 = {};
    let made = 0;
    const render = () => `${++made}:${e.headers.map((h) => h.value).join(',')}:${e.body ?? ''}`;
    expect(e.memo(k1, render)).toBe('1:1:');
    expect(e.memo(k1, render)).toBe('1:1:');
    expect(e.memo(k2, render)).toBe('2:1:');
    e.addHeader('B', '2');
    expect(e.memo(k1, render)).toBe('3:1,2:');
    expect(e.memo(k2, render)).toBe('4:1,2:');
    e.delHeader('A');
    expect(e.memo(k1, render)).toBe('5:2:');
    e.body = 'b';
    expect(e.memo(k1, render)).toBe('6:2:b');
    expect(e.memo(k1, render)).toBe('6:2:b');
    expect(e.clone().memo(k1, render)).toBe('7:2:b');
  });

  it('delHeader with a value removes only exact matches', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('a', '1');
    e.addHeader('a', '2');
    e.delHeader('A', '2');
    expect(e.headers.map((h) => h.value)).toEqual(['1']);
  });
});

describe('standard headers', () => {
  it('are the 13 headers in FreeSWITCH order, values from the stamp', () => {
    const e = stampedEvent('CHANNEL_STATE', STAMP);
    expect(e.headers.map((h) => [h.name, h.value])).toEqual([
      ['Event-Name', 'CHANNEL_STATE'],
      ['Core-UUID', 'f3a1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b'],
      ['FreeSWITCH-Hostname', 'fs1.example.com'],
      ['FreeSWITCH-Switchname', 'fs1'],
      ['FreeSWITCH-IPv4', '192.168.1.10'],
      ['FreeSWITCH-IPv6', '::1'],
      ['Event-Date-Local', '2024-09-03 12:11:12'],
      ['Event-Date-GMT', 'Tue, 03 Sep 2024 10:11:12 GMT'],
      ['Event-Date-Timestamp', '1725358272123456'],
      ['Event-Calling-File', 'switch_channel.c'],
      ['Event-Calling-Function', 'switch_channel_perform_set_running_state'],
      ['Event-Calling-Line-Number', '2379'],
      ['Event-Sequence', '4711'],
    ]);
  });

  it('a CUSTOM subclass follows them; CLONE has none', () => {
    const e = stampedEvent('CUSTOM', STAMP, 'sofia::register');
    expect(e.headers).toHaveLength(14);
    expect(e.headers[13]).toEqual({ name: 'Event-Subclass', value: 'sofia::register' });
    expect(stampedEvent('CLONE', STAMP).headers).toEqual([]);
  });

  it('events share their repeating stamped headers, yet a change to one event reaches no other', () => {
    const a = stampedEvent('CHANNEL_STATE', STAMP);
    const b = stampedEvent('CHANNEL_STATE', { ...STAMP, sequence: 4712 });
    const uuid = STAMP.identity.coreUuid;
    a.addHeader('Core-UUID', 'x', 'push');
    a.addHeader('Event-Calling-File', 'y', 'unshift');
    expect(a.getHeader('Core-UUID')).toBe(`ARRAY::${uuid}|:x`);
    expect(a.getHeader('Event-Calling-File')).toBe('ARRAY::y|:switch_channel.c');
    expect(b.getHeader('Core-UUID')).toBe(uuid);
    expect(b.getHeader('Event-Calling-File')).toBe('switch_channel.c');
    expect(stampedEvent('CHANNEL_STATE', STAMP).headers).toEqual(b.headers.map((h) => (h.name === 'Event-Sequence' ? { ...h, value: '4711' } : h)));
    // a clone shares the header objects too: pushing onto its array header leaves the original as it was
    const c = a.clone();
    c.addHeader('Core-UUID', 'z', 'push');
    expect(c.getHeaderItem('Core-UUID', 2)).toBe('z');
    expect(a.getHeader('Core-UUID')).toBe(`ARRAY::${uuid}|:x`);
    expect(a.headers.find((h) => h.name === 'Core-UUID')?.array).toEqual([uuid, 'x']);
  });

  it('local time uses the offset (negative ones too)', () => {
    expect(stampedEvent('API', { ...STAMP, utcOffsetMinutes: -300 }).getHeader('Event-Date-Local')).toBe('2024-09-03 05:11:12');
  });

  it('date headers follow the second and the offset of each stamp (kept per second, never stale)', () => {
    const dates = (timeUs: number, utcOffsetMinutes = 120) => {
      const e = stampedEvent('API', { ...STAMP, timeUs, utcOffsetMinutes });
      return [e.getHeader('Event-Date-Local'), e.getHeader('Event-Date-GMT'), e.getHeader('Event-Date-Timestamp')];
    };
    expect(dates(1725358272999999)).toEqual(['2024-09-03 12:11:12', 'Tue, 03 Sep 2024 10:11:12 GMT', '1725358272999999']);
    expect(dates(1725358273000000)).toEqual(['2024-09-03 12:11:13', 'Tue, 03 Sep 2024 10:11:13 GMT', '1725358273000000']);
    expect(dates(1725358273000001, 0)).toEqual(['2024-09-03 10:11:13', 'Tue, 03 Sep 2024 10:11:13 GMT', '1725358273000001']);
    expect(dates(1725358272000000)).toEqual(['2024-09-03 12:11:12', 'Tue, 03 Sep 2024 10:11:12 GMT', '1725358272000000']);
  });
});

function sample(): SwitchEvent {
  const e = new SwitchEvent('CUSTOM', 'my::event');
  e.addHeader('Event-Name', 'CUSTOM');
  e.addHeader('Event-Subclass', 'my::event');
  e.addHeader('Hangup-Cause', 'NORMAL_CLEARING');
  e.addHeader('Hangup-Cause', 'NORMAL_CLEARING');
  e.addHeader('variable_text', 'a b&c<d>"é"');
  e.addHeader('variable_DP_MATCH', 'ARRAY::1000|:1000');
  return e;
}

describe('plain text (switch_event_serialize)', () => {
  it('URL-encodes values and ends with a blank line', () => {
    expect(serializePlain(sample())).toBe(
      [
        'Event-Name: CUSTOM',
        'Event-Subclass: my%3A%3Aevent',
        'Hangup-Cause: NORMAL_CLEARING',
        'Hangup-Cause: NORMAL_CLEARING',
        'variable_text: a%20b%26c%3Cd%3E%22%C3%A9%22',
        'variable_DP_MATCH: ARRAY%3A%3A1000%7C%3A1000',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a body adds Content-Length (bytes) and the body after a blank line', () => {
    const e = new SwitchEvent('BACKGROUND_JOB');
    e.addHeader('Job-UUID', '7f4db78a-17d7-11dd-b7a0-db4edd065621');
    e.body = '+OK é\n';
    expect(serializePlain(e)).toBe('Job-UUID: 7f4db78a-17d7-11dd-b7a0-db4edd065621\nContent-Length: 7\n\n+OK é\n');
  });

  it('without encoding wraps values in brackets (uuid_dump plain)', () => {
    const e = new SwitchEvent('CHANNEL_DATA');
    e.addHeader('Channel-Name', 'loopback/1000-a');
    e.addHeader('Caller-Caller-ID-Name', 'Alice Smith');
    expect(serializePlain(e, false)).toBe('Channel-Name: [loopback/1000-a]\nCaller-Caller-ID-Name: [Alice Smith]\n\n');
  });
});

describe('JSON (switch_event_serialize_json)', () => {
  it('is compact, keeps repeated names, arrays as JSON arrays, values not encoded', () => {
    expect(serializeJson(sample())).toBe(
      '{"Event-Name":"CUSTOM","Event-Subclass":"my::event","Hangup-Cause":"NORMAL_CLEARING","Hangup-Cause":"NORMAL_CLEARING",' +
        '"variable_text":"a b&c<d>\\"é\\"","variable_DP_MATCH":["1000","1000"]}',
    );
  });

  it('a body (even empty) adds Content-Length and _body; control characters are escaped', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('K', 'tab\there\u0001');
    e.body = 'line1\nline2';
    expect(serializeJson(e)).toBe('{"K":"tab\\there\\u0001","Content-Length":"11","_body":"line1\\nline2"}');
    const empty = new SwitchEvent('CUSTOM');
    empty.body = '';
    expect(serializeJson(empty)).toBe('{"Content-Length":"0","_body":""}');
  });
});

describe('XML (switch_event_xmlize + switch_xml_toxml)', () => {
  it('one element per header (per array item), URL-encoded text, two-space indentation', () => {
    expect(serializeXml(sample())).toBe(
      [
        '<event>',
        '  <headers>',
        '    <Event-Name>CUSTOM</Event-Name>',
        '    <Event-Subclass>my%3A%3Aevent</Event-Subclass>',
        '    <Hangup-Cause>NORMAL_CLEARING</Hangup-Cause>',
        '    <Hangup-Cause>NORMAL_CLEARING</Hangup-Cause>',
        '    <variable_text>a%20b%26c%3Cd%3E%22%C3%A9%22</variable_text>',
        '    <variable_DP_MATCH>1000</variable_DP_MATCH>',
        '    <variable_DP_MATCH>1000</variable_DP_MATCH>',
        '  </headers>',
        '</event>',
        '',
      ].join('\n'),
    );
  });

  it('a body adds Content-Length and an XML-escaped body', () => {
    const e = new SwitchEvent('CUSTOM');
    e.addHeader('A', '1');
    e.body = 'x < y & "z"\r\né';
    expect(serializeXml(e)).toBe(
      [
        '<event>',
        '  <headers>',
        '    <A>1</A>',
        '  </headers>',
        '  <Content-Length>15</Content-Length>',
        '  <body>x &lt; y &amp; "z"&#xD;',
        '&#xE9;</body>',
        '</event>',
        '',
      ].join('\n'),
    );
  });
});
