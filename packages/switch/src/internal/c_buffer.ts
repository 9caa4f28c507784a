/**
 * Replies FreeSWITCH writes into fixed C buffers are cut at the buffer's size: at most `size - 1`
 * bytes of the UTF-8 text (switch_copy_string, snprintf); a character cut in two reads as U+FFFD.
 */
const utf8 = new TextEncoder();

export function copyString(text: string, size: number): string {
  const bytes = utf8.encode(text);
  return bytes.length < size ? text : Buffer.from(bytes.subarray(0, Math.max(0, size - 1))).toString('utf8');
}
