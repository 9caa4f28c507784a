/**
 * mod_dptools' digit actions: `bind_digit_action <realm>,<digits|~regex>,<string>[,<value>][,<dtmf
 * target>][,<event target>]`, `digit_action_set_realm <realm>[,<target>]` and
 * `clear_digit_action <realm>|all[,<target>]`. A channel has up to two digit parsers
 * (applications/digit_action_machine.ts, named DPTOOLS): `self` parses the digits its far end
 * sends, `peer` those its bridged partner passes on to it. A parser takes every digit it is fed
 * (no DTMF event, nothing passed on); digits no binding takes go back: the far end's into the
 * channel's DTMF queue as if sent again (source APP), the partner's on to the channel's endpoint.
 * A match sets `last_matching_digits` on the leg the action is for (the event target: this one,
 * its partner, or both) and runs the action there: `exec:<app>` as uuid_broadcast would
 * (`<app>::<value>`, the other leg on hold music unless `exec[H]:` or the target is `both`),
 * `exec[i]:` without the hold, `api:<command>` with `<value>` as its arguments, its output in
 * `bind_digit_action_api_result`.
 */
import { broadcastTarget } from '../api/media_commands.ts';
import { type ChannelReach, callChannel } from '../api/uuid_commands.ts';
import { DTMF_DEFAULT, isDtmf } from '../channel/dtmf_string.ts';
import { atoi, caseEqual, findEndParen, separateString } from '../internal/strings.ts';
import { RealmDigitMachine } from './digit_action_machine.ts';
import { sync } from './dptools.ts';
import type { AppChannel, Application } from './types.ts';

/** switch_digit_action_target_t. */
type Target = 'self' | 'peer' | 'both';
type Side = 'self' | 'peer';

/** struct action_binding. */
interface Action {
  readonly realm: string;
  readonly input: string;
  readonly string: string;
  readonly value: string;
  readonly target: Target;
}

type Parser = RealmDigitMachine<Action>;

/** session->dmachine[0] / [1], and whether the channel's DTMF hook feeding them is in place. */
interface Parsers {
  self?: Parser;
  peer?: Parser;
}

const PARSERS = new WeakMap<AppChannel, Parsers>();

/** The digit timeout when `bind_digit_digit_timeout` is not set, in ms. */
const DIGIT_TIMEOUT_MS = 1500;

const BIND_USAGE = '<realm>,<digits|~regex>,<string>[,<value>][,<dtmf target leg>][,<event target leg>]';
const SET_REALM_USAGE = '<realm>[,<target>]';

/** str2target: `peer`, `both`, anything else `self`. */
function toTarget(s: string): Target {
  if (caseEqual(s, 'peer')) return 'peer';
  if (caseEqual(s, 'both')) return 'both';
  return 'self';
}

function parsersOf(ch: AppChannel): Parsers {
  let parsers = PARSERS.get(ch);
  if (!parsers) {
    const p: Parsers = {};
    parsers = p;
    PARSERS.set(ch, p);
    // switch_core_session_recv_dtmf feeds dmachine[0], switch_core_session_send_dtmf dmachine[1]
    ch.addDtmfHook((digit, direction) => {
      const parser = direction === 'recv' ? p.self : p.peer;
      if (!parser) return true;
      parser.feed(digit);
      return false;
    });
  }
  return parsers;
}

/** The leg an action or a returned digit is for: the partner, else (none) this one. */
const legFor = (ch: AppChannel, peer: boolean): string => (peer ? (ch.bridgePartner ?? ch.uuid) : ch.uuid);

/** `fn` on the channel `uuid` in its own process: at once for this channel, else through a call. */
function onLeg(ch: AppChannel, uuid: string, fn: (leg: AppChannel) => void): void {
  if (uuid === ch.uuid) {
    fn(ch);
    return;
  }
  ch.aside(async (ctx) => {
    await callChannel({ ctx, core: ch.core }, uuid, { op: 'work', work: (leg: AppChannel) => fn(leg) });
  });
}

/** What the action string asks for: `exec:` / `exec[flags]:` an application, `api:` a command, else nothing but the match. */
function parseString(string: string): { kind: 'exec' | 'inline' | 'api' | 'none'; name: string; flags: string } {
  const head = string.slice(0, 4);
  if (caseEqual(head, 'exec')) {
    const rest = string.slice(4);
    if (rest.startsWith(':')) return { kind: 'exec', name: rest.slice(1), flags: '' };
    if (rest.startsWith('[')) {
      const end = findEndParen(rest, '[', ']');
      if (end >= 0 && rest[end + 1] === ':') {
        const flags = rest.slice(1, end);
        return { kind: flags.includes('i') ? 'inline' : 'exec', name: rest.slice(end + 2), flags };
      }
    }
    return { kind: 'none', name: rest, flags: '' };
  }
  if (caseEqual(head, 'api:')) return { kind: 'api', name: string.slice(4), flags: '' };
  return { kind: 'none', name: string, flags: '' };
}

/** digit_action_callback: on the event target's leg, or legs (the partner first), one after the other. */
function runAction(ch: AppChannel, action: Action, digits: string): void {
  const partner = ch.bridgePartner;
  const legs = action.target === 'self' || partner === undefined ? [ch.uuid] : action.target === 'peer' ? [partner] : [partner, ch.uuid];
  const { kind, name, flags } = parseString(action.string);
  for (const uuid of legs) {
    onLeg(ch, uuid, (leg) => {
      leg.setVariable('last_matching_digits', digits);
      ch.core.log('DEBUG', `${leg.name} Digit match binding [${action.string}][${action.value}]`, ch.uuid);
    });
  }
  if (kind === 'exec' || kind === 'inline') {
    const { app, arg, hangupCause } = broadcastTarget(`${name}::${action.value}`);
    const holdBleg = kind === 'exec' && action.target !== 'both' && !flags.includes('H');
    ch.aside(async (ctx) => {
      const env: ChannelReach = { ctx, core: ch.core };
      for (const uuid of legs) {
        await callChannel(env, uuid, { op: 'execute', application: app, data: arg, lock: true, holdBleg });
        if (hangupCause !== undefined) await callChannel(env, uuid, { op: 'execute', application: 'hangup', data: hangupCause, lock: true });
      }
    });
  } else if (kind === 'api') {
    ch.aside(async (ctx) => {
      for (const uuid of legs) {
        const out = (await ch.api(name, action.value)) ?? '';
        const note = (leg: AppChannel) => {
          if (out !== '') leg.setVariable('bind_digit_action_api_result', out);
          const said = out === '' ? 'api executed' : `api executed, ${out}`;
          ch.core.log('DEBUG', `${leg.name} Digit match binding [${action.string}][${action.value}] ${said}`, ch.uuid);
        };
        await callChannel({ ctx, core: ch.core }, uuid, { op: 'work', work: note });
      }
    });
  }
}

/** digit_nomatch_action_callback: the digits go back where they were going, without the parser. */
function returnDigits(ch: AppChannel, side: Side, digits: string): void {
  onLeg(ch, legFor(ch, side === 'peer'), (leg) => {
    leg.setVariable('last_non_matching_digits', digits);
    ch.core.log('DEBUG', `${leg.name} Digit NOT match binding [${digits}]`, leg.uuid);
  });
  for (const digit of digits) {
    if (!isDtmf(digit)) continue;
    if (side === 'self') ch.receiveDtmf(digit, DTMF_DEFAULT, 'APP');
    else ch.sendDtmf(digit, DTMF_DEFAULT, false, 'APP'); // queued on the partner (APP), which passes it on
  }
}

/** bind_to_session: the side's parser (made on first use, its timeouts from the channel's variables), then the binding. */
function bindOn(ch: AppChannel, side: Side, action: Action): void {
  const parsers = parsersOf(ch);
  let parser = parsers[side];
  if (!parser) {
    const digitVar = ch.variable('bind_digit_digit_timeout');
    const inputVar = ch.variable('bind_digit_input_timeout');
    parser = new RealmDigitMachine<Action>(
      'DPTOOLS',
      digitVar === undefined ? DIGIT_TIMEOUT_MS : atoi(digitVar),
      inputVar === undefined ? 0 : atoi(inputVar),
      {
        after: (ms, fn) => ch.after(ms, fn),
        log: (level, text) => ch.core.log(level, text, ch.uuid),
        matched: (digits, action) => runAction(ch, action, digits),
        unmatched: (digits) => returnDigits(ch, side, digits),
      },
    );
    parsers[side] = parser;
  }
  // `exec[P]:` makes a priority binding (the C looks for it after `api:` too, where it cannot be)
  let priority = false;
  if (caseEqual(action.string.slice(0, 4), 'exec') || caseEqual(action.string.slice(0, 4), 'api:')) {
    const rest = action.string.slice(4);
    const end = rest.startsWith('[') ? findEndParen(rest, '[', ']') : -1;
    if (end >= 0 && rest[end + 1] === ':') priority = rest.slice(1, end).includes('P');
  }
  parser.bind(action.realm, action.input, priority, action);
  const terminators = ch.variable('bda_terminators');
  if (terminators !== undefined) parser.setTerminators(terminators);
}

/** `<first>[,<target>]` as clear_digit_action and digit_action_set_realm cut it: at the first comma. */
function withTarget(data: string): { first: string; target: Target } {
  const comma = data.indexOf(',');
  return comma < 0 ? { first: data, target: 'self' } : { first: data.slice(0, comma), target: toTarget(data.slice(comma + 1)) };
}

export const DIGIT_ACTION_APPLICATIONS: readonly Application[] = [
  {
    name: 'bind_digit_action',
    run: sync((ch, data) => {
      const syntax = () => ch.core.log('WARNING', `Syntax Error, USAGE ${BIND_USAGE}`, ch.uuid);
      if (data === '') return syntax();
      const [realm, input, string, value, dtmfTarget, eventTarget] = separateString(data, ',', 6);
      if (!realm || !input || !string) return syntax();
      const action: Action = { realm, input, string, value: value ?? '', target: toTarget(eventTarget ?? 'self') };
      const target = toTarget(dtmfTarget ?? 'self');
      if (target !== 'self') bindOn(ch, 'peer', action);
      if (target !== 'peer') bindOn(ch, 'self', action);
    }),
  },
  {
    name: 'digit_action_set_realm',
    run: sync((ch, data) => {
      const { first, target } = withTarget(data);
      if (data === '') {
        ch.core.log('WARNING', `Syntax Error, USAGE ${SET_REALM_USAGE}`, ch.uuid);
        return;
      }
      // switch_core_session_get_dmachine has no parser for `both`
      if (target !== 'both') PARSERS.get(ch)?.[target]?.setRealm(first);
    }),
  },
  {
    name: 'clear_digit_action',
    run: sync((ch, data) => {
      if (data === '') {
        ch.core.log('WARNING', 'clear_digit_action called with no args', ch.uuid);
        return;
      }
      const { first, target } = withTarget(data);
      const parsers = PARSERS.get(ch);
      for (const side of target === 'both' ? (['peer', 'self'] as const) : [target]) {
        const parser = parsers?.[side];
        if (!parser || !parsers) continue;
        if (first === '' || caseEqual(first, 'all')) {
          ch.core.log('INFO', `Digit parser ${parser.name}: Clearing all realms`, ch.uuid);
          parser.destroy();
          parsers[side] = undefined;
        } else parser.clearRealm(first);
      }
    }),
  },
];
