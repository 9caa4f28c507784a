/** The outside programs benches run, for `run.ts` to check before a bench starts. */
import { erlBinary } from '../erl/erl.ts';
import { sippBinary } from '../sipp/sipp.ts';

export interface Need {
  binary: string;
  /** What the bench runs it as, for the error. */
  what: string;
  /** The variable that names another binary. */
  env: string;
}

export const erl: Need = { binary: erlBinary, what: 'real Erlang nodes (erl)', env: 'BEAMLINE_ERL' };
export const sipp: Need = { binary: sippBinary, what: 'SIPp (sipp) as its phones', env: 'BEAMLINE_SIPP' };
