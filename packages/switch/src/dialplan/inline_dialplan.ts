/**
 * The `inline` dialplan (mod_dptools' inline_dialplan_hunt): the destination itself lists the
 * applications, `app[:data],app[:data]…`; `m:<d>:` in front picks another delimiter than `,`.
 */
import { separateString } from '../internal/strings.ts';
import type { Dialplan } from './dialplan.ts';
import type { Extension } from './xml_match.ts';

const MAX_APPLICATIONS = 128;

export function inlineExtension(destination: string): Extension | undefined {
  if (destination === '') return undefined;
  let list = destination;
  let delim = ',';
  if (list[0] === 'm' && list[1] === ':' && list[3] === ':') {
    delim = list[2] ?? ',';
    list = list.slice(4);
  }
  const applications = separateString(list, delim, MAX_APPLICATIONS).map((item) => {
    const colon = item.indexOf(':');
    const application = (colon < 0 ? item : item.slice(0, colon)).replace(/^ +/, '');
    return { application, data: colon < 0 ? '' : item.slice(colon + 1) };
  });
  return { name: 'inline', number: 'inline', applications };
}

export const INLINE_DIALPLAN: Dialplan = {
  hunt: (env) => ({ extension: inlineExtension(env.profile.destinationNumber ?? '') }),
};
