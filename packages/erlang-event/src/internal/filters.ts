/**
 * `{filter, ...}` (spec §1.8): the command parser and the two evaluation semantics.
 *
 * - `seed` (default, DECISIONS.md): filters are "filter in" as the seed document says. Positive
 *   rules on the same header are OR-ed, rules on different headers AND-ed; a negative rule that
 *   matches vetoes; bare `+H` / `-H` test presence / absence of the header.
 * - `original`: the C module's walk (a non-matching positive rule drops and stops), so two
 *   positive rules on one header deliver nothing.
 *
 * Values: `/re/flags` is a regular expression matched against the header value; otherwise a
 * full-string comparison ignoring ASCII case (strcasecmp). Header names match in any case.
 */
import { caseEqual, regexPerform, type SwitchEvent } from '@beamline/switch';
import type { FilterSemantics } from '../config.ts';

export interface Filter {
  readonly header: string;
  readonly value: string;
}

export type FilterLogItem = { readonly op: 'added' | 'deleted'; readonly header: string; readonly value: string } | 'invalid';

/**
 * Applies one command atom's text to `filters`; returns the log item for the reply. The words
 * `add`, `delete` and `all` are matched ignoring case (strcasecmp), and `delete all <x>` clears
 * all as well, as handle_msg_filter does.
 */
export function filterCommand(filters: Filter[], text: string): FilterLogItem {
  const [word, rest] = splitFirst(text.trim());
  if (rest === undefined) return 'invalid';
  if (caseEqual(word, 'delete')) {
    const [header, value] = splitFirst(rest.trim());
    if (caseEqual(header, 'all')) filters.length = 0;
    else {
      for (let i = filters.length - 1; i >= 0; i--) {
        const f = filters[i]!;
        if (caseEqual(f.header, header) && (value === undefined || f.value === value)) filters.splice(i, 1);
      }
    }
    return { op: 'deleted', header, value: value ?? '' };
  }
  let header = word;
  let value: string | undefined = rest.trim();
  if (caseEqual(word, 'add')) [header, value] = splitFirst(value);
  // `add H` with no value: the original dereferences NULL here
  if (value === undefined || header === '' || value === '') return 'invalid';
  filters.push({ header, value });
  return { op: 'added', header, value };
}

/** The text before the first space, and after it (undefined when there is no space). */
function splitFirst(text: string): [string, string | undefined] {
  const sp = text.indexOf(' ');
  return sp < 0 ? [text, undefined] : [text.slice(0, sp), text.slice(sp + 1)];
}

interface Parsed {
  readonly negative: boolean;
  /** undefined: only presence / absence is tested. */
  readonly test: string | undefined;
}

function parse(value: string): Parsed {
  let i = 0;
  let negative = false;
  while (i < value.length && (value[i] === '+' || value[i] === '-' || value[i] === ' ')) {
    if (value[i] === '-') negative = true;
    else if (value[i] === '+') negative = false;
    i++;
  }
  const rest = value.slice(i);
  return { negative, test: rest === '' ? undefined : rest };
}

function matches(raw: string, test: string, headerValue: string): boolean {
  // the raw value decides the regex form (`/re/`), as the original looks at it before the prefix
  if (raw.startsWith('/') || test.startsWith('/')) return regexPerform(headerValue, raw.startsWith('/') ? raw : test).matched;
  return caseEqual(headerValue, test);
}

/** Whether `e` passes `filters` (an empty list passes everything). */
export function passes(filters: readonly Filter[], e: SwitchEvent, semantics: FilterSemantics): boolean {
  if (filters.length === 0) return true;
  return semantics === 'original' ? passesOriginal(filters, e) : passesSeed(filters, e);
}

function passesOriginal(filters: readonly Filter[], e: SwitchEvent): boolean {
  let send = true;
  for (const f of filters) {
    const hv = e.getHeader(f.header);
    if (hv === undefined) continue;
    const p = parse(f.value);
    if (p.test === undefined) {
      if (p.negative) return false;
      send = true;
      continue;
    }
    const m = matches(f.value, p.test, hv);
    if (m && p.negative) return false;
    if (!m && !p.negative) return false;
    send = true;
  }
  return send;
}

function passesSeed(filters: readonly Filter[], e: SwitchEvent): boolean {
  const positive = new Map<string, boolean>(); // header → some positive rule matched
  for (const f of filters) {
    const p = parse(f.value);
    const hv = e.getHeader(f.header);
    const key = f.header.toLowerCase();
    if (p.negative) {
      if (p.test === undefined ? hv !== undefined : hv !== undefined && matches(f.value, p.test, hv)) return false;
      continue;
    }
    const ok = p.test === undefined ? hv !== undefined : hv !== undefined && matches(f.value, p.test, hv);
    positive.set(key, (positive.get(key) ?? false) || ok);
  }
  for (const ok of positive.values()) if (!ok) return false;
  return true;
}
