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

/** Applies one command atom's text to `filters`; returns the log item for the reply. */
export function filterCommand(filters: Filter[], text: string): FilterLogItem {
  const trimmed = text.trim();
  const sp = trimmed.indexOf(' ');
  if (sp < 0) return 'invalid';
  const word = trimmed.slice(0, sp);
  const rest = trimmed.slice(sp + 1).trim();
  if (word === 'delete') {
    if (rest === 'all') {
      filters.length = 0;
      return { op: 'deleted', header: 'all', value: '' };
    }
    const sp2 = rest.indexOf(' ');
    const header = sp2 < 0 ? rest : rest.slice(0, sp2);
    const value = sp2 < 0 ? undefined : rest.slice(sp2 + 1);
    for (let i = filters.length - 1; i >= 0; i--) {
      const f = filters[i]!;
      if (caseEqual(f.header, header) && (value === undefined || f.value === value)) filters.splice(i, 1);
    }
    return { op: 'deleted', header, value: value ?? '' };
  }
  let header = word;
  let value = rest;
  if (word === 'add') {
    const sp2 = rest.indexOf(' ');
    if (sp2 < 0) return 'invalid'; // the original dereferences NULL here
    header = rest.slice(0, sp2);
    value = rest.slice(sp2 + 1);
  }
  if (header === '' || value === '') return 'invalid';
  filters.push({ header, value });
  return { op: 'added', header, value };
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
