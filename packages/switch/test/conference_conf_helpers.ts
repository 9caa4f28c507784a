/** What the conference.conf tests share: a conf dir holding a conference.conf, tones to tell sounds apart, who heard what. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SwitchEvent } from '../src/index.ts';
import { ulawToLinear } from '../src/media/g711.ts';
import { share } from '../../../tools/sipp/audio.ts';
import type { Leg } from './conference_helpers.ts';

/** A `<profile>` with these params. */
export const profile = (name: string, params: Record<string, string>) =>
  `<profile name="${name}">\n${Object.entries(params)
    .map(([n, v]) => `  <param name="${n}" value="${v}"/>`)
    .join('\n')}\n</profile>`;

/** A conf dir whose freeswitch.xml has conference.conf with `body` (its profiles, caller-controls). */
export function confWith(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'beamline-conference-conf-'));
  const file = join(dir, 'freeswitch.xml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    [
      '<document type="freeswitch/xml">',
      '  <X-PRE-PROCESS cmd="set" data="domain=example.org"/>',
      '  <section name="configuration">',
      '    <configuration name="conference.conf">',
      body,
      '    </configuration>',
      '  </section>',
      '</document>',
      '',
    ].join('\n'),
  );
  return dir;
}

/** `ms` of a `freq` Hz tone. */
export const tone = (freq: number, ms: number) => `tone_stream://%(${ms},0,${freq})`;

/** What each packet a leg heard from `from` on was: the name of the tone in it, or `-`. */
export function heardTones(l: Leg, from: number, tones: Readonly<Record<string, number>>): string[] {
  return l.heard.slice(from).map((f) => {
    const samples = [...f.payload].map(ulawToLinear);
    return Object.entries(tones).find(([, freq]) => share(samples, freq) > 0.5)?.[0] ?? '-';
  });
}

/** Runs of equal names: `[name, how many]`. */
export function runs(names: readonly string[]): [string, number][] {
  const out: [string, number][] = [];
  for (const n of names) {
    const last = out.at(-1);
    if (last && last[0] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/** PLAYBACK_START / PLAYBACK_STOP of one channel: `START <path>` / `STOP <path> <status>`. */
export const playbacks = (events: SwitchEvent[], uuid: string) =>
  events
    .filter((e) => (e.type === 'PLAYBACK_START' || e.type === 'PLAYBACK_STOP') && e.getHeader('Unique-ID') === uuid)
    .map((e) =>
      [e.type === 'PLAYBACK_START' ? 'START' : 'STOP', e.getHeader('Playback-File-Path'), e.getHeader('Playback-Status')].filter(Boolean).join(' '),
    );
