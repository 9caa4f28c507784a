/**
 * The read buffer of an erl node's distribution connections. OTP reads a distribution socket into
 * a 1,460-byte buffer (inet_drv's `buffer` option, which `inet:getopts` on a dist port shows):
 * about two reads for every three or four event-sized messages. A receiving erl at that setting is
 * the bound of a flood, at a full core whoever sends, so the benches also measure a receiver that
 * reads 64 KiB at a time, where the senders themselves are compared. A dist port takes it live.
 */
import type { ErlNode } from '../erl/node.ts';

export const LARGE_READ_BUFFER = 65_536;

/** The read buffer of `erl`'s first distribution connection (it must have one). */
export async function distReadBuffer(erl: ErlNode): Promise<number> {
  const r = await erl.eval(`[{_, P} | _] = erlang:system_info(dist_ctrl), {ok, [{buffer, B}]} = inet:getopts(P, [buffer]), B`);
  const bytes = Number(r);
  if (!Number.isInteger(bytes)) throw new Error(`reading the dist read buffer: ${r}`);
  return bytes;
}

/** Set the read buffer of all of `erl`'s distribution connections. */
export async function setDistReadBuffer(erl: ErlNode, bytes: number): Promise<void> {
  const r = await erl.eval(`lists:usort([inet:setopts(P, [{buffer, ${bytes}}]) || {_, P} <- erlang:system_info(dist_ctrl)])`);
  if (r !== '[ok]') throw new Error(`setting the dist read buffer: ${r}`);
}
