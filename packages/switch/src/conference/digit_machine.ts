/**
 * The member's digit parser (switch_ivr_dmachine, as conference_member_bind_controls uses it):
 * digits gather until they are a binding's digits and no longer binding starts with them (or a
 * binding marked `=` matches), or until the digit timeout passes with a binding matched; digits
 * no binding starts with are dropped. Beyond the longest binding's length a digit is not taken.
 * Binding digits already bound replaces that binding's action in place. `~` (regular
 * expression) bindings are not parsed here: they bind nothing.
 */

interface Binding {
  readonly digits: string;
  /** A leading `=`: it fires as soon as it matches, even if a longer binding could follow. */
  readonly firstMatch: boolean;
  action: string;
}

export class DigitMachine {
  readonly #bindings: Binding[] = [];
  #max = 0;
  #digits = '';
  #cancel: (() => void) | undefined;

  /**
   * @param after runs `fn` after `ms` (the channel's timer); returns its cancel
   * @param matched a binding's action, with the digits that chose it
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly after: (ms: number, fn: () => void | Promise<void>) => () => void,
    private readonly matched: (digits: string, action: string) => void | Promise<void>,
  ) {}

  /** switch_ivr_dmachine_bind; false for a binding it cannot take. */
  bind(spec: string, action: string): boolean {
    const firstMatch = spec.startsWith('=');
    const digits = firstMatch ? spec.slice(1) : spec;
    if (digits === '' || digits.startsWith('~')) return false;
    // as switch_ivr_dmachine_bind compares them: the stored digits with the new ones, `=` and all
    const known = this.#bindings.find((b) => b.digits === spec);
    if (known) known.action = action;
    else this.#bindings.push({ digits, firstMatch, action });
    this.#max = Math.max(this.#max, digits.length);
    return true;
  }

  get size(): number {
    return this.#bindings.length;
  }

  /** switch_ivr_dmachine_feed: one digit, then a check for a match. */
  async feed(digit: string): Promise<void> {
    if (this.#digits.length >= this.#max) return;
    this.#digits += digit;
    this.#cancel?.();
    this.#cancel = this.after(this.timeoutMs, () => this.#check(true));
    await this.#check(false);
  }

  stop(): void {
    this.#cancel?.();
    this.#digits = '';
  }

  /**
   * switch_ivr_dmachine_check_match and _ping on the digits so far, in binding order: a longer
   * binding seen after the exact one makes the match wait for the timeout; one seen before it
   * does not.
   */
  async #check(timedOut: boolean): Promise<void> {
    const digits = this.#digits;
    if (digits === '') return;
    let exact: Binding | undefined;
    let waits = false;
    let starts = false;
    for (const b of this.#bindings) {
      if (!b.digits.startsWith(digits)) continue;
      starts = true;
      if (!exact && b.digits === digits) {
        exact = b;
        waits = false;
        if (b.firstMatch || digits.length === this.#max) break;
      } else if (b.digits.length !== digits.length) waits = exact !== undefined;
    }
    if (exact && (!waits || timedOut)) {
      this.stop();
      await this.matched(digits, exact.action);
    } else if (!starts || timedOut) this.stop();
  }
}
