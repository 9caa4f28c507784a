/**
 * The three text forms of an event that FreeSWITCH prints (switch_event_serialize,
 * switch_event_serialize_json, switch_event_xmlize + switch_xml_toxml): what `uuid_dump`, ESL's
 * `event plain|json|xml` and CDR-style consumers see.
 */
import { byteLength, urlEncode } from '../internal/strings.ts';
import type { SwitchEvent } from './event.ts';

/**
 * `Name: value\n` per header in order; values URL-encoded (`encode`, the `txt`/`plain` event
 * format) or wrapped as `[value]` (uuid_dump's `plain`). A value that encodes to nothing prints
 * `_undef_`. Then, for a non-empty body, `Content-Length: N\n\n<body>` (N in bytes), else one `\n`.
 */
export function serializePlain(event: SwitchEvent, encode = true): string {
  let out = '';
  for (const h of event.headers) {
    const v = encode ? urlEncode(h.value) : `[${h.value}]`;
    out += `${h.name}: ${v === '' ? '_undef_' : v}\n`;
  }
  const body = event.body;
  if (body) out += `Content-Length: ${byteLength(body)}\n\n${body}`;
  else out += '\n';
  return out;
}

/**
 * One compact JSON object as cJSON prints it: keys in header order, repeated names kept as
 * repeated keys, array headers as JSON arrays, values not URL-encoded; a body (even empty) adds
 * `"Content-Length":"N"` and `"_body"`.
 */
export function serializeJson(event: SwitchEvent): string {
  const parts: string[] = [];
  for (const h of event.headers) {
    const v = h.array ? `[${h.array.map((i) => JSON.stringify(i)).join(',')}]` : JSON.stringify(h.value);
    parts.push(`${JSON.stringify(h.name)}:${v}`);
  }
  if (event.body !== undefined) {
    parts.push(`"Content-Length":${JSON.stringify(String(byteLength(event.body)))}`);
    parts.push(`"_body":${JSON.stringify(event.body)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * `<event>` with a `<headers>` element holding one element per header (named as the header; one
 * element per item of an array header; text URL-encoded), then for a non-empty body
 * `<Content-Length>` and `<body>`; two-space indentation, one element per line, as
 * switch_xml_toxml prints it.
 */
export function serializeXml(event: SwitchEvent): string {
  let out = '<event>\n  <headers>\n';
  for (const h of event.headers) {
    for (const v of h.array ?? [h.value]) out += `    <${h.name}>${xmlText(urlEncode(v))}</${h.name}>\n`;
  }
  out += '  </headers>\n';
  const body = event.body;
  if (body) {
    out += `  <Content-Length>${byteLength(body)}</Content-Length>\n`;
    out += `  <body>${xmlText(body)}</body>\n`;
  }
  return `${out}</event>\n`;
}

/**
 * switch_xml_ampencode for element text with UTF-8 encoding on: `&` `<` `>` escaped, `\r` as
 * `&#xD;`, every non-ASCII character as `&#xHEX;`; from a `<!` on, the rest is copied verbatim
 * (ezxml's CDATA/comment pass-through).
 */
export function xmlText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '<' && s[i + 1] === '!') return out + s.slice(i);
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '\r') out += '&#xD;';
    else {
      const cp = s.codePointAt(i)!;
      if (cp < 0x80) out += ch;
      else {
        out += `&#x${cp.toString(16).toUpperCase()};`;
        if (cp > 0xffff) i++;
      }
    }
  }
  return out;
}
