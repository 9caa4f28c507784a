/** The dialplan a channel routes through: the XML dialplan over a parsed document, or a table in memory. */
import type { XmlElement } from '../config/xml.ts';
import { type DialplanEnv, type Extension, type HuntResult, huntDialplan } from './xml_match.ts';

export interface Dialplan {
  hunt(env: DialplanEnv): HuntResult;
}

/** mod_dialplan_xml over the element that holds the `<context>`s. */
export function xmlDialplan(section: XmlElement): Dialplan {
  return { hunt: (env) => huntDialplan(section, env) };
}

/** `{ context: { destination: [[app, data], ...] } }`: exact destination numbers, no conditions. */
export type StaticDialplanTable = Readonly<Record<string, Readonly<Record<string, readonly (readonly [string, string?])[]>>>>;

export function staticDialplan(table: StaticDialplanTable): Dialplan {
  return {
    hunt(env) {
      const p = env.profile;
      const context = p.context || 'default';
      const dest = p.destinationNumber ?? '';
      env.log?.('INFO', `Processing ${p.callerIdName ?? ''} <${p.callerIdNumber ?? ''}>->${dest} in context ${context}`);
      const apps = table[context]?.[dest];
      if (!apps) return { extension: undefined, context };
      const extension: Extension = {
        name: dest,
        number: dest,
        applications: apps.map(([application, data]) => ({ application, data: data ?? '' })),
      };
      return { extension, context };
    },
  };
}
