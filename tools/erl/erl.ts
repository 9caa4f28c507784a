/**
 * Where the interop suites find their real Erlang peer. BEAMLINE_ERL selects another OTP
 * (tools/test.sh runs the interop suites a second time against OTP 27 this way).
 */
export const erlBinary: string = process.env.BEAMLINE_ERL ?? 'erl';

/**
 * An Erlang expression (for `-eval` or a shell) that compiles a module from its source, one form
 * a string, and loads it without a file; its value is `{module, Name}`, and it binds no variable.
 */
export function loadModule(forms: readonly string[]): string {
  const source = forms.map((form) => JSON.stringify(form)).join(', ');
  return `(fun() -> {ok, Mod_, Bin_} = compile:forms([begin {ok, T_, _} = erl_scan:string(L_), {ok, F_} = erl_parse:parse_form(T_), F_ end || L_ <- [${source}]]), code:load_binary(Mod_, atom_to_list(Mod_) ++ ".erl", Bin_) end)()`;
}
