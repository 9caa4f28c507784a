/** The pure parts: subscriptions, filters (both semantics), encoding, the seed status text, input decoders. */
import { type ErlMap, Pid, Tuple, atom, encode, t } from '@beamline/etf';
import { SwitchEvent, urlDecodeBytes } from '@beamline/switch';
import { describe, expect, it } from 'vitest';
import { eventTerm, logTerm } from '../src/encode.ts';
import { decodeHeaders, decodeLStr, decodeSB } from '../src/inbound/decode.ts';
import { parseLogLevel } from '../src/inbound/logs.ts';
import { type Filter, filterCommand, passes } from '../src/internal/filters.ts';
import { Subscription } from '../src/internal/subscription.ts';
import { seedStatus } from '../src/inbound/status_seed.ts';

const atoms = (...names: string[]) => names.map((n) => atom(n));
function ev(type: 'CUSTOM' | 'HEARTBEAT' | 'CHANNEL_CREATE' | 'TRAP', headers: [string, string][] = [], subclass?: string): SwitchEvent {
  const e = new SwitchEvent(type, subclass);
  e.addHeader('Event-Name', type);
  for (const [k, v] of headers) e.addHeader(k, v);
  return e;
}

describe('subscriptions', () => {
  it('event: ALL, types, CUSTOM then subclasses; unknown names ignored; any case and the 13-character tail', () => {
    const s = new Subscription();
    s.add(atoms('heartbeat', 'nosuch', 'SWITCH_EVENT_TRAP', 'CUSTOM', 'a::b', 'CHANNEL_CREATE'));
    expect([...s.types].sort()).toEqual(['CUSTOM', 'HEARTBEAT', 'TRAP']);
    expect([...s.subclasses].sort()).toEqual(['CHANNEL_CREATE', 'a::b']);
    expect(s.wants(ev('CUSTOM', [], 'a::b'))).toBe(true);
    expect(s.wants(ev('CUSTOM', [], 'x::y'))).toBe(false);
    expect(s.wants(ev('CUSTOM'))).toBe(true);
    expect(s.wants(ev('CHANNEL_CREATE'))).toBe(false);
  });

  it('nixevent: ALL clears all; a type expands ALL first; CUSTOM only removes subclasses', () => {
    const s = new Subscription();
    s.add(atoms('ALL', 'CUSTOM', 'a::b'));
    s.remove(atoms('HEARTBEAT'));
    expect(s.all).toBe(false);
    expect(s.types.has('HEARTBEAT')).toBe(false);
    expect(s.types.has('TRAP')).toBe(true);
    s.remove(atoms('CUSTOM', 'a::b'));
    expect(s.types.has('CUSTOM')).toBe(true);
    expect(s.subclasses.size).toBe(0);
    s.remove(atoms('ALL'));
    expect(s.types.size).toBe(0);
  });

  it('setevent builds a fresh set and refuses ALL', () => {
    expect(Subscription.build(atoms('TRAP', 'ALL', 'HEARTBEAT')).sawAll).toBe(true);
    const { set, sawAll } = Subscription.build(atoms('TRAP', 'CUSTOM', 's::1'));
    expect(sawAll).toBe(false);
    expect([...set.types]).toEqual(['TRAP', 'CUSTOM']);
  });
});

describe('filters', () => {
  it('commands and their log items', () => {
    const f: Filter[] = [];
    expect(filterCommand(f, 'Event-Name HEARTBEAT')).toEqual({ op: 'added', header: 'Event-Name', value: 'HEARTBEAT' });
    expect(filterCommand(f, 'add Unique-ID a b c')).toEqual({ op: 'added', header: 'Unique-ID', value: 'a b c' });
    expect(filterCommand(f, 'add Unique-ID')).toBe('invalid');
    expect(filterCommand(f, 'Event-Name')).toBe('invalid');
    expect(filterCommand(f, 'delete Unique-ID')).toEqual({ op: 'deleted', header: 'Unique-ID', value: '' });
    expect(f).toEqual([{ header: 'Event-Name', value: 'HEARTBEAT' }]);
    expect(filterCommand(f, 'delete all')).toEqual({ op: 'deleted', header: 'all', value: '' });
    expect(f).toEqual([]);
  });

  it('add, delete and all ignore case, as strcasecmp; delete all <x> clears all too', () => {
    const f: Filter[] = [];
    expect(filterCommand(f, 'ADD Unique-ID u1')).toEqual({ op: 'added', header: 'Unique-ID', value: 'u1' });
    expect(filterCommand(f, 'Add Event-Name TRAP')).toEqual({ op: 'added', header: 'Event-Name', value: 'TRAP' });
    expect(filterCommand(f, 'Delete unique-id u1')).toEqual({ op: 'deleted', header: 'unique-id', value: 'u1' });
    expect(f).toEqual([{ header: 'Event-Name', value: 'TRAP' }]);
    expect(filterCommand(f, 'DELETE ALL x')).toEqual({ op: 'deleted', header: 'ALL', value: 'x' });
    expect(f).toEqual([]);
    expect(filterCommand(f, 'DELETE')).toBe('invalid');
  });

  it('seed semantics: OR on one header, AND across headers, negative vetoes, presence tests, regex', () => {
    const f: Filter[] = [
      { header: 'Event-Name', value: 'HEARTBEAT' },
      { header: 'Event-Name', value: 'trap' },
    ];
    expect(passes(f, ev('HEARTBEAT'), 'seed')).toBe(true);
    expect(passes(f, ev('TRAP'), 'seed')).toBe(true);
    expect(passes(f, ev('CHANNEL_CREATE'), 'seed')).toBe(false);
    // the original: two positive rules on one header deliver nothing
    expect(passes(f, ev('HEARTBEAT'), 'original')).toBe(false);
    const g: Filter[] = [
      { header: 'Event-Name', value: '/^(TRAP|HEARTBEAT)$/' },
      { header: 'X', value: '-bad' },
      { header: 'Y', value: '+' },
    ];
    expect(passes(g, ev('TRAP', [['Y', '1']]), 'seed')).toBe(true);
    expect(
      passes(
        g,
        ev('TRAP', [
          ['Y', '1'],
          ['X', 'bad'],
        ]),
        'seed',
      ),
    ).toBe(false);
    expect(passes(g, ev('TRAP'), 'seed')).toBe(false);
    expect(passes([{ header: 'Z', value: '-' }], ev('TRAP', [['Z', '1']]), 'seed')).toBe(false);
    expect(passes([{ header: 'Z', value: '-' }], ev('TRAP'), 'seed')).toBe(true);
  });

  it('original semantics: a filter on a missing header is skipped; the first non-match stops', () => {
    expect(passes([{ header: 'Missing', value: 'x' }], ev('TRAP'), 'original')).toBe(true);
    expect(passes([{ header: 'Event-Name', value: 'HEARTBEAT' }], ev('TRAP'), 'original')).toBe(false);
    expect(passes([{ header: 'Event-Name', value: '-TRAP' }], ev('TRAP'), 'original')).toBe(false);
  });
});

describe('encoding', () => {
  it('URL decoding on bytes: %XX, a single hex digit, a short tail left alone, + kept', () => {
    const dec = (s: string) => Buffer.from(urlDecodeBytes(new TextEncoder().encode(s))).toString('latin1');
    expect(dec('a%20b+c')).toBe('a b+c');
    expect(dec('%4g!')).toBe('\x04!');
    expect(dec('x%2')).toBe('x%2');
    expect(dec('%e2%82%ac')).toBe('\xe2\x82\xac');
  });

  it('an event term: [UUID | headers] (+ body), strings as byte lists or binaries, built once per encoding', () => {
    const e = ev(
      'CUSTOM',
      [
        ['Unique-ID', 'u-1'],
        ['V', 'é%21'],
      ],
      'my::sub',
    );
    e.body = 'hello';
    const term = eventTerm(e, 'string');
    expect(eventTerm(e, 'string')).toBe(term);
    const [tag, list] = term.elements as [unknown, unknown[]];
    expect(tag).toBe(atom('event'));
    expect(list[0]).toEqual([...Buffer.from('u-1')]);
    expect(list.at(-1)).toEqual(t([...Buffer.from('body')], [...Buffer.from('hello')]));
    expect((list[3] as Tuple).elements[1]).toEqual([0xc3, 0xa9, 0x21]);
    // binaries: what goes on the wire
    const wire = (x: unknown) => Buffer.from(encode(x as never)).toString('hex');
    const bin = eventTerm(e, 'binary').elements[1] as unknown[];
    expect(wire(bin[0])).toBe(wire(new Uint8Array(Buffer.from('u-1'))));
    expect(wire((bin[3] as Tuple).elements[1])).toBe(wire(new Uint8Array([0xc3, 0xa9, 0x21])));
    expect(wire(eventTerm(ev('TRAP'), 'binary'))).toBe(
      wire(t(atom('event'), [atom('undefined'), t(new Uint8Array(Buffer.from('Event-Name')), new Uint8Array(Buffer.from('TRAP')))])),
    );
  });

  it('event-format map: built once per encoding and format, apart from the list term; repeated names a list', () => {
    const e = ev('CUSTOM', [
      ['R', 'a'],
      ['R', 'b'],
    ]);
    const list = eventTerm(e, 'binary');
    const map = eventTerm(e, 'binary', 'map');
    expect(eventTerm(e, 'binary', 'map')).toBe(map);
    expect(eventTerm(e, 'binary', 'list')).toBe(list);
    expect(map).not.toBe(list);
    const m = map.elements[1] as ErlMap;
    // (an ASCII value may be kept as its JS string, which goes on the wire as the same binary)
    expect(encode(m.get(new Uint8Array(Buffer.from('R')))!)).toEqual(encode([new Uint8Array(Buffer.from('a')), new Uint8Array(Buffer.from('b'))]));
    expect(m.has(atom('body'))).toBe(false);
    e.addHeader('X', '1');
    expect(eventTerm(e, 'binary', 'map')).not.toBe(map);
  });

  it('events share unchanged {Name, Value} pairs but never a stale value; a changed event is encoded again', () => {
    for (const enc of ['string', 'binary'] as const) {
      const wire = (x: unknown) => Buffer.from(encode(x as never)).toString('hex');
      const text = (x: unknown) => (Array.isArray(x) ? Buffer.from(x as number[]) : Buffer.from(x as Uint8Array)).toString();
      const values = (term: Tuple) =>
        ((term.elements[1] as unknown[]).slice(1) as Tuple[]).map((p) => `${text(p.elements[0])}=${text(p.elements[1])}`);
      const a = ev(
        'CUSTOM',
        [
          ['Host', 'h'],
          ['Seq', '1'],
          ['V', 'a%20b'],
        ],
        'x::y',
      );
      const b = ev(
        'CUSTOM',
        [
          ['Host', 'h'],
          ['Seq', '2'],
          ['V', 'a%20b'],
        ],
        'x::y',
      );
      const c = ev(
        'CUSTOM',
        [
          ['Host', 'h2'],
          ['Seq', '1'],
          ['V', 'a b'],
        ],
        'x::y',
      );
      const ta = eventTerm(a, enc);
      const tb = eventTerm(b, enc);
      const tb2 = eventTerm(
        ev(
          'CUSTOM',
          [
            ['Host', 'h'],
            ['Seq', '3'],
            ['V', 'a%20b'],
          ],
          'x::y',
        ),
        enc,
      );
      const tc = eventTerm(c, enc);
      expect(values(ta)).toEqual(['Event-Name=CUSTOM', 'Host=h', 'Seq=1', 'V=a b']);
      expect(values(tb)).toEqual(['Event-Name=CUSTOM', 'Host=h', 'Seq=2', 'V=a b']);
      expect(values(tc)).toEqual(['Event-Name=CUSTOM', 'Host=h2', 'Seq=1', 'V=a b']);
      // a value seen twice in a row: from then on one pair object, with bytes of its own
      const host = (term: Tuple) => (term.elements[1] as unknown[])[2] as Tuple;
      expect(host(tb2)).toBe(host(tb));
      expect(values(tb2)).toEqual(['Event-Name=CUSTOM', 'Host=h', 'Seq=3', 'V=a b']);
      const bytes = host(tb).elements[1];
      if (bytes instanceof Uint8Array) expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
      // a's term was built before b and c: its bytes are what they were
      expect(wire(ta)).toBe(
        wire(
          eventTerm(
            ev(
              'CUSTOM',
              [
                ['Host', 'h'],
                ['Seq', '1'],
                ['V', 'a%20b'],
              ],
              'x::y',
            ),
            enc,
          ),
        ),
      );
      a.addHeader('Seq', '9', 'bottom');
      const ta2 = eventTerm(a, enc);
      expect(ta2).not.toBe(ta);
      expect(values(ta2).at(-1)).toBe('Seq=9');
    }
  });

  it('a log term: 7 fields in order, strings whatever the encoding', () => {
    const term = logTerm({ level: 4, levelName: 'WARNING', text: 'w', userData: '', file: 'f.c', func: 'fn', line: 7, epochUs: 0, data: 'line\n' });
    expect(term).toEqual(
      t(atom('log'), [
        t(atom('level'), 4),
        t(atom('text_channel'), 0),
        t(atom('file'), [...Buffer.from('f.c')]),
        t(atom('func'), [...Buffer.from('fn')]),
        t(atom('line'), 7),
        t(atom('data'), [...Buffer.from('line\n')]),
        t(atom('user_data'), []),
      ]),
    );
  });

  it('the seed status text', () => {
    const modern =
      'UP 0 years, 0 days, 0 hours, 0 minutes, 35 seconds, 692 milliseconds, 193 microseconds\nFreeSWITCH (Version 1.10.12-release  64bit) is ready\n2 session(s) since startup\n1 session(s) - peak 2, last 5min 2 \n0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n1000 session(s) max\nmin idle cpu 0.00/100.00\n';
    expect(seedStatus(modern)).toBe(
      'Content-Type: text/html\n\nUP 0 years, 0 days, 0 hours, 0 minutes, 35 seconds, 692 milliseconds, 193 microseconds\n2 session(s) since startup\n1 session(s) 0/30\n',
    );
  });
});

describe('input decoders', () => {
  it('SB: strings and binaries; [] and size-0 terms are empty; atoms, tuples, long strings refused', () => {
    expect(decodeSB([104, 105])).toBe('hi');
    expect(decodeSB(new Uint8Array([104]))).toBe('h');
    expect(decodeSB([])).toBe('');
    expect(decodeSB(42)).toBe('');
    // INTEGER_EXT's range is empty; a bignum (SMALL_BIG_EXT: ei_get_type's size is its byte count) is refused
    expect([decodeSB(-0x80000000), decodeSB(0x7fffffff)]).toEqual(['', '']);
    expect([decodeSB(0x80000000), decodeSB(-0x80000001), decodeSB(2n ** 80n)]).toEqual([undefined, undefined, undefined]);
    expect(decodeSB(new Pid(atom('a@b'), 1, 0, 0))).toBe('');
    expect(decodeSB(new Tuple([]))).toBe('');
    expect(decodeSB(atom('x'))).toBeUndefined();
    expect(decodeSB(t(1))).toBeUndefined();
    expect(decodeSB([300])).toBeUndefined();
    expect(decodeSB([1, 2, 3], 2)).toBeUndefined();
  });

  it('LStr refuses binaries; header lists must be all {LStr, LStr}', () => {
    expect(decodeLStr(new Uint8Array([1]))).toBeUndefined();
    expect(decodeHeaders([t([65], [])])).toEqual([['A', '']]);
    expect(decodeHeaders([t([65], new Uint8Array([1]))])).toBeUndefined();
    expect(decodeHeaders([t([65])])).toBeUndefined();
    expect(decodeHeaders(atom('x'))).toBeUndefined();
  });

  it('log levels: names in any case, error as err, numbers clamped, console and unknown refused', () => {
    expect(['ERR', 'error', 'debug', 'disable', '5', '99', 'console', '0', 'warn', 'verbose'].map(parseLogLevel)).toEqual([
      3,
      3,
      7,
      -1,
      5,
      63,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
