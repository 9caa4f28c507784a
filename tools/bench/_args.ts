/**
 * The benches' argument checks. A value that is not what the bench needs raises a TypeError with
 * the code util.parseArgs gives a bad value, so run.ts prints it as the one line it prints for an
 * unknown flag (a typo must not start a long run on defaults, nor end in a stack trace).
 */
export function badArg(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}

/** A whole number ≥ 1 (a count, a size, milliseconds). */
export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1) throw badArg(`${flag} ${JSON.stringify(value)}: give a whole number of at least 1`);
  return n;
}

/** A number > 0 (seconds, which may have a fraction). */
export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw badArg(`${flag} ${JSON.stringify(value)}: give a number greater than 0`);
  return n;
}

/** A whole number ≥ 0 (0 turns the thing off). */
export function nonNegativeInt(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw badArg(`${flag} ${JSON.stringify(value)}: give a whole number of at least 0`);
  return n;
}

/** A TCP port, 1..65535. */
export function port(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1 || n > 65535)
    throw badArg(`${flag} ${JSON.stringify(value)}: give a port number, 1..65535`);
  return n;
}
