import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime, TestClock } from '@beamline/core';
import type { SwitchEvent } from '../src/index.ts';
import { staticDialplan } from '../src/dialplan/dialplan.ts';
import { type SwitchOptions, startSwitch } from '../src/switch.ts';
import type { Application } from '../src/applications/types.ts';
import type { DtmfSource } from '../src/channel/dtmf_queue.ts';

export async function setup(options: SwitchOptions = {}) {
  const clock = new TestClock();
  const rt = new Runtime({ clock, logger: null });
  const logs: string[] = [];
  const sw = await startSwitch(rt, {
    identity: { coreUuid: '0b7c2d0e-1111-4222-8333-944455556666', hostname: 'fs1' },
    startEpochMs: 1_725_358_272_000,
    utcOffsetMinutes: () => 0,
    log: (l) => logs.push(`${l.level} ${l.text}`),
    dialplan: staticDialplan({
      default: {
        '1000': [['answer'], ['park']],
        '2000': [
          ['set', 'foo=bar'],
          ['hangup', 'USER_BUSY'],
        ],
      },
    }),
    ...options,
  });
  const sub = sw.events.subscribe({ name: 'test' });
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await rt.settle();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { rt, clock, sw, sub, logs, settle };
}

export type Setup = Awaited<ReturnType<typeof setup>>;

/** The package's default conf/ directory. */
export const DEFAULT_CONF = join(dirname(fileURLToPath(import.meta.url)), '..', 'conf');

/** A copy of the default conf/ in a temporary directory, for a test to change. */
export function copyConf(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-conf-'));
  cpSync(DEFAULT_CONF, dir, { recursive: true });
  return dir;
}

/** `originate null/1 <dest>` (an extension, or `&app()`): the new call's uuid, once the switch settled. */
export async function callNull(t: Setup, dest: string, n = 1): Promise<string> {
  const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(await t.sw.originate(`null/${n} ${dest}`))?.[1];
  if (uuid === undefined) throw new Error('originate failed');
  await t.settle();
  return uuid;
}

/** `originate null/<n> &park()`: the new call's uuid, once it is parked. */
export const parkedNull = (t: Setup, n = 1): Promise<string> => callNull(t, '&park()', n);

/** The switch, then its runtime, stopped. */
export async function stopSetup(t: Setup): Promise<void> {
  await t.sw.stop();
  await t.rt.stop();
}

/** Two parked null calls bridged with uuid_bridge (A the originator), their events taken. */
export async function bridgedNulls(t: Setup): Promise<{ a: string; b: string }> {
  const a = await parkedNull(t, 1);
  const b = await parkedNull(t, 2);
  if ((await t.sw.api(`uuid_bridge ${a} ${b}`)) !== `+OK ${b}\n`) throw new Error('uuid_bridge failed');
  await t.settle();
  t.sub.take();
  return { a, b };
}

/** The trace columns: name, Channel-State, Channel-State-Number, Channel-Call-State, Answer-State. */
export function row(e: SwitchEvent): string {
  const h = (n: string) => e.getHeader(n) ?? '-';
  return `${e.type} ${h('Channel-State')}/${h('Channel-State-Number')} ${h('Channel-Call-State')} ${h('Answer-State')}`;
}

export const crashApp: Application = {
  name: 'crash',
  run: () => {
    throw new Error('boom');
  },
};

/** The clock moved to `ms` (from the test's start) in steps, letting the switch run after each. */
export async function at(t: Setup, ms: number): Promise<void> {
  await t.settle();
  while (t.clock.now() < ms) {
    await t.clock.advance(Math.min(100, ms - t.clock.now()));
    await t.settle();
  }
}

/** An answer with the clock time it came at. */
export function timed<T>(t: Setup, p: Promise<T>): { value?: T; time?: number } {
  const out: { value?: T; time?: number } = {};
  void p.then((v) => {
    out.value = v;
    out.time = t.clock.now();
  });
  return out;
}

/** `far_end_dtmf <digits> [source]`: the far end sends those digits to the channel (800 ms each, from `source`). */
export const farEndDtmf: Application = {
  name: 'far_end_dtmf',
  run: (ch, data, done) => {
    const [digits = '', source = 'UNKNOWN'] = data.split(' ');
    for (const d of digits) ch.receiveDtmf(d, 800, source as DtmfSource);
    void done();
    return undefined;
  },
};
