/**
 * `inline="true"` dialplan actions (mod_dialplan_xml's exec_app): run during the hunt, in
 * CS_ROUTING, before the conditions after them are evaluated. Only applications FreeSWITCH flags
 * SAF_ROUTING_EXEC may (the variable and logging ones); another logs `This application cannot be
 * executed inline` and is skipped; an unknown one hangs the channel up (DESTINATION_OUT_OF_ORDER)
 * as a normal execute does.
 */
import type { Application } from '../applications/types.ts';
import type { SwitchCore } from '../core/core.ts';

/** What of a channel an inline application needs. */
export interface InlineHost {
  readonly uuid: string;
  readonly core: SwitchCore;
  readonly services: { readonly applications: ReadonlyMap<string, Application> };
  /** The channel's execute: true when the application finished at once, else `then` runs when it does. */
  execute(name: string, data: string, then: () => Promise<void>): Promise<boolean>;
}

/** mod_dptools' applications with SAF_ROUTING_EXEC among those this switch has. */
export const ROUTING_EXEC: ReadonlySet<string> = new Set([
  'set',
  'export',
  'unset',
  'multiset',
  'log',
  'info',
  'event',
  'eval',
  'push',
  'unshift',
  'set_global',
]);

export function executeInline(ch: InlineHost, name: string, data: string): Promise<void> {
  const app = ch.services.applications.get(name.toLowerCase());
  if (app && !(app.routingExec ?? ROUTING_EXEC.has(app.name.toLowerCase()))) {
    ch.core.log('ERR', 'This application cannot be executed inline', ch.uuid);
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    ch.execute(name, data, async () => resolve()).then((finished) => {
      if (finished) resolve();
    }, reject);
  });
}
