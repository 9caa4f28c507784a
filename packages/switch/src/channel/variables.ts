/**
 * Channel variables as FreeSWITCH keeps them: an event of type CHANNEL_DATA whose header names
 * are unique (setting a name again removes the old entry and appends the new one, so the order
 * is the order of last assignment; names compare without regard to case; an empty value unsets).
 * Lookups go scope variables → channel variables → caller profile fields (with `aleg_`/`bleg_`
 * for the originator/originatee profile) → global variables (switch_channel_get_variable_dup).
 */
import { SwitchEvent } from '../events/event.ts';
import { type CallerProfile, profileField } from './profile.ts';

export function newVariables(): SwitchEvent {
  return new SwitchEvent('CHANNEL_DATA');
}

export interface VariableSources {
  readonly variables: SwitchEvent;
  /** Scope variables (set for the duration of one application), innermost first. */
  readonly scopes?: readonly SwitchEvent[];
  readonly profile?: CallerProfile;
  readonly originatorProfile?: CallerProfile;
  readonly originateeProfile?: CallerProfile;
  readonly globals?: (name: string) => string | undefined;
}

/** The value of `name` (item `index` of an array variable when index ≥ 0), or undefined. */
export function channelVariable(src: VariableSources, name: string, index = -1): string | undefined {
  if (!name) return undefined;
  // no closure here: this runs for every header of every channel event
  if (src.scopes) {
    for (const scope of src.scopes) {
      const v = index > -1 ? scope.getHeaderItem(name, index) : scope.getHeader(name);
      if (v !== undefined) return v;
    }
  }
  const v = index > -1 ? src.variables.getHeaderItem(name, index) : src.variables.getHeader(name);
  if (v !== undefined) return v;
  let profile = src.profile;
  let field = name;
  if (profile) {
    if (name.startsWith('aleg_')) {
      profile = src.originatorProfile;
      field = name.slice(5);
    } else if (name.startsWith('bleg_')) {
      profile = src.originateeProfile;
      field = name.slice(5);
    }
  }
  const fromProfile = profile ? profileField(profile, field) : undefined;
  return fromProfile ?? src.globals?.(field);
}
