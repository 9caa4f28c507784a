/**
 * Where the interop suites find their real Erlang peer. BEAMLINE_ERL selects another OTP
 * (tools/test.sh runs the interop suites a second time against OTP 27 this way).
 */
export const erlBinary: string = process.env.BEAMLINE_ERL ?? 'erl';
