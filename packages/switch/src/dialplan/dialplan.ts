/** The dialplan a channel routes through: the XML dialplan over a parsed document, or a table in memory. */
import type { XmlBindings } from '../config/xml_fetch.ts';
import type { XmlElement } from '../config/xml.ts';
import { datetimeCheck } from './time_match.ts';
import { type DialplanEnv, type Extension, type HuntResult, huntDialplanAsync } from './xml_match.ts';

export interface Dialplan {
  /** A promise when inline applications or XML-fetch bindings are waited for. */
  hunt(env: DialplanEnv): HuntResult | Promise<HuntResult>;
}

/** Where the XML dialplan's time-of-day conditions read the time (the switch core has both). */
export interface DialplanClock {
  /** Epoch microseconds now. */
  nowUs(): number;
  /** The switch's zone: minutes east of UTC at an instant. */
  utcOffsetMinutes(epochMs: number): number;
}

/**
 * The hunt with time-of-day conditions evaluated at the clock's now (in the channel's
 * `tod_tz_offset` or `timezone`, else the switch's zone), unless the caller brings its own.
 */
export function huntWithClock(section: XmlElement, env: DialplanEnv, clock: DialplanClock | undefined): Promise<HuntResult> {
  if (!clock || env.timeMatch) return huntDialplanAsync(section, env);
  return huntDialplanAsync(section, {
    ...env,
    timeMatch: (el) =>
      datetimeCheck(el, {
        epochMs: Math.floor(clock.nowUs() / 1000),
        utcOffsetMinutes: (ms) => clock.utcOffsetMinutes(ms),
        tzOffset: env.variable('tod_tz_offset'),
        timezone: env.variable('timezone'),
        log: (level, text) => env.log?.(level, text),
      }),
  });
}

/**
 * mod_dialplan_xml's dialplan_xml_locate: when a binding serves `dialplan`, the hunt runs in the
 * section it gives (tag, key and value NULL; the channel's data and `Hunt-*` fields as params);
 * otherwise, or when no binding answers, in `fallback` (the static XML or a table).
 */
export function fetchingDialplan(bindings: XmlBindings, fallback: Dialplan | undefined, clock?: DialplanClock): Dialplan {
  const none: HuntResult = { extension: undefined };
  return {
    hunt(env) {
      if (!bindings.serves('dialplan')) return fallback ? fallback.hunt(env) : none;
      return bindings
        .fetch({ section: 'dialplan', tagName: undefined, keyName: undefined, keyValue: undefined, params: env.requestParams?.() })
        .then((section) => (section ? huntWithClock(section, env, clock) : fallback ? fallback.hunt(env) : none));
    },
  };
}

/** mod_dialplan_xml over the element that holds the `<context>`s. */
export function xmlDialplan(section: XmlElement, clock?: DialplanClock): Dialplan {
  return { hunt: (env) => huntWithClock(section, env, clock) };
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
