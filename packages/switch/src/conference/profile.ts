/**
 * Conference profiles. No conference.conf is read: the `default` profile is vanilla
 * conference.conf.xml's, as far as this module acts on it — rate 8000, interval 20, energy-level
 * 100, comfort-noise (level 1400), domain `$${domain}`; any other name is a profile the
 * configuration lacks, which FreeSWITCH runs with conference_new's own defaults under the name
 * `none` (energy-level 0: every frame is heard; no comfort noise).
 */
import type { SwitchCore } from '../core/core.ts';

export interface ConferenceProfile {
  /** Conference-Profile-Name. */
  readonly name: string;
  readonly energyLevel: number;
  /** switch_generate_sln_silence's divisor; 0: silence is a packet of -1s. */
  readonly comfortNoise: number;
  /** The `domain` param (empty: none). */
  readonly domain: string | undefined;
}

export function conferenceProfile(name: string, core: SwitchCore): ConferenceProfile {
  if (name !== 'default') return { name: 'none', energyLevel: 0, comfortNoise: 0, domain: undefined };
  return { name, energyLevel: 100, comfortNoise: 1400, domain: core.globals.get('domain') || undefined };
}
