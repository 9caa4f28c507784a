/** The date formats FreeSWITCH prints (events, timestamps, logs). */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The UTC offset of the machine's time zone at `epochMs`, in minutes east of UTC. */
export function systemUtcOffsetMinutes(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset();
}

/** `YYYY-MM-DD HH:MM:SS` in the zone `utcOffsetMinutes` east of UTC (strftime `%Y-%m-%d %T`). */
export function formatLocalDate(epochUs: number, utcOffsetMinutes: number): string {
  const d = new Date(Math.floor(epochUs / 1000) + utcOffsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** RFC 822 date in GMT as APR prints it: `Tue, 03 Sep 2024 10:11:12 GMT`. */
export function formatRfc822(epochUs: number): string {
  const d = new Date(Math.floor(epochUs / 1000));
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}
