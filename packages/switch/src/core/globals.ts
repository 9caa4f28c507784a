/** Global variables (switch_core_set_variable / get_variable): ordered, case-sensitive names. */
export class GlobalVariables {
  readonly #vars = new Map<string, string>();

  constructor(initial: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of initial) this.#vars.set(k, v);
  }

  get(name: string): string | undefined {
    return this.#vars.get(name);
  }

  /** An empty or missing value unsets. */
  set(name: string, value: string | undefined): void {
    if (value === undefined || value === '') this.#vars.delete(name);
    else this.#vars.set(name, value);
  }

  /** switch_core_set_var_conditional: changes only when the current value is `expected`. */
  setIf(name: string, value: string | undefined, expected: string): void {
    if (this.#vars.get(name) === expected) this.set(name, value);
  }

  names(): IterableIterator<string> {
    return this.#vars.keys();
  }

  entries(): [string, string][] {
    return [...this.#vars.entries()];
  }
}
