/**
 * Atoms from Erlang peers as the switch's text. Strings and binaries are bytes, which the switch's
 * byte_text (bytesText / textBytes) keeps byte for byte; atoms arrive as their Latin-1 bytes.
 */
import { bytesText } from '@beamline/switch';

/**
 * An atom's name as ei_decode_atom gives it (Latin-1: one byte per character), as text; undefined
 * when a character is past U+00FF (ei_decode_atom fails on it).
 */
export function atomText(name: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff) return undefined;
    if (c > 0x7f) ascii = false;
  }
  if (ascii) return name;
  const bytes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
  return bytesText(bytes);
}
