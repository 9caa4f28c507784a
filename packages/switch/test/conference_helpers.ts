/** What the conference tests share: null legs as members (what each heard, a way to speak), the clock's ticks, the events. */
import { expect } from 'vitest';
import type { AudioFrame, MediaPort, SwitchEvent } from '../src/index.ts';
import { ulawToLinear } from '../src/media/g711.ts';
import type { Setup } from './switch_helpers.ts';

export const MAINT = 'conference::maintenance';
export const uuid = (n: number) =>
  `${String(n).repeat(8)}-${String(n).repeat(4)}-4${String(n).repeat(3)}-8${String(n).repeat(3)}-${String(n).repeat(12)}`;

/** A member's far end: what it heard (its port's frames) and a way to speak. */
export interface Leg {
  readonly uuid: string;
  readonly heard: AudioFrame[];
  /** One 20 ms packet of one μ-law byte from the far end. */
  say(byte: number): void;
}

export function leg(t: Setup, n: number): Leg {
  const frames: AudioFrame[] = [];
  const port: MediaPort = { codec: 'PCMU', write: (f) => frames.push(f) };
  const id = uuid(n);
  t.sw.core.media.attach(id, port);
  return {
    uuid: id,
    heard: frames,
    say: (byte) => t.sw.core.media.deliver(id, { codec: 'PCMU', payload: new Uint8Array(160).fill(byte), samples: 160 }),
  };
}

/** null/<n> originated into `conference(<data>)`. */
export async function join(t: Setup, n: number, data = 'room'): Promise<Leg> {
  const l = leg(t, n);
  expect(await t.sw.originate(`{origination_uuid=${l.uuid}}null/${n} &conference(${data})`)).toBe(`+OK ${l.uuid}\n`);
  await t.settle();
  return l;
}

/** `n` ticks of the conference's 20 ms clock. */
export async function tick(t: Setup, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.clock.advance(20);
    await t.settle();
  }
}

/** The last packet a leg heard, as linear samples (each packet here holds one value). */
export function lastHeard(l: Leg): number {
  const samples = [...(l.heard.at(-1)?.payload ?? [])].map(ulawToLinear);
  expect(new Set(samples).size).toBe(1);
  return samples[0] as number;
}

export const conferenceEvents = (events: SwitchEvent[]) => events.filter((e) => e.subclass === MAINT);
export const actions = (events: SwitchEvent[]) =>
  conferenceEvents(events).map((e) => `${e.getHeader('Action')}${e.getHeader('Member-ID') ? ` ${e.getHeader('Member-ID')}` : ''}`);
/** The headers from the first one named `from` on. */
export const headersFrom = (e: SwitchEvent, from: string) => {
  const all = e.headers.map((h) => [h.name, h.value]);
  return all.slice(all.findIndex(([n]) => n === from));
};

export const MEMBER_FLAGS_TAIL = (o: {
  talking?: boolean;
  speak?: boolean;
  hear?: boolean;
  id: number;
  type?: string;
  energy?: number;
  current?: number;
}) => [
  ['Video', 'false'],
  ['Hear', String(o.hear ?? true)],
  ['See', 'true'],
  ['Speak', String(o.speak ?? true)],
  ['Talking', String(o.talking ?? false)],
  ['Mute-Detect', 'false'],
  ['Hold', 'false'],
  ['Member-ID', String(o.id)],
  ['Member-Type', o.type ?? 'member'],
  ['Member-Ghost', 'false'],
  ['Energy-Level', String(o.energy ?? 100)],
  ['Current-Energy', String(o.current ?? 0)],
];
