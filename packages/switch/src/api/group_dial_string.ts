/**
 * `group_call`'s rewriting of a member's dial string (mod_commands' output_flattened_dial_string)
 * so that members can be joined with `,`, `|` or `:_:`: the string's `<…>` and `{…}` variables
 * are put in front of each leg as `[…]` (unless the leg has its own `[…]` and they say
 * `local_var_clobber=true`, then after it), a `{…}` after a `:_:` replaces the one before, and
 * each leg keeps the separator that followed it. A separator within the last four characters is
 * where the string ends (a trailing `,` goes, and with it a last leg of three characters or less).
 */
import { findEndParen } from '../internal/strings.ts';

const SEPARATORS = [',', '|', ':_:'] as const;

/** find_channel_delim: the first separator at or after `from`, and which. */
function findSeparator(s: string, from: number): { at: number; sep: string } {
  for (let i = from; i < s.length; i++) {
    const sep = SEPARATORS.find((d) => s.startsWith(d, i));
    if (sep) return { at: i, sep };
  }
  return { at: s.length, sep: '' };
}

interface Brackets {
  /** The groups as `[a][b` (the last `]` is where the C string ended), or undefined. */
  readonly front?: string;
  readonly clobber: boolean;
  readonly next: number;
}

/**
 * find_channel_brackets: consecutive `<open>…<close>` groups at `from` (only spaces before each),
 * rewritten as `[…]`.
 */
function brackets(s: string, from: number, open: string, close: string): Brackets {
  let at = from;
  let front: string | undefined;
  for (;;) {
    let p = at;
    while (s[p] === ' ') p++;
    if (s[p] !== open) break;
    const end = findEndParen(s, open, close, p);
    if (end < 0) break;
    // the spaces between two groups stay in the C string
    front = `${front === undefined ? '' : `${front}]${s.slice(at, p)}`}[${s.slice(p + 1, end)}`;
    at = end + 1;
  }
  if (front === undefined) return { clobber: false, next: from };
  return { front, clobber: front.includes('local_var_clobber=true'), next: at };
}

export function flattenDialString(dial: string): string {
  const data = dial.slice(0, findSeparator(dial, Math.max(0, dial.length - 4)).at);
  const ent = brackets(data, 0, '<', '>');
  let all = brackets(data, ent.next, '{', '}');
  let p = all.next;
  let out = '';
  while (p < data.length) {
    const leg = brackets(data, p, '[', ']');
    p = leg.next;
    if (leg.front !== undefined) {
      if (ent.front !== undefined && !ent.clobber) out += `${ent.front}]`;
      if (all.front !== undefined && !all.clobber) out += `${all.front}]`;
      out += `${leg.front}]`;
    }
    while (data[p] === ' ') p++;
    if (p >= data.length) break;
    if (all.front !== undefined && (leg.front === undefined || all.clobber)) out += `${all.front}]`;
    if (ent.front !== undefined && (leg.front === undefined || ent.clobber)) out += `${ent.front}]`;
    const { at, sep } = findSeparator(data, p);
    out += data.slice(p, at) + sep;
    p = at + sep.length;
    if (sep === ':_:') {
      all = brackets(data, p, '{', '}');
      p = all.next;
    }
  }
  return out;
}
