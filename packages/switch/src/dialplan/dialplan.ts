/** The dialplan a channel routes through: the XML dialplan over a parsed document, or a table in memory. */
import type { XmlBindings } from '../config/xml_fetch.ts';
import type { XmlElement } from '../config/xml.ts';
import { type DialplanEnv, type Extension, type HuntResult, huntDialplan } from './xml_match.ts';

export interface Dialplan {
  hunt(env: DialplanEnv): HuntResult | Promise<HuntResult>;
}

/**
 * mod_dialplan_xml's dialplan_xml_locate: when a binding serves `dialplan`, the hunt runs in the
 * section it gives (tag, key and value NULL; the channel's data and `Hunt-*` fields as params);
 * otherwise, or when no binding answers, in `fallback` (the static XML or a table).
 */
export function fetchingDialplan(bindings: XmlBindings, fallback: Dialplan | undefined): Dialplan {
  const none: HuntResult = { extension: undefined };
  return {
    hunt(env) {
      if (!bindings.serves('dialplan')) return fallback ? fallback.hunt(env) : none;
      return bindings
        .fetch({ section: 'dialplan', tagName: undefined, keyName: undefined, keyValue: undefined, params: env.requestParams?.() })
        .then((section) => (section ? huntDialplan(section, env) : fallback ? fallback.hunt(env) : none));
    },
  };
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
