/** C strftime in the "C" locale, for a local time given as epoch ms and a UTC offset in minutes. */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

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
