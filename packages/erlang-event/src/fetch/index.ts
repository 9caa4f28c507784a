/** XML-fetch bindings (spec §1.14–§1.15, §2.4): `{bind, Section}`, `{fetch_reply, ID, XML}`, the switch-side search function. */
export { FetchBindings, type FetchHost } from './bindings.ts';
export { sectionBit, sectionLabel, sectionMask } from './sections.ts';
