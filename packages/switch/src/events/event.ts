/**
 * The event model (switch_event.c): a type, an optional CUSTOM subclass, an ordered list of
 * headers in which a name may repeat, and an optional body.
 *
 * Rules kept from FreeSWITCH:
 * - header names are looked up case-insensitively, first match wins, spelling is kept;
 * - adding an empty value removes every header of that name instead; a missing value adds nothing;
 * - REQUEST_PARAMS, CHANNEL_DATA and MESSAGE keep names unique: adding a name removes the old
 *   entries and appends the new one at the end;
 * - a value `ARRAY::a|:b` is stored as an array header (items `a`, `b`); pushing onto a name that
 *   exists extends that header's array;
 * - a header named `Name[N]` sets item N of the array header `Name`;
 * - a header named `_body` also sets the body;
 * - the standard headers are stamped when the event is created (see `stampedEvent`).
 */
import { atoi, caseEqual } from '../internal/strings.ts';
import { formatLocalDate, formatRfc822 } from '../internal/time.ts';
import { type EventTypeName, eventId, takesSubclass } from './types.ts';

export interface EventHeader {
  readonly name: string;
  /** The value; for an array header, its items joined as FreeSWITCH prints them. */
  readonly value: string;
  /** The items of an array header (pushed values), else undefined. */
  readonly array?: readonly string[];
}

/** Where `addHeader` puts a value: a new header at the end or the start, or onto an array header. */
export type HeaderStack = 'bottom' | 'top' | 'push' | 'unshift';

/** Who the switch is, as the standard headers name it. */
export interface SwitchIdentity {
  /** Core-UUID: lowercase 8-4-4-4-12, made at startup. */
  readonly coreUuid: string;
  readonly hostname: string;
  /** `switchname` from switch.conf, else the host name. */
  readonly switchname: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/** The C file, function and line that created an event (Event-Calling-*). */
export interface CallingSite {
  readonly file: string;
  readonly func: string;
  readonly line: number;
}

/** Everything the standard headers are made of; the caller owns the clock and the counter. */
export interface EventStamp {
  readonly identity: SwitchIdentity;
  /** Microseconds since the Unix epoch. */
  readonly timeUs: number;
  /** The switch's local zone at that time, in minutes east of UTC (Event-Date-Local). */
  readonly utcOffsetMinutes: number;
  /** The global event counter's value for this event (starts at 1). */
  readonly sequence: number;
  readonly calling: CallingSite;
}

const UNIQUE_HEADER_TYPES: ReadonlySet<EventTypeName> = new Set(['REQUEST_PARAMS', 'CHANNEL_DATA', 'MESSAGE']);

/** Append header objects made once for many events (stampedEvent's); set by SwitchEvent. */
let appendShared: (e: SwitchEvent, headers: readonly EventHeader[]) => void;

export class SwitchEvent {
  readonly type: EventTypeName;
  readonly subclass: string | undefined;
  /** Names are unique in this event (REQUEST_PARAMS, CHANNEL_DATA, MESSAGE). */
  readonly uniqueHeaders: boolean;
  // Header objects are never changed once made (a push onto an array header replaces it), so
  // events share them: the stamped headers that repeat, and every header of a clone.
  readonly #headers: EventHeader[] = [];
  #body: string | undefined = undefined;
  /** Memoized renderings (key, value, key, value…); dropped whenever the event changes. */
  #memo: unknown[] | undefined = undefined;

  /**
   * An event without standard headers (switch_event_create_plain): variable lists, parameter
   * carriers. Only CUSTOM and CLONE take a subclass; for any other type it is a RangeError.
   */
  constructor(type: EventTypeName, subclass?: string) {
    if (subclass !== undefined && !takesSubclass(type)) throw new RangeError(`${type} events cannot carry a subclass`);
    this.type = type;
    this.subclass = subclass;
    this.uniqueHeaders = UNIQUE_HEADER_TYPES.has(type);
  }

  get body(): string | undefined {
    return this.#body;
  }

  set body(body: string | undefined) {
    this.#body = body;
    this.#memo = undefined;
  }

  /**
   * `make()`'s result, computed once per `key` while the event is unchanged: a consumer that
   * renders the event for many subscribers (one term per encoding, say) renders it once. Any
   * change to the headers or the body forgets every memoized rendering.
   */
  memo<T>(key: object, make: (event: SwitchEvent) => T): T {
    const m = this.#memo;
    if (m !== undefined) {
      for (let i = 0; i < m.length; i += 2) if (m[i] === key) return m[i + 1] as T;
    }
    const value = make(this);
    if (this.#memo === undefined) this.#memo = [key, value];
    else this.#memo.push(key, value);
    return value;
  }

  get id(): number {
    return eventId(this.type);
  }

  get headers(): readonly EventHeader[] {
    return this.#headers;
  }

  /**
   * switch_event_add_header. Returns false when nothing could be added (no value). An empty value
   * deletes the name instead (except when pushing onto an array header that already exists).
   */
  addHeader(name: string, value: string | undefined | null, stack: HeaderStack = 'bottom'): boolean {
    if (value == null) return false;
    this.#memo = undefined;
    if (name === '_body') this.body = value;
    const bracket = name.indexOf('[');
    if (bracket >= 0) {
      this.#setItem(name.slice(0, bracket), atoi(name.slice(bracket + 1)), value, stack);
      return true;
    }

    const at = stack === 'push' || stack === 'unshift' ? this.#indexOf(name) : -1;
    if (at >= 0) {
      const onto = this.#headers[at]!;
      const items = onto.array ? [...onto.array] : [onto.value];
      if (stack === 'push') items.push(value);
      else items.unshift(value);
      this.#headers[at] = arrayHeader(onto.name, items);
      return true;
    }

    if (value === '') {
      this.delHeader(name);
      return true;
    }
    if (this.uniqueHeaders) this.delHeader(name);
    if (value.startsWith('ARRAY::')) {
      if (value.length >= 8) for (const item of value.slice(7).split('|:')) this.addHeader(name, item, 'push');
      return true;
    }

    const header: EventHeader = stack === 'push' || stack === 'unshift' ? arrayHeader(name, [value]) : { name, value };
    if (stack === 'top') this.#headers.unshift(header);
    else this.#headers.push(header);
    return true;
  }

  /**
   * `Name[N]`: item N (0..4000, else nothing) of the array header `Name`, made (items before N
   * empty) or extended as needed; a plain header of that name becomes an array of the new items
   * only. Replacing an item that exists leaves the header's value as it was, as FreeSWITCH does
   * (it redraws the value only when the array grows).
   */
  #setItem(name: string, index: number, value: string, stack: HeaderStack): void {
    if (index < 0 || index > 4000) return;
    const at = this.#indexOf(name);
    const onto = at < 0 ? undefined : this.#headers[at]!;
    const items = onto?.array ? [...onto.array] : [];
    if (onto && index < items.length) {
      items[index] = value;
      this.#headers[at] = { name: onto.name, value: onto.value, array: items };
      return;
    }
    while (items.length < index) items.push('');
    items.push(value);
    const header = arrayHeader(onto?.name ?? name, items);
    if (onto) this.#headers[at] = header;
    else if (stack === 'top') this.#headers.unshift(header);
    else this.#headers.push(header);
  }

  /** The first header of that name (any case); `_body` falls back to the body. */
  getHeader(name: string): string | undefined {
    const h = this.#find(name);
    if (h) return h.value;
    return name === '_body' ? this.body : undefined;
  }

  /** Item `index` of an array header (switch_event_get_header_idx). */
  getHeaderItem(name: string, index: number): string | undefined {
    return this.#find(name)?.array?.[index];
  }

  /** Removes every header of that name (any case), or only those whose value is exactly `value`. */
  delHeader(name: string, value?: string): boolean {
    const before = this.#headers.length;
    this.#memo = undefined;
    for (let i = this.#headers.length - 1; i >= 0; i--) {
      const h = this.#headers[i]!;
      if (caseEqual(h.name, name) && (value === undefined || value === '' || h.value === value)) this.#headers.splice(i, 1);
    }
    return this.#headers.length !== before;
  }

  /** A copy (switch_event_dup): a header list of its own, of the same (never changed) header objects. */
  clone(): SwitchEvent {
    const copy = new SwitchEvent(this.type, this.subclass);
    copy.#headers.push(...this.#headers);
    copy.body = this.body;
    return copy;
  }

  #find(name: string): EventHeader | undefined {
    const i = this.#indexOf(name);
    return i < 0 ? undefined : this.#headers[i];
  }

  #indexOf(name: string): number {
    const hs = this.#headers;
    for (let i = 0; i < hs.length; i++) if (caseEqual(hs[i]!.name, name)) return i;
    return -1;
  }

  static {
    appendShared = (e, headers) => {
      e.#memo = undefined;
      for (const h of headers) e.#headers.push(h);
    };
  }
}

function arrayHeader(name: string, items: readonly string[]): EventHeader {
  return { name, value: items.length > 1 ? `ARRAY::${items.join('|:')}` : (items[0] ?? ''), array: items };
}

/** The headers `addHeader` makes of these pairs, in order (an empty value adds none), to share. */
function sharedHeaders(pairs: readonly (readonly [string, string])[]): readonly EventHeader[] {
  const e = new SwitchEvent('CUSTOM');
  for (const [name, value] of pairs) e.addHeader(name, value);
  return e.headers;
}

/**
 * A created event (switch_event_create): the 13 standard headers in FreeSWITCH's order, then
 * `Event-Subclass` for a CUSTOM event with a subclass. CLONE events get no standard headers.
 */
export function stampedEvent(type: EventTypeName, stamp: EventStamp, subclass?: string): SwitchEvent {
  const event = new SwitchEvent(type, subclass);
  if (type !== 'CLONE') {
    const { timeUs } = stamp;
    appendShared(event, nameHeaders(type));
    appendShared(event, identityHeaders(stamp.identity));
    appendShared(event, datesOf(timeUs, stamp.utcOffsetMinutes).headers);
    event.addHeader('Event-Date-Timestamp', String(Math.trunc(timeUs)));
    appendShared(event, siteHeaders(stamp.calling));
    event.addHeader('Event-Sequence', String(stamp.sequence));
  }
  if (subclass !== undefined) event.addHeader('Event-Subclass', subclass);
  return event;
}

// The stamped headers that repeat from event to event are made once and shared (see #headers).

const nameCache = new Map<EventTypeName, readonly EventHeader[]>();

function nameHeaders(type: EventTypeName): readonly EventHeader[] {
  let hs = nameCache.get(type);
  if (hs === undefined) nameCache.set(type, (hs = sharedHeaders([['Event-Name', type]])));
  return hs;
}

const identityCache = new WeakMap<SwitchIdentity, readonly EventHeader[]>();

function identityHeaders(id: SwitchIdentity): readonly EventHeader[] {
  let hs = identityCache.get(id);
  if (hs === undefined) {
    hs = sharedHeaders([
      ['Core-UUID', id.coreUuid],
      ['FreeSWITCH-Hostname', id.hostname],
      ['FreeSWITCH-Switchname', id.switchname],
      ['FreeSWITCH-IPv4', id.ipv4],
      ['FreeSWITCH-IPv6', id.ipv6],
    ]);
    identityCache.set(id, hs);
  }
  return hs;
}

/** The two date headers change once a second: those of the last second (and zone) are kept. */
let lastDates = { second: Number.NaN, offset: 0, headers: [] as readonly EventHeader[] };

function datesOf(timeUs: number, offset: number): { headers: readonly EventHeader[] } {
  const second = Math.floor(timeUs / 1e6);
  if (lastDates.second !== second || lastDates.offset !== offset) {
    const headers = sharedHeaders([
      ['Event-Date-Local', formatLocalDate(timeUs, offset)],
      ['Event-Date-GMT', formatRfc822(timeUs)],
    ]);
    lastDates = { second, offset, headers };
  }
  return lastDates;
}

const siteCache = new WeakMap<CallingSite, readonly EventHeader[]>();

function siteHeaders(calling: CallingSite): readonly EventHeader[] {
  let hs = siteCache.get(calling);
  if (hs === undefined) {
    hs = sharedHeaders([
      ['Event-Calling-File', basename(calling.file)],
      ['Event-Calling-Function', calling.func],
      ['Event-Calling-Line-Number', String(calling.line)],
    ]);
    siteCache.set(calling, hs);
  }
  return hs;
}

/** switch_cut_path: the part after the last `/` or `\`. */
function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}
