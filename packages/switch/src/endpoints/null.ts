/**
 * The null endpoint's address and options (mod_loopback's `null` interface): `null/<anything>`,
 * outbound only; `null/cause-<NAME>` or `null_hangup_cause=<NAME>` refuses the call with that cause.
 */
import { parseCause } from '../channel/causes.ts';
import { atoi, switchTrue } from '../internal/strings.ts';

export type NullTarget =
  | {
      readonly refuse: false;
      /** `null/<destination>`. */
      readonly name: string;
      /** null_enable_auto_answer (default true). */
      readonly autoAnswer: boolean;
      /** null_auto_answer_delay in ms (default 0, clamped to 0..60000). */
      readonly autoAnswerDelayMs: number;
      /** null_pre_answer (default false). */
      readonly preAnswer: boolean;
      /** `rate`: a positive multiple of 8000, else 8000. */
      readonly rate: number;
    }
  | {
      readonly refuse: true;
      /** The cause the originate fails with (named causes parse as hangup-cause words do). */
      readonly cause: number;
      /** The name the short-lived channel had. */
      readonly name: string;
    };

/** `variable` reads the leg's originate variables. `destination` is the leg's destination number. */
export function parseNullTarget(destination: string, variable: (name: string) => string | undefined): NullTarget {
  const name = `null/${destination}`;
  const hangupCause = variable('null_hangup_cause');
  // mod_loopback compares the prefix case-sensitively
  if (hangupCause !== undefined || destination.startsWith('cause-')) {
    return { refuse: true, cause: parseCause(hangupCause ?? destination.slice(6)), name };
  }
  const enable = variable('null_enable_auto_answer');
  const delay = variable('null_auto_answer_delay');
  const rate = atoi(variable('rate') ?? '');
  return {
    refuse: false,
    name,
    autoAnswer: enable === undefined ? true : switchTrue(enable),
    autoAnswerDelayMs: delay === undefined ? 0 : Math.min(60_000, Math.max(0, atoi(delay))),
    preAnswer: switchTrue(variable('null_pre_answer')),
    rate: rate > 0 && rate % 8000 === 0 ? rate : 8000,
  };
}
