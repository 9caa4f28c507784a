/**
 * generate_pai_str: what an inbound call's 180, 183, 200 and refusal say of whom the phone reached
 * (mod_sofia's pass-callee-id and cid-in-1xx, both on by default; `sip_cid_in_1xx=false` turns it
 * off for the channel): `Remote-Party-ID: "<name>" <sip:<number>@<sip_to_host>>;party=calling;privacy=off;screen=no`,
 * a P-Asserted-Identity without the params to an Aastra, the bare number to a Polycom.
 */
interface CalleeChannel {
  variable(name: string): string | undefined;
  readonly profile: { readonly destinationNumber?: string | undefined };
}

/** The first of `names` the channel has a non-empty value for. */
function firstOf(ch: CalleeChannel, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = ch.variable(name);
    if (v) return v;
  }
  return undefined;
}

/** switch_sanitize_number: the characters a number may not carry dropped. */
const sanitize = (s: string) => s.replace(/[<>"'%()\\[\]{};=|]/g, '');

export function calleeIdHeaders(ch: CalleeChannel, sipIp: string): [string, string][] {
  // switch_false
  if (/^(false|f|no|off|0|disabled)$/i.test(ch.variable('sip_cid_in_1xx')?.trim() ?? '')) return [];
  const number =
    firstOf(ch, ['initial_callee_id_number', 'effective_callee_id_number', 'sip_callee_id_number', 'callee_id_number']) ??
    ch.profile.destinationNumber;
  const name = firstOf(ch, ['initial_callee_id_name', 'effective_callee_id_name', 'sip_callee_id_name', 'callee_id_name']) ?? number;
  if (!name || name === '_undef_' || !number) return [];
  const ua = ch.variable('sip_user_agent') ?? '';
  const host = ch.variable('sip_to_host') || sipIp;
  const target = /poly/i.test(ua) ? sanitize(number) : `sip:${sanitize(number)}@${host}`;
  const value = `"${sanitize(name)}" <${target}>`;
  return /aastra/i.test(ua) ? [['P-Asserted-Identity', value]] : [['Remote-Party-ID', `${value};party=calling;privacy=off;screen=no`]];
}
