/** Why a decode failed. */
export type DecodeErrorCode =
  | 'truncated'
  | 'bad_version'
  | 'bad_tag'
  | 'bad_length'
  | 'too_large'
  | 'too_deep'
  | 'bad_atom'
  | 'unknown_atom'
  | 'bad_utf8'
  | 'bad_float'
  | 'duplicate_key'
  | 'bad_compressed'
  | 'trailing_data'
  | 'bad_value';

/**
 * Every decoder failure: the input was not a valid term. `offset` is where in the input it broke,
 * `detail` what was wrong there (the message is both, with the code).
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${detail} (${code} at offset ${offset})`);
  }
}

/** A JS value that has no Erlang encoding (NaN, Infinity, undefined, a plain object, ...). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}
