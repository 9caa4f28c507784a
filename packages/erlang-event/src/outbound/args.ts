/**
 * The data of the `erlang` and `erlang_sendmsg` applications (spec §3.1, §3.7), pure.
 *
 *   erlang <target> <node@host>           target: `module:function` (rpc), `module:!` (get_pid),
 *                                          anything else (one part, or 3+ parts) a registered name
 *   erlang_sendmsg <name> <node@host> <message…>
 */
import { separateString } from '@beamline/switch';

export type OutboundTarget =
  | { readonly kind: 'registered'; readonly name: string }
  | { readonly kind: 'get_pid'; readonly module: string }
  | { readonly kind: 'rpc'; readonly module: string; readonly function: string };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface ErlangAppArgs {
  readonly target: OutboundTarget;
  readonly node: string;
}

/** switch_separate_string on blanks; fewer than 2 fields or an empty one → the original's error text. */
export function parseErlangArgs(data: string): Parsed<ErlangAppArgs> {
  const fields = separateString(data, ' ');
  if (fields.length < 2) return { ok: false, error: 'Parse Error - need registered name and node!' };
  const [target, node] = fields as [string, string];
  if (target === '') return { ok: false, error: 'Missing registered name or module:function!' };
  if (node === '') return { ok: false, error: 'Missing node name!' };
  return { ok: true, value: { target: parseTarget(target), node } };
}

/** Exactly two `:`-parts → module:function (`!` = get_pid); otherwise the whole string is a name. */
export function parseTarget(target: string): OutboundTarget {
  const parts = target.split(':');
  if (parts.length !== 2) return { kind: 'registered', name: target };
  const [module, fn] = parts as [string, string];
  return fn === '!' ? { kind: 'get_pid', module } : { kind: 'rpc', module, function: fn };
}

export interface SendmsgAppArgs {
  readonly name: string;
  readonly node: string;
  readonly message: string;
}

/** At most 3 fields: the message is the rest of the line, spaces kept. */
export function parseSendmsgArgs(data: string): Parsed<SendmsgAppArgs> {
  const fields = separateString(data, ' ', 3);
  if (fields.length < 3) return { ok: false, error: 'Parse Error - need node, registered name and message!' };
  const [name, node, message] = fields as [string, string, string];
  return { ok: true, value: { name, node, message } };
}
