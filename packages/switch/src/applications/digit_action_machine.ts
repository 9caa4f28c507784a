/**
 * switch_ivr_dmachine as mod_dptools' digit actions use it: bindings grouped in realms (one realm
 * active at a time), each binding exact digits, `=digits` (fires as soon as it matches), or a
 * regular expression `~regex` (`~regex~~replacement` hands the substitution on as the matched
 * digits). Digits gather until a binding matches, no binding can match any more (they are handed
 * back as not matching), or the inter-digit timeout passes. The matching rules are FreeSWITCH's,
 * order of the bindings included: an exact binding fires at once unless a longer one listed after
 * it could still follow, or the realm has a regex binding (then it waits for the timeout, unless
 * it is `=` or a priority binding); a regex binding that matches fires at once only when it is `=`,
 * a priority binding with no exact binding matching, or the realm's only binding.
 */
import { regexPerform, substitute } from '../dialplan/regex.ts';

/** DMACHINE_MAX_DIGIT_LEN, the terminating NUL left out: the longest digits a binding or the input may hold. */
export const DMACHINE_MAX_DIGITS = 511;

interface Binding<T> {
  readonly digits: string;
  readonly repl: string | undefined;
  readonly firstMatch: boolean;
  readonly isRegex: boolean;
  readonly isPriority: boolean;
  user: T;
  substituted: string | undefined;
  rmatch: boolean;
}

interface Realm<T> {
  readonly name: string;
  readonly bindings: Binding<T>[];
  terminators: string | undefined;
}

/** dm_match_t. */
enum Match {
  NONE,
  EXACT,
  PARTIAL,
  BOTH,
  NEVER,
}

export interface DigitMachineHost<T> {
  /** Runs `fn` after `ms` (the channel's timer); returns its cancel. */
  after(ms: number, fn: () => void): () => void;
  log(level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERR', text: string): void;
  /** A binding matched: the digits (or its substitution) and the binding's data. */
  matched(digits: string, user: T): void;
  /** The digits no binding took (empty on an input timeout). */
  unmatched(digits: string): void;
}

export class RealmDigitMachine<T> {
  readonly #realms = new Map<string, Realm<T>>();
  #realm: Realm<T> | undefined;
  #digits = '';
  /** cur_digit_len: not shortened when a terminator cuts the digits, as in the C. */
  #count = 0;
  #max = 0;
  #lastMatching: { digits: string; user: T } | undefined;
  #cancel: (() => void) | undefined;
  #destroyed = false;

  constructor(
    readonly name: string,
    readonly digitTimeoutMs: number,
    readonly inputTimeoutMs: number,
    private readonly host: DigitMachineHost<T>,
  ) {
    this.#arm();
  }

  /** switch_ivr_dmachine_bind; false when the digits are too long. */
  bind(realmName: string, digits: string, isPriority: boolean, user: T): boolean {
    if (digits.length > DMACHINE_MAX_DIGITS) return false;
    const name = realmName === '' ? 'default' : realmName;
    let realm = this.#realms.get(name);
    if (!realm) {
      realm = { name, bindings: [], terminators: undefined };
      this.#realms.set(name, realm);
    }
    const known = realm.bindings.find((b) => (b.isRegex && b.digits === digits.slice(1)) || b.digits === digits);
    if (known) {
      known.user = user;
      this.host.log('DEBUG', `Reuse Existing Digit parser ${this.name}: binding ${digits}/${name}/0`);
      return true;
    }
    let rest = digits;
    const firstMatch = rest.startsWith('=');
    if (firstMatch) rest = rest.slice(1);
    const isRegex = rest.startsWith('~');
    let repl: string | undefined;
    if (isRegex) {
      rest = rest.slice(1);
      const tilde = rest.indexOf('~');
      if (tilde >= 0 && rest[tilde + 1] === '~') {
        repl = rest.slice(tilde + 2);
        rest = rest.slice(0, tilde);
      }
    }
    realm.bindings.push({ digits: rest, repl, firstMatch, isRegex, isPriority, user, substituted: undefined, rmatch: false });
    if (this.#realm !== realm) this.setRealm(name);
    if (isRegex && this.#max !== DMACHINE_MAX_DIGITS) this.#max = DMACHINE_MAX_DIGITS;
    else if (digits.length > this.#max) this.#max = digits.length;
    this.host.log('DEBUG', `Digit parser ${this.name}: binding ${digits}/${name}/0`);
    return true;
  }

  /** switch_ivr_dmachine_set_realm. */
  setRealm(name: string): boolean {
    const realm = this.#realms.get(name);
    if (!realm) {
      this.host.log('ERR', `Digit parser ${this.name}: Error Setting realm to '${name}'`);
      return false;
    }
    this.host.log('INFO', `Digit parser ${this.name}: Setting realm to '${name}'`);
    this.#realm = realm;
    return true;
  }

  /** switch_ivr_dmachine_clear_realm: its bindings are gone; if it was the active realm, none is active. */
  clearRealm(name: string): boolean {
    if (name === '') {
      this.host.log('ERR', `Digit parser ${this.name}: Error unknown realm: '${name}'`);
      return false;
    }
    const realm = this.#realms.get(name);
    this.host.log('INFO', `Digit parser ${this.name}: Clearing realm '${name}'`);
    if (realm === this.#realm) {
      this.host.log('WARNING', `Digit parser ${this.name}: '${name}' was the active realm, no realm currently selected.`);
      this.#realm = undefined;
    }
    this.#realms.delete(name);
    return true;
  }

  /** switch_ivr_dmachine_set_terminators: on the active realm. */
  setTerminators(terminators: string): boolean {
    const realm = this.#realm;
    if (!realm) {
      this.host.log('ERR', 'No realm selected.');
      return false;
    }
    realm.terminators = terminators;
    this.host.log('DEBUG', `Digit parser ${this.name}: Setting terminators for realm '${realm.name}' to '${terminators}'`);
    return true;
  }

  /** switch_ivr_dmachine_feed: one digit, then a look for a match. */
  feed(digit: string): void {
    if (this.#destroyed) return;
    if (this.#count >= this.#max) {
      this.host.log('ERR', 'dmachine overflow error!');
      return;
    }
    this.#digits += digit;
    this.#count++;
    this.#ping(false);
    this.#arm();
  }

  /** switch_ivr_dmachine_destroy: no more timeouts. */
  destroy(): void {
    this.#destroyed = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  /** The timeout that applies now: between digits, or (none gathered) the input timeout. */
  #arm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    const ms = this.#count > 0 ? this.digitTimeoutMs : this.inputTimeoutMs;
    if (this.#destroyed || ms <= 0) return;
    this.#cancel = this.host.after(ms, () => {
      this.#cancel = undefined;
      if (this.#destroyed) return;
      this.#ping(true);
      this.#arm();
    });
  }

  /** switch_ivr_dmachine_ping. */
  #ping(timedOut: boolean): void {
    const best = this.#checkMatch(timedOut);
    const isTimeout = timedOut || best === Match.NEVER;
    if (this.#digits === '' && !isTimeout) return;
    if (best === Match.EXACT && this.#lastMatching) {
      const { digits, user } = this.#lastMatching;
      this.#clear();
      this.host.matched(digits, user);
      return;
    }
    if (isTimeout || (best === Match.NONE && this.#count === this.#max)) {
      const digits = this.#digits;
      this.#clear();
      this.host.unmatched(digits);
    }
  }

  #clear(): void {
    this.#digits = '';
    this.#count = 0;
  }

  /** switch_ivr_dmachine_check_match; sets #lastMatching when the result is EXACT. */
  #checkMatch(timedOut: boolean): Match {
    let isTimeout = timedOut;
    let best = Match.NONE;
    const realm = this.#realm;
    if (this.#count === 0 || !realm) return best;
    let exact: Binding<T> | undefined;
    let partial: Binding<T> | undefined;
    let both: Binding<T> | undefined;
    let pmatches = 0;
    let ematches = 0;
    let rmatches = 0;
    for (const b of realm.bindings) {
      if (b.isRegex) {
        const r = regexPerform(this.#digits, b.digits);
        if (r.error) this.host.log('ERR', `Digit parser ${this.name}: ${r.error}`);
        b.rmatch = r.matched;
        b.substituted = r.matched && b.repl !== undefined ? substitute(r.match, b.repl) : undefined;
        rmatches++;
        pmatches++;
        if (b.rmatch && b.firstMatch) break;
      } else if (b.digits.startsWith(this.#digits)) {
        pmatches++;
        if (this.#count === b.digits.length) ematches++;
      }
    }
    for (const t of realm.terminators ?? '') {
      const at = this.#digits.lastIndexOf(t);
      if (at >= 0) {
        this.#digits = this.#digits.slice(0, at);
        isTimeout = true;
        break;
      }
    }
    for (const b of realm.bindings) {
      if (b.isRegex) {
        if (!b.rmatch) continue;
        const only = b === realm.bindings[0] && realm.bindings.length === 1;
        if (b.firstMatch || (b.isPriority && !ematches) || isTimeout || only) {
          best = Match.EXACT;
          exact = b;
          break;
        }
        best = Match.PARTIAL;
        continue;
      }
      const pmatch = b.digits.startsWith(this.#digits);
      if (!exact && pmatch && (b.firstMatch || !rmatches || b.isPriority || isTimeout) && b.digits === this.#digits) {
        best = Match.EXACT;
        exact = b;
        if (b.firstMatch || b.isPriority || this.#count === this.#max) break;
      }
      if (!(both && partial) && b.digits.length !== this.#digits.length && pmatch) {
        if (exact) {
          best = Match.BOTH;
          both = b;
        } else {
          best = Match.PARTIAL;
          partial = b;
        }
      }
      if (both && exact && partial) break;
    }
    if (!pmatches) best = Match.NEVER;
    let chosen: Binding<T> | undefined;
    if (isTimeout && both) chosen = exact;
    if (best === Match.EXACT && exact) chosen = exact;
    if (!chosen) return best;
    this.#lastMatching = { digits: chosen.substituted ?? this.#digits, user: chosen.user };
    return Match.EXACT;
  }
}
