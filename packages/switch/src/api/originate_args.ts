/**
 * The argument syntax of the `originate` API command (mod_commands.c):
 *
 *   originate <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]
 *
 * Words are cut at blanks (single quotes keep blanks together and are removed); the literal word
 * `undef` (any case) in a position means "not given".
 */
import { atoi, caseEqual, separateString } from '../internal/strings.ts';

export const ORIGINATE_SYNTAX =
  '<call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]';
export const ORIGINATE_USAGE = `-USAGE: ${ORIGINATE_SYNTAX}\n`;

export type OriginateTarget =
  /** `&app(arg)`: a one-application extension; `arg` undefined without `(`, `''` for `()`. */
  | { readonly kind: 'application'; readonly application: string; readonly arg: string | undefined }
  /** Transfer to `<exten> <dialplan> <context>`. */
  | { readonly kind: 'extension'; readonly extension: string };

export interface OriginateArgs {
  /** The dial string ('' when `undef`). */
  readonly url: string;
  readonly target: OriginateTarget;
  /** Default `XML`. */
  readonly dialplan: string;
  /** Default `default`. */
  readonly context: string;
  readonly cidName: string | undefined;
  readonly cidNum: string | undefined;
  /** Seconds; default 60 (also for 0 or a negative number). */
  readonly timeoutSec: number;
}

export type OriginateArgsResult = { readonly ok: true; readonly args: OriginateArgs } | { readonly ok: false; readonly output: string };

export function parseOriginateArgs(cmd: string): OriginateArgsResult {
  if (!cmd) return { ok: false, output: ORIGINATE_USAGE };
  const argv: (string | undefined)[] = separateString(cmd, ' ', 10);
  if (argv.length < 2 || argv.length > 7) return { ok: false, output: ORIGINATE_USAGE };
  for (let i = 0; i < argv.length; i++) if (caseEqual(argv[i]!, 'undef')) argv[i] = undefined;
  const [url, exten, dialplan, context, cidName, cidNum, timeout] = argv;
  // FreeSWITCH asserts here (and aborts); answer with the usage instead
  if (exten === undefined) return { ok: false, output: ORIGINATE_USAGE };
  const t = timeout === undefined ? 60 : atoi(timeout);
  return {
    ok: true,
    args: {
      url: url ?? '',
      target: parseTarget(exten),
      dialplan: dialplan ?? 'XML',
      context: context ?? 'default',
      cidName,
      cidNum,
      timeoutSec: t > 0 ? t : 60,
    },
  };
}

/** `&name(arg)`: the name is cut at the first `)` and then at the first `(`. */
function parseTarget(exten: string): OriginateTarget {
  if (!(exten.startsWith('&') && exten.length > 1)) return { kind: 'extension', extension: exten };
  let app = exten.slice(1);
  const close = app.indexOf(')');
  if (close >= 0) app = app.slice(0, close);
  const open = app.indexOf('(');
  return open < 0
    ? { kind: 'application', application: app, arg: undefined }
    : { kind: 'application', application: app.slice(0, open), arg: app.slice(open + 1) };
}
