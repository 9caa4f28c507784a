/**
 * The parts of SIP headers a call needs: URIs (`sip:user@host:port;params`), name-addr values
 * (`"Name" <sip:…>;tag=…` in From, To, Contact) and Via (`SIP/2.0/UDP host:port;branch=…`).
 */
import { SipParseError } from './message.ts';

export interface SipUri {
  readonly scheme: string;
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number | undefined;
  /** The `;a=b;c` parameters, as written after the host port (without the leading `;`). */
  readonly params: string | undefined;
}

export interface NameAddr {
  readonly display: string | undefined;
  readonly uri: SipUri;
  /** The header parameters after the address (`tag`, `expires`, …), names in lower case. */
  readonly params: ReadonlyMap<string, string>;
}

export interface Via {
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: ReadonlyMap<string, string>;
}

/** `key=value;flag` → a map (a flag maps to `''`); names in lower case. */
export function parseParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p.toLowerCase(), '');
    else out.set(p.slice(0, eq).trim().toLowerCase(), unquote(p.slice(eq + 1).trim()));
  }
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

export function parseUri(text: string): SipUri {
  const m = /^(sips?|tel):(?:([^@;?]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?(?:;([^?]*))?(?:\?.*)?$/i.exec(text.trim());
  if (!m) throw new SipParseError(`not a SIP URI: ${JSON.stringify(text.slice(0, 80))}`);
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new SipParseError(`bad port in ${JSON.stringify(text.slice(0, 80))}`);
  return {
    scheme: m[1].toLowerCase(),
    user: m[2] === undefined ? undefined : decodeURIComponentSafe(m[2].split(':')[0]),
    host: m[3],
    port,
    params: m[5] || undefined,
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `"Name" <uri>;params`, `Name <uri>`, `<uri>` or a bare `uri;params` (whose `;` parts are header params). */
export function parseNameAddr(text: string): NameAddr {
  const t = text.trim();
  const lt = t.indexOf('<');
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) throw new SipParseError(`unclosed < in ${JSON.stringify(t.slice(0, 80))}`);
    const displayText = t.slice(0, lt).trim();
    return {
      display: displayText ? unquote(displayText) : undefined,
      uri: parseUri(t.slice(lt + 1, gt)),
      params: parseParams(t.slice(gt + 1)),
    };
  }
  const semi = t.indexOf(';');
  return {
    display: undefined,
    uri: parseUri(semi < 0 ? t : t.slice(0, semi)),
    params: parseParams(semi < 0 ? '' : t.slice(semi + 1)),
  };
}

export function parseVia(text: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^\s:;]+)(?:\s*:\s*(\d+))?\s*(?:;(.*))?$/.exec(text.trim());
  if (!m) throw new SipParseError(`bad Via: ${JSON.stringify(text.slice(0, 80))}`);
  return { transport: m[1].toUpperCase(), host: m[2], port: m[3] === undefined ? undefined : Number(m[3]), params: parseParams(m[4] ?? '') };
}

/** The `tag` parameter of a From / To value ('' when there is none). */
export function tagOf(value: string | undefined): string {
  return (value && /;\s*tag=([^;\s]+)/i.exec(value)?.[1]) || '';
}
