/**
 * `inline="true"` dialplan actions (mod_dialplan_xml's exec_app): run during the hunt, in
 * CS_ROUTING, before the conditions after them are evaluated. Only applications flagged
 * `routingExec` (FreeSWITCH's SAF_ROUTING_EXEC: the variable and logging ones) may; another logs
 * `This application cannot be executed inline` and is skipped; an unknown one hangs the channel up (DESTINATION_OUT_OF_ORDER)
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

export function executeInline(ch: InlineHost, name: string, data: string): Promise<void> {
  const app = ch.services.applications.get(name.toLowerCase());
  if (app && app.routingExec !== true) {
    ch.core.log('ERR', 'This application cannot be executed inline', ch.uuid);
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    ch.execute(name, data, async () => resolve()).then((finished) => {
      if (finished) resolve();
    }, reject);
  });
}
