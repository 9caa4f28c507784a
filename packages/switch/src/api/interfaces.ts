/**
 * The core db's `interfaces` table (switch_core_sqldb.c, filled from each module's MODULE_LOAD
 * events by switch_loadable_module_process), built when asked from the live registries: the API
 * commands, the applications, the endpoints and the speech engines as modules have added them, the say modules, and
 * the interfaces beamline has natively (api/interface_catalog.ts).
 */
import type { ApiCommand, ApiRegistry } from './registry.ts';
import type { Application } from '../applications/types.ts';
import type { EndpointInterface } from '../channel/channel.ts';
import { sayModuleNames } from '../say/say.ts';
import { lookup } from '../internal/strings.ts';
import type { SpeechInterface } from '../speech/registry.ts';
import {
  API_REGISTRATIONS,
  APPLICATION_REGISTRATIONS,
  BEAMLINE_MODULE,
  ENDPOINT_MODULES,
  NATIVE_INTERFACES,
  type Registration,
  moduleFilename,
  sayModule,
} from './interface_catalog.ts';

/** A row: `ikey` is the module's name, `filename` its file. */
export type InterfaceRow = {
  readonly type: string;
  readonly name: string;
  readonly description: string;
  readonly syntax: string;
  readonly ikey: string;
  readonly filename: string;
};

/** Where the rows come from. */
export interface InterfaceSources {
  readonly registry: ApiRegistry;
  readonly applications: ReadonlyMap<string, Application>;
  readonly endpoints: ReadonlyMap<string, EndpointInterface>;
  /** The speech engines (speech/registry.ts). */
  readonly speech?: readonly SpeechInterface[];
}

/** A command's or application's own syntax / description / module first, then FreeSWITCH's registration. */
function registration(
  own: { readonly syntax?: string | undefined; readonly description?: string | undefined; readonly module?: string | undefined },
  known: Registration | undefined,
): Registration {
  return [own.syntax ?? known?.[0] ?? '', own.description ?? known?.[1] ?? '', own.module ?? known?.[2] ?? BEAMLINE_MODULE];
}

export const apiRegistration = (c: ApiCommand): Registration => registration(c, lookup(API_REGISTRATIONS, c.name.toLowerCase()));

const row = (type: string, name: string, [syntax, description, ikey]: Registration): InterfaceRow => ({
  type,
  name,
  description,
  syntax,
  ikey,
  filename: moduleFilename(ikey),
});

/** Every interface, in no particular order. */
export function interfaceRows(src: InterfaceSources): InterfaceRow[] {
  const rows: InterfaceRow[] = [];
  for (const n of src.registry.names()) {
    const c = src.registry.get(n);
    if (c) rows.push(row('api', c.name, apiRegistration(c)));
  }
  for (const app of src.applications.values())
    rows.push(row('application', app.name, registration(app, lookup(APPLICATION_REGISTRATIONS, app.name.toLowerCase()))));
  for (const name of src.endpoints.keys()) rows.push(row('endpoint', name, ['', '', lookup(ENDPOINT_MODULES, name) ?? BEAMLINE_MODULE]));
  for (const engine of src.speech ?? []) rows.push(row('speech', engine.name, ['', '', engine.module]));
  for (const lang of sayModuleNames()) rows.push(row('say', lang, ['', '', sayModule(lang)]));
  for (const [type, name, module] of NATIVE_INTERFACES) rows.push(row(type, name, ['', '', module]));
  return rows;
}

/** SQLite's BINARY order on text (UTF-16 code units order as UTF-8 bytes do, outside the surrogates). */
export const binaryCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `order by type,name`. */
export const byTypeAndName = (a: InterfaceRow, b: InterfaceRow): number => binaryCompare(a.type, b.type) || binaryCompare(a.name, b.name);
