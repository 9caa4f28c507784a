/**
 * Replies FreeSWITCH writes into fixed C buffers are cut at the buffer's size: at most `size - 1`
 * bytes of the text (switch_copy_string, snprintf); a character cut in two keeps its bytes
 * (byte_text.ts), as the C buffer does.
 */
import { bytesText, textBytes } from './byte_text.ts';

export function copyString(text: string, size: number): string {
  const bytes = textBytes(text);
  return bytes.length < size ? text : bytesText(bytes.subarray(0, Math.max(0, size - 1)));
}
