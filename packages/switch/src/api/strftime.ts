/** C strftime in the "C" locale, for a local time given as epoch ms and a UTC offset in minutes. */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

/** %Z: the process's zone abbreviation when it is the zone asked for (the switch's own), else GMT±hh:mm. */
function zoneName(epochMs: number, offsetMinutes: number): string {
  if (-new Date(epochMs).getTimezoneOffset() === offsetMinutes) {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(epochMs).find((p) => p.type === 'timeZoneName');
    if (part) return part.value;
  }
  const off = Math.abs(offsetMinutes);
  return `GMT${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(off / 60))}:${pad(off % 60)}`;
}

export function strftime(format: string, epochMs: number, offsetMinutes: number): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  const Y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const H = d.getUTCHours();
  const M = d.getUTCMinutes();
  const S = d.getUTCSeconds();
  const w = d.getUTCDay();
  const yday = Math.floor((Date.UTC(Y, m, day) - Date.UTC(Y, 0, 1)) / 86_400_000);
  const off = Math.abs(offsetMinutes);
  const one = (c: string): string | undefined => {
    switch (c) {
      case 'Y':
        return String(Y);
      case 'C':
        return pad(Math.floor(Y / 100));
      case 'y':
        return pad(Y % 100);
      case 'm':
        return pad(m + 1);
      case 'd':
        return pad(day);
      case 'e':
        return pad(day, 2, ' ');
      case 'H':
        return pad(H);
      case 'I':
        return pad(H % 12 === 0 ? 12 : H % 12);
      case 'M':
        return pad(M);
      case 'S':
        return pad(S);
      case 'p':
        return H < 12 ? 'AM' : 'PM';
      case 'j':
        return pad(yday + 1, 3);
      case 'a':
        return DAYS[w]?.slice(0, 3);
      case 'A':
        return DAYS[w];
      case 'b':
      case 'h':
        return MONTHS[m]?.slice(0, 3);
      case 'B':
        return MONTHS[m];
      case 'u':
        return String(w === 0 ? 7 : w);
      case 'w':
        return String(w);
      case 's':
        return String(Math.floor(epochMs / 1000));
      case 'z':
        return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(off / 60))}${pad(off % 60)}`;
      case 'T':
        return `${pad(H)}:${pad(M)}:${pad(S)}`;
      case 'r':
        return `${pad(H % 12 === 0 ? 12 : H % 12)}:${pad(M)}:${pad(S)} ${H < 12 ? 'AM' : 'PM'}`;
      case 'U':
        return pad(Math.floor((yday + 7 - w) / 7));
      case 'W':
        return pad(Math.floor((yday + 7 - ((w + 6) % 7)) / 7));
      case 'Z':
        return zoneName(epochMs, offsetMinutes);
      case 'R':
        return `${pad(H)}:${pad(M)}`;
      case 'F':
        return `${Y}-${pad(m + 1)}-${pad(day)}`;
      case 'D':
        return `${pad(m + 1)}/${pad(day)}/${pad(Y % 100)}`;
      case 'c':
        return `${DAYS[w]?.slice(0, 3)} ${MONTHS[m]?.slice(0, 3)} ${pad(day, 2, ' ')} ${pad(H)}:${pad(M)}:${pad(S)} ${Y}`;
      case 'x':
        return `${pad(m + 1)}/${pad(day)}/${pad(Y % 100)}`;
      case 'X':
        return `${pad(H)}:${pad(M)}:${pad(S)}`;
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '%':
        return '%';
      default:
        return undefined;
    }
  };
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    const c = format[++i] as string;
    out += one(c) ?? `%${c}`;
  }
  return out;
}

/** The conversions switch_strftime lets through to the C library; any other makes it fail. */
const CHECKED = new Set('CDrRTeaAbBcdHIjmMpSUwWxXyYzZ%');
/** Its callers' 80-byte buffer, the last byte the terminator: a longer date is no date. */
const DATE_MAX = 79;

/**
 * switch_strftime, as the `strftime` API and application use it: '' when the format has a
 * conversion outside the checked set (`%s`, `%F`, `%k`, a trailing `%`, ...) or the date does not
 * fit their buffer; otherwise the C strftime's date.
 */
export function checkedStrftime(format: string, epochMs: number, offsetMinutes: number): string {
  for (let i = format.indexOf('%'); i >= 0; i = format.indexOf('%', i + 2)) if (!CHECKED.has(format[i + 1] ?? '')) return '';
  const date = strftime(format, epochMs, offsetMinutes);
  return Buffer.byteLength(date) > DATE_MAX ? '' : date;
}
