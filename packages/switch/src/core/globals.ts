import { disableVariableReferences } from '../internal/strings.ts';

/**
 * Global variables (runtime.global_vars, a switch_event_t: switch_core_set_variable /
 * get_variable): ordered, names matched in any case. A set removes the variable and adds it
 * again at the end, under the name as given.
 */
export class GlobalVariables {
  /** Lower-cased name → the name as set and its value. */
  readonly #vars = new Map<string, { name: string; value: string }>();

  constructor(initial: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of initial) this.set(k, v);
  }

  get(name: string): string | undefined {
    return this.#vars.get(name.toLowerCase())?.value;
  }

  /**
   * switch_core_set_variable: an empty or missing value unsets. `${` in the value is stored as
   * `%{` (switch_string_var_check), so a global never expands as a variable reference later.
   */
  set(name: string, value: string | undefined): void {
    const key = name.toLowerCase();
    this.#vars.delete(key);
    if (value !== undefined && value !== '') this.#vars.set(key, { name, value: disableVariableReferences(value) });
  }

  /**
   * switch_core_set_var_conditional: changes only when the current value is `expected` (compared
   * case-sensitively); a variable that is not set changes only when `expected` is empty.
   */
  setIf(name: string, value: string | undefined, expected: string): void {
    if ((this.get(name) ?? '') === expected) this.set(name, value);
  }

  *names(): IterableIterator<string> {
    for (const v of this.#vars.values()) yield v.name;
  }

  entries(): [string, string][] {
    return [...this.#vars.values()].map((v) => [v.name, v.value]);
  }
}
