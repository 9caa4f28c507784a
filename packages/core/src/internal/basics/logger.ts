/** The default report sinks, and how a partial logger is completed. */
import { Pid } from '@beamline/etf';
import { formatTerm } from './errors.ts';
import type { CrashReport, Logger, ProgressReport, SupervisorReport, WarningReport } from './types.ts';

/** A reporting process is on this node: shown as erl shows a local pid, `<0.42.0>`. */
function local(pid: unknown): string {
  return pid instanceof Pid ? pid.format(pid.node) : String(pid);
}

function who(pid: unknown, name: string | undefined): string {
  return name !== undefined ? `${local(pid)} (${name})` : local(pid);
}

const clip = (text: string): string => (text.length > 2000 ? `${text.slice(0, 2000)}...` : text);

/** Crash and supervisor reports to stderr; progress reports are not printed (as OTP's default). */
export const consoleLogger: Logger = {
  crash(r: CrashReport): void {
    let detail = r.error instanceof Error && r.error.stack ? `\n${r.error.stack}` : '';
    if ('lastMessage' in r) detail += `\n  last message: ${clip(formatTerm(r.lastMessage))}\n  state: ${clip(formatTerm(r.state))}`;
    console.error(`=CRASH REPORT==== process ${who(r.pid, r.name)} [${r.behaviour}] exited: ${formatTerm(r.reason)}${detail}`);
  },
  supervisor(r: SupervisorReport): void {
    if (r.kind === 'unexpected_message') {
      console.error(
        `=ERROR REPORT==== supervisor ${who(r.supervisor, r.supervisorName)}: Supervisor received unexpected message: ${clip(formatTerm(r.reason))}`,
      );
      return;
    }
    const child = r.childPid !== undefined ? ` ${local(r.childPid)}` : '';
    console.error(
      `=SUPERVISOR REPORT==== supervisor ${who(r.supervisor, r.supervisorName)} ${r.kind} child ${r.childId}${child}: ${formatTerm(r.reason)}`,
    );
  },
  progress(_r: ProgressReport): void {},
  warning(r: WarningReport): void {
    console.error(
      `=WARNING REPORT==== process ${who(r.pid, r.name)}: ** Undefined handleInfo in ${r.behaviour} ** Unhandled message: ${clip(formatTerm(r.message))}`,
    );
  },
};

const silent = (): void => {};

/** Missing methods do nothing; a sink that throws never reaches the runtime. */
export function completeLogger(partial: Partial<Logger> | null): Logger {
  const guard =
    <R>(fn: ((r: R) => void) | undefined) =>
    (r: R): void => {
      if (fn === undefined) return;
      try {
        fn(r);
      } catch {
        // a failing sink must not break the runtime
      }
    };
  if (partial === null) return { crash: silent, supervisor: silent, progress: silent, warning: silent };
  return {
    crash: guard(partial.crash?.bind(partial)),
    supervisor: guard(partial.supervisor?.bind(partial)),
    progress: guard(partial.progress?.bind(partial)),
    warning: guard(partial.warning?.bind(partial)),
  };
}
