import { describe, expect, it } from 'vitest';
import { SwitchCore } from '../src/core/core.ts';
import { makeIdentity } from '../src/core/identity.ts';
import type { SwitchEvent } from '../src/index.ts';

function core(now = () => 0, log: string[] = []) {
  return new SwitchCore({
    identity: makeIdentity({ coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'h1' }),
    startEpochMs: 1_725_358_272_000,
    now,
    utcOffsetMinutes: () => 0,
    log: (l) => log.push(`${l.level} ${l.text}`),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('event bus', () => {
  it('stamps the standard headers with a strictly increasing sequence and the runtime clock', () => {
    let t = 0;
    const c = core(() => t);
    const a = c.bus.create('HEARTBEAT');
    t = 1500.25;
    const b = c.bus.create('CUSTOM', 'my::sub');
    expect(a.headers.slice(0, 13).map((h) => h.name)).toEqual([
      'Event-Name',
      'Core-UUID',
      'FreeSWITCH-Hostname',
      'FreeSWITCH-Switchname',
      'FreeSWITCH-IPv4',
      'FreeSWITCH-IPv6',
      'Event-Date-Local',
      'Event-Date-GMT',
      'Event-Date-Timestamp',
      'Event-Calling-File',
      'Event-Calling-Function',
      'Event-Calling-Line-Number',
      'Event-Sequence',
    ]);
    expect(a.getHeader('Event-Sequence')).toBe('1');
    expect(b.getHeader('Event-Sequence')).toBe('2');
    expect(a.getHeader('Event-Date-Timestamp')).toBe('1725358272000000');
    expect(b.getHeader('Event-Date-Timestamp')).toBe('1725358273500250');
    expect(a.getHeader('Event-Date-Local')).toBe('2024-09-03 10:11:12');
    expect(b.getHeader('Event-Subclass')).toBe('my::sub');
    expect(a.getHeader('Core-UUID')).toBe('0b7c2d0e-1111-4222-8333-944455556666');
    expect(a.getHeader('Event-Calling-Function')).toBe('send_heartbeat');
  });

  it('delivers in fire order to every matching subscriber', async () => {
    const c = core();
    const all: string[] = [];
    const some: string[] = [];
    c.bus.subscribe({ handler: (e) => all.push(`${e.type}#${e.getHeader('Event-Sequence')}`) });
    c.bus.subscribe({ types: ['CHANNEL_CREATE', 'CHANNEL_DESTROY'], handler: (e) => some.push(e.type) });
    const events = ['CHANNEL_CREATE', 'HEARTBEAT', 'CHANNEL_DESTROY'] as const;
    const made = events.map((t) => c.bus.create(t));
    // fired in another order than created: delivery follows fire order, sequences show creation
    c.fire(made[1] as SwitchEvent);
    c.fire(made[0] as SwitchEvent);
    c.fire(made[2] as SwitchEvent);
    await tick();
    expect(all).toEqual(['HEARTBEAT#2', 'CHANNEL_CREATE#1', 'CHANNEL_DESTROY#3']);
    expect(some).toEqual(['CHANNEL_CREATE', 'CHANNEL_DESTROY']);
  });

  it('filters CUSTOM events by subclass', async () => {
    const c = core();
    const sub = c.bus.subscribe({ types: ['CUSTOM'], subclasses: ['a::b'] });
    const every = c.bus.subscribe({ types: ['CUSTOM'] });
    c.fire(c.bus.create('CUSTOM', 'a::b'));
    c.fire(c.bus.create('CUSTOM', 'x::y'));
    c.fire(c.bus.create('HEARTBEAT'));
    expect(sub.take().map((e) => e.subclass)).toEqual(['a::b']);
    expect(every.take().map((e) => e.subclass)).toEqual(['a::b', 'x::y']);
  });

  it('a full queue drops, counts and logs; other subscribers are not affected', async () => {
    const log: string[] = [];
    const c = core(() => 0, log);
    const small = c.bus.subscribe({ capacity: 3, name: 'slow' });
    const big = c.bus.subscribe({});
    for (let i = 0; i < 10; i++) c.fire(c.bus.create('HEARTBEAT'));
    expect(small.overflow).toBe(7);
    expect(small.queued).toBe(3);
    expect(small.take().map((e) => e.getHeader('Event-Sequence'))).toEqual(['1', '2', '3']);
    expect(big.take()).toHaveLength(10);
    expect(log.filter((l) => l.includes('event queue of slow full'))).toHaveLength(7);
    expect(c.bus.stats().find((s) => s.name === 'slow')?.overflow).toBe(7);
    c.fire(c.bus.create('HEARTBEAT'));
    expect(small.queued).toBe(1);
  });

  it('next() waits for the next event; unsubscribe stops delivery', async () => {
    const c = core();
    const sub = c.bus.subscribe({ types: ['API'] });
    const p = sub.next();
    c.fire(c.bus.create('API'));
    expect((await p).type).toBe('API');
    sub.unsubscribe();
    c.fire(c.bus.create('API'));
    expect(sub.queued).toBe(0);
  });
});
