/**
 * mod_valet_parking: the `valet_park` application, the `valet_info [<lot>]` API (the lots and
 * their live slots as XML, lots filtered by name in any case) and the PRESENCE_PROBE binding that
 * answers `park+…` subscriptions.
 */
import type { ApiCommand } from '../api/registry.ts';
import type { Application } from '../applications/types.ts';
import type { SwitchCore } from '../core/core.ts';
import { caseEqual } from '../internal/strings.ts';
import { valetLots } from './lots.ts';
import { answerProbe } from './presence.ts';
import { VALET_PARK_APP } from './valet_park.ts';

/** valet_info_function. */
export function valetInfo(core: SwitchCore, lotName: string): string {
  let out = '<lots>\n';
  for (const [name, lot] of valetLots(core).lots) {
    if (lotName !== '' && !caseEqual(lotName, name)) continue;
    out += `  <lot name="${name}">\n`;
    for (const [ext, t] of lot.tickets) if (!t.timeout) out += `    <extension uuid="${t.uuid}">${ext}</extension>\n`;
    out += '  </lot>\n';
  }
  return `${out}</lots>\n`;
}

export const VALET_COMMANDS: readonly ApiCommand[] = [
  {
    name: 'valet_info',
    syntax: '[<lot name>]',
    description: 'Valet Parking Info',
    module: 'mod_valet_parking',
    run: (args, env) => valetInfo(env.core, args.trim()),
  },
];

export const VALET_APPLICATIONS: readonly Application[] = [VALET_PARK_APP];

/** The module's load: PRESENCE_PROBE events for `park+<lot or slot>@<domain>` are answered. */
export function loadValetParking(core: SwitchCore): void {
  core.bus.subscribe({ name: 'mod_valet_parking', types: ['PRESENCE_PROBE'], handler: (e) => answerProbe(core, e) });
}
