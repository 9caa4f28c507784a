/**
 * The loopback endpoint's address (mod_loopback): `loopback/<exten>[/<context>[/<dialplan>]]`,
 * or `loopback/app=<app>[:<arg>]` to run one application on the B leg instead of the dialplan.
 */

export interface LoopbackTarget {
  /** The B leg's destination number (the application's name for `app=`). */
  readonly exten: string;
  /** Default `default`. */
  readonly context: string;
  /** Default `xml`. */
  readonly dialplan: string;
  readonly app?: string;
  readonly appArg?: string;
  /** `loopback/<exten>-a`: the outbound leg originate returns. */
  readonly nameA: string;
  /** `loopback/<exten>-b`: the inbound leg that runs the dialplan. */
  readonly nameB: string;
}

/** `destination` is the leg's destination number (the dial string's data, `service` when empty). */
export function parseLoopbackTarget(destination: string): LoopbackTarget {
  let dest = destination;
  let app: string | undefined;
  let appArg: string | undefined;
  if (dest.slice(0, 4).toLowerCase() === 'app=') {
    const spec = dest.slice(4);
    const colon = spec.indexOf(':');
    app = colon < 0 ? spec : spec.slice(0, colon);
    appArg = colon < 0 ? undefined : spec.slice(colon + 1);
    dest = app;
  }
  const [exten, context, dialplan] = splitTwice(dest);
  return {
    exten,
    context: context || 'default',
    dialplan: dialplan || 'xml',
    ...(app !== undefined ? { app } : {}),
    ...(appArg !== undefined ? { appArg } : {}),
    nameA: `loopback/${exten}-a`,
    nameB: `loopback/${exten}-b`,
  };
}

/** `a/b/c/d` → `a`, `b`, `c/d` (each cut at the first `/`). */
function splitTwice(s: string): [string, string | undefined, string | undefined] {
  const first = s.indexOf('/');
  if (first < 0) return [s, undefined, undefined];
  const rest = s.slice(first + 1);
  const second = rest.indexOf('/');
  return second < 0 ? [s.slice(0, first), rest, undefined] : [s.slice(0, first), rest.slice(0, second), rest.slice(second + 1)];
}
